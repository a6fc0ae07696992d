"""Resolve a date expression to an ISO value against an anchor: a pure function, no spaCy.

:func:`resolve_date` takes the text of a date expression ("late Tuesday", "In
November last year", "through the end of 2027"), an anchor date and a tense, and
returns a :class:`ResolvedDate` (ISO value, period start/end, granularity,
modifier, relation). It never invents a day of the month, never reads the clock,
and leaves relative expressions unresolved (value None, with a reason) when there
is no anchor. Conventions: a weekday is the latest such day on or before the
anchor in past context, the next one on or after it in future context (the
anchor day itself counts both ways, so "from Thursday" written on a Thursday is
that day), and "last"/"next" with a weekday exclude the anchor day ("last Tuesday"
written on a Tuesday is a week before); a month or month-day without a year is the
nearest past occurrence (the current month included) unless the context is future,
and "last September" is never the current month; "since"/"after" force the past;
"last week" is the previous ISO week; "the end of 2027" is 2027-12 with modifier
``end``; a range gets an ISO interval value
("2023-11-24/2023-11-30") with relation ``from``. The words come from
``rules/dates_vocab.jsonl`` (a :class:`DateVocab`); nothing lexical is in code.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.rules import Field, RuleRow, RuleSpec, load_spec_rows

VOCAB_KINDS = frozenset(
    {
        "month", "weekday", "day_word", "part_of_day", "shift", "unit", "modifier", "boundary",
        "relation", "range_joint", "future_cue", "past_cue", "speech_verb", "year_noun",
        "article", "hyphen", "past_suffix", "participle_after", "clause_break", "coordinator",
    }
)  # fmt: skip

DATES_VOCAB = RuleSpec(
    name="dates_vocab",
    fields={
        "text": Field(required=True),
        "kind": Field(required=True, choices=VOCAB_KINDS),
        "value": Field(),
        "note": Field(),
    },
    unique=("text", "kind"),
    description="words of date expressions by class, with their normalised value",
)

#: Relations after which a yearless date or weekday is always in the past.
PAST_RELATIONS = frozenset({"since", "after"})
#: Plausible years for a four-digit number read as a year.
YEAR_RANGE = range(1900, 2101)

_TOKEN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d+(?:st|nd|rd|th)?|[^\W\d_]+\.?|'[a-z]+|[^\w\s]")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class DateVocab:
    """Words of date expressions: lower-cased word -> {kind: value}."""

    words: Mapping[str, Mapping[str, str]]

    @classmethod
    def from_rows(cls, rows: Iterable[RuleRow]) -> DateVocab:
        """Return the vocabulary built from ``dates_vocab`` rows."""
        words: dict[str, dict[str, str]] = {}
        for row in rows:
            words.setdefault(row["text"].lower(), {})[row["kind"]] = row.get("value", "")
        return cls(words)

    def kinds(self, word: str) -> Mapping[str, str]:
        """Return the classes of ``word`` (tried as written, then without a final dot)."""
        low = word.lower()
        found = self.words.get(low)
        if found is None and low.endswith("."):
            found = self.words.get(low[:-1])
        return found or {}

    def of_kind(self, kind: str) -> list[str]:
        """Return every word of one class, sorted."""
        return sorted(w for w, kinds in self.words.items() if kind in kinds)


@lru_cache(maxsize=1)
def default_vocab() -> DateVocab:
    """Return the vocabulary in the repository's ``rules/`` (for calling the resolver alone)."""
    rules_dir = Path(__file__).resolve().parents[1] / "rules"
    return DateVocab.from_rows(load_spec_rows(rules_dir, DATES_VOCAB))


@dataclass(frozen=True)
class ResolvedDate:
    """What a date expression means: an ISO value and its period, or None with a reason."""

    value: str | None
    start: dt.date | None = None
    end: dt.date | None = None
    granularity: str | None = None
    modifier: str | None = None
    relation: str | None = None
    relative: bool = False
    anchor: dt.date | None = None
    reason: str | None = None


@dataclass
class _Parts:
    """The pieces of one (non-range) date expression."""

    relation: str | None = None
    modifier: str | None = None
    boundary: str | None = None
    part_of_day: str | None = None
    weekday: int | None = None
    day_offset: int | None = None
    shift: int | None = None
    unit: str | None = None
    month: int | None = None
    day: int | None = None
    year: int | None = None
    year_shift: int | None = None
    iso: tuple[int, int, int] | None = None

    def has_core(self) -> bool:
        return any(
            v is not None
            for v in (
                self.weekday,
                self.day_offset,
                self.unit,
                self.month,
                self.day,
                self.year,
                self.iso,
            )
        )


def _parse(tokens: Sequence[str], vocab: DateVocab) -> _Parts:
    """Return the parts named by the tokens of one expression."""
    parts = _Parts()
    pending_shift: int | None = None
    for i, tok in enumerate(tokens):
        iso = _ISO.fullmatch(tok)
        if iso:
            parts.iso = (int(iso[1]), int(iso[2]), int(iso[3]))
            continue
        if tok[0].isdigit():
            digits = tok.rstrip("stndrh")
            if len(digits) == 4 and digits == tok:
                parts.year = int(digits)
            else:
                parts.day = int(digits)
            continue
        kinds = vocab.kinds(tok)
        if "relation" in kinds and parts.relation is None and (i == 0 or not parts.has_core()):
            parts.relation = kinds["relation"]  # "on Monday", also "late on Monday"
        elif "month" in kinds:
            parts.month = int(kinds["month"])
            if pending_shift:  # "last September", "next March"
                parts.shift, pending_shift = pending_shift, None
        elif "weekday" in kinds:
            parts.weekday = int(kinds["weekday"])
            if pending_shift:  # "last Tuesday", "next Monday"
                parts.shift, pending_shift = pending_shift, None
        elif "day_word" in kinds:
            if parts.day_offset is None:
                parts.day_offset = int(kinds["day_word"])
            parts.part_of_day = kinds.get("part_of_day", parts.part_of_day)
        elif "shift" in kinds:
            pending_shift = int(kinds["shift"])
        elif "unit" in kinds:
            if parts.month is not None and kinds["unit"] == "year":
                parts.year_shift = pending_shift or 0
            else:
                parts.unit, parts.shift = kinds["unit"], pending_shift or 0
            pending_shift = None
        elif "modifier" in kinds:
            parts.modifier = kinds["modifier"]
        elif "boundary" in kinds:
            parts.boundary = kinds["boundary"]
        elif "part_of_day" in kinds:
            parts.part_of_day = kinds["part_of_day"]
    return parts


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, shift: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + shift
    return index // 12, index % 12 + 1


def _day(value: dt.date, **kw: Any) -> ResolvedDate:
    return ResolvedDate(value.isoformat(), value, value, "day", **kw)


def _month(year: int, month: int, **kw: Any) -> ResolvedDate:
    return ResolvedDate(
        f"{year:04d}-{month:02d}", dt.date(year, month, 1), _month_end(year, month), "month", **kw
    )


def _year(year: int, boundary: str | None, **kw: Any) -> ResolvedDate:
    """A year, or its first/last month for "the start/end of YEAR"."""
    if boundary in ("start", "end"):
        return _month(year, 1 if boundary == "start" else 12, **kw)
    return ResolvedDate(f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31), "year", **kw)


def tense_of(step: int) -> str:
    """Return the tense a shift points to: ``future`` for "next", ``past`` for "last"."""
    return "future" if step > 0 else "past"


def _weekday(anchor: dt.date, weekday: int, tense: str) -> dt.date:
    if tense == "future":
        return anchor + dt.timedelta(days=(weekday - anchor.weekday()) % 7)
    return anchor - dt.timedelta(days=(anchor.weekday() - weekday) % 7)


def _infer_year(anchor: dt.date, month: int, day: int | None, tense: str) -> int:
    """The year of the nearest past (or, in future context, coming) occurrence."""
    here = (anchor.month, anchor.day if day is not None else 0)
    there = (month, day if day is not None else 0)
    if tense == "future":
        return anchor.year if there >= here else anchor.year + 1
    return anchor.year if there <= here else anchor.year - 1


def _needs_anchor(p: _Parts) -> bool:
    if p.iso is not None:
        return False
    if p.day_offset is not None or p.unit is not None or p.year_shift is not None:
        return True
    if p.month is not None:
        return p.year is None
    return p.weekday is not None


def _granularity(p: _Parts) -> str | None:
    """The granularity an expression has whether or not it can be resolved."""
    if p.iso is not None or p.day_offset is not None or p.day is not None or p.weekday is not None:
        return "day"
    if p.month is not None:
        return "month"
    unit = p.unit or ("year" if p.year is not None else None)
    return "month" if unit == "year" and p.boundary in ("start", "end") else unit


def _resolve_parts(
    p: _Parts, anchor: dt.date | None, tense: str, context_year: int | None = None
) -> ResolvedDate | None:
    """Resolve one parsed expression; None when it is not a valid date at all."""
    if p.relation in PAST_RELATIONS:
        tense = "past"
    if context_year is not None and p.month is not None and p.year is None and p.year_shift is None:
        p = replace(p, year=context_year)
    mod = p.boundary or p.modifier or p.part_of_day
    relative = _needs_anchor(p)
    kw: dict[str, Any] = {"modifier": mod, "relation": p.relation or "on", "relative": relative}
    if relative:
        if anchor is None:
            reason = "relative date without an anchor (no publication date)"
            return ResolvedDate(None, granularity=_granularity(p), reason=reason, **kw)
        kw["anchor"] = anchor
    if p.year is not None and p.year not in YEAR_RANGE:
        return None
    try:
        if p.iso is not None:
            return _day(dt.date(*p.iso), **kw)
        if anchor is not None and p.day_offset is not None:
            return _day(anchor + dt.timedelta(days=p.day_offset), **kw)
        if anchor is not None and p.weekday is not None and p.month is None:
            if p.shift:  # "last Tuesday" written on a Tuesday is a week before
                step = 1 if p.shift > 0 else -1
                day = _weekday(anchor + dt.timedelta(days=step), p.weekday, tense_of(step))
                return _day(day, **kw)
            return _day(_weekday(anchor, p.weekday, tense), **kw)
        if p.month is not None:
            if p.year is not None:
                year = p.year
            elif anchor is not None and p.year_shift is not None:
                year = anchor.year + p.year_shift
            elif anchor is not None and p.shift:  # "last September" is never this month's
                year = _infer_year(anchor, p.month, p.day, tense_of(p.shift))
                if (year, p.month) == (anchor.year, anchor.month):
                    year += 1 if p.shift > 0 else -1
            elif anchor is not None:
                year = _infer_year(anchor, p.month, p.day, tense)
            else:
                return None
            if p.day is not None:
                return _day(dt.date(year, p.month, p.day), **kw)
            return _month(year, p.month, **kw)
        if anchor is not None and p.unit is not None:
            shift = p.shift or 0
            if p.unit == "week":
                monday = anchor - dt.timedelta(days=anchor.weekday()) + dt.timedelta(weeks=shift)
                iso_year, iso_week, _ = monday.isocalendar()
                return ResolvedDate(
                    f"{iso_year:04d}-W{iso_week:02d}",
                    monday,
                    monday + dt.timedelta(days=6),
                    "week",
                    **kw,
                )
            if p.unit == "month":
                return _month(*_add_months(anchor.year, anchor.month, shift), **kw)
            return _year(anchor.year + shift, p.boundary, **kw)
        if p.year is not None:
            return _year(p.year, p.boundary, **kw)
    except ValueError:
        return None
    return None


def resolve_date(
    text: str,
    anchor: dt.date | None,
    *,
    tense: str = "past",
    context_year: int | None = None,
    vocab: DateVocab | None = None,
) -> ResolvedDate | None:
    """Return what a date expression means, resolved against ``anchor``.

    Args:
        text: the expression as written, with its preposition ("since Oct. 7").
        anchor: the date relative expressions count from (publication or speech day);
            None leaves them unresolved with a reason.
        tense: ``past`` or ``future``: which way yearless dates and weekdays go.
        context_year: a year named earlier in the sentence ("In 2021 ... in May"); a
            yearless month or month-day takes it instead of being counted from the anchor.
        vocab: the date vocabulary (default: the repository's ``rules/dates_vocab.jsonl``).

    Returns:
        The resolved date, or None when the text is not a valid date ("February 30",
        a year outside 1900-2100, no date word at all).
    """
    vocab = vocab or default_vocab()
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    for j in range(1, len(tokens) - 1):
        if "range_joint" in vocab.kinds(tokens[j]):
            left, right = _parse(tokens[:j], vocab), _parse(tokens[j + 1 :], vocab)
            if left.has_core() and right.has_core():
                return _resolve_range(left, right, anchor, tense, context_year)
    return _resolve_parts(_parse(tokens, vocab), anchor, tense, context_year)


def _resolve_range(
    left: _Parts, right: _Parts, anchor: dt.date | None, tense: str, context_year: int | None
) -> ResolvedDate | None:
    """Resolve "between November 24 and 30": the ends share a missing month or year.

    A relative right end is resolved forward from the left end, so it never precedes it.
    """
    if right.day is not None and right.month is None and right.weekday is None:
        right.month = left.month
    if left.day is not None and left.month is None and left.weekday is None:
        left.month = right.month
    if left.year is None and left.month is not None:
        left.year = right.year
    first = _resolve_parts(left, anchor, tense, context_year)
    if first is None:
        return None
    last_anchor = first.start if first.start is not None else anchor
    last = _resolve_parts(right, last_anchor, "future", context_year)
    if last is None:
        return None
    relation = left.relation or "from"
    if first.value is None or last.value is None:
        return replace(first, relation=relation, reason=first.reason or last.reason)
    return replace(
        first, value=f"{first.value}/{last.value}", end=last.end, relation=relation,
        relative=first.relative or last.relative,
    )  # fmt: skip


__all__ = [
    "DATES_VOCAB",
    "VOCAB_KINDS",
    "DateVocab",
    "ResolvedDate",
    "default_vocab",
    "resolve_date",
]
