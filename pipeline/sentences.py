"""Tokenizer exceptions for news abbreviations and sentence boundaries that survive them.

The abbreviation list lives in ``rules/abbreviations.jsonl``; ``initialize()``
adds each entry to the tokenizer as a special case, so "Oct.", "U.S." and
"Maj. Gen." stay single tokens and the tokenizer (saved with the model) keeps
them. Sentence boundaries then follow two plain rules: a sentence ends after
terminal punctuation (plus any closing quotes or brackets), and at a line break.
A line with no terminal punctuation (headline, dateline, crosshead) is its own
sentence and is flagged in ``doc._.headline_sents``; a line that opens with a phrase
of ``rules/page_clutter.jsonl`` ("Read more:", "Related:") is page furniture, and its
sentences are flagged in ``doc._.clutter_sents`` for the components to leave out.
Hard-wrapped text
(fixed-width lines, as in e-mail, wire feeds and text taken from PDFs) is
recognised by :func:`soft_line_breaks`, and its line breaks inside a paragraph
are read as spaces.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, cast

import numpy
from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex
from thinc.types import Ints2d

from pipeline.component import RuleComponent
from pipeline.rules import Field, RuleSpec
from pipeline.tokens import WordClass, set_sentence_starts_cache, token_table

ABBREVIATIONS = RuleSpec(
    name="abbreviations",
    fields={
        "text": Field(required=True),
        "kind": Field(
            choices=frozenset({"month", "title", "country", "org", "other"}), default="other"
        ),
        "note": Field(),
    },
    unique=("text",),
    unique_lower=False,
    description="tokens ending in '.' that never end a sentence",
)

PAGE_CLUTTER = RuleSpec(
    name="page_clutter",
    fields={"text": Field(required=True), "note": Field()},
    unique=("text",),
    description="phrases that open a line of page furniture (Read more:, Related:)",
)

#: Infix pattern: a hyphen between an abbreviation's final period and a letter.
ABBREVIATION_HYPHEN = r"(?<=[A-Za-z]\.)-(?=[A-Za-z])"
_TERMINAL = frozenset({".", "!", "?", "…", "..."})
_CLOSERS = frozenset({'"', "'", "”", "’", ")", "]", "»"})
_TERMINAL_CLASS = WordClass(frozenset(get_string_id(t) for t in _TERMINAL), ORTH)
_CLOSER_CLASS = WordClass(frozenset(get_string_id(t) for t in _CLOSERS), ORTH)
_TERMINAL_CHARS = frozenset(".!?…")
_CLOSER_CHARS = frozenset("".join(_CLOSERS))

#: Hard wrapping: no line followed by another is longer than WRAP_MAX_WIDTH or
#: shorter than WRAP_MIN_WIDTH characters at its widest, and at least WRAP_MIN_LINES
#: lines of at least WRAP_SHORT of that width run on into the next line without
#: terminal punctuation. A shorter run-on line (a headline, a dateline, a list
#: item) still ends its sentence.
WRAP_MIN_LINES = 3
WRAP_MIN_WIDTH = 50
WRAP_MAX_WIDTH = 100
WRAP_SHORT = 0.6


def soft_line_breaks(text: str) -> list[int]:
    """Return the offsets of the line breaks of ``text`` that are only hard wrapping.

    Empty unless the text as a whole is hard-wrapped; then a single line break
    after a line that is not short and does not end in terminal punctuation is
    soft: the sentence runs on into the next line. Blank lines always separate.
    """
    if text.count("\n") < WRAP_MIN_LINES:
        return []
    lines = text.split("\n")
    run_on: list[tuple[int, int]] = []  # (offset of the line break, length of the line)
    widest = 0
    position = 0
    for line, following in zip(lines, lines[1:], strict=False):
        position += len(line)
        solid = line.rstrip()
        if solid.strip() and following.strip():
            widest = max(widest, len(solid))
            if solid[-1] not in _TERMINAL_CHARS and solid[-1] not in _CLOSER_CHARS:
                run_on.append((position, len(solid)))
        position += 1
    if not WRAP_MIN_WIDTH <= widest <= WRAP_MAX_WIDTH:
        return []
    offsets = [offset for offset, length in run_on if length >= WRAP_SHORT * widest]
    return offsets if len(offsets) >= WRAP_MIN_LINES else []


def sentence_starts(words: list[str], *, soft: Collection[int] = ()) -> list[bool]:
    """Return, for each token text, whether it starts a sentence.

    Abbreviations are single tokens (tokenizer special cases), so only a bare
    terminal mark or a line break ends a sentence.

    Args:
        words: token texts in order (whitespace tokens included, as spaCy makes them).
        soft: indices of line-break tokens that are hard wrapping, not a boundary.
    """
    starts = [False] * len(words)
    if not words:
        return starts
    starts[0] = True
    boundary = False
    line_break = False  # after a line break, a quote or bracket opens the next sentence
    for i, word in enumerate(words):
        if boundary and not word.isspace() and (line_break or word not in _CLOSERS):
            starts[i] = True
            boundary = line_break = False
            continue
        if "\n" in word and i not in soft:
            boundary = line_break = True
        elif word in _TERMINAL:
            boundary = True
    return starts


def headline_sentences(doc: Doc) -> set[int]:
    """Return indices of sentences that are a whole line with no terminal punctuation.

    Read from the token table: a sentence's text without trailing whitespace ends where
    its last non-space token ends.
    """
    flagged: set[int] = set()
    table = token_table(doc)
    text, space, ends = table.text, table.is_space.tolist(), table.ends_char
    last_solid = table.n - 1
    while last_solid >= 0 and space[last_solid]:
        last_solid -= 1
    text_end = ends[last_solid] if last_solid >= 0 else 0  # len(text.rstrip())
    for i, (start, stop) in enumerate(zip(table.sent_starts, table.sent_ends, strict=True)):
        last = stop - 1
        while last >= start and space[last]:
            last -= 1
        if last < start:
            continue
        end = ends[last]
        ends_line = end >= text_end or "\n" in text[end : end + 2]
        if (
            ends_line
            and text[end - 1] not in _TERMINAL_CHARS
            and text[end - 1] not in _CLOSER_CHARS
        ):
            flagged.add(i)
    return flagged


def clutter_sentences(doc: Doc, openers: Sequence[str]) -> set[int]:
    """Return indices of the sentences on lines of page furniture: a line whose text opens
    with one of ``openers`` (lower case) followed by no further letter or digit ("Read
    more: Gaza toll passes 40,000", "Related: ...", "Subscribe to our newsletter").

    The components leave these sentences out: no entity, count, date or claim comes from
    them.
    """
    if not openers:
        return set()
    table = token_table(doc)
    text, starts = table.text, table.starts_char
    flagged: set[int] = set()
    line_end = -1  # end of the clutter line being read, if any
    for i, (start, stop) in enumerate(zip(table.sent_starts, table.sent_ends, strict=True)):
        if start >= stop:
            continue
        begin = starts[start]
        if begin < line_end:
            flagged.add(i)
            continue
        k = begin - 1
        while k >= 0 and text[k] in " \t":
            k -= 1
        if k >= 0 and text[k] != "\n":
            continue  # the sentence does not open its line
        end = text.find("\n", begin)
        line = text[begin : len(text) if end < 0 else end].lstrip().lower()
        for opener in openers:
            if line.startswith(opener) and not line[len(opener) : len(opener) + 1].isalnum():
                flagged.add(i)
                line_end = len(text) if end < 0 else end
                break
    return flagged


def set_sentence_starts(doc: Doc, *, terminal: WordClass, closers: WordClass) -> None:
    """Set ``is_sent_start`` on every token of ``doc`` in one array pass.

    Args:
        doc: the Doc.
        terminal: tokens (by ORTH) that end a sentence.
        closers: closing quotes and brackets (by ORTH) that stay with the sentence before.
    """
    n = len(doc)
    if not n:
        return
    table = token_table(doc)
    space = table.is_space
    words: list[str] = table.words
    newline = numpy.zeros(n, dtype=bool)
    text = table.text
    soft = soft_line_breaks(text) if "\n" in text else []
    starts_char = table.starts_char if soft else []
    for i in space.nonzero()[0].tolist():
        word = words[i]
        if "\n" in word:
            newline[i] = not soft or not _is_soft(word, starts_char[i], soft)
    ends = table.in_class(terminal) | newline
    # closing quotes and brackets stay with the sentence before, except the first visible
    # token of a line: after a line break a quote opens the next sentence
    closing = table.in_class(closers)
    visible = (~space).nonzero()[0]
    first = visible.searchsorted(newline.nonzero()[0], side="right")  # per line break
    closing[visible[first[first < len(visible)]]] = False
    candidates = (~(space | closing)).nonzero()[0]
    after = candidates.searchsorted(ends.nonzero()[0], side="right")
    values = numpy.full(n, -1, dtype="int64")
    values[candidates[after[after < len(candidates)]]] = 1
    values[0] = 1
    doc.from_array([SENT_START], cast(Ints2d, values.astype("uint64").reshape(-1, 1)))
    set_sentence_starts_cache(doc, (values == 1).nonzero()[0].tolist())


def _is_soft(word: str, start: int, soft: list[int]) -> bool:
    """Return whether a whitespace token is one soft line break (and nothing more)."""
    if word.count("\n") != 1:
        return False
    offset = start + word.index("\n")
    at = bisect.bisect_left(soft, offset)
    return at < len(soft) and soft[at] == offset


class SentenceSplitter(RuleComponent):
    """Adds abbreviation special cases to the tokenizer and sets sentence starts."""

    RULE_SPECS = (ABBREVIATIONS, PAGE_CLUTTER)

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
        self.abbreviations: frozenset[str] = frozenset()
        self.clutter_openers: tuple[str, ...] = ()

    def compile(self) -> None:
        self.abbreviations = frozenset(r["text"] for r in self.rule_rows("abbreviations"))
        self.clutter_openers = tuple(
            sorted({str(r["text"]).lower() for r in self.rule_rows("page_clutter")}, key=len)
        )[::-1]

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        rules_dir: str | None = None,
    ) -> None:
        super().initialize(get_examples, nlp=nlp, rules_dir=rules_dir)
        language = nlp or self.nlp
        tokenizer = cast(Tokenizer, language.tokenizer)
        # A hyphen after an abbreviation's period splits ("U.S.-brokered", "U.N.-run") as it
        # does after a letter ("US-brokered"), so the abbreviation stays a token of its own.
        infixes = (*(language.Defaults.infixes or ()), ABBREVIATION_HYPHEN)
        tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        for text in sorted(self.abbreviations):
            tokenizer.add_special_case(text, [{ORTH: text}])
            if text[0].isalpha():
                upper = text[0].upper() + text[1:]
                if upper != text:
                    tokenizer.add_special_case(upper, [{ORTH: upper}])

    def __call__(self, doc: Doc) -> Doc:
        set_sentence_starts(doc, terminal=_TERMINAL_CLASS, closers=_CLOSER_CLASS)
        doc._.headline_sents = headline_sentences(doc)
        doc._.clutter_sents = clutter_sentences(doc, self.clutter_openers)
        return doc


@Language.factory("ceasefire_sentences", assigns=["token.is_sent_start"])
def make_sentence_splitter(nlp: Language, name: str) -> SentenceSplitter:
    """Factory for ``ceasefire_sentences`` (found by spaCy through the entry point)."""
    return SentenceSplitter(nlp, name)


__all__ = [
    "SentenceSplitter",
    "clutter_sentences",
    "headline_sentences",
    "make_sentence_splitter",
    "sentence_starts",
    "soft_line_breaks",
]
