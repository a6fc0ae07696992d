"""Schemas, stable ids and the README data dictionary stay in step."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.records import Claim, DateMention, Entity, Quantity, Reject
from pipeline.tables import (
    MENTION_TABLES,
    SCHEMA_VERSION,
    SCHEMAS,
    mention_rows,
    reject_row,
    stable_id,
    table_from_rows,
)

README = Path(__file__).resolve().parents[1] / "README.md"

REQUIRED = {
    "documents": "doc_id, source, outlet, url, title, published, published_source, n_chars, "
    "n_sentences, text_sha256, model_version, rules_hash",
    "entities": "doc_id, mention_id, sentence, start_char, end_char, text, label, actor_id, "
    "actor_type, country, role, affiliation_id, anonymous, rule_id",
    "quantities": "doc_id, mention_id, sentence, start_char, end_char, text, value, low, high, "
    "qualifier, category, unit, counted, rule_id",
    "dates": "doc_id, mention_id, sentence, start_char, end_char, text, value, start, end, "
    "granularity, relative, anchor, rule_id",
    "claims": "claim_id, doc_id, sentence, start_char, end_char, claim_type, predicate, "
    "subject_id, "
    "subject_text, object_id, object_text, value, low, high, qualifier, category, event_date, "
    "claimant_id, claimant_text, claimant_anonymous, cue, quoted, modality, evidence, rule_id",
}


@pytest.mark.parametrize("table", sorted(REQUIRED))
def test_required_columns_exist(table: str) -> None:
    names = SCHEMAS[table].names
    for column in REQUIRED[table].split(", "):
        assert column in names, f"{table}.{column} missing"


def test_published_and_dates_are_date32() -> None:
    assert SCHEMAS["documents"].field("published").type == pa.date32()
    for column in ("start", "end", "anchor"):
        assert SCHEMAS["dates"].field(column).type == pa.date32()


@pytest.mark.parametrize(("table", "record"), sorted(MENTION_TABLES.items()))
def test_every_record_field_has_a_column(table: str, record: type) -> None:
    fields = set(record.__dataclass_fields__)
    assert fields <= set(SCHEMAS[table].names)


def test_rows_round_trip_through_arrow_with_types() -> None:
    entity = Entity(0, 0, 5, "Hamas", "ACTOR", actor_id="hamas", rule_id="actor:hamas")
    quantity = Quantity(1, 10, 25, "at least 21,320", 21320.0, low=21320.0, qualifier="at_least")
    date = DateMention(
        1, 30, 38, "Thursday", "2023-12-28", start=dt.date(2023, 12, 28), relative=True
    )
    claim = Claim(1, 10, 25, "casualties", "kill", value=21320.0, evidence="x")
    for table, record in (
        ("entities", entity),
        ("quantities", quantity),
        ("dates", date),
        ("claims", claim),
    ):
        rows = mention_rows(table, "doc1", [record])
        arrow = table_from_rows(table, rows)
        assert arrow.schema.equals(SCHEMAS[table], check_metadata=False)
        assert arrow.schema.metadata[b"ceasefire_claims.schema_version"] == SCHEMA_VERSION.encode()
        back = arrow.to_pylist()[0]
        assert back["doc_id"] == "doc1"
    assert table_from_rows("rejects", [reject_row(Reject("f.txt", 3, "empty"))]).num_rows == 1


def test_ids_depend_on_content_only() -> None:
    a = Entity(0, 0, 5, "Hamas", "ACTOR")
    first = mention_rows("entities", "d", [a])[0]["mention_id"]
    assert mention_rows("entities", "d", [a])[0]["mention_id"] == first
    assert mention_rows("entities", "e", [a])[0]["mention_id"] != first
    assert stable_id("a", None) == stable_id("a", "")


@pytest.mark.parametrize(
    "table",
    [
        t
        for t in SCHEMAS
        if t in {"documents", "entities", "quantities", "dates", "claims", "rejects"}
    ],
)
def test_readme_documents_every_column(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"### {table}\n", 1)[1].split("\n### ", 1)[0]
    documented: set[str] = set()
    for line in section.splitlines():
        cell = line.split("|")[1].strip() if line.startswith("|") else ""
        documented.update(c.strip() for c in re.split(r",", cell) if c.strip())
    missing = [c for c in SCHEMAS[table].names if c not in documented]
    assert not missing, f"README data dictionary lacks {table}: {missing}"
