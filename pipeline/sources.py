"""Anonymous sources: "a Hamas official", "Sources close to Hamas", "Two Hamas officials".

The vocabulary (determiners, modifiers, head nouns, postmodifiers such as "close
to", report verbs) is ``rules/sources.jsonl``; :class:`SourceFinder` finds head nouns
and postmodifiers with phrase matching (in the actor component's shared pass) and
extends each head leftwards over modifiers, possessives and actor mentions (the actor
component's per-token mention lists) to at most one determiner. A singular head needs a
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

from collections.abc import Callable, Sequence

from spacy.attrs import IS_ALPHA
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.matchwindows import PhraseGroups
from pipeline.records import Entity
from pipeline.rules import Field, RuleRow, RuleSpec
from pipeline.tokens import EntityMarks, TokenTable, filter_ranges, token_table

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

    def __init__(
        self, nlp: Language, rows: Sequence[RuleRow], *, phrases: PhraseGroups | None = None
    ):
        """Build the word sets; the head nouns and postmodifiers join ``phrases`` (a new
        set when None), so one pass over a document finds them with other phrases."""
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
        self.phrases = PhraseGroups(nlp.vocab) if phrases is None else phrases
        self.head_group = self.phrases.group("LOWER")
        for kind in ("head", "bare_head"):
            self.phrases.add(
                self.head_group, kind.upper(), [nlp.make_doc(w) for w in sorted(self.words[kind])]
            )
        self.post_id = nlp.vocab.strings.add("POST")
        self.bare_id = nlp.vocab.strings.add("BARE_HEAD")
        self.heads = self.words["head"] | self.words["bare_head"]
        self.determiners = self.words["determiner"] | self.words["definite"]
        self.fillers = self.words["modifier"] | {"'s", "\u2019s"}
        # Tails ("close to Hamas", ", who is familiar with the talks") are found from their
        # postmodifier phrase and joined to a head phrase ending where they start.
        self.phrases.add(
            self.head_group, "POST", [nlp.make_doc(w) for w in sorted(self.words["postmodifier"])]
        )
        self.relatives = [tuple(t.lower_ for t in nlp.make_doc(r)) for r in self.words["relative"]]
        self.openers = [tuple(t.lower_ for t in nlp.make_doc(r)) for r in self.words["opener"]]

    def tail_ends(
        self, table: TokenTable, marks: EntityMarks, matches: Sequence[tuple[int, int, int]]
    ) -> dict[int, int]:
        """Return start -> end of each tail: optional ", who is", a postmodifier, its object
        (optional "the" plus an actor mention, or one word).

        Args:
            marks: the entities of the document.
            matches: the head matcher's matches of the document.
        """
        ends: dict[int, int] = {}
        n = table.n
        words: list[str] = table.words  # typed: the table's attributes are untyped properties
        lowers: list[str] = table.lowers
        definite = self.words["definite"]
        for match_id, start, end in matches:
            if match_id != self.post_id:
                continue
            if end < n and lowers[end] in definite:
                end += 1
            if end < n and marks.actor[end] is not None:
                end = marks.end[end]
            elif end < n and table.flags(IS_ALPHA)[end]:
                end += 1
            else:
                continue
            ends[start] = end
            for rel in self.relatives:
                begin = start - len(rel) - 1
                if begin >= 0 and words[begin] == "," and tuple(lowers[begin + 1 : start]) == rel:
                    ends[begin] = end
        return ends

    def source_phrases(
        self,
        doc: Doc,
        marks: EntityMarks,
        found: Sequence[Sequence[tuple[int, int, int]]] | None = None,
    ) -> list[tuple[int, int, str]]:
        """Return the source phrases of ``doc`` as ``(start, end, key)`` token ranges in
        text order (key: ``SRC_<DET|NODET>_<HEAD|BARE>``, by determiner and head kind).

        Args:
            marks: the actor and person mentions of ``doc``.
            found: ``self.phrases(doc)``, when already run.
        """
        matches = (self.phrases(doc) if found is None else found)[self.head_group]
        table = token_table(doc)
        tail_end = self.tail_ends(table, marks, matches)
        lowers: list[str] = table.lowers
        label = marks.label
        actors = marks.actor
        n = table.n
        blockers = self.words["blocker"]
        candidates: list[tuple[int, int, str]] = []
        for match_id, head_start, end in matches:
            if match_id == self.post_id:
                continue
            if end < n and (label[end] or lowers[end] in blockers):
                continue  # "an official death toll", "Hamas spokesman Hazem Qassem"
            start = self.phrase_start(lowers, head_start, actors)
            det = "DET" if lowers[start] in self.determiners else "NODET"
            key = f"SRC_{det}_{'BARE' if match_id == self.bare_id else 'HEAD'}"
            phrase = (start, tail_end.get(end, end), key)
            if self._acceptable(table.words, lowers, phrase, actors):
                candidates.append(phrase)
        return filter_ranges(candidates)

    def phrase_start(self, lowers: Sequence[str], head: int, actors: Sequence[str | None]) -> int:
        """Return where the phrase before a head noun starts: modifiers, actors, possessives,
        and at most one determiner at the far left ("a senior Hamas official").

        Args:
            lowers: the lower-case token texts.
            actors: the actor id of each token in an ACTOR entity (else None).
        """
        start = head
        while start > 0 and head - start < MAX_PREMODIFIERS:
            if actors[start - 1] is not None or lowers[start - 1] in self.fillers:
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
        actors: Sequence[str | None],
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
        after = self._past_place(words, lowers, end, actors)
        return after < len(lowers) and lowers[after] in self.words["report_verb"]

    def _past_place(
        self,
        words: Sequence[str],
        lowers: Sequence[str],
        end: int,
        actors: Sequence[str | None],
    ) -> int:
        """Return the position after "in <Place>" starting at ``end`` (``end`` if none): a
        place preposition and up to ``MAX_PLACE_WORDS`` capitalised words or actor tokens."""
        if end >= len(lowers) or lowers[end] not in self.words["place_prep"]:
            return end
        k = end + 1
        while k < len(words) and k - end <= MAX_PLACE_WORDS:
            if not (actors[k] is not None or words[k][:1].isupper()):
                break
            k += 1
        return k if k > end + 1 else end

    def entities(
        self,
        doc: Doc,
        marks: EntityMarks,
        groups: Sequence[tuple[int, str]],
        is_people: Callable[[str], bool],
        found: Sequence[Sequence[tuple[int, int, int]]] | None = None,
    ) -> list[Entity]:
        """Return one SOURCE entity per source phrase.

        Args:
            marks: the actor and person mentions of ``doc``.
            groups: (token index, actor id) of armed groups and parties, in text order,
                for resolving "the group".
            is_people: whether an actor id is a people (weaker than an organisation).
            found: ``self.phrases(doc)``, when already run.
        """
        last_by_head: dict[str, str | None] = {}
        table = token_table(doc)
        lowers: list[str] = table.lowers
        sent_of: list[int] = table.sent_of
        text: str = table.text
        starts_char: list[int] = table.starts_char
        ends_char: list[int] = table.ends_char
        sources: list[Entity] = []
        for start, end, key in self.source_phrases(doc, marks, found):
            own = self._own_affiliation(lowers, marks, start, end, groups, is_people)
            head = self._head(lowers, start, end)
            definite = lowers[start] in self.words["definite"]
            affiliation = own if own and not is_people(own) else None
            if affiliation is None and definite and last_by_head.get(head):
                affiliation = last_by_head[head]
            affiliation = affiliation or own
            last_by_head[head] = affiliation
            on_record = head in self.on_record
            start_char, end_char = starts_char[start], ends_char[end - 1]
            sources.append(
                Entity(
                    sentence=sent_of[start],
                    start_char=start_char,
                    end_char=end_char,
                    text=text[start_char:end_char],
                    label="SOURCE",
                    affiliation_id=affiliation,
                    anonymous=not on_record,
                    rule_id=f"source:{key.lower()}{':on_record' if on_record else ''}",
                )
            )
        return sources

    def _own_affiliation(
        self,
        lowers: Sequence[str],
        marks: EntityMarks,
        start: int,
        end: int,
        groups: Sequence[tuple[int, str]],
        is_people: Callable[[str], bool],
    ) -> str | None:
        """Return the actor named in the phrase: an organisation first, else a people."""
        found: list[str] = []
        group_nouns = self.words["group_noun"]
        for i in range(start, end):
            actor = marks.actor[i]
            if actor is not None and marks.start[i] == i:
                found.append(actor)
            elif lowers[i] in group_nouns:
                earlier = [aid for at, aid in groups if at < start]
                if earlier:
                    found.append(earlier[-1])
        organisations = [a for a in found if not is_people(a)]
        ranked = organisations or found
        return ranked[0] if ranked else None
