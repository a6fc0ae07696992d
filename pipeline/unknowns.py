"""Finding what the rules do not know in processed Docs: unknown names and words, as hits.

A :class:`HitFinder` is built once from the rows of ``rules/suggest_contexts.jsonl``
(a PhraseMatcher on lower case for trigger phrases; record triggers read
``doc._.entities``, ``doc._.quantities`` or ``doc._.dates``) and yields one
:class:`Hit` per place where a candidate was seen: capitalised words beside a
trigger phrase that no entity, number or date covers (``name``), lower-case words
near a record that the target component's rules never mention (``word``), or a
field of the record itself (``record``). The words that count as known come from
the built model's rule rows, so the finder needs no list of its own.
:mod:`pipeline.suggest` groups the hits into candidates.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from pipeline.rules import RuleRow

#: Longest captured name, in tokens; longest example sentence, in characters.
MAX_NAME_TOKENS = 5
MAX_EXAMPLE_CHARS = 320


@dataclass(frozen=True)
class Hit:
    """One place where a candidate was seen."""

    kind: str
    text: str
    context_id: str
    doc_id: str
    sentence: str
    values: Mapping[str, Any] = field(default_factory=dict)


def snake_id(text: str) -> str:
    """Return ``text`` as a lower snake-case id ("Gulf Courier" -> "gulf_courier")."""
    return "_".join(re.findall(r"[^\W_]+", text.lower()))


def covered_tokens(doc: Doc) -> list[bool]:
    """Return, per token, whether a found entity, quantity or date covers it."""
    covered = [False] * len(doc)
    for name in ("entities", "quantities", "dates"):
        for record in getattr(doc._, name, None) or []:
            span = doc.char_span(record.start_char, record.end_char, alignment_mode="expand")
            for i in range(span.start, span.end) if span is not None else ():
                covered[i] = True
    return covered


def _is_name_word(token: Token) -> bool:
    return token.is_alpha and (token.is_title or token.is_upper) and not token.is_stop


def name_after(doc: Doc, i: int, covered: Sequence[bool]) -> list[Token]:
    """Return the capitalised words from token ``i`` on (one leading stop word skipped)."""
    if i < len(doc) and doc[i].is_stop and not covered[i] and not doc[i].is_sent_start:
        i += 1
    words: list[Token] = []
    while (
        i < len(doc) and len(words) < MAX_NAME_TOKENS and not covered[i] and _is_name_word(doc[i])
    ):
        if words and doc[i].is_sent_start:
            break
        words.append(doc[i])
        i += 1
    return words


def name_before(doc: Doc, i: int, covered: Sequence[bool]) -> list[Token]:
    """Return the capitalised words ending at token ``i``."""
    words: list[Token] = []
    while i >= 0 and len(words) < MAX_NAME_TOKENS and not covered[i] and _is_name_word(doc[i]):
        words.insert(0, doc[i])
        if doc[i].is_sent_start:
            break
        i -= 1
    return words


def words_near(
    doc: Doc, start: int, end: int, row: RuleRow, covered: Sequence[bool], known_words: set[str]
) -> Iterator[Token]:
    """Yield uncovered, unknown lower-case words within ``window`` tokens of ``doc[start:end]``."""
    window = max(1, row.get("window", 1))
    if row["slot"] == "after":
        positions = range(end, min(len(doc), end + window))
    else:
        positions = range(max(0, start - window), start)
    sentence = doc[start].sent
    for i in positions:
        token = doc[i]
        if covered[i] or not token.is_alpha or not token.is_lower or token.is_stop:
            continue
        if not (sentence.start <= i < sentence.end):
            continue
        if row.get("inflected") and token.lemma_.lower() == token.lower_:
            continue
        if row.get("suffixes") and not token.lower_.endswith(tuple(row["suffixes"])):
            continue
        if token.lower_ in known_words or token.lemma_.lower() in known_words:
            continue
        yield token


def _sentence_text(doc: Doc, token_i: int) -> str:
    text = " ".join(doc[token_i].sent.text.split())
    return text if len(text) <= MAX_EXAMPLE_CHARS else text[: MAX_EXAMPLE_CHARS - 1] + "…"


def _where_ok(record: Any, where: Any) -> bool:
    if not isinstance(where, dict):
        return True
    return all(getattr(record, key, None) == value for key, value in where.items())


class HitFinder:
    """Finds hits in processed Docs; matchers are built once from the context rows."""

    def __init__(
        self,
        nlp: Language,
        contexts: Sequence[RuleRow],
        known: Mapping[str, tuple[set[str], set[str]]],
    ):
        """Args: known: candidate kind -> (known texts, known words) of its target component."""
        self.contexts = {row["context_id"]: row for row in contexts}
        self.known = known
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for row in contexts:
            if row["trigger"] == "phrase":
                self.matcher.add(row["context_id"], [nlp.make_doc(row["text"])])

    def hits(self, doc: Doc, doc_id: str) -> Iterator[Hit]:
        """Yield every hit in one processed Doc."""
        covered = covered_tokens(doc)
        for match_id, start, end in self.matcher(doc):
            row = self.contexts[doc.vocab.strings[match_id]]
            yield from self._captured(doc, doc_id, row, start, end, None, covered)
        for row in self.contexts.values():
            if row["trigger"] == "phrase":
                continue
            for record in getattr(doc._, row["trigger"], None) or []:
                if not _where_ok(record, row.get("where")):
                    continue
                span = doc.char_span(record.start_char, record.end_char, alignment_mode="expand")
                if span is not None:
                    yield from self._captured(
                        doc, doc_id, row, span.start, span.end, record, covered
                    )

    def _captured(
        self,
        doc: Doc,
        doc_id: str,
        row: RuleRow,
        start: int,
        end: int,
        record: Any,
        covered: list[bool],
    ) -> Iterator[Hit]:
        values = dict(row.get("values") or {})
        if record is not None:
            values = {
                **{k: v for k, v in dataclasses.asdict(record).items() if v not in (None, "")},
                **values,
            }
        kind, context = row["candidate"], row["context_id"]
        known_texts, known_words = self.known[kind]
        capture = row["capture"]
        if capture == "record":
            text = str(getattr(record, row.get("field", "text"), "") or "").strip()
            if text and text.lower() not in known_texts:
                yield Hit(kind, text, context, doc_id, _sentence_text(doc, start), values)
        elif capture == "name":
            words = (
                name_after(doc, end, covered)
                if row["slot"] == "after"
                else name_before(doc, start - 1, covered)
            )
            text = doc[words[0].i : words[-1].i + 1].text if words else ""
            if text and text.lower() not in known_texts:
                yield Hit(kind, text, context, doc_id, _sentence_text(doc, words[0].i), values)
        else:
            for token in words_near(doc, start, end, row, covered, known_words):
                lemma = token.lemma_.lower() or token.lower_
                yield Hit(
                    kind,
                    lemma,
                    context,
                    doc_id,
                    _sentence_text(doc, token.i),
                    {**values, "word": token.lower_},
                )
