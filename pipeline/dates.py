"""The ``ceasefire_dates`` component: date spans from Matcher rules, resolved in context.

Spans come from token patterns in ``rules/dates_patterns.jsonl`` whose
``{"VOCAB": kind}`` tokens :meth:`DateTagger.compile` expands to the word lists
of ``rules/dates_vocab.jsonl``; overlapping matches keep the longest. Each span
is resolved by :func:`pipeline.date_resolver.resolve_date`, with the tense taken
from the nearest future/past cue in its clause before cues further away (past forms
are listed words or regular "-ed" forms read from the lemmas; a speech verb just
before it, "said Thursday", makes it past; "on Sunday or Monday" share a tense), a
year named earlier in the sentence as
context, and an anchor: ``doc._.published``, or for relative dates inside a
quotation the day the quote was spoken ("told AFP on Thursday", in the same or
one of the two previous sentences). Sets ``doc._.dates`` to a list of
:class:`~pipeline.records.DateMention`. Durations ("60 days") are left to the
numbers component.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.component import RuleComponent
from pipeline.date_resolver import DATES_VOCAB, VOCAB_KINDS, DateVocab, ResolvedDate, resolve_date
from pipeline.records import DateMention
from pipeline.rules import Field, RuleProblem, RuleRow, RulesError, RuleSpec

DATES_PATTERNS = RuleSpec(
    name="dates_patterns",
    fields={
        "id": Field(required=True),
        "pattern": Field(kind="any", required=True),
        "example": Field(),
        "trim_start": Field(kind="int", default=0),
        "trim_end": Field(kind="int", default=0),
        "not_after": Field(kind="list", default=[]),
        "extend_left": Field(kind="list", choices=VOCAB_KINDS, default=[]),
        "require_left": Field(kind="list", choices=VOCAB_KINDS, default=[]),
        "note": Field(),
    },
    unique=("id",),
    description="Matcher token patterns for date spans; {'VOCAB': kind} names a vocabulary class",
)

#: How many tokens before a date may hold the speech verb of "said on Thursday".
SPEECH_WINDOW = 6
#: How many earlier sentences may name the day a quotation was spoken.
QUOTE_LOOKBACK = 2

_OPEN_QUOTES = frozenset({"“", "«"})
_CLOSE_QUOTES = frozenset({"”", "»"})
_TOGGLE_QUOTES = frozenset({'"'})
_QUOTES = _OPEN_QUOTES | _CLOSE_QUOTES | _TOGGLE_QUOTES


@dataclass(frozen=True)
class Quotations:
    """Where quotations are in a document, to ask whether a token stands inside one.

    Quote marks are counted from the last line break (a paragraph break closes a quote).
    Built from token arrays, so a document costs no Python loop over its tokens.
    """

    opens: np.ndarray
    closes: np.ndarray
    toggles: np.ndarray
    breaks: list[int]

    @classmethod
    def of(cls, doc: Doc) -> Quotations:
        orth = doc.to_array("ORTH")
        strings = doc.vocab.strings

        def where(marks: frozenset[str]) -> np.ndarray:
            hashes = np.array([strings.add(m) for m in sorted(marks)], dtype=np.uint64)
            return np.flatnonzero(np.isin(orth, hashes))

        spaces = np.flatnonzero(doc.to_array("IS_SPACE")).tolist()
        breaks = [i for i in spaces if "\n" in doc[i].text]
        return cls(where(_OPEN_QUOTES), where(_CLOSE_QUOTES), where(_TOGGLE_QUOTES), breaks)

    def inside(self, i: int) -> bool:
        """Return whether token ``i`` stands inside a quotation (the marks themselves do not)."""
        n = bisect.bisect_left(self.breaks, i)
        line_start = self.breaks[n - 1] + 1 if n else 0

        def count(marks: np.ndarray) -> int:
            lo, hi = np.searchsorted(marks, [line_start, i])
            return int(hi - lo)

        return count(self.opens) > count(self.closes) or count(self.toggles) % 2 == 1


def _expand(pattern: Any, vocab: DateVocab, where: RuleRow) -> list[dict[str, Any]]:
    """Replace {"VOCAB": kind} in a token pattern by {"LOWER": {"IN": words}}."""
    if (
        not isinstance(pattern, list)
        or not pattern
        or not all(isinstance(t, dict) for t in pattern)
    ):
        raise RulesError(
            [RuleProblem(where.path, where.line, "pattern must be a non-empty list of objects")]
        )
    tokens: list[dict[str, Any]] = []
    for spec in pattern:
        spec = dict(spec)
        kind = spec.pop("VOCAB", None)
        if kind is not None:
            words = vocab.of_kind(kind) if kind in VOCAB_KINDS else []
            if not words:
                raise RulesError(
                    [RuleProblem(where.path, where.line, f"VOCAB {kind!r} names no words")]
                )
            spec["LOWER"] = {"IN": words}
        tokens.append(spec)
    return tokens


@dataclass(frozen=True)
class _Triggers:
    """Tokens that can start a match (by LOWER or SHAPE hash) -> the longest such pattern."""

    lower: Mapping[int, int]
    shape: Mapping[int, int]
    lower_hashes: np.ndarray
    shape_hashes: np.ndarray


def _triggers(patterns: Sequence[Sequence[Mapping[str, Any]]], strings: Any) -> _Triggers | None:
    """Return the tokens that can start each pattern, or None when some pattern can start
    with an optional or unrestricted token (then the Matcher runs on the whole document)."""
    by_attr: dict[str, dict[int, int]] = {"lower": {}, "shape": {}}
    for pattern in patterns:
        first = pattern[0]
        if first.get("OP") in ("?", "*") or any(t.get("OP") in ("+", "*") for t in pattern):
            return None
        for attr, into in (("LOWER", "lower"), ("ORTH", "lower"), ("SHAPE", "shape")):
            value = first.get(attr)
            if value is None:
                continue
            if isinstance(value, dict) and "IN" not in value:
                return None
            values = value["IN"] if isinstance(value, dict) else [value]
            for v in values:
                key = strings.add(v.lower() if attr == "ORTH" else v)
                by_attr[into][key] = max(by_attr[into].get(key, 0), len(pattern))
            break
        else:
            return None
    lower, shape = by_attr["lower"], by_attr["shape"]
    return _Triggers(
        lower,
        shape,
        np.array(sorted(lower), dtype=np.uint64),
        np.array(sorted(shape), dtype=np.uint64),
    )


@dataclass(frozen=True)
class _Found:
    """A matched span waiting to be resolved."""

    span: Span
    rule_id: str
    sentence: int
    quoted: bool
    speech: bool
    joined: bool  # joined to the date before by coordinators only ("on Sunday or Monday")


@dataclass(frozen=True)
class _Clauses:
    """The tense cues of one sentence, (token index, tense), and where its clauses break."""

    cues: tuple[tuple[int, str], ...]
    breaks: tuple[int, ...]


class DateTagger(RuleComponent):
    """Finds date expressions and resolves them (``doc._.dates``)."""

    RULE_SPECS = (DATES_VOCAB, DATES_PATTERNS)

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
        self.vocab = DateVocab({})
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.patterns: dict[str, RuleRow] = {}
        self.words: dict[str, frozenset[str]] = {}
        self.past_suffixes: tuple[str, ...] = ()
        self.triggers: _Triggers | None = None

    def compile(self) -> None:
        self.vocab = DateVocab.from_rows(self.rule_rows("dates_vocab"))
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self.patterns = {}
        expanded = []
        for row in self.rule_rows("dates_patterns"):
            try:
                pattern = _expand(row["pattern"], self.vocab, row)
                expanded.append(pattern)
                self.matcher.add(row["id"], [pattern])
            except ValueError as exc:
                if isinstance(exc, RulesError):
                    raise
                raise RulesError(
                    [RuleProblem(row.path, row.line, f"bad Matcher pattern: {exc}")]
                ) from exc
            self.patterns[row["id"]] = row
        self.words = {kind: frozenset(self.vocab.of_kind(kind)) for kind in VOCAB_KINDS}
        strings = self.nlp.vocab.strings
        self.triggers = _triggers(expanded, strings)
        self.past_suffixes = tuple(self.words["past_suffix"])

    def _extend_left(self, doc: Doc, start: int, kinds: Sequence[str]) -> tuple[int, set[str]]:
        """Move ``start`` left over optional words of ``kinds`` (in order); return what was taken.

        A hyphen is taken only together with the word before it ("mid-January").
        """
        taken: set[str] = set()
        for n, kind in enumerate(kinds):
            if start == 0 or doc[start - 1].lower_ not in self.words[kind]:
                continue
            if kind == "hyphen":
                after = kinds[n + 1] if n + 1 < len(kinds) else None
                if after is None or start < 2 or doc[start - 2].lower_ not in self.words[after]:
                    continue
            start -= 1
            taken.add(kind)
        return start, taken

    def _matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Run the Matcher only on windows that start at a token some pattern starts with."""
        triggers = self.triggers
        if triggers is None:
            return [(m, s, e) for m, s, e in self.matcher(doc)]
        attrs = doc.to_array(["LOWER", "SHAPE"]).reshape(-1, 2)
        hits = np.flatnonzero(
            np.isin(attrs[:, 0], triggers.lower_hashes)
            | np.isin(attrs[:, 1], triggers.shape_hashes)
        ).tolist()
        windows: list[list[int]] = []
        for i in hits:
            lower, shape = attrs[i].tolist()
            end = i + max(triggers.lower.get(lower, 0), triggers.shape.get(shape, 0))
            if windows and i < windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], end)
            else:
                windows.append([i, end])
        matches: list[tuple[int, int, int]] = []
        for first, last in windows:
            window = doc[first : min(last, len(doc))]
            matches.extend((m, s + first, e + first) for m, s, e in self.matcher(window))
        return matches

    def spans(self, doc: Doc) -> list[tuple[Span, str]]:
        """Return the date spans of ``doc`` (longest wins) with the id of the pattern found."""
        candidates: list[Span] = []
        for match_id, start, end in self._matches(doc):
            rule_id = self.nlp.vocab.strings[match_id]
            row = self.patterns[rule_id]
            if start > 0 and doc[start - 1].lower_ in row.get("not_after", []):
                continue
            start, taken = self._extend_left(doc, start, row.get("extend_left", []))
            required = row.get("require_left", [])
            if required and not taken.intersection(required):
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
            if low in self.words["speech_verb"]:
                return True
            if low in self.words["future_cue"] or low in self.words["past_cue"]:
                return False  # "said ... would resume on Monday": another verb governs the date
        return False

    def _clauses(self, doc: Doc, sent: Span, lemmas: bool) -> _Clauses:
        """Return the tense cues and clause breaks of ``sent``.

        Past: listed past forms and speech verbs, and (when lemmas are set) lower-case words
        with a past suffix whose lemma differs ("handed" -> "hand"); not after a
        ``participle_after`` word ("to be signed", "the proposed deal"). Future cues win.
        """
        words = self.words
        cues: list[tuple[int, str]] = []
        breaks: list[int] = []
        for token in sent:
            low = token.lower_
            if low in words["clause_break"] or token.text in _QUOTES or "\n" in token.text:
                breaks.append(token.i)
            elif low in words["future_cue"]:
                cues.append((token.i, "future"))
            elif (
                low in words["past_cue"]
                or low in words["speech_verb"]
                or (
                    lemmas
                    and token.is_lower
                    and low.endswith(self.past_suffixes)
                    and token.lemma not in (0, token.lower)
                )
            ) and not (
                token.i > sent.start and doc[token.i - 1].lower_ in words["participle_after"]
            ):
                cues.append((token.i, "past"))
        return _Clauses(tuple(cues), tuple(breaks))

    @staticmethod
    def _tense(quotes: Quotations, clauses: _Clauses, span: Span) -> str:
        """The tense of the cue nearest ``span`` in the same voice (inside or outside quotes).

        Nearest means: fewest clause breaks in between, then a cue before the date over one
        after it, then fewest tokens; past wins a tie. No cue: past.
        """
        in_quote = quotes.inside(span.start)
        best: tuple[tuple[int, bool, int, bool], str] | None = None
        for i, tense in clauses.cues:
            if span.start <= i < span.end or quotes.inside(i) != in_quote:
                continue
            after = i >= span.end
            lo, hi = (span.end, i) if after else (i + 1, span.start)
            crossed = bisect.bisect_left(clauses.breaks, hi) - bisect.bisect_left(
                clauses.breaks, lo
            )
            distance = i - span.end + 1 if after else span.start - i
            key = (crossed, after, distance, tense != "past")
            if best is None or key < best[0]:
                best = (key, tense)
        return best[1] if best else "past"

    def __call__(self, doc: Doc) -> Doc:
        spans = self.spans(doc)
        if not spans:
            doc._.dates = []
            return doc
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        starts = [s.start for s in sents]
        quotes = Quotations.of(doc)
        lemmas = doc.has_annotation("LEMMA")
        clauses: dict[int, _Clauses] = {}
        found: list[_Found] = []
        for span, rule_id in spans:
            index = bisect.bisect_right(starts, span.start) - 1
            in_quote = quotes.inside(span.start)
            speech = not in_quote and self._is_speech(doc, span, starts[index])
            before = found[-1].span if found and found[-1].sentence == index else None
            joined = (
                before is not None
                and 0 < span.start - before.end <= 2
                and all(t.lower_ in self.words["coordinator"] for t in doc[before.end : span.start])
            )
            found.append(_Found(span, rule_id, index, in_quote, speech, joined))
        tenses: dict[int, str] = {}
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
                if item.speech:
                    tense = "past"
                elif item.joined and key - 1 in tenses:
                    tense = tenses[key - 1]
                else:
                    if item.sentence not in clauses:
                        clauses[item.sentence] = self._clauses(doc, sents[item.sentence], lemmas)
                    tense = self._tense(quotes, clauses[item.sentence], item.span)
                tenses[key] = tense
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
    def _quote_anchor(
        sentence: int, sents: Sequence[Span], speech_days: Mapping[int, dt.date]
    ) -> dt.date | None:
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
        self,
        item: _Found,
        anchor: dt.date | None,
        source: str,
        tense: str,
        context_year: int | None,
    ) -> DateMention | None:
        span = item.span
        resolved = resolve_date(
            span.text, anchor, tense=tense, context_year=context_year, vocab=self.vocab
        )
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
    "make_date_tagger",
    "Quotations",
    "resolve_date",
]
