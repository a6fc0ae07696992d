"""Anonymous sources: "a Hamas official", "Sources close to Hamas", "Two Hamas officials".

The vocabulary (determiners, modifiers, head nouns, postmodifiers such as "close
to", report verbs, anonymity cues) is ``rules/sources.jsonl``; :class:`SourceFinder`
turns it into Matcher patterns that read actor mentions through ``ENT_TYPE``
(``doc.ents`` is set by the actor component first). A singular head needs a
determiner; a plural head needs a determiner or a report verb after it ("Hamas
officials insisted"); a bare head ("sources") needs neither. Affiliation comes from
an actor inside the phrase (an organisation beats a people: "a Palestinian official
close to the group" -> the group), "the group" resolves to the last armed group or
party mentioned before, and a definite source ("the official") without an
organisation of its own inherits the affiliation of the last source with the same head.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.records import Entity
from pipeline.rules import Field, RuleRow, RuleSpec

SOURCE_KINDS = frozenset(
    {
        "determiner",
        "definite",
        "modifier",
        "head",
        "bare_head",
        "postmodifier",
        "relative",
        "report_verb",
        "group_noun",
        "blocker",
    }
)

SOURCES = RuleSpec(
    name="sources",
    fields={
        "text": Field(required=True),
        "kind": Field(required=True, choices=SOURCE_KINDS),
        "plural": Field(kind="bool", default=False),
        "note": Field(),
    },
    unique=("text", "kind"),
    description="vocabulary of anonymous-source phrases",
)


class SourceFinder:
    """Matcher patterns for source phrases, built once from the vocabulary rows."""

    def __init__(self, nlp: Language, rows: Sequence[RuleRow]):
        words: dict[str, list[str]] = {kind: [] for kind in SOURCE_KINDS}
        self.plural: set[str] = set()
        for row in rows:
            words[row["kind"]].append(row["text"].lower())
            if row.get("plural"):
                self.plural.add(row["text"].lower())
        self.words = {kind: frozenset(v) for kind, v in words.items()}
        self.matcher = Matcher(nlp.vocab)
        determiners = sorted(self.words["determiner"] | self.words["definite"])
        premodifiers: list[dict[str, Any]] = [
            {"LOWER": {"IN": sorted(self.words["modifier"])}, "OP": "*"},
            {"ENT_TYPE": "ACTOR", "OP": "*"},
            {"LOWER": {"IN": ["'s", "\u2019s"]}, "OP": "?"},
            {"LOWER": {"IN": sorted(self.words["modifier"])}, "OP": "*"},
        ]
        heads = {
            "HEAD": {"LOWER": {"IN": sorted(self.words["head"])}},
            "BARE": {"LOWER": {"IN": sorted(self.words["bare_head"])}},
        }
        tails = self._tails(nlp)
        for head_key, head in heads.items():
            for det_key, det in (("DET", [{"LOWER": {"IN": determiners}}]), ("NODET", [])):
                base = [*det, *premodifiers, head]
                self.matcher.add(
                    f"SRC_{det_key}_{head_key}", [base + tail for tail in tails], greedy="LONGEST"
                )

    def _tails(self, nlp: Language) -> list[list[dict[str, Any]]]:
        """Return the optional tails: nothing, or [", who is"] + postmodifier + object."""
        tails: list[list[dict[str, Any]]] = [[]]
        relatives: list[list[dict[str, Any]]] = [[]] + [
            [{"ORTH": ","}] + [{"LOWER": w.lower_} for w in nlp.make_doc(r)]
            for r in sorted(self.words["relative"])
        ]
        objects: list[list[dict[str, Any]]] = [
            [{"LOWER": "the", "OP": "?"}, {"ENT_TYPE": "ACTOR", "OP": "+"}],
            [{"LOWER": "the", "OP": "?"}, {"IS_ALPHA": True, "ENT_TYPE": ""}],
        ]
        for post in sorted(self.words["postmodifier"]):
            post_tokens: list[dict[str, Any]] = [{"LOWER": w.lower_} for w in nlp.make_doc(post)]
            for rel in relatives:
                for obj in objects:
                    tails.append(rel + post_tokens + obj)
        return tails

    def spans(self, doc: Doc) -> list[Span]:
        """Return the source phrases of ``doc`` (label = the matched pattern key)."""
        candidates: list[Span] = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            span = Span(doc, start, end, label=key)
            if self._acceptable(doc, span, key):
                candidates.append(span)
        return sorted(filter_spans(candidates), key=lambda s: s.start)

    def _head(self, span: Span) -> str:
        """Return the head word of a source phrase (the last head or bare head in it)."""
        heads = self.words["head"] | self.words["bare_head"]
        return next((t.lower_ for t in reversed(span) if t.lower_ in heads), "")

    def _acceptable(self, doc: Doc, span: Span, key: str) -> bool:
        head = self._head(span)
        after = doc[span.end] if span.end < len(doc) else None
        if after is not None and (
            after.ent_type_ == "ACTOR" or after.lower_ in self.words["blocker"]
        ):
            return False
        if key.endswith("_BARE"):
            return True
        if key.startswith("SRC_DET"):
            return True
        reports = self.words["report_verb"]
        return head in self.plural and after is not None and after.lower_ in reports

    def entities(
        self,
        doc: Doc,
        sent_of: Sequence[int],
        groups: Sequence[tuple[int, str]],
        is_people: Callable[[str], bool],
    ) -> Iterator[Entity]:
        """Yield one SOURCE entity per source phrase.

        Args:
            sent_of: sentence index of each token.
            groups: (token index, actor id) of armed groups and parties, in text order,
                for resolving "the group".
            is_people: whether an actor id is a people (weaker than an organisation).
        """
        last_by_head: dict[str, str | None] = {}
        for span in self.spans(doc):
            own = self._own_affiliation(span, groups, is_people)
            head = self._head(span)
            definite = span[0].lower_ in self.words["definite"]
            affiliation = own if own and not is_people(own) else None
            if affiliation is None and definite and last_by_head.get(head):
                affiliation = last_by_head[head]
            affiliation = affiliation or own
            last_by_head[head] = affiliation
            yield Entity(
                sentence=sent_of[span.start],
                start_char=span.start_char,
                end_char=span.end_char,
                text=span.text,
                label="SOURCE",
                affiliation_id=affiliation,
                anonymous=True,
                rule_id=f"source:{span.label_.lower()}",
            )

    def _own_affiliation(
        self, span: Span, groups: Sequence[tuple[int, str]], is_people: Callable[[str], bool]
    ) -> str | None:
        """Return the actor named in the phrase: an organisation first, else a people."""
        found: list[str] = []
        for token in span:
            if token.ent_type_ == "ACTOR" and token.ent_iob_ == "B":
                found.append(token.ent_kb_id_.split("|")[0])
            elif token.lower_ in self.words["group_noun"]:
                earlier = [aid for start, aid in groups if start < span.start]
                if earlier:
                    found.append(earlier[-1])
        organisations = [a for a in found if not is_people(a)]
        ranked = organisations or found
        return ranked[0] if ranked else None
