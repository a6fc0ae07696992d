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
