"""The strict rules loader: unknown keys, types, duplicates and references, all with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.rules import (
    Field,
    RulesError,
    RuleSpec,
    load_rule_rows,
    read_rule_rows,
    rules_hash,
    validate_rules_dir,
)

ACTORS = RuleSpec(
    name="things",
    fields={
        "thing_id": Field(required=True),
        "kind": Field(choices=frozenset({"a", "b"})),
        "aliases": Field(kind="list"),
        "weight": Field(kind="int"),
        "on": Field(kind="bool", default=False),
    },
    unique=("thing_id",),
)
LINKS = RuleSpec(name="links", fields={"thing_id": Field(required=True, ref="things.thing_id")})


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_jsonl_rows_are_typed_and_comments_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path / "things.jsonl",
        '# a comment\n{"thing_id": "x", "kind": "a", "aliases": ["X", "Ex"], "weight": 2}\n\n'
        '{"thing_id": "y", "on": true}\n',
    )
    rows = load_rule_rows(path, ACTORS)
    assert [r["thing_id"] for r in rows] == ["x", "y"]
    assert rows[0]["aliases"] == ["X", "Ex"] and rows[0]["weight"] == 2
    assert rows[0].line == 2 and rows[1].line == 4
    assert rows[0]["on"] is False and rows[1]["on"] is True


def test_csv_rows_split_lists_on_pipes(tmp_path: Path) -> None:
    path = write(tmp_path / "things.csv", "thing_id,aliases,weight\nx,X|Ex,3\n")
    (row,) = load_rule_rows(path, ACTORS)
    assert row["aliases"] == ["X", "Ex"] and row["weight"] == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"thing_id": "x", "colour": "red"}', "unknown key 'colour'"),
        ('{"kind": "a"}', "missing required key 'thing_id'"),
        ('{"thing_id": "x", "kind": "c"}', "not one of"),
        ('{"thing_id": "x", "weight": "heavy"}', "must be a number"),
        ('{"thing_id": "x", "aliases": "X"}', None),  # a string is one alias in CSV style
        ('{"thing_id": "x", "aliases": [1]}', "list of strings"),
        ("{not json", "not valid JSON"),
        ('["x"]', "must be a JSON object"),
    ],
)
def test_each_problem_is_reported_with_file_and_line(
    tmp_path: Path, line: str, message: str | None
) -> None:
    path = write(tmp_path / "things.jsonl", '{"thing_id": "ok"}\n' + line + "\n")
    rows, problems = read_rule_rows(path, ACTORS)
    if message is None:
        assert not problems
        return
    assert len(problems) >= 1
    assert all(str(p).startswith(f"{path}:2: ") for p in problems)
    assert any(message in p.message for p in problems)
    assert [r["thing_id"] for r in rows] == ["ok"]


def test_duplicates_are_rejected_case_insensitively(tmp_path: Path) -> None:
    path = write(tmp_path / "things.jsonl", '{"thing_id": "x"}\n{"thing_id": "X"}\n')
    with pytest.raises(RulesError) as err:
        load_rule_rows(path, ACTORS)
    assert "things.jsonl:2: duplicate thing_id" in str(err.value)
    assert "first on line 1" in str(err.value)


def test_validate_dir_lists_every_problem_at_once(tmp_path: Path) -> None:
    write(tmp_path / "things.jsonl", '{"thing_id": "x", "bad": 1}\n{"thing_id": "y"}\n')
    write(tmp_path / "links.jsonl", '{"thing_id": "y"}\n{"thing_id": "nope"}\n')
    write(tmp_path / "stray.jsonl", "{}\n")
    with pytest.raises(RulesError) as err:
        validate_rules_dir(tmp_path, [ACTORS, LINKS])
    text = str(err.value)
    assert "things.jsonl:1: unknown key 'bad'" in text
    assert "links.jsonl:2: thing_id 'nope' is not a known things.thing_id" in text
    assert "stray.jsonl:0: unknown rules file" in text
    assert len(err.value.problems) == 3


def test_bad_encoding_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "things.jsonl"
    path.write_bytes(b'{"thing_id": "\xff"}\n')
    rows, problems = read_rule_rows(path, ACTORS)
    assert not rows and "not UTF-8" in problems[0].message


def test_rules_hash_changes_with_content_and_ignores_candidates(tmp_path: Path) -> None:
    write(tmp_path / "things.jsonl", '{"thing_id": "x"}\n')
    first = rules_hash(tmp_path)
    (tmp_path / "candidates").mkdir()
    write(tmp_path / "candidates" / "actors.jsonl", '{"x": 1}\n')
    assert rules_hash(tmp_path) == first
    write(tmp_path / "things.jsonl", '{"thing_id": "y"}\n')
    assert rules_hash(tmp_path) != first


def test_repository_rules_validate() -> None:
    from pipeline.build import validate_rules

    validate_rules(Path(__file__).resolve().parents[1] / "rules")
