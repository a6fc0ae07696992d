"""Tests for pipeline.gold: locating items by content, reporting problems as file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.gold import allowed_keys, gold_set_dirs, nth_occurrence, read_gold_set

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Hamas said Thursday. Hamas and Egypt met on Thursday in Cairo."


def _write_set(
    root: Path, sections: dict[str, list[dict[str, object]]], *, text: str = TEXT
) -> Path:
    set_dir = root / "gold" / "mini"
    set_dir.mkdir(parents=True)
    (set_dir / "docs.jsonl").write_text(
        json.dumps({"id": "d1", "published": "2024-02-08", "text": text}) + "\n", encoding="utf-8"
    )
    for name, lines in sections.items():
        (set_dir / f"{name}.jsonl").write_text(
            "".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8"
        )
    return set_dir


@pytest.mark.parametrize(
    "needle, n, expected",
    [("Hamas", 1, 0), ("Hamas", 2, 21), ("Hamas", 3, -1), ("Thursday", 2, 44), ("Rafah", 1, -1)],
)
def test_nth_occurrence(needle: str, n: int, expected: int) -> None:
    assert nth_occurrence(TEXT, needle, n) == expected


def test_allowed_keys_follow_the_record_fields() -> None:
    assert {
        "text",
        "n",
        "label",
        "actor_id",
        "role",
        "affiliation_id",
        "anonymous",
    } <= allowed_keys("entities")
    assert {"value", "category", "qualifier"} <= allowed_keys("quantities")
    assert "start_char" not in allowed_keys("dates")
    assert {"evidence", "claimant_id", "subject_id"} <= allowed_keys("claims")
    assert "text" not in allowed_keys("claims")


def test_items_are_located_by_text_and_occurrence(tmp_path: Path) -> None:
    set_dir = _write_set(
        tmp_path,
        {
            "entities": [
                {
                    "doc": "d1",
                    "items": [{"text": "Hamas", "n": 2, "label": "ACTOR", "actor_id": "hamas"}],
                }
            ],
            "claims": [
                {"doc": "d1", "items": [{"claim_type": "meeting", "evidence": "Egypt met"}]}
            ],
        },
    )
    gold = read_gold_set(set_dir, raw_dir=tmp_path / "raw")
    assert gold.problems == []
    (item,) = gold.items["entities"]["d1"]
    assert (item.start, item.end) == (21, 26)
    assert item.get("actor_id") == "hamas"
    assert gold.items["claims"]["d1"][0].start is None
    assert any("no dates.jsonl" in note for note in gold.notes)


def test_every_problem_is_reported_with_file_and_line(tmp_path: Path) -> None:
    set_dir = _write_set(
        tmp_path,
        {
            "entities": [
                {"doc": "d1", "items": [{"text": "Hamas", "label": "ACTOR", "colour": "red"}]},
                {"doc": "nope", "items": []},
                {"doc": "d1", "items": []},
            ],
            "dates": [{"doc": "d1", "items": [{"text": "Friday"}, {"text": "Thursday", "n": 0}]}],
            "claims": [
                {
                    "doc": "d1",
                    "items": [
                        {"claim_type": "meeting", "evidence": "not there"},
                        {"evidence": "Egypt"},
                    ],
                }
            ],
        },
    )
    gold = read_gold_set(set_dir, raw_dir=tmp_path / "raw")
    messages = [str(p) for p in gold.problems]
    entities, dates, claims = (str(set_dir / f"{s}.jsonl") for s in ("entities", "dates", "claims"))
    assert any(m.startswith(f"{entities}:1: item 1: unknown keys ['colour']") for m in messages)
    assert any(m.startswith(f"{entities}:2: unknown document 'nope'") for m in messages)
    assert any(m.startswith(f"{entities}:3: document 'd1' listed twice") for m in messages)
    assert any(m.startswith(f"{dates}:1: item 1: text 'Friday'") for m in messages)
    assert any(m.startswith(f"{dates}:1: item 2: n must be") for m in messages)
    assert any(
        m.startswith(f"{claims}:1: item 1: evidence 'not there' not found") for m in messages
    )
    assert any(m.startswith(f"{claims}:1: item 2: missing ['claim_type']") for m in messages)
    assert len(messages) == 7


def test_texts_from_the_raw_folder_lose_their_header(tmp_path: Path) -> None:
    raw = tmp_path / "raw" / "mini"
    raw.mkdir(parents=True)
    (raw / "a1.txt").write_text("date 2024-02-08\nHamas said Thursday.", encoding="utf-8")
    set_dir = tmp_path / "gold" / "mini"
    set_dir.mkdir(parents=True)
    (set_dir / "dates.jsonl").write_text(
        json.dumps({"doc": "a1", "items": [{"text": "Thursday", "value": "2024-02-08"}]}) + "\n",
        encoding="utf-8",
    )
    gold = read_gold_set(set_dir, raw_dir=tmp_path / "raw")
    assert gold.docs["a1"].text == "Hamas said Thursday."
    assert str(gold.docs["a1"].published) == "2024-02-08"
    assert (gold.items["dates"]["a1"][0].start, gold.items["dates"]["a1"][0].end) == (11, 19)


def test_a_set_without_texts_is_noted(tmp_path: Path) -> None:
    set_dir = tmp_path / "gold" / "ghost"
    set_dir.mkdir(parents=True)
    (set_dir / "dates.jsonl").write_text("", encoding="utf-8")
    gold = read_gold_set(set_dir, raw_dir=tmp_path / "raw")
    assert gold.docs == {}
    assert any("no texts" in note for note in gold.notes)
    assert gold_set_dirs(tmp_path / "gold") == [set_dir]


def test_the_repository_gold_files_are_valid() -> None:
    """Every item of data/gold/ is found in its text and uses known keys."""
    problems = []
    for set_dir in gold_set_dirs(ROOT / "data" / "gold"):
        problems.extend(
            str(p) for p in read_gold_set(set_dir, raw_dir=ROOT / "data" / "raw").problems
        )
    assert problems == []
