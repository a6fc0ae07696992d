"""The Parquet tables: pyarrow schemas, their version, and records -> Arrow tables.

This module is the single source of truth for output columns. Each table has a
pyarrow schema; :func:`rows_for_doc` turns the records a processed Doc carries
into rows (adding ``doc_id`` and stable, content-derived ids), and
:func:`table_from_rows` builds a typed table. ``SCHEMA_VERSION`` is written into
each file's metadata; bump it whenever a column changes meaning or type.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from pipeline.records import Claim, DateMention, Document, Entity, Quantity, Reject

SCHEMA_VERSION = "1.0"

_str = pa.string()
_f64 = pa.float64()
_i32 = pa.int32()
_i64 = pa.int64()
_bool = pa.bool_()
_date = pa.date32()

_MENTION = [
    ("doc_id", _str),
    ("mention_id", _str),
    ("sentence", _i32),
    ("start_char", _i32),
    ("end_char", _i32),
    ("text", _str),
]

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema(
        [
            ("doc_id", _str),
            ("source", _str),
            ("sources", pa.list_(_str)),
            ("outlet", _str),
            ("url", _str),
            ("title", _str),
            ("published", _date),
            ("published_source", _str),
            ("n_chars", _i64),
            ("n_sentences", _i32),
            ("text_sha256", _str),
            ("model_version", _str),
            ("rules_hash", _str),
            ("text", _str),
        ]
    ),
    "entities": pa.schema(
        _MENTION
        + [
            ("label", _str),
            ("actor_id", _str),
            ("actor_type", _str),
            ("country", _str),
            ("cameo", _str),
            ("role", _str),
            ("role_rule", _str),
            ("affiliation_id", _str),
            ("title", _str),
            ("anonymous", _bool),
            ("organ", _str),
            ("rule_id", _str),
        ]
    ),
    "quantities": pa.schema(
        _MENTION
        + [
            ("value", _f64),
            ("low", _f64),
            ("high", _f64),
            ("qualifier", _str),
            ("category", _str),
            ("unit", _str),
            ("counted", _str),
            ("conservative_value", _f64),
            ("rule_id", _str),
        ]
    ),
    "dates": pa.schema(
        _MENTION
        + [
            ("value", _str),
            ("start", _date),
            ("end", _date),
            ("granularity", _str),
            ("modifier", _str),
            ("relation", _str),
            ("relative", _bool),
            ("anchor", _date),
            ("anchor_source", _str),
            ("reason", _str),
            ("rule_id", _str),
        ]
    ),
    "claims": pa.schema(
        [
            ("claim_id", _str),
            ("doc_id", _str),
            ("sentence", _i32),
            ("start_char", _i32),
            ("end_char", _i32),
            ("claim_type", _str),
            ("predicate", _str),
            ("subject_id", _str),
            ("subject_text", _str),
            ("object_id", _str),
            ("object_text", _str),
            ("value", _f64),
            ("low", _f64),
            ("high", _f64),
            ("qualifier", _str),
            ("category", _str),
            ("unit", _str),
            ("event_date", _str),
            ("claimant_id", _str),
            ("claimant_text", _str),
            ("claimant_anonymous", _bool),
            ("claimant_affiliation_id", _str),
            ("basis_id", _str),
            ("cue", _str),
            ("quoted", _bool),
            ("modality", _str),
            ("evidence", _str),
            ("headline", _bool),
            ("rule_id", _str),
        ]
    ),
    "figures": pa.schema(
        [
            ("figure_id", _str),
            ("figure_key", _str),
            ("series_key", _str),
            ("period", _str),
            ("period_source", _str),
            ("origin", _str),
            ("doc_id", _str),
            ("claim_id", _str),
            ("mention_id", _str),
            ("sentence", _i32),
            ("start_char", _i32),
            ("end_char", _i32),
            ("published", _date),
            ("outlet", _str),
            ("claim_type", _str),
            ("predicate", _str),
            ("category", _str),
            ("subject_id", _str),
            ("object_id", _str),
            ("unit", _str),
            ("value", _f64),
            ("low", _f64),
            ("high", _f64),
            ("qualifier", _str),
            ("claimant_id", _str),
            ("claimant_text", _str),
            ("claimant_anonymous", _bool),
            ("basis_id", _str),
            ("modality", _str),
            ("event_date", _str),
            ("text", _str),
            ("evidence", _str),
            ("n_mentions_in_key", _i32),
            ("n_docs_in_key", _i32),
            ("n_values_in_key", _i32),
            ("n_claimants_in_key", _i32),
            ("values_differ", _bool),
            ("claimants_differ", _bool),
            ("disagreement", _bool),
            ("is_latest_for_claimant", _bool),
        ]
    ),
    "rejects": pa.schema(
        [
            ("source", _str),
            ("line", _i64),
            ("reason", _str),
            ("detail", _str),
            ("kept", _bool),
        ]
    ),
}

#: The tables every extract run writes, in the order they are written.
TABLES: tuple[str, ...] = ("documents", "entities", "quantities", "dates", "claims", "rejects")

#: Which record type fills which mention table.
MENTION_TABLES: dict[str, type] = {
    "entities": Entity,
    "quantities": Quantity,
    "dates": DateMention,
    "claims": Claim,
}


def stable_id(*parts: Any, length: int = 16) -> str:
    """Return a short hex id derived only from ``parts`` (never from run order)."""
    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode())
    return digest.hexdigest()[:length]


def record_row(record: Any) -> dict[str, Any]:
    """Return a dataclass record as a plain dict (tuples become lists).

    Shallow on purpose: records hold only scalars, dates and tuples of strings,
    and ``dataclasses.asdict`` (a recursive deep copy) took ~10% of extract time.
    """
    return {
        name: list(value) if isinstance(value := getattr(record, name), tuple) else value
        for name in _field_names(type(record))
    }


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def mention_rows(table: str, doc_id: str, records: Iterable[Any]) -> list[dict[str, Any]]:
    """Return rows for ``table`` from a document's records, with ids derived from content."""
    rows = []
    for record in records:
        row = record_row(record)
        if table == "claims":
            row["claim_id"] = stable_id(
                doc_id,
                row["start_char"],
                row["end_char"],
                row["claim_type"],
                row["predicate"],
                row["subject_id"],
                row["object_id"],
                row["value"],
                row["category"],
                row["rule_id"],
            )
        else:
            row["mention_id"] = stable_id(
                doc_id, table, row["start_char"], row["end_char"], row.get("label"), row["text"]
            )
        row["doc_id"] = doc_id
        rows.append(row)
    return rows


def document_row(document: Document) -> dict[str, Any]:
    """Return the ``documents`` row of one document."""
    return record_row(document)


def reject_row(reject: Reject) -> dict[str, Any]:
    """Return the ``rejects`` row of one rejected input."""
    return record_row(reject)


def table_from_rows(name: str, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Return a typed Arrow table for ``name``; extra keys are dropped, missing ones null."""
    schema = SCHEMAS[name]
    columns = {f.name: [row.get(f.name) for row in rows] for f in schema}
    table = pa.table(columns, schema=schema)
    return table.replace_schema_metadata(
        {b"ceasefire_claims.schema_version": SCHEMA_VERSION.encode(), b"table": name.encode()}
    )


def empty_table(name: str) -> pa.Table:
    """Return a zero-row table with the schema of ``name``."""
    return table_from_rows(name, [])
