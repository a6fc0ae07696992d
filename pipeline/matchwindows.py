"""A token Matcher run only where one of its patterns can start (the fast path of Matcher rules).

spaCy's Matcher visits every token of the text it is given and, at each, starts
every pattern and tests its first token, calling back into Python for each
``IN`` set: with a few dozen patterns that costs several microseconds a token,
more than the tokenizer. Most tokens start nothing. :class:`WindowMatcher` reads,
once, which LOWER / LEMMA / SHAPE ids each pattern's first token accepts. Per
document it finds those tokens with one array lookup per attribute and, at each,
keeps the patterns that can start there and whose other required tokens (those
without an operator) all occur within the pattern's length; it runs a small
Matcher of just those patterns over a window as long as the longest of them and
keeps the matches that start at that token. When all of them are plain (one
LOWER / LEMMA / SHAPE value or ``IN`` list per token, no operator) they are
checked on the arrays directly, without a Matcher. The result is the set of
matches of the full Matcher (a match starts at a token its first pattern token
accepts and is no longer than its pattern), in text order of their start. Rules
whose length is unbounded (``+``, ``*``, ``{n,}``) or whose first token is
optional or unrestricted make the whole set fall back to the full Matcher.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from spacy.attrs import IDS, LEMMA, LOWER, SHAPE
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.tokens import member, token_table

#: Pattern keys a start token is read from, with the token attribute compared
#: (ORTH is compared in lower case: a superset, the Matcher checks the rest).
_START_ATTRS = (("LOWER", LOWER), ("ORTH", LOWER), ("LEMMA", LEMMA), ("SHAPE", SHAPE))
#: Operators that keep a pattern no longer than its number of tokens.
_BOUNDED_OPS = (None, "?", "!", "1")
#: What a plain token may test: one attribute's value(s), and these boolean flags.
_VALUE_ATTRS = frozenset({"LOWER", "LEMMA", "SHAPE", "ORTH"})
_FLAGS = frozenset(
    {"IS_ALPHA", "IS_PUNCT", "IS_SPACE", "IS_TITLE", "IS_LOWER", "IS_UPPER", "IS_DIGIT", "LIKE_NUM"}
)

Pattern = list[dict[str, Any]]


def token_values(token: Mapping[str, Any]) -> tuple[int, list[str]] | None:
    """Return ``(attr, values)``, one of which a token matching ``token`` must have as its
    LOWER / LEMMA / SHAPE (ORTH values in lower case), or None when there is no such
    simple constraint."""
    for key, attr in _START_ATTRS:
        value = token.get(key)
        if isinstance(value, dict) and isinstance(value.get("IN"), list):
            values = value["IN"]
        elif isinstance(value, str):
            values = [value]
        else:
            continue
        if not all(isinstance(v, str) for v in values):
            return None
        return attr, [v.lower() if key == "ORTH" else v for v in values]
    return None


@dataclass(frozen=True)
class PlainToken:
    """A pattern token tested on token attribute arrays: an optional value set of one
    attribute, boolean flags, and whether it may be skipped (``"OP": "?"``)."""

    attr: int | None  # None: any value
    ids: frozenset[int]
    flags: tuple[tuple[int, bool], ...] = ()
    optional: bool = False

    def accepts(self, row: Sequence[int], column: Mapping[int, int]) -> bool:
        """True when the token whose attribute values are ``row`` matches."""
        if self.attr is not None and row[column[self.attr]] not in self.ids:
            return False
        return all(bool(row[column[a]]) == value for a, value in self.flags)


def plain_tokens(pattern: Pattern, strings: StringStore) -> list[PlainToken] | None:
    """Return the pattern as :class:`PlainToken` s when every token is at most one LOWER /
    LEMMA / SHAPE / ORTH value or ``IN`` list plus boolean flags, with no operator but
    ``?``; else None (the Matcher decides)."""
    out = []
    for token in pattern:
        flags = tuple((IDS[k], v) for k, v in token.items() if k in _FLAGS and isinstance(v, bool))
        value_keys = [k for k in token if k in _VALUE_ATTRS]
        if len(value_keys) > 1 or len(token) != len(flags) + len(value_keys) + ("OP" in token):
            return None
        if token.get("OP") not in (None, "?"):
            return None
        attr, ids = None, frozenset[int]()
        if value_keys:
            value = token[value_keys[0]]
            values = value["IN"] if isinstance(value, dict) and len(value) == 1 else value
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                return None
            attr, ids = IDS[value_keys[0]], frozenset(strings.add(v) for v in values)
        out.append(PlainToken(attr, ids, flags, token.get("OP") == "?"))
    return out


def pattern_starts(pattern: Pattern) -> tuple[int, list[str]] | None:
    """Return ``(attr, values)`` that the first token of ``pattern`` must have, or None
    when the pattern can start anywhere or match more tokens than it has."""
    if not pattern or any(t.get("OP") not in _BOUNDED_OPS for t in pattern):
        return None
    if pattern[0].get("OP") is not None:
        return None
    return token_values(pattern[0])


@dataclass
class _Compiled:
    """The patterns as lookup tables over the columns of ``doc.to_array(attrs)``."""

    attrs: list[int]
    start_columns: list[int]
    start_ids: np.ndarray  # every id that starts some pattern (sorted)
    tables: list[tuple[int, dict[int, list[int]]]]  # column -> id -> patterns starting there
    lengths: list[int]
    needs: list[list[tuple[int, frozenset[int]]]]  # per pattern: (column, ids) of required tokens
    need_columns: list[int]  # the columns those tests read
    column: dict[int, int]  # attr -> column
    plain: list[list[PlainToken] | None]
    starting: dict[tuple[int, ...], tuple[tuple[int, ...], int]] = field(default_factory=dict)


class WindowMatcher:
    """A spaCy Matcher (patterns added one at a time, in order) that runs only at start tokens."""

    def __init__(self, vocab: Vocab, *, validate: bool = False) -> None:
        self.vocab = vocab
        self.matcher = Matcher(vocab, validate=validate)
        self.patterns: list[tuple[str, Pattern]] = []
        self.bounded = True
        self.starts: dict[int, dict[int, list[int]]] = {}  # attr -> id -> pattern indices
        #: per pattern: (attr, ids) of each later token that must occur (no operator)
        self.needs: list[list[tuple[int, frozenset[int]]]] = []
        #: per pattern: its tokens when the pattern is plain (checked on arrays), else None
        self.plain: list[list[PlainToken] | None] = []
        self.key_ids: list[int] = []
        self._compiled: _Compiled | None = None
        self._subs: dict[tuple[int, ...], tuple[Matcher, int]] = {}

    def add(self, key: str, pattern: Pattern) -> None:
        """Add one pattern under ``key`` (the Matcher validates it and may raise)."""
        self.matcher.add(key, [pattern])
        index = len(self.patterns)
        self.patterns.append((key, pattern))
        strings = self.vocab.strings
        needs = []
        for token in pattern[1:]:
            need = token_values(token) if token.get("OP") is None else None
            if need is not None:
                needs.append((need[0], frozenset(strings.add(v) for v in need[1])))
        self.needs.append(needs)
        self.key_ids.append(strings.add(key))
        self.plain.append(plain_tokens(pattern, strings))
        found = pattern_starts(pattern)
        if found is None:
            self.bounded = False
            return
        attr, values = found
        into = self.starts.setdefault(attr, {})
        for v in values:
            into.setdefault(strings.add(v), []).append(index)
        self._compiled = None
        self._subs = {}

    def __len__(self) -> int:
        return len(self.patterns)

    @property
    def attrs(self) -> list[int]:
        """The token attributes read to find start tokens, required tokens and plain matches."""
        plain = {
            a
            for tokens in self.plain
            for t in tokens or ()
            for a in [*([t.attr] if t.attr is not None else []), *(f for f, _ in t.flags)]
        }
        return sorted({*self.starts, *(a for needs in self.needs for a, _ in needs), *plain})

    def _compile(self) -> _Compiled:
        """Return the lookup tables of the patterns added so far (built once)."""
        if self._compiled is None:
            attrs = self.attrs
            column = {a: c for c, a in enumerate(attrs)}
            self._compiled = _Compiled(
                attrs=attrs,
                start_columns=[column[a] for a in self.starts],
                start_ids=np.array(
                    sorted({h for table in self.starts.values() for h in table}), dtype=np.uint64
                ),
                tables=[(column[a], table) for a, table in self.starts.items()],
                lengths=[len(pattern) for _, pattern in self.patterns],
                needs=[[(column[a], ids) for a, ids in needs] for needs in self.needs],
                need_columns=sorted({column[a] for needs in self.needs for a, _ in needs}),
                column=column,
                plain=list(self.plain),
            )
        return self._compiled

    def _candidates(self, row: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
        """Return the patterns that can start at a token with these attribute values (in
        order) and the longest of them."""
        compiled = self._compile()
        found = compiled.starting.get(row)
        if found is None:
            indices = tuple(
                sorted({p for c, table in compiled.tables for p in table.get(row[c], ())})
            )
            longest = max((compiled.lengths[p] for p in indices), default=0)
            found = compiled.starting[row] = (indices, longest)
        return found

    def _plain_matches(
        self, indices: Sequence[int], start: int, window: list[list[int]]
    ) -> list[tuple[int, int, int]] | None:
        """Return the matches at ``start`` of plain patterns, or None when two patterns match
        the same tokens (the Matcher's order between them is left to the Matcher).

        Each pattern's possible ends are followed token by token (an optional token may
        be skipped); the matches come shortest first, as the Matcher finds them.
        """
        compiled = self._compile()
        column = compiled.column
        found: dict[int, int] = {}  # length -> pattern
        for p in indices:
            ends = {0}
            for token in compiled.plain[p] or ():
                reached = {
                    k + 1 for k in ends if k < len(window) and token.accepts(window[k], column)
                }
                ends = reached | ends if token.optional else reached
                if not ends:
                    break
            for n in ends:
                if n > 0:
                    if n in found:
                        return None
                    found[n] = p
        return [(self.key_ids[p], start, start + n) for n, p in sorted(found.items())]

    def _sub(self, indices: tuple[int, ...]) -> tuple[Matcher, int]:
        """Return a Matcher of the patterns ``indices`` (in order) and their longest length."""
        found = self._subs.get(indices)
        if found is None:
            sub = Matcher(self.vocab)
            for i in indices:
                key, pattern = self.patterns[i]
                sub.add(key, [pattern])
            found = (sub, max(len(self.patterns[i][1]) for i in indices))
            self._subs[indices] = found
        return found

    def __call__(
        self, doc: Doc, bounds: Sequence[tuple[int, int]] | None = None
    ) -> list[tuple[int, int, int]]:
        """Return ``(match_id, start, end)`` of every match inside ``bounds``.

        Args:
            doc: the document.
            bounds: sorted, disjoint ``(start, end)`` token ranges (e.g. sentences) that a
                match must lie in, as when the Matcher runs on each; the whole doc when None.
        """
        if bounds is None:
            bounds = [(0, len(doc))]
        if not self.patterns or not len(doc) or not bounds:
            return []
        if not self.bounded:
            out: list[tuple[int, int, int]] = []
            for lo, hi in bounds:
                out.extend((m, s + lo, e + lo) for m, s, e in self.matcher(doc[lo:hi]))
            return out
        compiled = self._compile()
        columns = token_table(doc).columns(compiled.attrs)
        starts = columns[:, compiled.start_columns]
        hit = member(starts.ravel(), compiled.start_ids).reshape(starts.shape).any(axis=1)
        positions = np.flatnonzero(hit).tolist()
        if not positions:
            return []
        out = []
        b = 0
        for i in positions:
            while b < len(bounds) and bounds[b][1] <= i:
                b += 1
            if b == len(bounds):
                break
            if i < bounds[b][0]:
                continue
            candidates, longest = self._candidates(tuple(columns[i].tolist()))
            end = min(i + longest, bounds[b][1])
            window = columns[i:end].tolist()
            present = {c: {row[c] for row in window[1:]} for c in compiled.need_columns}
            indices = tuple(
                p
                for p in candidates
                if all(not ids.isdisjoint(present[c]) for c, ids in compiled.needs[p])
            )
            if not indices:
                continue
            if all(compiled.plain[p] is not None for p in indices):
                plain = self._plain_matches(indices, i, window)
                if plain is not None:
                    out.extend(plain)
                    continue
            sub, longest = self._sub(indices)
            span = doc[i : min(i + longest, bounds[b][1])]
            out.extend((m, i, i + e) for m, s, e in sub(span) if s == 0)
        return out


class PhraseGroups:
    """Several PhraseMatchers (on LOWER or ORTH) run as one pass over a document.

    A PhraseMatcher call walks every token of the document, so components that keep
    several (names, titles, source nouns) pay that walk once each. Each group here is
    such a matcher (:meth:`group`, then :meth:`add` like ``PhraseMatcher.add``); the
    shared matcher holds every distinct lower-case token sequence of all groups once,
    and :meth:`__call__` hands each group the matches its own PhraseMatcher would return,
    in the same order: by start, then end, and keys on the same phrase in the order of
    that matcher's own trie (read from it, once, in :meth:`compile`). ORTH patterns match
    on lower case and keep the matches whose tokens are spelt as the pattern.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.matchers: list[PhraseMatcher] = []
        self.cased: list[bool] = []
        #: per group: (key id, pattern LOWER ids, pattern ORTH ids, pattern Doc)
        self.patterns: list[list[tuple[int, tuple[int, ...], tuple[int, ...], Doc]]] = []
        self.shared: PhraseMatcher | None = None
        #: shared match id -> (group, key id, token texts or () when compared on LOWER)
        self.routes: dict[int, list[tuple[int, int, tuple[str, ...]]]] = {}

    def group(self, attr: str) -> int:
        """Start a group matching on ``attr`` ("LOWER" or "ORTH"); return its index."""
        if attr not in ("LOWER", "ORTH"):
            raise ValueError(f"PhraseGroups match on LOWER or ORTH, not {attr}")
        self.matchers.append(PhraseMatcher(self.vocab, attr=attr))
        self.cased.append(attr == "ORTH")
        self.patterns.append([])
        self.shared = None
        return len(self.matchers) - 1

    def add(self, group: int, key: str, docs: Sequence[Doc]) -> int:
        """Add phrases (Docs) under ``key`` to ``group``; return the key's string id."""
        self.matchers[group].add(key, list(docs))
        key_id = self.vocab.strings.add(key)
        for doc in docs:
            lower = tuple(int(t.lower) for t in doc)
            orth = tuple(int(t.orth) for t in doc)
            if lower:
                self.patterns[group].append((key_id, lower, orth, doc))
        self.shared = None
        return key_id

    def compile(self) -> None:
        """Build the shared matcher (done by the first call when not done before)."""
        shared = PhraseMatcher(self.vocab, attr="LOWER")
        ids: dict[tuple[int, ...], int] = {}
        routes: dict[int, list[tuple[int, int, tuple[str, ...]]]] = {}
        for group, patterns in enumerate(self.patterns):
            cased = self.cased[group]
            # the keys on one phrase of this group (LOWER or ORTH ids), in pattern order
            phrases: dict[tuple[int, ...], tuple[list[int], Doc]] = {}
            for key_id, lower, orth, doc in patterns:
                keys, _ = phrases.setdefault(orth if cased else lower, ([], doc))
                if key_id not in keys:
                    keys.append(key_id)
            for keys, doc in phrases.values():
                if len(keys) > 1:  # the order of the group's own trie node
                    order = [m for m, s, e in self.matchers[group](doc) if (s, e) == (0, len(doc))]
                    keys = sorted(keys, key=order.index)
                lower = tuple(int(t.lower) for t in doc)
                match_id = ids.get(lower)
                if match_id is None:
                    match_id = ids[lower] = self.vocab.strings.add(f"__phrase_{len(ids)}")
                    shared.add(self.vocab.strings[match_id], [doc])
                spelling = tuple(t.text for t in doc) if cased else ()
                routes.setdefault(match_id, []).extend((group, key_id, spelling) for key_id in keys)
        self.routes = routes
        self.shared = shared

    def __call__(self, doc: Doc) -> list[list[tuple[int, int, int]]]:
        """Return, per group, its ``(key id, start, end)`` matches of ``doc``."""
        if self.shared is None:
            self.compile()
        shared = cast(PhraseMatcher, self.shared)
        out: list[list[tuple[int, int, int]]] = [[] for _ in self.matchers]
        words: list[str] | None = None
        routes = self.routes
        for match_id, start, end in shared(doc):
            for group, key_id, spelling in routes[match_id]:
                if spelling:
                    if words is None:
                        words = token_table(doc).words
                    if tuple(words[start:end]) != spelling:
                        continue
                out[group].append((key_id, start, end))
        return out


__all__ = ["PhraseGroups", "WindowMatcher", "pattern_starts"]
