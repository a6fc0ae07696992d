"""Anonymous sources: "a Hamas official", "Sources close to Hamas", "Two Hamas officials".

The vocabulary (determiners, modifiers, head nouns, postmodifiers such as "close
to", report verbs) is ``rules/sources.jsonl``; :class:`SourceFinder` finds head nouns
and postmodifiers with PhraseMatchers and extends each head leftwards over modifiers,
possessives and actor mentions (read from ``doc.ents``, set by the actor component
first) to at most one determiner. A singular head needs a
determiner; a plural head needs a determiner, an opener before it ("according to
Israeli officials") or a report verb after it ("Hamas officials insisted", also past a
place: "hospital officials in Khan Younis said"); a bare head ("sources") needs neither.
An on-record head ("a Hamas spokesman") makes a source that is not anonymous: it
speaks for its affiliation. Affiliation comes from
an actor inside the phrase (an organisation beats a people: "a Palestinian official
close to the group" -> the group), "the group" resolves to the last armed group or
party mentioned before, and a definite source ("the official") without an
organisation of its own inherits the affiliation of the last source with the same head.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from spacy.attrs import ENT_TYPE
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from pipeline.records import Entity
from pipeline.rules import Field, RuleRow, RuleSpec
from pipeline.tokens import filter_ranges, token_table

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
        "opener",
        "place_prep",
    }
)

#: How many capitalised words a place after "in" may have ("hospital officials in Khan
#: Younis said").
MAX_PLACE_WORDS = 4

#: How far left of its head noun a source phrase may reach.
MAX_PREMODIFIERS = 8

SOURCES = RuleSpec(
    name="sources",
    fields={
        "text": Field(required=True),
        "kind": Field(required=True, choices=SOURCE_KINDS),
        "plural": Field(kind="bool", default=False),
        "on_record": Field(kind="bool", default=False),
        "note": Field(),
    },
    unique=("text", "kind"),
    description="vocabulary of anonymous-source phrases",
)


class SourceFinder:
    """Matchers and word sets for source phrases, built once from the vocabulary rows."""

    def __init__(self, nlp: Language, rows: Sequence[RuleRow]):
        words: dict[str, list[str]] = {kind: [] for kind in SOURCE_KINDS}
        self.plural: set[str] = set()
        self.on_record: set[str] = set()
        for row in rows:
            words[row["kind"]].append(row["text"].lower())
            if row.get("plural"):
                self.plural.add(row["text"].lower())
            if row.get("on_record"):
                self.on_record.add(row["text"].lower())
        self.words = {kind: frozenset(v) for kind, v in words.items()}
        # one matcher for head nouns (HEAD, BARE_HEAD) and postmodifiers (POST): a
        # PhraseMatcher call costs a pass over the doc
        self.head_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind in ("head", "bare_head"):
            self.head_matcher.add(kind.upper(), [nlp.make_doc(w) for w in sorted(self.words[kind])])
        self.post_id = nlp.vocab.strings.add("POST")
        self.heads = self.words["head"] | self.words["bare_head"]
        self.determiners = self.words["determiner"] | self.words["definite"]
        self.fillers = self.words["modifier"] | {"'s", "\u2019s"}
        # Tails ("close to Hamas", ", who is familiar with the talks") are found from their
        # postmodifier phrase and joined to a head phrase ending where they start.
        self.head_matcher.add("POST", [nlp.make_doc(w) for w in sorted(self.words["postmodifier"])])
        self.relatives = [tuple(t.lower_ for t in nlp.make_doc(r)) for r in self.words["relative"]]
        self.openers = [tuple(t.lower_ for t in nlp.make_doc(r)) for r in self.words["opener"]]

    def tail_ends(
        self, doc: Doc, matches: Sequence[tuple[int, int, int]] | None = None
    ) -> dict[int, int]:
        """Return start -> end of each tail: optional ", who is", a postmodifier, its object
        (optional "the" plus an actor mention, or one word).

        Args:
            matches: the head matcher's matches of ``doc`` (computed when None).
        """
        ends: dict[int, int] = {}
        found = self.head_matcher(doc) if matches is None else matches
        for _, start, end in (m for m in found if m[0] == self.post_id):
            if end < len(doc) and doc[end].lower_ in self.words["definite"]:
                end += 1
            if end < len(doc) and doc[end].ent_type_ == "ACTOR":
                end = next(
                    i
                    for i in range(end + 1, len(doc) + 1)
                    if i == len(doc) or doc[i].ent_iob_ != "I"
                )
            elif end < len(doc) and doc[end].is_alpha:
                end += 1
            else:
                continue
            ends[start] = end
            for rel in self.relatives:
                begin = start - len(rel) - 1
                if (
                    begin >= 0
                    and doc[begin].text == ","
                    and tuple(t.lower_ for t in doc[begin + 1 : start]) == rel
                ):
                    ends[begin] = end
        return ends

    def spans(self, doc: Doc) -> list[Span]:
        """Return the source phrases of ``doc`` (label = the matched pattern key)."""
        matches = self.head_matcher(doc)
        tail_end = self.tail_ends(doc, matches)
        table = token_table(doc)
        lowers = table.lowers
        ent_types = doc.to_array(ENT_TYPE).reshape(-1)
        is_actor = (ent_types == doc.vocab.strings.add("ACTOR")).tolist()
        is_person = (ent_types == doc.vocab.strings.add("PERSON")).tolist()
        candidates: list[tuple[int, int, str]] = []
        for match_id, head_start, end in matches:
            if match_id == self.post_id:
                continue
            if end < len(doc) and (
                is_actor[end] or is_person[end] or lowers[end] in self.words["blocker"]
            ):
                continue  # "an official death toll", "Hamas spokesman Hazem Qassem"
            start = self.phrase_start(doc, head_start, is_actor)
            det = "DET" if lowers[start] in self.determiners else "NODET"
            key = f"SRC_{det}_{'BARE' if doc.vocab.strings[match_id] == 'BARE_HEAD' else 'HEAD'}"
            phrase = (start, tail_end.get(end, end), key)
            if self._acceptable(table.words, lowers, phrase, is_actor):
                candidates.append(phrase)
        return [Span(doc, start, end, label=key) for start, end, key in filter_ranges(candidates)]

    def phrase_start(self, doc: Doc, head: int, is_actor: Sequence[bool] | None = None) -> int:
        """Return where the phrase before a head noun starts: modifiers, actors, possessives,
        and at most one determiner at the far left ("a senior Hamas official").

        Args:
            is_actor: whether each token is in an ACTOR entity (read from ``doc`` when None).
        """
        lowers = token_table(doc).lowers
        start = head
        while start > 0 and head - start < MAX_PREMODIFIERS:
            inside = is_actor[start - 1] if is_actor else doc[start - 1].ent_type_ == "ACTOR"
            if inside or lowers[start - 1] in self.fillers:
                start -= 1
            elif lowers[start - 1] in self.determiners:
                return start - 1
            else:
                break
        return start

    def _head(self, lowers: Sequence[str], start: int, end: int) -> str:
        """Return the head word of a source phrase (the last head or bare head in it)."""
        return next((w for w in reversed(lowers[start:end]) if w in self.heads), "")

    def _acceptable(
        self,
        words: Sequence[str],
        lowers: Sequence[str],
        phrase: tuple[int, int, str],
        is_actor: Sequence[bool],
    ) -> bool:
        """Return True when a core phrase (plus tail) is a source: by its determiner, or for
        a plural head by an opener before it ("according to Israeli officials") or a report
        verb after it, also past a place ("hospital officials in Khan Younis said")."""
        start, end, key = phrase
        if key.endswith("_BARE") or key.startswith("SRC_DET"):
            return True
        if self._head(lowers, start, end) not in self.plural:
            return False
        if any(tuple(lowers[max(0, start - len(o)) : start]) == o for o in self.openers):
            return True
        after = self._past_place(words, lowers, end, is_actor)
        return after < len(lowers) and lowers[after] in self.words["report_verb"]

    def _past_place(
        self, words: Sequence[str], lowers: Sequence[str], end: int, is_actor: Sequence[bool]
    ) -> int:
        """Return the position after "in <Place>" starting at ``end`` (``end`` if none): a
        place preposition and up to ``MAX_PLACE_WORDS`` capitalised words or actor tokens."""
        if end >= len(lowers) or lowers[end] not in self.words["place_prep"]:
            return end
        k = end + 1
        while k < len(words) and k - end <= MAX_PLACE_WORDS:
            if not (is_actor[k] or words[k][:1].isupper()):
                break
            k += 1
        return k if k > end + 1 else end

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
        lowers = token_table(doc).lowers
        for span in self.spans(doc):
            own = self._own_affiliation(span, groups, is_people)
            head = self._head(lowers, span.start, span.end)
            definite = lowers[span.start] in self.words["definite"]
            affiliation = own if own and not is_people(own) else None
            if affiliation is None and definite and last_by_head.get(head):
                affiliation = last_by_head[head]
            affiliation = affiliation or own
            last_by_head[head] = affiliation
            on_record = head in self.on_record
            yield Entity(
                sentence=sent_of[span.start],
                start_char=span.start_char,
                end_char=span.end_char,
                text=span.text,
                label="SOURCE",
                affiliation_id=affiliation,
                anonymous=not on_record,
                rule_id=f"source:{span.label_.lower()}{':on_record' if on_record else ''}",
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
