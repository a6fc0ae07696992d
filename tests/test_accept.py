"""Tests for pipeline.accept and `rules accept`: sorted insertion, checks at file:line, rebuild."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.accept import accept_candidates, merged_lines, row_line
from pipeline.build import read_model_meta
from pipeline.cli import app
from pipeline.rules import Field, RulesError, RuleSpec, rules_hash

ROOT = Path(__file__).resolve().parents[1]
SPEC = RuleSpec(
    "words", {"word": Field(required=True), "kind": Field(), "note": Field()}, unique=("word",)
)


def test_row_line_uses_the_spec_key_order_and_drops_empty_values() -> None:
    row = {"kind": "noun", "extra": 1, "note": "", "word": "détenu"}
    assert row_line(row, SPEC) == '{"word": "détenu", "kind": "noun", "extra": 1}'


def test_new_rows_go_to_their_sorted_place_in_a_sorted_file() -> None:
    existing = ["# header", '{"word": "apple"}', '{"word": "cherry"}', '{"word": "melon"}']
    lines, landed = merged_lines(
        existing, [{"word": "zebra"}, {"word": "banana"}, {"word": "kiwi"}], SPEC
    )
    assert lines == [
        "# header", '{"word": "apple"}', '{"word": "banana"}', '{"word": "cherry"}',
        '{"word": "kiwi"}', '{"word": "melon"}', '{"word": "zebra"}',
    ]  # fmt: skip
    assert landed == [3, 5, 7]


def test_new_rows_are_appended_to_a_file_in_its_own_order() -> None:
    existing = ['{"word": "melon"}', "# fruit", '{"word": "apple"}']
    lines, landed = merged_lines(existing, [{"word": "kiwi"}, {"word": "banana"}], SPEC)
    assert lines[:3] == existing  # untouched, comments included
    assert lines[3:] == ['{"word": "banana"}', '{"word": "kiwi"}'] and landed == [4, 5]


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    """The repository's rules, copied (without candidates) so tests can change them."""
    target = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", target, ignore=shutil.ignore_patterns("candidates"))
    return target


def _candidates(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("# reviewed\n" + "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


OUTLET = {
    "id": "actor:meridian_herald",
    "target": "actors",
    "row": {
        "actor_id": "meridian_herald",
        "name": "Meridian Herald",
        "actor_type": "media",
        "aliases": ["Meridian Herald"],
    },
}
CUE = {
    "id": "cue:disclose",
    "target": "claim_cues",
    "row": {"id": "disclose", "lemma": "disclose", "kind": "verb"},
}


def test_accept_adds_rows_and_rebuilds(rules_copy: Path, tmp_path: Path) -> None:
    before = (rules_copy / "actors.jsonl").read_text(encoding="utf-8")
    path = _candidates(tmp_path / "c.jsonl", [OUTLET, CUE])
    model = tmp_path / "model"
    result = accept_candidates([path], rules_dir=rules_copy, model_dir=model)
    after = (rules_copy / "actors.jsonl").read_text(encoding="utf-8")
    assert after.startswith(before)  # appended: the curated order is not sorted
    assert json.loads(after.splitlines()[-1])["actor_id"] == "meridian_herald"
    assert set(result.added) == {"actors", "claim_cues"}
    assert read_model_meta(model)["rules_hash"] == rules_hash(rules_copy)


def test_accept_only_the_chosen_ids(rules_copy: Path, tmp_path: Path) -> None:
    path = _candidates(tmp_path / "c.jsonl", [OUTLET, CUE])
    cues = (rules_copy / "claim_cues.jsonl").read_text(encoding="utf-8")
    accept_candidates([path], rules_dir=rules_copy, model_dir=None, ids=["actor:meridian_herald"])
    assert (rules_copy / "claim_cues.jsonl").read_text(encoding="utf-8") == cues
    assert "meridian_herald" in (rules_copy / "actors.jsonl").read_text(encoding="utf-8")


def test_an_invalid_candidate_is_refused_at_its_file_and_line(
    rules_copy: Path, tmp_path: Path
) -> None:
    snapshot = {p.name: p.read_bytes() for p in rules_copy.glob("*.jsonl")}
    no_type = {
        "id": "actor:norwegian",
        "target": "actors",
        "row": {"actor_id": "norwegian", "name": "Norwegian"},
    }
    duplicate = {
        "id": "actor:hamas",
        "target": "actors",
        "row": {"actor_id": "hamas", "name": "Hamas", "actor_type": "armed_group"},
    }
    bad_ref = {
        "id": "person:x",
        "target": "people",
        "row": {"person_id": "x_y", "name": "X Y", "names": ["X Y"], "affiliation_id": "atlantis"},
    }
    nowhere = {"id": "z", "target": "no_such_file", "row": {"a": 1}}
    path = _candidates(tmp_path / "c.jsonl", [OUTLET, no_type, duplicate, bad_ref])
    with pytest.raises(RulesError) as info:
        accept_candidates([path], rules_dir=rules_copy, model_dir=tmp_path / "model")
    messages = [str(p) for p in info.value.problems]
    assert any(
        m.startswith(f"{path}:3: actor:norwegian -> actors: missing required key 'actor_type'")
        for m in messages
    )
    assert any(
        m.startswith(f"{path}:4: actor:hamas -> actors: duplicate actor_id") for m in messages
    )
    assert any(
        m.startswith(f"{path}:5: person:x -> people: affiliation_id 'atlantis' is not a known")
        for m in messages
    )
    assert {
        p.name: p.read_bytes() for p in rules_copy.glob("*.jsonl")
    } == snapshot  # nothing written
    assert not (tmp_path / "model").exists()
    with pytest.raises(RulesError, match="no_such_file"):
        accept_candidates(
            [_candidates(tmp_path / "d.jsonl", [nowhere])], rules_dir=rules_copy, model_dir=None
        )
    with pytest.raises(RulesError, match="no candidate with id 'actor:ghost'"):
        accept_candidates([path], rules_dir=rules_copy, model_dir=None, ids=["actor:ghost"])


def test_accept_cli(rules_copy: Path, tmp_path: Path) -> None:
    path = _candidates(tmp_path / "c.jsonl", [OUTLET, CUE])
    runner = CliRunner()
    args = [
        "rules",
        "accept",
        str(path),
        "--rules",
        str(rules_copy),
        "--model",
        str(tmp_path / "m"),
    ]
    result = runner.invoke(app, [*args, "--ids", "actor:meridian_herald,cue:disclose"])
    assert result.exit_code == 0, result.output
    assert "added 1 row(s) to" in result.output and "built" in result.output
    again = runner.invoke(app, args)  # the same rows again: duplicates, refused
    assert again.exit_code == 2
    assert f"{path}:2: actor:meridian_herald -> actors: duplicate actor_id" in again.output
