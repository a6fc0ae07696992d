"""Tests for pipeline.evaluate (and the `rules evaluate` command): tables, fields, rules."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluate import (
    TABLES,
    Mention,
    claim_pairs,
    evaluate,
    field_scores,
    granularity_of,
    label_counts,
    rule_tallies,
)
from pipeline.gold import GoldItem

ROOT = Path(__file__).resolve().parents[1]
TABLE = {t.name: t for t in TABLES}


def g(start: int | None, end: int | None, **data: Any) -> GoldItem:
    return GoldItem("d", "gold.jsonl", 1, start, end, data)


def p(start: int | None, end: int | None, **data: Any) -> Mention:
    return Mention("d", start, end, data)


@pytest.mark.parametrize(
    "value, expected",
    [("2024-02-08", "day"), ("2024-W06", "week"), ("2024-02", "month"), ("2024", "year"),
     ("2024-02-01/2024-02-07", "range"), (None, "null"), ("soon", "other")],
)  # fmt: skip
def test_granularity_of(value: str | None, expected: str) -> None:
    assert granularity_of(value) == expected


def test_entity_labels_exact_and_overlap() -> None:
    gold = {
        "d": [
            g(0, 5, label="ACTOR", actor_id="hamas"),
            g(10, 20, label="PERSON"),
            g(30, 35, label="ACTOR", actor_id="egypt"),
        ]
    }
    pred = {
        "d": [
            p(0, 5, label="ACTOR", actor_id="hamas"),
            p(10, 15, label="PERSON"),
            p(30, 35, label="ACTOR", actor_id="qatar"),
            p(40, 45, label="SOURCE"),
        ]
    }
    labels = label_counts(TABLE["entities.label"], gold, pred)
    assert (
        labels["ACTOR"]["exact"].tp,
        labels["ACTOR"]["exact"].fp,
        labels["ACTOR"]["exact"].fn,
    ) == (2, 0, 0)
    assert labels["PERSON"]["exact"].tp == 0 and labels["PERSON"]["overlap"].tp == 1
    assert labels["SOURCE"]["overlap"].fp == 1
    assert labels["*"]["overlap"].tp == 3
    ids = label_counts(TABLE["entities.actor_id"], gold, pred)
    assert ids["hamas"]["exact"].tp == 1
    assert (ids["egypt"]["exact"].fn, ids["qatar"]["exact"].fp) == (1, 1)


def test_value_and_category_must_agree() -> None:
    gold = {
        "d": [g(0, 6, value=21320, category="killed"), g(10, 12, value=80, category="hostages")]
    }
    pred = {
        "d": [p(0, 6, value=21320.0, category="killed"), p(10, 12, value=8, category="hostages")]
    }
    by_category = label_counts(TABLE["quantities.category"], gold, pred)
    both = label_counts(TABLE["quantities.value+category"], gold, pred)
    assert by_category["*"]["overlap"].tp == 2
    assert both["killed"]["overlap"].tp == 1 and both["hostages"]["overlap"].fn == 1


def test_a_document_missing_from_the_gold_section_is_not_scored() -> None:
    gold = {"d": [g(0, 5, label="ACTOR")]}
    pred = {"d": [p(0, 5, label="ACTOR")], "other": [p(0, 5, label="ACTOR")]}
    assert label_counts(TABLE["entities.label"], gold, pred)["*"]["exact"].fp == 0


def test_claims_match_on_evidence_and_type() -> None:
    gold = [
        g(
            None,
            None,
            claim_type="casualties",
            evidence="killed at least 21,320",
            claimant_id="gaza_health_ministry",
        )
    ]
    right = p(
        0,
        1,
        claim_type="casualties",
        evidence="Israel has killed at least 21,320 people, the ministry said.",
    )
    wrong_type = p(0, 1, claim_type="captives", evidence=right.data["evidence"])
    elsewhere = p(0, 1, claim_type="casualties", evidence="Another sentence.")
    assert claim_pairs(gold, [elsewhere, right], same_type=True) == [(0, 1)]
    assert claim_pairs(gold, [wrong_type], same_type=True) == []
    assert claim_pairs(gold, [wrong_type], same_type=False) == [(0, 0)]


@pytest.mark.parametrize(
    "pred_data, counted",
    [
        ({"value": 21320, "claimant_id": "gaza_health_ministry"}, (1, 0, 0)),
        ({"value": 21320, "claimant_id": None}, (0, 1, 1)),  # the outlet's own claim
        ({"value": 2132, "claimant_id": "gaza_health_ministry"}, (0, 1, 1)),
    ],
)
def test_the_claim_tuple_needs_type_value_and_claimant(
    pred_data: dict[str, Any], counted: tuple[int, int, int]
) -> None:
    gold = {
        "d": [
            g(
                None,
                None,
                claim_type="casualties",
                evidence="killed at least 21,320",
                value=21320,
                claimant_id="gaza_health_ministry",
                subject_id="israel",
            )
        ]
    }
    pred = {
        "d": [
            p(
                0,
                1,
                claim_type="casualties",
                evidence="Israel has killed at least 21,320 people, the ministry said.",
                subject_id="hamas",  # not part of the tuple
                **pred_data,
            )
        ]
    }
    total = label_counts(TABLE["claims.type+value+claimant"], gold, pred)["*"]["match"]
    assert (total.tp, total.fp, total.fn) == counted
    typed = label_counts(TABLE["claims.claim_type"], gold, pred)["*"]["match"]
    assert (typed.tp, typed.fp, typed.fn) == (1, 0, 0)


def test_claim_fields_are_scored_one_by_one() -> None:
    gold = {
        "d": [
            g(
                None,
                None,
                claim_type="casualties",
                evidence="killed",
                subject_id="israel",
                value=5,
                claimant_id="Diaa Rashwan",
            )
        ]
    }
    pred = {
        "d": [
            p(
                0,
                1,
                claim_type="casualties",
                evidence="They killed 5.",
                subject_id="hamas",
                value=5,
                claimant_id=None,
                claimant_text="Diaa Rashwan",
                object_id="x",
            )
        ]
    }
    fields = field_scores("claims", gold, pred)
    assert fields["value"]["tp"] == 1
    assert (fields["subject_id"]["tp"], fields["subject_id"]["fp"], fields["subject_id"]["fn"]) == (
        0,
        1,
        1,
    )
    assert fields["claimant_id"]["tp"] == 1  # a person's name matches claimant_text
    assert "object_id" not in fields  # not annotated, not scored


def test_span_fields_are_accuracies_over_aligned_mentions() -> None:
    gold = {"d": [g(0, 5, value="2024-02-08", relation="on"), g(10, 15, value="2024-02")]}
    pred = {"d": [p(0, 5, value="2024-02-08", relation="since"), p(10, 14, value="2024-02")]}
    fields = field_scores("dates", gold, pred)
    assert fields["value"] == {"n": 2, "correct": 2, "accuracy": 1.0}
    assert fields["relation"]["correct"] == 0


def test_rule_tallies_name_the_bad_rule() -> None:
    gold = {
        "d": [
            g(0, 5, label="ACTOR", actor_id="egypt", role="mediator"),
            g(10, 15, label="ACTOR", actor_id="qatar"),
        ]
    }
    pred = {
        "d": [
            p(
                0,
                5,
                label="ACTOR",
                actor_id="egypt",
                rule_id="a:egypt",
                role="mediator",
                role_rule="host",
            ),
            p(
                10,
                15,
                label="ACTOR",
                actor_id="israel",
                rule_id="alias:doha",
                role="party",
                role_rule="party",
            ),
            p(20, 25, label="ACTOR", actor_id="israel", rule_id="alias:doha"),
        ]
    }
    tallies = rule_tallies("entities", gold, pred)
    assert tallies["entities:a:egypt"] == [1, 1]
    assert tallies["entities:alias:doha"] == [2, 0]
    assert tallies["roles:host"] == [1, 1]
    assert tallies["roles:party"] == [1, 0]


def _mini_set(root: Path) -> Path:
    gold_dir = root / "gold"
    (gold_dir / "mini").mkdir(parents=True)
    text = "Hamas officials met in Cairo on Thursday. The talks resumed last week."
    (gold_dir / "mini" / "docs.jsonl").write_text(
        json.dumps({"id": "m1", "published": "2024-02-08", "text": text}) + "\n", encoding="utf-8"
    )
    items = [
        {"text": "on Thursday", "value": "2024-02-08"},
        {"text": "last week", "value": "2024-W05"},
    ]
    (gold_dir / "mini" / "dates.jsonl").write_text(
        json.dumps({"doc": "m1", "items": items}) + "\n", encoding="utf-8"
    )
    return gold_dir


def test_evaluate_runs_the_model_on_a_gold_set(nlp: Language, tmp_path: Path) -> None:
    result = evaluate(nlp, _mini_set(tmp_path), raw_dir=tmp_path / "raw")
    metrics = result.metrics["sets"]["mini"]
    assert metrics["docs"] == 1 and metrics["items"] == {"dates": 2}
    assert metrics["labels"]["dates.span"]["*"]["overlap"]["recall"] == 1.0
    assert metrics["labels"]["dates.value"]["*"]["overlap"]["tp"] == 2
    assert all(rule.startswith("dates:") for rule in metrics["rules"])
    assert any("no entities.jsonl" in note for note in result.notes)


def test_evaluate_cli_on_the_seeds_prints_the_three_tables(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "metrics.json"
    result = CliRunner().invoke(
        app,
        ["rules", "evaluate", "--model", str(model_dir), "--gold", str(ROOT / "data" / "gold"),
         "--raw", str(ROOT / "data" / "raw"), "--set", "seeds", "--out", str(out), "--errors", "3"],
    )  # fmt: skip
    assert result.exit_code in (0, 1), (
        result.output
    )  # 1: a floor is broken (test_regression_gate says which)
    assert "== seeds: 5 documents" in result.output
    for header in (r"^table\s+group\s+exact P/R/F", r"^section\s+field", r"^rules \(worst"):
        assert re.search(header, result.output, re.M), header
    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert set(metrics["sets"]["seeds"]) >= {"labels", "fields", "rules", "docs", "items"}
    assert metrics["model"]["rules_hash"]


def test_evaluate_cli_without_a_model_says_how_to_build_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["rules", "evaluate", "--model", str(tmp_path / "none"), "--out", str(tmp_path / "m.json")],
    )
    assert result.exit_code == 2
    assert "rules build" in result.output


def test_evaluate_cli_checks_and_raises_floors(model_dir: Path, tmp_path: Path) -> None:
    gold = _mini_set(tmp_path)
    path = "labels/dates.value/*/overlap/f1"
    floors = gold / "floors.json"
    floors.write_text(json.dumps({"sets": {"mini": {path: 0.5}}}), encoding="utf-8")
    args = [
        "rules",
        "evaluate",
        "--model",
        str(model_dir),
        "--gold",
        str(gold),
        "--out",
        str(tmp_path / "m.json"),
    ]
    assert CliRunner().invoke(app, [*args, "--raise-floors"]).exit_code == 0
    assert json.loads(floors.read_text(encoding="utf-8"))["sets"]["mini"][path] == 1.0
    floors.write_text(
        json.dumps({"sets": {"mini": {"labels/dates.value/month/overlap/f1": 0.5}}}),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "below floor: mini: labels/dates.value/month/overlap/f1: no such metric" in result.output


def test_evaluate_cli_notes_a_model_older_than_the_rules(model_dir: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("candidates"))
    args = ["rules", "evaluate", "--model", str(model_dir), "--gold", str(_mini_set(tmp_path))]
    args += ["--out", str(tmp_path / "m.json"), "--rules", str(rules)]
    assert "built from other rules" not in CliRunner().invoke(app, args).output
    (rules / "titles.jsonl").write_text(
        (rules / "titles.jsonl").read_text(encoding="utf-8") + '{"text": "Special Coordinator"}\n',
        encoding="utf-8",
    )
    assert "built from other rules" in CliRunner().invoke(app, args).output
