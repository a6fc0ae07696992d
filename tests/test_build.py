"""Tests for pipeline.build and `rules build`.

All problems at once with file:line, no needless rebuild, a self-contained model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language
from typer.testing import CliRunner

from pipeline.build import PIPELINE, blank_pipeline, build_model
from pipeline.cli import app
from pipeline.corpus import RawDoc, iter_inputs
from pipeline.rules import RulesError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw" / "seeds"


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", target, ignore=shutil.ignore_patterns("candidates"))
    return target


def _append(path: Path, line: str) -> int:
    """Append one line to a rules file; return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return len((text + line).splitlines())


def test_malformed_rules_give_every_error_with_file_and_line_and_write_nothing(
    rules_copy: Path, tmp_path: Path
) -> None:
    actors, titles, people = (rules_copy / f"{n}.jsonl" for n in ("actors", "titles", "people"))
    unknown_key = _append(
        actors, '{"actor_id": "norway", "name": "Norway", "actor_type": "state", "colour": "red"}'
    )
    bad_label = _append(
        actors, '{"actor_id": "atlantis", "name": "Atlantis", "actor_type": "planet"}'
    )
    duplicate = _append(titles, '{"text": "Foreign Minister"}')
    bad_ref = _append(
        people, '{"person_id": "x_y", "name": "X Y", "names": ["X Y"], "affiliation_id": "nowhere"}'
    )
    bad_json = _append(titles, '{"text": "Envoy"')
    (rules_copy / "actor.jsonl").write_text("{}\n", encoding="utf-8")  # a misspelt file name
    model = tmp_path / "model"
    with pytest.raises(RulesError) as info:
        build_model(rules_copy, model)
    messages = [str(p) for p in info.value.problems]
    expected = [
        f"{actors}:{unknown_key}: unknown key 'colour'",
        f"{actors}:{bad_label}: key 'actor_type' is 'planet', not one of",
        f"{titles}:{duplicate}: duplicate text",
        f"{people}:{bad_ref}: affiliation_id 'nowhere' is not a known actors.actor_id",
        f"{titles}:{bad_json}: not valid JSON",
        f"{rules_copy / 'actor.jsonl'}:0: unknown rules file",
    ]
    for start in expected:
        assert any(m.startswith(start) for m in messages), start
    assert not model.exists()
    result = CliRunner().invoke(
        app, ["rules", "build", "--rules", str(rules_copy), "--model", str(model)]
    )
    assert result.exit_code == 2
    assert f"{titles}:{duplicate}:" in result.output


def test_unchanged_rules_and_code_do_not_rebuild(rules_copy: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    first = build_model(rules_copy, model)
    stamp = (model / "meta.json").stat().st_mtime_ns
    second = build_model(rules_copy, model)
    assert first.rebuilt and not second.rebuilt
    assert (model / "meta.json").stat().st_mtime_ns == stamp
    result = CliRunner().invoke(
        app, ["rules", "build", "--rules", str(rules_copy), "--model", str(model)]
    )
    assert result.exit_code == 0 and "up to date" in result.output
    _append(rules_copy / "titles.jsonl", '{"text": "Special Coordinator"}')
    third = build_model(rules_copy, model)
    assert third.rebuilt and third.rules_hash != first.rules_hash


def _in_memory(rules_dir: Path) -> Language:
    """The pipeline initialised from rules in memory, never written to disk."""
    nlp = blank_pipeline()
    for factory, _ in PIPELINE:
        if factory.startswith("ceasefire_"):
            nlp.config["initialize"]["components"][factory] = {"rules_dir": str(rules_dir)}
    nlp.initialize()
    return nlp


def _records(nlp: Language, raw: RawDoc) -> dict[str, list[dict[str, Any]]]:
    doc = nlp.make_doc(raw.text)
    doc._.published = raw.published or dt.date(2024, 2, 8)
    doc = nlp(doc)
    return {
        name: [dataclasses.asdict(r) for r in getattr(doc._, name) or []]
        for name in ("entities", "quantities", "dates", "claims")
    }


def test_the_built_model_loads_without_rules_and_gives_the_same_output(
    rules_copy: Path, tmp_path: Path
) -> None:
    seeds = [d for d in iter_inputs([SEEDS]) if isinstance(d, RawDoc)]
    memory = _in_memory(rules_copy)
    expected = [_records(memory, raw) for raw in seeds]
    build_model(rules_copy, tmp_path / "built")
    moved = tmp_path / "elsewhere" / "ceasefire_claims"
    shutil.copytree(tmp_path / "built", moved)
    shutil.rmtree(tmp_path / "built")
    shutil.rmtree(rules_copy)  # rules/ absent: the model must carry everything
    loaded = spacy.load(moved)
    assert [_records(loaded, raw) for raw in seeds] == expected
    assert any(r["entities"] and r["claims"] for r in expected)  # the comparison is not vacuous
