"""Reading the tables back: one document's rows, formatted for a terminal.

Used by ``inspect`` (and the HTML views); reads only the Parquet output, never
the raw inputs, so it works on tables copied to another machine.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

#: Columns shown per table in the terminal view (the Parquet files hold more).
SHOWN: dict[str, list[str]] = {
    "entities": ["sentence", "text", "label", "actor_id", "role", "affiliation_id", "anonymous"],
    "quantities": ["sentence", "text", "value", "low", "high", "qualifier", "category", "counted"],
    "dates": ["sentence", "text", "value", "granularity", "modifier", "relation", "anchor"],
    "claims": [
        "sentence",
        "claim_type",
        "predicate",
        "subject_id",
        "object_id",
        "value",
        "category",
        "event_date",
        "claimant_id",
        "modality",
    ],
}


def read_table(tables: Path, name: str, *, doc_id: str | None = None) -> pd.DataFrame:
    """Return one table as a DataFrame, optionally only the rows of ``doc_id``."""
    path = Path(tables) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such table; run `ceasefire-claims extract` first")
    filters = [("doc_id", "==", doc_id)] if doc_id is not None else None
    return pq.read_table(path, filters=filters).to_pandas()


def document_tables(tables: Path, doc_id: str) -> dict[str, pd.DataFrame]:
    """Return the document row and its entities, quantities, dates and claims."""
    docs = read_table(tables, "documents", doc_id=doc_id)
    if docs.empty:
        known = read_table(tables, "documents")["doc_id"].head(10).tolist()
        raise KeyError(f"no document {doc_id!r} in {tables} (some ids: {', '.join(known)})")
    frames = {
        "document": docs[
            ["doc_id", "source", "published", "published_source", "title", "n_sentences"]
        ]
    }
    for name, columns in SHOWN.items():
        frames[name] = read_table(tables, name, doc_id=doc_id)[columns]
    return frames


def format_frame(frame: pd.DataFrame, *, max_width: int = 40) -> str:
    """Return a frame as plain text, long cells shortened."""
    if frame.empty:
        return "(none)"
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object:
            shown[column] = shown[column].map(
                lambda v: (
                    v if not isinstance(v, str) or len(v) <= max_width else v[: max_width - 1] + "…"
                )
            )
    return shown.to_string(index=False)
