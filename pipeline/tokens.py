"""Token arrays of a Doc, computed once and shared by the components (the fast path).

Components run as Python over spaCy's C structures: every ``doc[i]`` or
``token.lower_`` builds a Python object, so a loop over the tokens of a document
costs more than tokenizing it. :func:`token_table` instead reads the attributes a
component needs in one ``doc.to_array`` call each (lower-case ids, character
offsets, sentence starts) and keeps them, with the token texts as plain lists, on
the Doc (``doc.user_data``) so the next component reuses them. Only what the
tokenizer and the sentence splitter fix is cached: the sentence splitter calls
:func:`forget_sentences` after setting boundaries, and nothing later changes them.

Lexeme attributes (lower case, shape, flags, text) are the same for every token of
a word, and ``to_array`` pays a call per token for each; :class:`Lexemes` keeps
them per vocabulary, one row per word seen, so a document maps its ORTH ids to rows
once and reads any attribute, text or :class:`WordClass` membership (a vocabulary
set built once in ``compile()``) as an array lookup. :func:`member` tests ids
against a sorted id array; :meth:`TokenTable.token_span` maps a record's character
offsets back to tokens like ``doc.char_span(..., alignment_mode="expand")`` without
building a Span. :class:`EntityMarks` keeps entity mentions as per-token lists while a
component works and writes them as ``doc.ents`` in one array write.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
from spacy.attrs import (
    ENT_IOB,
    ENT_KB_ID,
    ENT_TYPE,
    IS_ALPHA,
    IS_DIGIT,
    IS_LOWER,
    IS_PUNCT,
    IS_SPACE,
    IS_TITLE,
    IS_UPPER,
    LENGTH,
    LIKE_NUM,
    LOWER,
    ORTH,
    SENT_START,
    SHAPE,
    SPACY,
)
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab
from thinc.types import Ints2d

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
    np.minimum(at, len(keys) - 1, out=at)  # past the last key: compare with the last
    return cast(np.ndarray, keys[at] == values)


#: Lexeme attributes kept per word, in the column order of :attr:`Lexemes.columns`.
LEXEME_ATTRS: tuple[int, ...] = (ORTH, LOWER, SHAPE, LENGTH, IS_ALPHA, IS_PUNCT, IS_SPACE)
LEXEME_ATTRS += (IS_TITLE, LIKE_NUM, IS_LOWER, IS_UPPER, IS_DIGIT)
_COLUMN = {attr: c for c, attr in enumerate(LEXEME_ATTRS)}
#: How many vocabularies keep a word table (one per loaded pipeline; tests load several).
_MAX_VOCABS = 8


@dataclass(frozen=True, eq=False)
class WordClass:
    """A vocabulary class: words compared on one lexeme attribute (LOWER unless said).

    Built once (in ``compile()``); :meth:`TokenTable.in_class` answers for every token of
    a document with one array lookup. Compared by identity.
    """

    ids: frozenset[int]
    attr: int = LOWER

    @classmethod
    def of(cls, strings: StringStore, words: Iterable[str], attr: int = LOWER) -> WordClass:
        """Return the class of ``words`` (string values of ``attr``, e.g. lower-case words)."""
        return cls(frozenset(strings.add(w) for w in words), attr)


class Lexemes:
    """The words of one vocabulary seen so far: ORTH id -> row of lexeme attributes.

    Rows are added the first time a word appears (its attributes read from the
    vocabulary's Lexeme once: they are functions of the text, spaCy computes them when
    it first sees the word); the columns, the texts and the class memberships grow with
    them. A document's ORTH ids find their rows with one binary search over the sorted
    ids seen (:meth:`row_array`), and its texts come from object arrays indexed by row.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.row_of: dict[int, int] = {}
        self.size = 0
        self.columns = np.zeros((256, len(LEXEME_ATTRS)), dtype=np.uint64)
        #: per row r: [2r] the text, [2r + 1] the text and a space (``text_with_ws``)
        self.forms = np.empty(2 * len(self.columns), dtype=object)
        self.lower_forms = np.empty(len(self.columns), dtype=object)
        self.keys = np.zeros(0, dtype=np.uint64)  # the ORTH ids seen, sorted
        self.key_rows = np.zeros(0, dtype=np.intp)  # the row of each of ``keys``
        self.classes: dict[WordClass, np.ndarray] = {}  # bool column per class

    def rows(self, orths: Sequence[int]) -> list[int]:
        """Return the row of each ORTH id, adding the words not seen before."""
        return cast(list[int], self.row_array(np.array(orths, dtype=np.uint64)).tolist())

    def row_array(self, orths: np.ndarray) -> np.ndarray:
        """Return the row of each ORTH id of a uint64 array, adding the words not seen
        before (in order of first appearance)."""
        keys = self.keys
        if len(keys):
            at = keys.searchsorted(orths)  # the method: no array-function dispatch
            np.minimum(at, len(keys) - 1, out=at)
            known = keys[at] == orths
            if known.all():
                return cast(np.ndarray, self.key_rows[at])
            new = orths[~known]
        else:
            new = orths
        distinct, first = np.unique(new, return_index=True)
        for orth in distinct[np.argsort(first, kind="stable")].tolist():
            self._add(orth)
        row_of = self.row_of
        where = np.searchsorted(keys, distinct)
        self.keys = np.insert(keys, where, distinct)
        added = np.array([row_of[o] for o in distinct.tolist()], dtype=np.intp)
        self.key_rows = np.insert(self.key_rows, where, added)
        return cast(np.ndarray, self.key_rows[np.searchsorted(self.keys, orths)])

    def _add(self, orth: int) -> int:
        row = self.row_of.get(orth)
        if row is not None:
            return row
        row = self.size
        if row == len(self.columns):
            self.columns = np.concatenate([self.columns, np.zeros_like(self.columns)])
            self.forms = np.concatenate([self.forms, np.empty(len(self.forms), dtype=object)])
            self.lower_forms = np.concatenate(
                [self.lower_forms, np.empty(len(self.lower_forms), dtype=object)]
            )
            for wc, flags in self.classes.items():
                self.classes[wc] = np.concatenate([flags, np.zeros_like(flags)])
        lex = self.vocab[orth]
        values = [
            len(lex.orth_) if name == "length" else getattr(lex, name) for name in _LEXEME_NAMES
        ]
        self.columns[row] = values
        for wc, flags in self.classes.items():
            flags[row] = values[_COLUMN[wc.attr]] in wc.ids
        text = lex.orth_
        self.forms[2 * row] = text
        self.forms[2 * row + 1] = text + " "
        self.lower_forms[row] = lex.lower_
        self.row_of[orth] = row
        self.size += 1
        return row

    def in_class(self, word_class: WordClass) -> np.ndarray:
        """Return, per row, whether the word belongs to ``word_class``."""
        flags = self.classes.get(word_class)
        if flags is None:
            values = self.columns[: self.size, _COLUMN[word_class.attr]].tolist()
            flags = np.zeros(len(self.columns), dtype=bool)
            flags[: self.size] = [v in word_class.ids for v in values]
            self.classes[word_class] = flags
        return flags


_LEXEME_NAMES: tuple[str, ...] = ("orth", "lower", "shape", "length", "is_alpha", "is_punct")
_LEXEME_NAMES += ("is_space", "is_title", "like_num", "is_lower", "is_upper", "is_digit")
# (the Lexeme attributes of LEXEME_ATTRS, in order)
_LEXEMES: dict[int, Lexemes] = {}


def lexemes(vocab: Vocab) -> Lexemes:
    """Return the word table of ``vocab`` (kept for the last few vocabularies used)."""
    found = _LEXEMES.get(id(vocab))
    if found is None or found.vocab is not vocab:
        if len(_LEXEMES) >= _MAX_VOCABS:
            _LEXEMES.pop(next(iter(_LEXEMES)))
        found = _LEXEMES[id(vocab)] = Lexemes(vocab)
    return found


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
    items = list(ranges)
    if not items:
        return []
    # one integer sort key per range: longest first, then earliest start, then input order
    size = max(max(item[1] for item in items), max(item[0] for item in items)) + 2
    count = len(items) + 1
    keys = [((size - (r[1] - r[0])) * size + r[0]) * count + k for k, r in enumerate(items)]
    keys.sort()
    taken = bytearray(size)
    kept: list[int] = []  # indices into items, longest first
    for key in keys:
        index = key % count
        start, end = items[index][0], items[index][1]
        if not taken[start] and (end < 1 or not taken[end - 1]):
            kept.append(index)
            for i in range(start, end):
                taken[i] = 1
    # by start; ranges with the same start (empty ones) keep the longest-first order
    by_start = [items[index][0] * count + k for k, index in enumerate(kept)]
    by_start.sort()
    return [items[kept[key % count]] for key in by_start]


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
    def base(self) -> np.ndarray:
        """``doc.to_array([ORTH, SPACY])``: every other per-token array derives from it."""
        return cast(np.ndarray, self.doc.to_array([ORTH, SPACY]).reshape(self.n, 2))

    @cached
    def rows(self) -> np.ndarray:
        """The row of each token's word in the vocabulary's :class:`Lexemes`."""
        return lexemes(self.doc.vocab).row_array(self.base[:, 0])

    def column(self, attr: int) -> np.ndarray:
        """Return a lexeme attribute of every token (uint64, as ``doc.to_array(attr)``)."""
        key = f"column:{attr}"
        found = self.cache.get(key)
        if found is None:
            rows = self.rows  # first: reading them may grow the table
            found = self.cache[key] = lexemes(self.doc.vocab).columns[rows, _COLUMN[attr]]
        return cast(np.ndarray, found)

    def columns(self, attrs: Sequence[int]) -> np.ndarray:
        """Return ``doc.to_array(attrs)`` (2-D), lexeme attributes from the word table."""
        out = np.empty((self.n, len(attrs)), dtype=np.uint64)
        others = [a for a in attrs if a not in _COLUMN]
        read = (
            self.doc.to_array(list[int | str](others)).reshape(self.n, len(others))
            if others and self.n
            else out
        )
        for j, attr in enumerate(attrs):
            out[:, j] = self.column(attr) if attr in _COLUMN else read[:, others.index(attr)]
        return out

    def in_class(self, word_class: WordClass) -> np.ndarray:
        """Return, per token, whether its word belongs to ``word_class`` (bool)."""
        rows = self.rows  # first: reading them may grow the table
        return lexemes(self.doc.vocab).in_class(word_class)[rows]

    @cached
    def orth_ids(self) -> np.ndarray:
        """ORTH ids (uint64), one per token."""
        return self.column(ORTH)

    @cached
    def lower_ids(self) -> np.ndarray:
        """LOWER ids (uint64), one per token."""
        return self.column(LOWER)

    @cached
    def lower_list(self) -> list[int]:
        """LOWER ids as Python ints (for dict and set lookups)."""
        return cast(list[int], self.lower_ids.tolist())

    @cached
    def words(self) -> list[str]:
        """Token texts (``token.text``)."""
        rows = self.rows  # first: reading them may grow the table
        return cast(list[str], lexemes(self.doc.vocab).forms[rows * 2].tolist())

    @cached
    def lowers(self) -> list[str]:
        """Lower-case token texts (``token.lower_``)."""
        rows = self.rows
        return cast(list[str], lexemes(self.doc.vocab).lower_forms[rows].tolist())

    @cached
    def text(self) -> str:
        """The document text (``doc.text`` builds every token to join them, on every call):
        each token's text, with a space where it has one."""
        rows = self.rows
        forms = lexemes(self.doc.vocab).forms[rows * 2 + self.base[:, 1].astype(np.intp)]
        return "".join(forms.tolist())

    @cached
    def start_array(self) -> np.ndarray:
        """Character offset of each token (int64): the lengths and spaces of the tokens
        before it, as spaCy sets ``token.idx``."""
        steps = self.column(LENGTH).astype(np.int64) + self.base[:, 1].astype(np.int64)
        starts = np.zeros(self.n, dtype=np.int64)
        steps[:-1].cumsum(out=starts[1:])
        return starts

    @cached
    def starts_char(self) -> list[int]:
        """Character offset of each token (``token.idx``)."""
        return cast(list[int], self.start_array.tolist())

    @cached
    def ends_char(self) -> list[int]:
        """Character offset after each token (``token.idx + len(token)``)."""
        ends = self.start_array + self.column(LENGTH).astype(np.int64)
        return cast(list[int], ends.tolist())

    def flags(self, attr: int) -> list[bool]:
        """Return a boolean lexeme attribute of every token (``IS_TITLE``...) as a list."""
        known = self.cache.get("flags")
        if known is None:
            known = self.cache["flags"] = {}
        found = known.get(attr)
        if found is None:
            found = known[attr] = self.column(attr).astype(bool).tolist()
        return cast(list[bool], found)

    @cached
    def is_space(self) -> np.ndarray:
        """Whether each token is whitespace (bool)."""
        return self.column(IS_SPACE).astype(bool)

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
        return cast(list[int], flags.nonzero()[0].tolist())

    @cached
    def sent_ends(self) -> list[int]:
        """End (exclusive) of each sentence."""
        return [*self.sent_starts[1:], self.n] if self.n else []

    @cached
    def sent_of(self) -> list[int]:
        """Sentence index of each token (``list(doc.sents)`` order)."""
        starts = self.sent_starts
        if not starts:
            return []
        lengths = [*starts[1:], self.n]
        for k in range(len(starts)):
            lengths[k] -= starts[k]
        return cast(list[int], np.repeat(np.arange(len(starts)), lengths).tolist())

    def sentence_at(self, i: int) -> int:
        """Return the index of the sentence holding token ``i``."""
        return bisect_right(self.sent_starts, i) - 1

    # -- offsets ---------------------------------------------------------------------------
    def token_span(self, start_char: int, end_char: int) -> tuple[int, int] | None:
        """Return ``(start, end)`` tokens of a character range, as ``doc.char_span(start_char,
        end_char, alignment_mode="expand")`` would (None where it gives None); remembered
        per document, as several components align the same records."""
        known = self.cache.setdefault("token_spans", {})
        key = (start_char, end_char)
        if key not in known:
            known[key] = self._token_span(start_char, end_char)
        return cast("tuple[int, int] | None", known[key])

    def _token_span(self, start_char: int, end_char: int) -> tuple[int, int] | None:
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


class EntityMarks:
    """The entities of one Doc as per-token lists, kept while the actor component works.

    Mentions are added as token ranges with a label and a knowledge-base id (string
    ids); each token records a label code (0 outside a mention, else one per distinct
    label: test it for truth), the range holding it and the mention's ``actor`` (the
    actor id of an actor mention, else None). :meth:`write` sets them as ``doc.ents`` in
    one array write, what ``doc.set_ents(spans)`` does (tokens outside any mention get
    ``O``), without building a Span per mention.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.label: list[int] = [0] * n
        self.start: list[int] = [-1] * n
        self.end: list[int] = [-1] * n
        self.actor: list[str | None] = [None] * n
        # what write() needs, as C arrays numpy reads without converting each item
        self.iob = array("q", [2]) * n  # spaCy's codes: 3 "B", 1 "I", 2 "O"
        self.codes = array("q", [0]) * n  # the label codes of ``label``
        self.mention = array("q", [0]) * n  # 1 + index into kb_ids, 0 outside
        self.label_ids: list[int] = [0]  # label string id of each label code
        self.kb_ids: list[int] = [0]

    def add(self, start: int, end: int, label: int, kb_id: int, actor: str | None = None) -> None:
        """Add the mention ``[start, end)`` (label and kb id as string ids)."""
        if label in self.label_ids[1:]:
            code = self.label_ids.index(label)
        else:
            code = len(self.label_ids)
            self.label_ids.append(label)
        mention = len(self.kb_ids)
        self.kb_ids.append(kb_id)
        for i in range(start, end):
            self.label[i] = code
            self.start[i] = start
            self.end[i] = end
            self.actor[i] = actor
            self.codes[i] = code
            self.iob[i] = 1
            self.mention[i] = mention
        if start < end:
            self.iob[start] = 3

    def write(self, doc: Doc) -> None:
        """Set the mentions as ``doc.ents`` (IOB, label and kb id of every token)."""
        if not self.n:
            return
        values = np.empty((3, self.n), dtype=np.uint64)  # rows: ENT_IOB, ENT_TYPE, ENT_KB_ID
        values[0] = np.frombuffer(self.iob, dtype=np.int64)
        # string ids (most above 2**63) looked up by code in short arrays
        label_ids = np.array(self.label_ids, dtype=np.uint64)
        values[1] = label_ids[np.frombuffer(self.codes, dtype=np.int64)]
        kb_ids = np.array(self.kb_ids, dtype=np.uint64)
        values[2] = kb_ids[np.frombuffer(self.mention, dtype=np.int64)]
        doc.from_array([ENT_IOB, ENT_TYPE, ENT_KB_ID], cast(Ints2d, values.T))


def token_table(doc: Doc) -> TokenTable:
    """Return the :class:`TokenTable` of ``doc`` (its values cached in ``doc.user_data``)."""
    cache = doc.user_data.get(_KEY)
    if not isinstance(cache, dict) or cache.get("n") != len(doc):
        cache = {"n": len(doc)}
        doc.user_data[_KEY] = cache
    return TokenTable(doc, cache)


def set_sentence_starts_cache(doc: Doc, starts: list[int]) -> None:
    """Keep the sentence starts just written to ``doc`` (the first token of each
    sentence, as :attr:`TokenTable.sent_starts` would read them back)."""
    forget_sentences(doc)
    token_table(doc).cache["sent_starts"] = starts


def forget_sentences(doc: Doc) -> None:
    """Drop cached sentence boundaries of ``doc`` (call after changing them)."""
    cache = doc.user_data.get(_KEY)
    if isinstance(cache, dict):
        for name in _SENTENCE_KEYS:
            cache.pop(name, None)


__all__ = [
    "LEXEME_ATTRS",
    "EntityMarks",
    "Lexemes",
    "TokenTable",
    "WordClass",
    "filter_ranges",
    "forget_sentences",
    "set_sentence_starts_cache",
    "id_array",
    "lexemes",
    "member",
    "token_table",
]
