"""The document view: one article with its mentions highlighted, followed by its claims.

:func:`display_ents` turns a document's rows of the entities, quantities and
dates tables into the non-overlapping, labelled character spans displaCy's
manual mode takes (actors, mediators, people, sources, numbers, dates);
:func:`document_html` renders the article with ``spacy.displacy`` from
``documents.text`` and those offsets, then the claims as a table with their
evidence sentences. It reads only the Parquet tables, never the raw inputs.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.pages import cell_text, legend_html, number_text, page, table_html
from pipeline.views import read_table

#: Display label -> colour. Keys are the labels drawn on the page.
COLORS: dict[str, str] = {
    "ACTOR": "#a6cee3",
    "MEDIATOR": "#cab2d6",
    "PERSON": "#b2df8a",
    "SOURCE": "#fdbf6f",
    "NUMBER": "#fb9a99",
    "DATE": "#ffff99",
}

#: Entity roles drawn as MEDIATOR (the guidelines count guarantors as mediators).
MEDIATOR_ROLES: frozenset[str] = frozenset({"mediator", "guarantor"})

CLAIM_COLUMNS = {
    "sentence": "sentence",
    "claim_type": "type",
    "predicate": "predicate",
    "subject": "subject",
    "object": "object",
    "number": "number",
    "qualifier": "qualifier",
    "category": "category",
    "event_date": "event date",
    "claimant": "claimant",
    "modality": "modality",
    "cue": "cue",
    "evidence": "evidence",
}


def entity_label(row: Mapping[str, Any]) -> str:
    """Return the display label of an entities row: its label, or MEDIATOR for a mediator."""
    if row.get("role") in MEDIATOR_ROLES:
        return "MEDIATOR"
    return str(row.get("label") or "ACTOR")


def display_ents(
    entities: Iterable[Mapping[str, Any]],
    quantities: Iterable[Mapping[str, Any]] = (),
    dates: Iterable[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Return displaCy manual spans ``{"start", "end", "label"}``, sorted and non-overlapping.

    When spans overlap the earlier one wins, and of two starting together the longer.
    """
    spans = [(e["start_char"], e["end_char"], entity_label(e)) for e in entities]
    spans += [(q["start_char"], q["end_char"], "NUMBER") for q in quantities]
    spans += [(d["start_char"], d["end_char"], "DATE") for d in dates]
    kept: list[dict[str, Any]] = []
    end = -1
    for start, stop, label in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start >= end and stop > start:
            kept.append({"start": int(start), "end": int(stop), "label": label})
            end = stop
    return kept


def _who(row: Mapping[str, Any], prefix: str) -> str:
    """Return "surface [id]" for a claim's subject, object or claimant ("" when absent)."""
    text, ident = cell_text(row.get(f"{prefix}_text")), cell_text(row.get(f"{prefix}_id"))
    if text and ident and ident != text:
        return f"{text} [{ident}]"
    return text or ident


def claims_frame(claims: pd.DataFrame) -> pd.DataFrame:
    """Return a document's claims as a readable frame (who, what, number, claimant, evidence)."""
    rows = []
    for c in claims.sort_values(["sentence", "start_char"]).to_dict("records"):
        rows.append(
            {
                **{k: c.get(k) for k in ("sentence", "claim_type", "predicate", "qualifier")},
                "subject": _who(c, "subject"),
                "object": _who(c, "object"),
                "number": number_text(c.get("value"), c.get("low"), c.get("high")),
                "category": c.get("category"),
                "event_date": c.get("event_date"),
                "claimant": _who(c, "claimant"),
                **{k: c.get(k) for k in ("modality", "cue", "evidence")},
            }
        )
    frame = pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))
    return frame.rename(columns=CLAIM_COLUMNS)


def document_html(tables: Path, doc_id: str) -> str:
    """Return the HTML page of one document from the tables in ``tables``.

    Raises:
        FileNotFoundError: a table is missing.
        KeyError: no document ``doc_id``.
    """
    from spacy import displacy

    docs = read_table(tables, "documents", doc_id=doc_id)
    if docs.empty:
        known = read_table(tables, "documents")["doc_id"].head(10).tolist()
        raise KeyError(f"no document {doc_id!r} in {tables} (some ids: {', '.join(known)})")
    doc = docs.iloc[0].to_dict()
    frames = {n: read_table(tables, n, doc_id=doc_id) for n in ("entities", "quantities", "dates")}
    claims = read_table(tables, "claims", doc_id=doc_id)
    ents = display_ents(*(frame.to_dict("records") for frame in frames.values()))
    article = displacy.render(
        {"text": doc["text"], "ents": ents, "title": None},
        style="ent",
        manual=True,
        page=False,
        jupyter=False,
        options={"colors": COLORS},
    )
    title = cell_text(doc.get("title")) or doc_id
    meta = " · ".join(
        html.escape(cell_text(doc.get(k)))
        for k in ("published", "outlet", "url", "source")
        if cell_text(doc.get(k))
    )
    counts = ", ".join(f"{len(frames[n])} {n}" for n in frames) + f", {len(claims)} claims"
    claim_table = table_html(claims_frame(claims), numeric=("sentence", "number"), empty="(none)")
    body = (
        f"<h1>{html.escape(title)}</h1>\n<p class=\"meta\">{html.escape(doc_id)} · {meta}"
        f"<br>{html.escape(counts)}</p>\n{legend_html(COLORS)}\n"
        f"<section id=\"article\">\n{article}\n</section>\n"
        f"<h2>Claims ({len(claims)})</h2>\n<section id=\"claims\">\n"
        f"{claim_table}\n</section>"
    )
    return page(f"{title} – ceasefire-claims", body)
