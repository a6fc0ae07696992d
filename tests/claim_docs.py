"""Hand-built documents for the claim tests: entities and counts set from records.

The claim tests must not depend on the actor, number and date components, so
they run a small pipeline (sentences, lookup lemmas, claims) and put the
records those components would have produced on the Doc themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.claims import ClaimExtractor
from pipeline.records import DateMention, Entity, Quantity

RULES = Path(__file__).resolve().parents[1] / "rules"


@dataclass(frozen=True)
class Ent:
    """An entity to place on the doc: its surface text (``n``-th occurrence) and fields."""

    text: str
    label: str = "ACTOR"
    actor_id: str | None = None
    affiliation_id: str | None = None
    actor_type: str | None = None
    anonymous: bool = False
    n: int = 1


@dataclass(frozen=True)
class Num:
    """A count to place on the doc."""

    text: str
    value: float | None
    category: str
    qualifier: str = "exact"
    low: float | None = None
    high: float | None = None
    n: int = 1


@dataclass(frozen=True)
class When:
    """A date to place on the doc."""

    text: str
    value: str
    n: int = 1


def actor(text: str, actor_id: str, actor_type: str = "state", n: int = 1) -> Ent:
    return Ent(text, "ACTOR", actor_id=actor_id, actor_type=actor_type, n=n)


def person(text: str, affiliation: str | None, n: int = 1) -> Ent:
    return Ent(text, "PERSON", affiliation_id=affiliation, n=n)


def source(text: str, affiliation: str | None = None, n: int = 1) -> Ent:
    return Ent(text, "SOURCE", affiliation_id=affiliation, anonymous=True, n=n)


def claims_pipeline() -> Language:
    """Sentences, lookup lemmas and the claim component, initialised from ``rules/``."""
    nlp = spacy.blank("en")
    nlp.add_pipe("ceasefire_sentences")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("ceasefire_claims")
    for name in ("ceasefire_sentences", "ceasefire_claims"):
        nlp.config["initialize"]["components"][name] = {"rules_dir": str(RULES)}
    nlp.initialize()
    return nlp


def _offset(text: str, needle: str, n: int) -> int:
    """Return the start of the ``n``-th whole-word occurrence of ``needle`` in ``text``."""
    found = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", text)]
    if len(found) < n:
        raise ValueError(f"{needle!r} (occurrence {n}) not in {text!r}")
    return found[n - 1]


def sentence_of(doc: Doc, start: int) -> int:
    return next(i for i, s in enumerate(doc.sents) if s.start_char <= start < s.end_char)


def analysed(
    nlp: Language,
    text: str,
    *,
    entities: Iterable[Ent] = (),
    numbers: Iterable[Num] = (),
    dates: Iterable[When] = (),
    published: str | None = None,
) -> Doc:
    """Return ``text`` processed up to the claim component, with the given records on it."""
    doc = nlp.make_doc(text)
    doc._.published = dt.date.fromisoformat(published) if published else None
    for name, proc in nlp.pipeline:
        if name == "ceasefire_claims":
            break
        doc = proc(doc)
    ents = []
    for e in entities:
        start = _offset(text, e.text, e.n)
        ents.append(
            Entity(
                sentence_of(doc, start),
                start,
                start + len(e.text),
                e.text,
                e.label,
                actor_id=e.actor_id,
                actor_type=e.actor_type,
                affiliation_id=e.affiliation_id,
                anonymous=e.anonymous,
            )
        )
    quantities = []
    for q in numbers:
        start = _offset(text, q.text, q.n)
        quantities.append(
            Quantity(
                sentence_of(doc, start),
                start,
                start + len(q.text),
                q.text,
                q.value,
                low=q.low,
                high=q.high,
                qualifier=q.qualifier,
                category=q.category,
            )
        )
    mentions = []
    for d in dates:
        start = _offset(text, d.text, d.n)
        mentions.append(
            DateMention(sentence_of(doc, start), start, start + len(d.text), d.text, d.value)
        )
    doc._.entities, doc._.quantities, doc._.dates = ents, quantities, mentions
    extractor = nlp.get_pipe("ceasefire_claims")
    assert isinstance(extractor, ClaimExtractor)
    return extractor(doc)
