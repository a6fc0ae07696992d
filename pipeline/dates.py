"""Date expressions: find them with Matcher rules, resolve them to ISO values against an anchor.

Two halves. :func:`resolve_date` is a pure function: given the text of a date
expression ("late Tuesday", "In November last year", "through the end of 2027"),
an anchor date and a tense, it returns a :class:`ResolvedDate` (ISO value, period
start/end, granularity, modifier, relation). It never invents a day of the month,
never reads the clock, and leaves relative expressions unresolved (value None,
with a reason) when there is no anchor. Conventions: a weekday is the latest such
day on or before the anchor in past context, the next one on or after it in
future context (the anchor day itself counts both ways, so "from Thursday"
written on a Thursday is that day); a month or month-day without a year is the
nearest past occurrence (the current month included) unless the context is
future; "since"/"after" force the past; "last week" is the previous ISO week;
"the end of 2027" is 2027-12 with modifier ``end``; ranges get an ISO interval
value ("2023-11-24/2023-11-30") with relation ``from``.

The ``ceasefire_dates`` component finds spans with Matcher patterns from
``rules/dates_patterns.jsonl`` (vocabulary classes from ``rules/dates_vocab.jsonl``
expanded in :meth:`DateTagger.compile`), picks the tense from cue words near
each span, and anchors relative dates inside quotations to the day the quote
was spoken ("told AFP on Thursday", same or up to two previous sentences), else
to ``doc._.published``. Durations ("60 days") are left to the numbers component.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.component import RuleComponent
from pipeline.records import DateMention
from pipeline.rules import Field, RuleProblem, RuleRow, RulesError, RuleSpec, load_spec_rows

VOCAB_KINDS = frozenset(
    {
        "month", "weekday", "day_word", "part_of_day", "shift", "unit", "modifier", "boundary",
        "relation", "range_joint", "future_cue", "past_cue", "speech_verb", "year_noun",
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

DATES_PATTERNS = RuleSpec(
    name="dates_patterns",
    fields={
        "id": Field(required=True),
        "pattern": Field(kind="any", required=True),
        "example": Field(),
        "trim_start": Field(kind="int", default=0),
        "trim_end": Field(kind="int", default=0),
        "not_after": Field(kind="list", default=[]),
        "note": Field(),
    },
    unique=("id",),
    description="Matcher token patterns for date spans; {'VOCAB': kind} names a vocabulary class",
)

#: Relations after which a yearless date or weekday is always in the past.
PAST_RELATIONS = frozenset({"since", "after"})
#: Plausible years for a four-digit number read as a year.
YEAR_RANGE = range(1900, 2101)
#: How many tokens before a date may hold the speech verb of "said on Thursday".
SPEECH_WINDOW = 6
#: How many earlier sentences may name the day a quotation was spoken.
QUOTE_LOOKBACK = 2

_TOKEN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d+(?:st|nd|rd|th)?|[^\W\d_]+\.?|'[a-z]+|[^\w\s]")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_OPEN_QUOTES = frozenset({"“", "«"})
_CLOSE_QUOTES = frozenset({"”", "»"})
_TOGGLE_QUOTES = frozenset({'"'})
_QUOTES = _OPEN_QUOTES | _CLOSE_QUOTES | _TOGGLE_QUOTES


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
            for v in (self.weekday, self.day_offset, self.unit, self.month, self.day, self.year, self.iso)
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
        if i == 0 and "relation" in kinds:
            parts.relation = kinds["relation"]
        elif "month" in kinds:
            parts.month = int(kinds["month"])
        elif "weekday" in kinds:
            parts.weekday = int(kinds["weekday"])
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
    return ResolvedDate(f"{year:04d}-{month:02d}", dt.date(year, month, 1), _month_end(year, month), "month", **kw)


def _year(year: int, boundary: str | None, **kw: Any) -> ResolvedDate:
    """A year, or its first/last month for "the start/end of YEAR"."""
    if boundary in ("start", "end"):
        return _month(year, 1 if boundary == "start" else 12, **kw)
    return ResolvedDate(f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31), "year", **kw)


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
            return _day(_weekday(anchor, p.weekday, tense), **kw)
        if p.month is not None:
            if p.year is not None:
                year = p.year
            elif anchor is not None and p.year_shift is not None:
                year = anchor.year + p.year_shift
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
                    f"{iso_year:04d}-W{iso_week:02d}", monday, monday + dt.timedelta(days=6), "week", **kw
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


def quoted_tokens(doc: Doc) -> list[bool]:
    """Return, for each token, whether it stands inside a quotation (a line break closes one)."""
    inside = False
    flags: list[bool] = []
    for token in doc:
        text = token.text
        if text in _OPEN_QUOTES or (text in _TOGGLE_QUOTES and not inside):
            inside = True
            flags.append(False)
            continue
        if text in _CLOSE_QUOTES or text in _TOGGLE_QUOTES or "\n" in text:
            inside = False
        flags.append(inside)
    return flags


def _expand(pattern: Any, vocab: DateVocab, where: RuleRow) -> list[dict[str, Any]]:
    """Replace {"VOCAB": kind} in a token pattern by {"LOWER": {"IN": words}}."""
    if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
        raise RulesError([RuleProblem(where.path, where.line, "pattern must be a non-empty list of objects")])
    tokens: list[dict[str, Any]] = []
    for spec in pattern:
        spec = dict(spec)
        kind = spec.pop("VOCAB", None)
        if kind is not None:
            words = vocab.of_kind(kind) if kind in VOCAB_KINDS else []
            if not words:
                raise RulesError([RuleProblem(where.path, where.line, f"VOCAB {kind!r} names no words")])
            spec["LOWER"] = {"IN": words}
        tokens.append(spec)
    return tokens


@dataclass(frozen=True)
class _Found:
    """A matched span waiting to be resolved."""

    span: Span
    rule_id: str
    sentence: int
    quoted: bool
    speech: bool


class DateTagger(RuleComponent):
    """Finds date expressions and resolves them (``doc._.dates``)."""

    RULE_SPECS = (DATES_VOCAB, DATES_PATTERNS)

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
        self.vocab = DateVocab({})
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.patterns: dict[str, RuleRow] = {}
        self.cues: dict[str, frozenset[str]] = {}

    def compile(self) -> None:
        self.vocab = DateVocab.from_rows(self.rule_rows("dates_vocab"))
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self.patterns = {}
        for row in self.rule_rows("dates_patterns"):
            try:
                self.matcher.add(row["id"], [_expand(row["pattern"], self.vocab, row)])
            except ValueError as exc:
                if isinstance(exc, RulesError):
                    raise
                raise RulesError([RuleProblem(row.path, row.line, f"bad Matcher pattern: {exc}")]) from exc
            self.patterns[row["id"]] = row
        self.cues = {
            kind: frozenset(self.vocab.of_kind(kind)) for kind in ("future_cue", "past_cue", "speech_verb")
        }

    def spans(self, doc: Doc) -> list[tuple[Span, str]]:
        """Return the date spans of ``doc`` (longest wins) with the id of the pattern found."""
        candidates: list[Span] = []
        for match_id, start, end in self.matcher(doc):
            rule_id = self.nlp.vocab.strings[match_id]
            row = self.patterns[rule_id]
            if start > 0 and doc[start - 1].lower_ in row.get("not_after", []):
                continue
            candidates.append(Span(doc, start, end, label=rule_id))
        found = []
        for span in filter_spans(candidates):
            row = self.patterns[span.label_]
            start, end = span.start + row.get("trim_start", 0), span.end - row.get("trim_end", 0)
            found.append((doc[start:end], span.label_))
        return found

    def _is_speech(self, doc: Doc, span: Span, sent_start: int) -> bool:
        """True for "said Thursday", "told AFP on Thursday": a speech verb just before the date.

        The look-back stops at a comma, a quote mark, a line break or another tense cue.
        """
        for i in range(span.start - 1, max(sent_start, span.start - SPEECH_WINDOW) - 1, -1):
            token = doc[i]
            if token.text in _QUOTES or token.text == "," or "\n" in token.text:
                return False
            low = token.lower_
            if low in self.cues["speech_verb"]:
                return True
            if low in self.cues["future_cue"] or low in self.cues["past_cue"]:
                return False  # "said ... would resume on Monday": another verb governs the date
        return False

    def _tense(self, sent: Span, span: Span, quoted: Sequence[bool], in_quote: bool) -> str:
        """``future`` when the nearest tense cue in the same sentence and voice is a future one."""
        best: tuple[int, str] | None = None
        for token in sent:
            if quoted[token.i] != in_quote or span.start <= token.i < span.end:
                continue
            low = token.lower_
            kind = "future" if low in self.cues["future_cue"] else "past" if low in self.cues["past_cue"] else None
            if kind is None:
                continue
            distance = min(abs(token.i - span.start), abs(token.i - (span.end - 1)))
            if best is None or distance < best[0] or (distance == best[0] and kind == "past"):
                best = (distance, kind)
        return best[1] if best else "past"

    def __call__(self, doc: Doc) -> Doc:
        spans = self.spans(doc)
        if not spans:
            doc._.dates = []
            return doc
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        starts = [s.start for s in sents]
        quoted = quoted_tokens(doc)
        found = []
        for span, rule_id in spans:
            index = bisect.bisect_right(starts, span.start) - 1
            in_quote = quoted[span.start]
            speech = not in_quote and self._is_speech(doc, span, starts[index])
            found.append(_Found(span, rule_id, index, in_quote, speech))
        published: dt.date | None = doc._.published
        speech_days: dict[int, dt.date] = {}
        years: dict[int, int] = {}  # sentence -> the last year it named outright
        mentions: dict[int, DateMention] = {}
        for quoted_pass in (False, True):  # outside quotes first: they date the quotes
            for key, item in enumerate(found):
                if item.quoted != quoted_pass:
                    continue
                anchor, source = published, "published"
                if item.quoted:
                    spoken = self._quote_anchor(item.sentence, sents, speech_days)
                    if spoken is not None:
                        anchor, source = spoken, "quote"
                tense = "past" if item.speech else self._tense(sents[item.sentence], item.span, quoted, item.quoted)
                mention = self._mention(item, anchor, source, tense, years.get(item.sentence))
                if mention is None:
                    continue
                mentions[key] = mention
                if mention.start is not None and not mention.relative:
                    years[item.sentence] = mention.start.year
                if item.speech and mention.granularity == "day" and mention.start is not None:
                    speech_days.setdefault(item.sentence, mention.start)
        doc._.dates = [mentions[k] for k in sorted(mentions)]
        return doc

    @staticmethod
    def _quote_anchor(sentence: int, sents: Sequence[Span], speech_days: Mapping[int, dt.date]) -> dt.date | None:
        """The day a quote in ``sentence`` was spoken: same sentence, else a recent one."""
        if sentence in speech_days:
            return speech_days[sentence]
        seen = 0
        for index in range(sentence - 1, -1, -1):
            if not any(t.is_alpha for t in sents[index]):
                continue
            if index in speech_days:
                return speech_days[index]
            seen += 1
            if seen >= QUOTE_LOOKBACK:
                break
        return None

    def _mention(
        self, item: _Found, anchor: dt.date | None, source: str, tense: str, context_year: int | None
    ) -> DateMention | None:
        span = item.span
        resolved = resolve_date(span.text, anchor, tense=tense, context_year=context_year, vocab=self.vocab)
        if resolved is None:
            return None
        return DateMention(
            sentence=item.sentence,
            start_char=span.start_char,
            end_char=span.end_char,
            text=span.text,
            value=resolved.value,
            start=resolved.start,
            end=resolved.end,
            granularity=resolved.granularity,
            modifier=resolved.modifier,
            relation=resolved.relation,
            relative=resolved.relative,
            anchor=resolved.anchor,
            anchor_source=source if resolved.anchor is not None else None,
            reason=resolved.reason,
            rule_id=item.rule_id,
        )


@Language.factory("ceasefire_dates", assigns=["doc._.dates"])
def make_date_tagger(nlp: Language, name: str) -> DateTagger:
    """Factory for ``ceasefire_dates``."""
    return DateTagger(nlp, name)


__all__ = [
    "DATES_PATTERNS",
    "DATES_VOCAB",
    "DateTagger",
    "DateVocab",
    "ResolvedDate",
    "default_vocab",
    "make_date_tagger",
    "quoted_tokens",
    "resolve_date",
]
