"""Typed records: one frozen dataclass per output row, strings and char offsets only.

Components produce these records (never Spans) and store them on the Doc
(``doc._.entities`` and friends, see :mod:`pipeline.extensions`); the tables
module turns them into Parquet rows, adding the document id and a stable
mention id. Offsets are character offsets into the document text as processed
(after a ``date YYYY-MM-DD`` header line has been removed); ``sentence`` is the
0-based index of the sentence in the document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

R = TypeVar("R")


@dataclass(frozen=True)
class Entity:
    """An actor, person or anonymous source mentioned in a document."""

    sentence: int
    start_char: int
    end_char: int
    text: str
    label: str  # ACTOR | PERSON | SOURCE
    actor_id: str | None = None
    actor_type: str | None = None
    country: str | None = None
    cameo: str | None = None
    role: str | None = None  # party | mediator | guarantor | None
    role_rule: str | None = None
    affiliation_id: str | None = None
    title: str | None = None
    anonymous: bool = False
    organ: str | None = None
    rule_id: str = ""


@dataclass(frozen=True)
class Quantity:
    """A number that matters in the talks, normalised and categorised."""

    sentence: int
    start_char: int
    end_char: int
    text: str
    value: float | None
    low: float | None = None
    high: float | None = None
    qualifier: str = "exact"
    category: str = "other"
    unit: str | None = None
    counted: str | None = None
    conservative_value: float | None = None
    rule_id: str = ""


@dataclass(frozen=True)
class DateMention:
    """A temporal expression resolved against the publication date (or a quote's date)."""

    sentence: int
    start_char: int
    end_char: int
    text: str
    value: str | None
    start: dt.date | None = None
    end: dt.date | None = None
    granularity: str | None = None  # day | week | month | year
    modifier: str | None = None  # early | mid | late | start | end | evening ...
    relation: str | None = None  # on | since | until | by | before | after | from
    relative: bool = False
    anchor: dt.date | None = None
    anchor_source: str | None = None  # published | quote
    reason: str | None = None  # why value is null
    rule_id: str = ""


@dataclass(frozen=True)
class Claim:
    """One attributed fact: who says what about whom, with number, date and evidence."""

    sentence: int
    start_char: int
    end_char: int
    claim_type: str
    predicate: str
    subject_id: str | None = None
    subject_text: str | None = None
    object_id: str | None = None
    object_text: str | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None
    category: str | None = None
    unit: str | None = None
    event_date: str | None = None
    claimant_id: str | None = None
    claimant_text: str | None = None
    claimant_anonymous: bool | None = None
    claimant_affiliation_id: str | None = None  # the side a person or source speaks for
    basis_id: str | None = None
    cue: str | None = None
    quoted: bool = False
    modality: str = "asserted"
    evidence: str = ""
    headline: bool = False
    rule_id: str = ""


@dataclass(frozen=True)
class Document:
    """One input document as read and processed."""

    doc_id: str
    source: str
    outlet: str | None
    url: str | None
    title: str | None
    published: dt.date | None
    published_source: str | None
    n_chars: int
    n_sentences: int
    text_sha256: str
    model_version: str
    rules_hash: str
    text: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reject:
    """An input that could not be read (or only partly): where, and why."""

    source: str
    line: int | None
    reason: str
    detail: str = ""
    kept: bool = False  # True: a warning, the document was still processed


def evolve(record: R, **changes: Any) -> R:
    """Return a copy of a frozen dataclass ``record`` with ``changes``.

    Same result as ``dataclasses.replace`` for these plain records (no ``__post_init__``,
    no ``init=False`` fields) without running the frozen ``__init__`` again: several
    times faster, for per-mention loops. Unknown field names raise ``TypeError``.
    """
    fields = record.__dataclass_fields__  # type: ignore[attr-defined]
    if not changes.keys() <= fields.keys():
        unknown = ", ".join(sorted(changes.keys() - fields.keys()))
        raise TypeError(f"{type(record).__name__} has no field {unknown}")
    copy = object.__new__(type(record))
    copy.__dict__.update(record.__dict__)
    copy.__dict__.update(changes)
    return copy


def build(cls: type[R], **values: Any) -> R:
    """Return ``cls(**values)`` for a frozen dataclass ``cls`` given every one of its fields.

    The same record without running the frozen ``__init__`` (one ``object.__setattr__``
    per field): about half the cost, for records built once per mention (a claim has 27
    fields). With a field missing or unknown it is ``cls(**values)``, which fills defaults
    and raises as usual.
    """
    if values.keys() != cls.__dataclass_fields__.keys():  # type: ignore[attr-defined]
        return cls(**values)
    record = object.__new__(cls)
    record.__dict__.update(values)
    return record
