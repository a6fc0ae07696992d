"""Shared fixtures: one model built from ``rules/`` per test session, the seeds, paths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.build import build_model, load_model

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
SEEDS = ROOT / "data" / "raw" / "seeds"


def stale_compiled_modules(package: Path = ROOT / "pipeline") -> list[Path]:
    """Return the sources edited after their mypyc-compiled module (``make compile``).

    An editable install keeps each compiled ``.so`` beside its ``.py``, and Python
    imports the ``.so``: tests would run the old code without a word.
    """
    stale = []
    for compiled in sorted(package.glob("*.so")):
        source = compiled.with_name(compiled.name.split(".")[0] + ".py")
        if source.exists() and source.stat().st_mtime > compiled.stat().st_mtime:
            stale.append(source)
    return stale


def pytest_configure(config: pytest.Config) -> None:
    """Stop before any test when a compiled module is older than its source."""
    stale = stale_compiled_modules()
    if stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        raise pytest.UsageError(
            f"{names} {'is' if len(stale) == 1 else 'are'} newer than "
            f"{'its' if len(stale) == 1 else 'their'} compiled module: run make compile "
            "(or CEASEFIRE_PURE_PYTHON=1 make compile to remove the compiled modules)"
        )


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model built once from the repository's rules into a temporary directory."""
    path = tmp_path_factory.mktemp("model") / "ceasefire_claims"
    build_model(RULES, path, force=True)
    return path


@pytest.fixture(scope="session")
def nlp(model_dir: Path) -> Language:
    """The built pipeline, loaded with ``spacy.load`` as a user would."""
    return load_model(model_dir)


@pytest.fixture(scope="session")
def analyse(nlp: Language):  # type: ignore[no-untyped-def]
    """Return a function ``analyse(text, published=None) -> Doc`` running the full pipeline."""

    def run(text: str, published: dt.date | str | None = None) -> Doc:
        doc = nlp.make_doc(text)
        if isinstance(published, str):
            published = dt.date.fromisoformat(published)
        doc._.published = published
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        return doc

    return run
