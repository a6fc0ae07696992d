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
from typing import Any, cast

import numpy as np
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from pipeline.component import RuleComponent
from pipeline.date_resolver import DATES_VOCAB, VOCAB_KINDS, DateVocab, ResolvedDate, resolve_date
from pipeline.matchwindows import WindowMatcher
from pipeline.records import DateMention, build
from pipeline.rules import Field, RuleProblem, RuleRow, RulesError, RuleSpec
from pipeline.tokens import WordClass, filter_ranges, token_table

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
_OPEN_MARKS, _CLOSE_MARKS, _TOGGLE_MARKS = (
    WordClass(frozenset(get_string_id(m) for m in marks), ORTH)
    for marks in (_OPEN_QUOTES, _CLOSE_QUOTES, _TOGGLE_QUOTES)
)


@dataclass(frozen=True)
class Quotations:
    """Where quotations are in a document, to ask whether a token stands inside one.

    Quote marks are counted from the last line break (a paragraph break closes a quote).
    Built from token arrays, so a document costs no Python loop over its tokens; a
    question is four binary searches.
    """

    opens: list[int]
    closes: list[int]
    toggles: list[int]
    breaks: list[int]

    @classmethod
    def of(cls, doc: Doc) -> Quotations:
        table = token_table(doc)

        def where(marks: WordClass) -> list[int]:
            return cast(list[int], np.flatnonzero(table.in_class(marks)).tolist())

        words = table.words
        breaks = [i for i in np.flatnonzero(table.is_space).tolist() if "\n" in words[i]]
        return cls(where(_OPEN_MARKS), where(_CLOSE_MARKS), where(_TOGGLE_MARKS), breaks)

    def inside(self, i: int) -> bool:
        """Return whether token ``i`` stands inside a quotation (the marks themselves do not)."""
        n = bisect.bisect_left(self.breaks, i)
        line_start = self.breaks[n - 1] + 1 if n else 0

        def count(marks: list[int]) -> int:
            return bisect.bisect_left(marks, i) - bisect.bisect_left(marks, line_start)

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


class _Found:
    """A matched span waiting to be resolved (a plain class, as the next: mypyc compiles
    its ``__init__``, a dataclass keeps the generated Python one)."""

    span: Span
    rule_id: str
    sentence: int
    quoted: bool
    speech: bool
    joined: bool  # joined to the date before by coordinators only ("on Sunday or Monday")

    def __init__(
        self, span: Span, rule_id: str, sentence: int, quoted: bool, speech: bool, joined: bool
    ) -> None:
        self.span = span
        self.rule_id = rule_id
        self.sentence = sentence
        self.quoted = quoted
        self.speech = speech
        self.joined = joined


class _Clauses:
    """The tense cues of one sentence, (token index, tense), and where its clauses break."""

    cues: tuple[tuple[int, str], ...]
    breaks: tuple[int, ...]

    def __init__(self, cues: tuple[tuple[int, str], ...], breaks: tuple[int, ...]) -> None:
        self.cues = cues
        self.breaks = breaks


class DateTagger(RuleComponent):
    """Finds date expressions and resolves them (``doc._.dates``)."""

    RULE_SPECS = (DATES_VOCAB, DATES_PATTERNS)

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
        self.vocab = DateVocab({})
        self.matcher = WindowMatcher(nlp.vocab, validate=True)
        self.patterns: dict[str, RuleRow] = {}
        self.words: dict[str, frozenset[str]] = {}
        self.past_suffixes: tuple[str, ...] = ()

    def compile(self) -> None:
        self.vocab = DateVocab.from_rows(self.rule_rows("dates_vocab"))
        self.matcher = WindowMatcher(self.nlp.vocab, validate=True)
        self.patterns = {}
        for row in self.rule_rows("dates_patterns"):
            try:
                pattern = _expand(row["pattern"], self.vocab, row)
                self.matcher.add(row["id"], pattern)
            except ValueError as exc:
                if isinstance(exc, RulesError):
                    raise
                raise RulesError(
                    [RuleProblem(row.path, row.line, f"bad Matcher pattern: {exc}")]
                ) from exc
            self.patterns[row["id"]] = row
        self.words = {kind: frozenset(self.vocab.of_kind(kind)) for kind in VOCAB_KINDS}
        self.past_suffixes = tuple(self.words["past_suffix"])

    def _extend_left(self, doc: Doc, start: int, kinds: Sequence[str]) -> tuple[int, set[str]]:
        """Move ``start`` left over optional words of ``kinds`` (in order); return what was taken.

        A hyphen is taken only together with the word before it ("mid-January").
        """
        lowers = token_table(doc).lowers
        taken: set[str] = set()
        for n, kind in enumerate(kinds):
            if start == 0 or lowers[start - 1] not in self.words[kind]:
                continue
            if kind == "hyphen":
                after = kinds[n + 1] if n + 1 < len(kinds) else None
                if after is None or start < 2 or lowers[start - 2] not in self.words[after]:
                    continue
            start -= 1
            taken.add(kind)
        return start, taken

    def _matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Return the Matcher's matches, run only where a pattern can start."""
        return self.matcher(doc)

    def spans(self, doc: Doc) -> list[tuple[Span, str]]:
        """Return the date spans of ``doc`` (longest wins) with the id of the pattern found."""
        lowers = token_table(doc).lowers
        candidates: list[tuple[int, int, str]] = []
        for match_id, start, end in self._matches(doc):
            rule_id = self.nlp.vocab.strings[match_id]
            row = self.patterns[rule_id]
            if start > 0 and lowers[start - 1] in row.get("not_after", []):
                continue
            start, taken = self._extend_left(doc, start, row.get("extend_left", []))
            required = row.get("require_left", [])
            if required and not taken.intersection(required):
                continue
            candidates.append((start, end, rule_id))
        found = []
        for first, last, rule_id in filter_ranges(candidates):
            row = self.patterns[rule_id]
            start, end = first + row.get("trim_start", 0), last - row.get("trim_end", 0)
            found.append((doc[start:end], rule_id))
        return found

    def _is_speech(self, doc: Doc, span: Span, sent_start: int) -> bool:
        """True for "said Thursday", "told AFP on Thursday": a speech verb just before the date.

        The look-back stops at a comma, a quote mark, a line break or another tense cue.
        """
        table = token_table(doc)
        for i in range(span.start - 1, max(sent_start, span.start - SPEECH_WINDOW) - 1, -1):
            text = table.words[i]
            if text in _QUOTES or text == "," or "\n" in text:
                return False
            low = table.lowers[i]
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
        table = token_table(doc)
        lowers, texts, lower_ids = table.lowers, table.words, table.lower_list
        cues: list[tuple[int, str]] = []
        breaks: list[int] = []
        # the word sets, read once per sentence instead of once per token
        clause_break, future_cue = words["clause_break"], words["future_cue"]
        past_cue, speech_verb = words["past_cue"], words["speech_verb"]
        participle_after = words["participle_after"]
        past_suffixes = self.past_suffixes
        first: int = sent.start
        for i in range(first, sent.end):
            low, text = lowers[i], texts[i]
            if low in clause_break or text in _QUOTES or "\n" in text:
                breaks.append(i)
            elif low in future_cue:
                cues.append((i, "future"))
            elif (
                low in past_cue
                or low in speech_verb
                or (
                    lemmas
                    and text.islower()  # token.is_lower
                    and low.endswith(past_suffixes)
                    and doc[i].lemma not in (0, lower_ids[i])
                )
            ) and not (i > first and lowers[i - 1] in participle_after):
                cues.append((i, "past"))
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
        clutter: set[int] = doc._.clutter_sents or set()  # page furniture dates nothing
        for span, rule_id in spans:
            index = bisect.bisect_right(starts, span.start) - 1
            if index in clutter:
                continue
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
        table = token_table(span.doc)
        text: str = (  # span.text without a Token per word
            table.text[table.starts_char[span.start] : table.ends_char[span.end - 1]]
            if span.end > span.start
            else ""
        )
        resolved = resolve_date(
            text, anchor, tense=tense, context_year=context_year, vocab=self.vocab
        )
        if resolved is None:
            return None
        return build(
            DateMention,
            sentence=item.sentence,
            start_char=span.start_char,
            end_char=span.end_char,
            text=text,
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
