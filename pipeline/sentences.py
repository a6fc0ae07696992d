"""Tokenizer exceptions for news abbreviations and sentence boundaries that survive them.

The abbreviation list lives in ``rules/abbreviations.jsonl``; ``initialize()``
adds each entry to the tokenizer as a special case, so "Oct.", "U.S." and
"Maj. Gen." stay single tokens and the tokenizer (saved with the model) keeps
them. Sentence boundaries then follow two plain rules: a sentence ends after
terminal punctuation (plus any closing quotes or brackets), and at a line break.
A line with no terminal punctuation (headline, dateline, crosshead) is its own
sentence and is flagged in ``doc._.headline_sents``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc

from pipeline.component import RuleComponent
from pipeline.rules import Field, RuleSpec

ABBREVIATIONS = RuleSpec(
    name="abbreviations",
    fields={
        "text": Field(required=True),
        "kind": Field(choices=frozenset({"month", "title", "country", "org", "other"}), default="other"),
        "note": Field(),
    },
    unique=("text",),
    unique_lower=False,
    description="tokens ending in '.' that never end a sentence",
)

_TERMINAL = frozenset({".", "!", "?", "…", "..."})
_CLOSERS = frozenset({'"', "'", "”", "’", ")", "]", "»"})


def sentence_starts(words: list[str]) -> list[bool]:
    """Return, for each token text, whether it starts a sentence.

    Abbreviations are single tokens (tokenizer special cases), so only a bare
    terminal mark or a line break ends a sentence.

    Args:
        words: token texts in order (whitespace tokens included, as spaCy makes them).
    """
    starts = [False] * len(words)
    if not words:
        return starts
    starts[0] = True
    boundary = False
    for i, word in enumerate(words):
        if boundary and not word.isspace() and word not in _CLOSERS:
            starts[i] = True
            boundary = False
            continue
        if "\n" in word or word in _TERMINAL:
            boundary = True
    return starts


def headline_sentences(doc: Doc) -> set[int]:
    """Return indices of sentences that are a whole line with no terminal punctuation."""
    flagged: set[int] = set()
    for i, sent in enumerate(doc.sents):
        tokens = [t for t in sent if not t.is_space]
        if not tokens:
            continue
        last = tokens[-1].text
        ends_line = sent.end == len(doc) or "\n" in doc[sent.end - 1].text or (
            sent.end < len(doc) and "\n" in doc[sent.end - 1].whitespace_ + doc[sent.end].text[:1]
        )
        if last not in _TERMINAL and last not in _CLOSERS and ends_line:
            flagged.add(i)
    return flagged


class SentenceSplitter(RuleComponent):
    """Adds abbreviation special cases to the tokenizer and sets sentence starts."""

    RULE_SPECS = (ABBREVIATIONS,)

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
        self.abbreviations: frozenset[str] = frozenset()

    def compile(self) -> None:
        self.abbreviations = frozenset(r["text"] for r in self.rule_rows("abbreviations"))

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        rules_dir: str | None = None,
    ) -> None:
        super().initialize(get_examples, nlp=nlp, rules_dir=rules_dir)
        tokenizer = (nlp or self.nlp).tokenizer
        for text in sorted(self.abbreviations):
            tokenizer.add_special_case(text, [{ORTH: text}])
            if text[0].isalpha():
                upper = text[0].upper() + text[1:]
                if upper != text:
                    tokenizer.add_special_case(upper, [{ORTH: upper}])

    def __call__(self, doc: Doc) -> Doc:
        starts = sentence_starts([t.text for t in doc])
        for token, start in zip(doc, starts):
            token.is_sent_start = start
        doc._.headline_sents = headline_sentences(doc)
        return doc


@Language.factory("ceasefire_sentences", assigns=["token.is_sent_start"])
def make_sentence_splitter(nlp: Language, name: str) -> SentenceSplitter:
    """Factory for ``ceasefire_sentences`` (found by spaCy through the entry point)."""
    return SentenceSplitter(nlp, name)

__all__ = ["SentenceSplitter", "headline_sentences", "make_sentence_splitter", "sentence_starts"]
