"""Token arrays of a Doc, computed once and shared by the components (the fast path).

Components run as Python over spaCy's C structures: every ``doc[i]`` or
``token.lower_`` builds a Python object, so a loop over the tokens of a document
costs more than tokenizing it. :func:`token_table` instead reads the attributes a
component needs in one ``doc.to_array`` call each (lower-case ids, character
offsets, sentence starts) and keeps them, with the token texts as plain lists, on
the Doc (``doc.user_data``) so the next component reuses them. Only what the
tokenizer and the sentence splitter fix is cached: the sentence splitter calls
:func:`forget_sentences` after setting boundaries, and nothing later changes them.

:func:`member` tests many token ids against a sorted id array (a vocabulary class
built once in ``compile()``) without a Python loop; :meth:`TokenTable.token_span`
maps a record's character offsets back to tokens like ``doc.char_span(...,
alignment_mode="expand")`` without building a Span.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

import numpy as np
from spacy.attrs import IDX, IS_SPACE, LENGTH, LOWER, ORTH, SENT_START, SPACY
from spacy.strings import StringStore
from spacy.tokens import Doc

_KEY = "ceasefire_token_table"
_SENTENCE_KEYS = ("sent_starts", "sent_ends", "sent_of")
T = TypeVar("T")
R = TypeVar("R", bound=tuple[Any, ...])


def id_array(strings: StringStore, words: Iterable[str]) -> np.ndarray:
    """Return the sorted, distinct string ids of ``words`` (adding them to ``strings``)."""
    return np.unique(np.array([strings.add(w) for w in words], dtype=np.uint64))


def member(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Return a boolean array: is each of ``values`` in the sorted id array ``keys``?

    A binary search per value (``np.isin`` sorts both arrays and costs several times more
    on a document-sized array).
    """
    if not len(keys):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(keys, values)
    at[at == len(keys)] = 0
    return keys[at] == values


def cached(method: Callable[[TokenTable], T]) -> property:
    """A property computed once per Doc and kept in the table's cache dict."""
    name = method.__name__

    def get(self: TokenTable) -> Any:
        cache = self.cache
        if name not in cache:
            cache[name] = method(self)
        return cache[name]

    return property(get, doc=method.__doc__)


def filter_ranges(ranges: Iterable[R]) -> list[R]:
    """Return ``(start, end, ...)`` token ranges as ``spacy.util.filter_spans`` keeps spans:
    longest first (the earlier on ties, then input order), none overlapping, by start."""
    result = []
    seen: set[int] = set()
    for item in sorted(ranges, key=lambda r: (r[1] - r[0], -r[0]), reverse=True):
        start, end = item[0], item[1]
        if start not in seen and end - 1 not in seen:
            result.append(item)
            seen.update(range(start, end))
    return sorted(result, key=lambda r: r[0])


class TokenTable:
    """Per-token arrays and lists of one Doc, each computed on first use.

    The values live in ``cache`` (a dict kept in ``doc.user_data``); the table itself
    is a throw-away view, so the Doc never refers to itself through its user data.
    """

    def __init__(self, doc: Doc, cache: dict[str, Any]) -> None:
        self.doc = doc
        self.n = len(doc)
        self.cache = cache

    # -- tokenizer attributes (never change) -----------------------------------------
    @cached
    def orth_ids(self) -> np.ndarray:
        """ORTH ids (uint64), one per token."""
        return self.doc.to_array(ORTH).reshape(-1)

    @cached
    def lower_ids(self) -> np.ndarray:
        """LOWER ids (uint64), one per token."""
        return self.doc.to_array(LOWER).reshape(-1)

    @cached
    def lower_list(self) -> list[int]:
        """LOWER ids as Python ints (for dict and set lookups)."""
        return self.lower_ids.tolist()

    @cached
    def words(self) -> list[str]:
        """Token texts (``token.text``)."""
        strings = self.doc.vocab.strings
        return [strings[o] for o in self.orth_ids.tolist()]

    @cached
    def lowers(self) -> list[str]:
        """Lower-case token texts (``token.lower_``)."""
        strings = self.doc.vocab.strings
        return [strings[o] for o in self.lower_list]

    @cached
    def text(self) -> str:
        """The document text (``doc.text`` builds every token to join them, on every call)."""
        spaces = self.doc.to_array(SPACY).reshape(-1).tolist()
        return "".join([w + " " if sp else w for w, sp in zip(self.words, spaces, strict=True)])

    @cached
    def starts_char(self) -> list[int]:
        """Character offset of each token (``token.idx``)."""
        return cast(list[int], self.doc.to_array(IDX).reshape(-1).tolist())

    @cached
    def ends_char(self) -> list[int]:
        """Character offset after each token (``token.idx + len(token)``)."""
        arr = self.doc.to_array([IDX, LENGTH]).reshape(-1, 2)
        return cast(list[int], (arr[:, 0] + arr[:, 1]).tolist())

    @cached
    def is_space(self) -> np.ndarray:
        """Whether each token is whitespace (bool)."""
        return self.doc.to_array(IS_SPACE).reshape(-1).astype(bool)

    # -- sentences (fixed by the sentence splitter) ------------------------------------
    @cached
    def sent_starts(self) -> list[int]:
        """First token of each sentence, as ``doc.sents`` gives them (one sentence when
        boundaries are unset)."""
        if not self.n:
            return []
        if not self.doc.has_annotation("SENT_START"):
            return [0]
        flags = self.doc.to_array(SENT_START).reshape(-1).astype(np.int64) == 1
        flags[0] = True
        return np.flatnonzero(flags).tolist()

    @cached
    def sent_ends(self) -> list[int]:
        """End (exclusive) of each sentence."""
        return [*self.sent_starts[1:], self.n] if self.n else []

    @cached
    def sent_of(self) -> list[int]:
        """Sentence index of each token (``list(doc.sents)`` order)."""
        out: list[int] = []
        for k, (a, b) in enumerate(zip(self.sent_starts, self.sent_ends, strict=True)):
            out.extend([k] * (b - a))
        return out

    def sentence_at(self, i: int) -> int:
        """Return the index of the sentence holding token ``i``."""
        return bisect_right(self.sent_starts, i) - 1

    # -- offsets ---------------------------------------------------------------------------
    def token_span(self, start_char: int, end_char: int) -> tuple[int, int] | None:
        """Return ``(start, end)`` tokens of a character range, as ``doc.char_span(start_char,
        end_char, alignment_mode="expand")`` would (None where it gives None)."""
        i = bisect_left(self.starts_char, start_char)
        j = bisect_left(self.ends_char, end_char)
        if (
            start_char < end_char
            and i < self.n
            and j < self.n
            and self.starts_char[i] == start_char
            and self.ends_char[j] == end_char
        ):
            return i, j + 1
        span = self.doc.char_span(start_char, end_char, alignment_mode="expand")
        return None if span is None else (span.start, span.end)


def token_table(doc: Doc) -> TokenTable:
    """Return the :class:`TokenTable` of ``doc`` (its values cached in ``doc.user_data``)."""
    cache = doc.user_data.get(_KEY)
    if not isinstance(cache, dict) or cache.get("n") != len(doc):
        cache = {"n": len(doc)}
        doc.user_data[_KEY] = cache
    return TokenTable(doc, cache)


def forget_sentences(doc: Doc) -> None:
    """Drop cached sentence boundaries of ``doc`` (call after changing them)."""
    cache = doc.user_data.get(_KEY)
    if isinstance(cache, dict):
        for name in _SENTENCE_KEYS:
            cache.pop(name, None)


__all__ = [
    "TokenTable",
    "filter_ranges",
    "forget_sentences",
    "id_array",
    "member",
    "token_table",
]
