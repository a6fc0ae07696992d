"""Assemble the spaCy pipeline from ``rules/`` into a self-contained model directory.

``build_model`` is the "retraining" step: validate every rules file (all
problems at once, each with file:line), create a blank English pipeline with the
lookup lemmatizer and the project's components, run ``nlp.initialize()`` so each
component reads its rules, and write the result atomically to
``models/ceasefire_claims/``. The model's ``meta.json`` records the package
version, the rules hash and a hash of the code, so :func:`model_is_current` can
tell when a rebuild is needed and ``spacy.load()`` works with ``rules/`` absent.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language

from pipeline import MODEL_NAME, __version__
from pipeline.rules import RuleSpec, rules_hash, validate_rules_dir
from pipeline.tables import SCHEMA_VERSION

#: (factory, extra config) in pipeline order. Dates run before numbers so that
#: tokens inside a date are never read as a count.
PIPELINE: tuple[tuple[str, dict[str, Any]], ...] = (
    ("ceasefire_sentences", {}),
    ("ceasefire_lemmatizer", {}),  # spaCy's lookup lemmas, one array write per doc
    ("ceasefire_actors", {}),
    ("ceasefire_roles", {}),
    ("ceasefire_dates", {}),
    ("ceasefire_numbers", {}),
    ("ceasefire_claims", {}),
)

META_KEY = "ceasefire_claims"


@dataclass(frozen=True)
class BuildResult:
    """What ``build_model`` did."""

    path: Path
    rebuilt: bool
    rules_hash: str
    code_hash: str


def code_hash() -> str:
    """Return a short hash of the package's Python sources (a code change forces a rebuild)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def blank_pipeline() -> Language:
    """Return a blank English pipeline with every project component added, uninitialised."""
    import spacy

    nlp = spacy.blank("en")
    for factory, config in PIPELINE:
        nlp.add_pipe(factory, config=config)
    return nlp


def rule_specs(nlp: Language | None = None) -> list[RuleSpec]:
    """Return the rule file specs of every component in the pipeline."""
    nlp = nlp or blank_pipeline()
    specs: list[RuleSpec] = []
    for _, component in nlp.pipeline:
        specs.extend(getattr(component, "RULE_SPECS", ()))
    return specs


def tool_specs(rules_dir: Path) -> list[RuleSpec]:
    """Return the specs of rules files read by tools, not components (``suggest``), when present."""
    from pipeline.suggest import SUGGEST_SPECS

    return [spec for spec in SUGGEST_SPECS if spec.candidates(Path(rules_dir))]


def validate_rules(rules_dir: Path) -> None:
    """Check every rules file; raise :class:`~pipeline.rules.RulesError` listing all problems."""
    specs = {
        spec.name: spec for spec in [*rule_specs(), *tool_specs(rules_dir)]
    }  # shared specs once
    validate_rules_dir(Path(rules_dir), list(specs.values()))


def read_model_meta(model_dir: Path) -> dict[str, Any]:
    """Return the project section of a built model's meta.json ({} when absent)."""
    meta_path = Path(model_dir) / "meta.json"
    if not meta_path.exists():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    section = meta.get(META_KEY, {})
    return section if isinstance(section, dict) else {}


def model_is_current(rules_dir: Path, model_dir: Path) -> bool:
    """Return True when ``model_dir`` was built from these rules by this code."""
    meta = read_model_meta(model_dir)
    return (
        bool(meta)
        and meta.get("rules_hash") == rules_hash(rules_dir)
        and meta.get("code_hash") == code_hash()
    )


def build_model(rules_dir: Path, model_dir: Path, *, force: bool = False) -> BuildResult:
    """Validate ``rules_dir`` and write the initialised pipeline to ``model_dir``.

    Args:
        rules_dir: the folder of rule files.
        model_dir: where the model goes (replaced atomically; never half-written).
        force: rebuild even when the model is current.

    Raises:
        RulesError: nothing is written when any rules file has a problem.
    """
    rules_dir, model_dir = Path(rules_dir), Path(model_dir)
    r_hash, c_hash = rules_hash(rules_dir), code_hash()
    if not force and model_is_current(rules_dir, model_dir):
        return BuildResult(model_dir, False, r_hash, c_hash)
    validate_rules(rules_dir)
    nlp = blank_pipeline()
    for factory, _ in PIPELINE:
        if factory.startswith("ceasefire_"):
            nlp.config["initialize"]["components"][factory] = {"rules_dir": str(rules_dir)}
    nlp.initialize()
    # The build path is not part of the model: a loaded model never re-reads rules/.
    for factory, _ in PIPELINE:
        nlp.config["initialize"]["components"].pop(factory, None)
    nlp.meta.update(
        {
            "name": MODEL_NAME,
            "version": __version__,
            "description": "Rule-based extraction of actors, numbers, dates and claims "
            "from ceasefire-negotiation news.",
            "license": "MIT",
            META_KEY: {
                "package_version": __version__,
                "schema_version": SCHEMA_VERSION,
                "rules_hash": r_hash,
                "code_hash": c_hash,
            },
        }
    )
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.", dir=model_dir.parent))
    staging.chmod(0o755)
    try:
        nlp.to_disk(staging / "model")
        _replace_dir(staging / "model", model_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(model_dir, True, r_hash, c_hash)


def _replace_dir(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``, swapping out any old directory with renames only."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def load_model(model_dir: Path) -> Language:
    """Return the built pipeline at ``model_dir`` (``spacy.load`` with a clearer error)."""
    import spacy

    model_dir = Path(model_dir)
    if not (model_dir / "meta.json").exists():
        raise FileNotFoundError(
            f"{model_dir}: no built model here; run `ceasefire-claims rules build` (make model)"
        )
    return spacy.load(model_dir)
