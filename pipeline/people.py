"""Named people: the dated people dictionary and context rules for names it lacks.

``rules/people.jsonl`` lists people with their affiliation and title, one row per
period (``valid_from`` inclusive, ``valid_to`` exclusive); :func:`pick_person_row`
chooses the row for a document's publication date. Names match in any case when
they have several words and with exact case when they have one (so "Gallant" the
minister is not "gallant"); ``short`` names (surnames) count only after the full name
appeared in the same document. :class:`PersonContext` finds the rest from context:
a title before a capitalised name ("Major General Hassan Rashad"), a name before an
appositive (", a senior Hamas official"), and reads affiliation and title around a
name: an actor before the title ("Egypt's foreign minister"), in the noun phrase
before a comma ("the head of the Egyptian general intelligence, Major General ..."),
inside an appositive ("..., who heads Egypt's State Information Services"), or after
"of". People are never aliases of organisations: they are PERSON entities whose
``actor_id`` is None and whose ``affiliation_id`` names the actor they act for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from spacy.attrs import IS_ALPHA, IS_PUNCT, IS_TITLE
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from pipeline.matchwindows import PhraseGroups
from pipeline.rules import Field, RuleRow, RuleSpec
from pipeline.tokens import EntityMarks, TokenTable, token_table

PEOPLE = RuleSpec(
    name="people",
    fields={
        "person_id": Field(required=True),
        "name": Field(required=True),
        "names": Field(kind="list", required=True),
        "short": Field(kind="list", default=[]),
        "affiliation_id": Field(ref="actors.actor_id"),
        "title": Field(),
        "valid_from": Field(),
        "valid_to": Field(),
        "note": Field(),
    },
    unique=("person_id", "valid_from"),
    description="named people with dated affiliation and title",
)

TITLES = RuleSpec(
    name="titles",
    fields={"text": Field(required=True), "title": Field(), "note": Field()},
    unique=("text",),
    description="job titles that introduce or describe a name",
)

NAME_PARTS = RuleSpec(
    name="name_parts",
    fields={
        "text": Field(required=True),
        "kind": Field(
            required=True,
            choices=frozenset(
                {
                    "particle",
                    "stop",
                    "location_prep",
                    "possessive",
                    "appositive",
                    "affiliation_prep",
                }
            ),
        ),
        "note": Field(),
    },
    unique=("text", "kind"),
    description="words inside and around personal names",
)

#: Longest name found from context, in tokens, and how far an appositive reaches.
MAX_NAME_TOKENS = 6
APPOSITIVE_WINDOW = 12
LEFT_WINDOW = 10


@dataclass(frozen=True)
class PersonName:
    """One name of a dictionary person."""

    text: str
    person_id: str
    cased: bool
    short: bool


@dataclass(frozen=True)
class PeopleTable:
    """All names to match and the dated rows of each person."""

    names: list[PersonName]
    rows: Mapping[str, list[RuleRow]]


class PersonFacts:
    """What the context says about a name: title, affiliation and the rule that found it
    (a plain class: mypyc compiles its ``__init__``, a dataclass keeps the generated one)."""

    title: str | None
    affiliation_id: str | None
    rule_id: str
    appositive_title: str | None

    def __init__(
        self,
        title: str | None = None,
        affiliation_id: str | None = None,
        rule_id: str = "person:context",
        appositive_title: str | None = None,
    ) -> None:
        self.title = title
        self.affiliation_id = affiliation_id
        self.rule_id = rule_id
        self.appositive_title = appositive_title


def person_names(rows: Sequence[RuleRow]) -> PeopleTable:
    """Return the names to match (one per distinct spelling) and rows grouped by person."""
    names: dict[tuple[str, str], PersonName] = {}
    by_person: dict[str, list[RuleRow]] = {}
    for row in rows:
        pid = row["person_id"]
        by_person.setdefault(pid, []).append(row)
        for text in row.get("names", []):
            names.setdefault((pid, text), PersonName(text, pid, " " not in text, False))
        for text in row.get("short", []):
            names.setdefault((pid, text), PersonName(text, pid, True, True))
    for (pid, text), name in list(names.items()):
        # transcripts print speakers in capitals ("AL-ANSARI:"): a cased name matches so too
        if name.cased and text.upper() != text:
            names.setdefault((pid, text.upper()), replace(name, text=text.upper()))
    return PeopleTable(list(names.values()), by_person)


def pick_person_row(rows: Sequence[RuleRow], published: dt.date | None) -> RuleRow | None:
    """Return the row valid on ``published`` (the open-ended latest row when it is None)."""
    if not rows:
        return None
    if published is None:
        open_rows = [r for r in rows if not r.get("valid_to")]
        return open_rows[-1] if open_rows else rows[-1]
    day = published.isoformat()
    for row in rows:
        if row.get("valid_from", "") <= day and (not row.get("valid_to") or day < row["valid_to"]):
            return row
    return None


class PersonContext:
    """Context rules for people: titles, appositives and affiliations, built once."""

    def __init__(
        self,
        nlp: Language,
        title_rows: Sequence[RuleRow],
        part_rows: Sequence[RuleRow],
        *,
        phrases: PhraseGroups | None = None,
    ):
        """Build the matchers; the title phrases join ``phrases`` (a new set when None),
        so one pass over a document finds them with the other phrase matchers."""
        self.parts: dict[str, frozenset[str]] = {}
        for kind in NAME_PARTS.fields["kind"].choices or ():
            texts = [r["text"] for r in part_rows if r["kind"] == kind]
            self.parts[kind] = frozenset(texts if kind == "stop" else [t.lower() for t in texts])
        self.phrases = PhraseGroups(nlp.vocab) if phrases is None else phrases
        self.title_group = self.phrases.group("LOWER")
        self.titles: dict[int, str] = {}
        for i, row in enumerate(title_rows):
            key = f"T{i}"
            key_id = self.phrases.add(self.title_group, key, [nlp.make_doc(row["text"])])
            self.titles[key_id] = row.get("title") or row["text"].lower()
        self.appositive_matcher = Matcher(nlp.vocab)
        name_token = {
            "IS_TITLE": True,
            "ENT_TYPE": "",
            "ORTH": {"NOT_IN": sorted(self.parts["stop"])},
        }
        particle = {"LOWER": {"IN": sorted(self.parts["particle"])}, "OP": "*"}
        self.appositive_matcher.add(
            "APPOSITIVE_NAME",
            [
                [
                    name_token,
                    particle,
                    name_token,
                    particle,
                    {**name_token, "OP": "?"},
                    {"ORTH": ","},
                    {"LOWER": {"IN": sorted(self.parts["appositive"])}},
                ]
            ],
            greedy="LONGEST",
        )

    def words(self, kind: str) -> frozenset[str]:
        """Return the lower-case words of one ``name_parts`` kind."""
        return self.parts.get(kind, frozenset())

    def title_matches(
        self, doc: Doc, found: Sequence[Sequence[tuple[int, int, int]]] | None = None
    ) -> list[tuple[int, int, str]]:
        """Return every title phrase of ``doc`` as ``(start, end, title)`` (run once per doc
        and passed to the methods below as ``titles``).

        Args:
            found: ``self.phrases(doc)``, when already run.
        """
        found = self.phrases(doc) if found is None else found
        titles = self.titles
        return [(start, end, titles[m]) for m, start, end in found[self.title_group]]

    def title_ends(
        self,
        titles: Sequence[tuple[int, int, str]],
        *,
        within: tuple[int, int] | None = None,
    ) -> dict[int, tuple[int, str]]:
        """Return the longest title ending at each token index: end -> (start, title).

        Args:
            titles: :meth:`title_matches` of the document.
            within: only titles inside these token bounds (as if matched on that span alone).
        """
        ends: dict[int, tuple[int, str]] = {}
        for start, end, title in titles:
            if within is not None and not (within[0] <= start and end <= within[1]):
                continue
            if end not in ends or start < ends[end][0]:
                ends[end] = (start, title)
        return ends

    def name_end(self, table: TokenTable, marks: EntityMarks, start: int) -> int:
        """Return the end of the capitalised name starting at ``start`` (``start`` if none).

        (A token's trailing whitespace is at most one space: a line break is a token of
        its own, so it ends the name as a token that is neither a name nor a particle.)
        """
        # typed locals: the table's cached attributes are untyped properties
        words: list[str] = table.words
        lowers: list[str] = table.lowers
        label = marks.label
        is_title, is_alpha = table.flags(IS_TITLE), table.flags(IS_ALPHA)
        stop, particles = self.parts["stop"], self.parts["particle"]
        end = start
        i = start
        n = table.n
        while i < n and i - start < MAX_NAME_TOKENS:
            if label[i] or words[i] in stop:
                break
            if is_title[i] and is_alpha[i]:
                i += 1
                end = i
            elif lowers[i] in particles and i > start:
                i += 1
            else:
                break
        return end

    def appositive_matches(
        self, doc: Doc, marks: EntityMarks, *, on_doc: Callable[[], None] | None = None
    ) -> list[tuple[int, int, int]]:
        """Return the matches of the appositive Matcher, running it only where one can be.

        A match ends with a comma and an appositive word, and everything before the comma
        is a name token or a particle; so the Matcher runs on the stretch of such tokens
        left of each ", <appositive word>" (windows that overlap are merged, so the
        ``LONGEST`` filter sees what it would see over the whole document).

        Args:
            marks: the entities found so far (the Matcher's name tokens are outside them).
            on_doc: writes ``marks`` to ``doc.ents``; called before the Matcher runs on a
                window with an entity token (a particle: "Al"), whose pattern reads
                ``ENT_TYPE`` from the Doc. Elsewhere no token of a window is in an entity,
                so the Doc's entities cannot change what the Matcher finds.
        """
        table = token_table(doc)
        words: list[str] = table.words
        lowers: list[str] = table.lowers
        label = marks.label
        is_title = table.flags(IS_TITLE)
        stop, particles, appositive = (
            self.parts["stop"],
            self.parts["particle"],
            self.parts["appositive"],
        )
        windows: list[tuple[int, int]] = []
        with_entity = False
        for k in range(1, table.n - 1):
            if words[k] != "," or lowers[k + 1] not in appositive:
                continue
            left = k
            while left > 0:
                j = left - 1
                named = is_title[j] and not label[j] and words[j] not in stop
                if not (named or lowers[j] in particles):
                    break
                with_entity = with_entity or bool(label[j])
                left = j
            if left == k:
                continue
            if windows and left < windows[-1][1]:
                windows[-1] = (windows[-1][0], k + 2)
            else:
                windows.append((left, k + 2))
        if not windows:
            return []
        if with_entity and on_doc is not None:
            on_doc()
        found: list[tuple[int, int, int]] = []
        for lo, hi in windows:
            names = 0
            for j in range(lo, hi):
                if is_title[j] and not label[j] and words[j] not in stop:
                    names += 1
            if names < 2:
                continue  # a match holds at least two name tokens: no Matcher call
            for m, s, e in self.appositive_matcher(doc[lo:hi]):
                found.append((m, lo + s, lo + e))
        # the Matcher's own order for a LONGEST filter: longest first, then by start
        found.sort(key=_longest_first)
        return found

    def unknown_names(
        self,
        doc: Doc,
        marks: EntityMarks,
        titles: Sequence[tuple[int, int, str]],
        *,
        on_doc: Callable[[], None] | None = None,
    ) -> list[tuple[int, int]]:
        """Return the token ranges of names after a title or before an appositive that
        are in no entity of ``marks``.

        Args:
            titles: :meth:`title_matches` of ``doc``.
            on_doc: see :meth:`appositive_matches`.
        """
        table = token_table(doc)
        is_title = table.flags(IS_TITLE)
        taken: list[int] = marks.label.copy()  # nonzero: in a mention
        found: list[tuple[int, int]] = []
        for end in self.title_ends(titles):
            name_end = self.name_end(table, marks, end)
            capitals = 0
            free = True
            for i in range(end, name_end):
                capitals += is_title[i]
                free = free and not taken[i]
            if capitals >= 2 and free:
                found.append((end, name_end))
                for i in range(end, name_end):
                    taken[i] = 1
        for _, start, stop in self.appositive_matches(doc, marks, on_doc=on_doc):
            end = stop - 2
            if self.appositive_facts(
                table, marks, start, end
            ).affiliation_id is None and not self._appositive_title(table, start, end, titles):
                continue
            if not any(taken[start:end]):
                found.append((start, end))
                for i in range(start, end):
                    taken[i] = 1
        return found

    def _appositive_window(self, table: TokenTable, start: int, end: int) -> tuple[int, int]:
        """Return the tokens of the appositive after the name ``[start, end)`` (after its
        comma), as a range; empty (``(0, 0)``) when there is none."""
        i = end
        if (
            i + 1 >= table.n
            or table.words[i] != ","
            or (table.lowers[i + 1] not in self.parts["appositive"])
        ):
            return 0, 0
        stop = i + 1
        sent_end = table.sent_ends[table.sentence_at(start)]
        limit = min(table.n, stop + APPOSITIVE_WINDOW, sent_end)
        is_punct = table.flags(IS_PUNCT)
        while stop < limit and not is_punct[stop]:
            stop += 1
        return i + 1, stop

    def _appositive_title(
        self, table: TokenTable, start: int, end: int, titles: Sequence[tuple[int, int, str]]
    ) -> str | None:
        lo, hi = self._appositive_window(table, start, end)
        if lo == hi == 0:
            return None
        ends = self.title_ends(titles, within=(lo, hi))
        return ends[min(ends)][1] if ends else None

    def appositive_facts(
        self, table: TokenTable, marks: EntityMarks, start: int, end: int
    ) -> PersonFacts:
        """Return the affiliation named inside the appositive after the name ``[start, end)``:
        the first actor mention wholly inside it."""
        lo, hi = self._appositive_window(table, start, end)
        if lo == hi == 0:
            return PersonFacts()
        actor = marks.actor
        for i in range(lo, hi):
            found = actor[i]
            if found is not None and marks.start[i] == i and marks.end[i] <= hi:
                return PersonFacts(affiliation_id=found, rule_id="person:appositive")
        return PersonFacts()

    def describe(
        self,
        table: TokenTable,
        marks: EntityMarks,
        start: int,
        end: int,
        titles: Sequence[tuple[int, int, str]],
        ends: Mapping[int, tuple[int, str]] | None = None,
    ) -> PersonFacts:
        """Return the title and affiliation that the context gives the name ``[start, end)``.

        Args:
            titles: :meth:`title_matches` of the document.
            ends: :meth:`title_ends` of ``titles`` (computed when None).
        """
        ends = self.title_ends(titles) if ends is None else ends
        title_start, title = ends.get(start, (start, None))
        affiliation = self._actor_before(table, marks, title_start) if title else None
        rule_id = "person:title"
        if affiliation is None:
            facts = self.appositive_facts(table, marks, start, end)
            affiliation, rule_id = facts.affiliation_id, facts.rule_id
        if (
            affiliation is None
            and end + 1 < table.n
            and table.lowers[end] in self.parts["affiliation_prep"]
            and marks.actor[end + 1] is not None
        ):
            affiliation, rule_id = marks.actor[end + 1], "person:of"
        return PersonFacts(
            title, affiliation, rule_id, self._appositive_title(table, start, end, titles)
        )

    def _actor_before(self, table: TokenTable, marks: EntityMarks, start: int) -> str | None:
        """Return the actor before a title ("US", "Egypt's") or in the phrase before a comma."""
        lowers: list[str] = table.lowers
        actor = marks.actor
        i = start - 1
        while i >= 0 and lowers[i] in self.parts["possessive"]:
            i -= 1
        if i >= 0 and actor[i] is not None:
            return actor[i]
        if i >= 0 and table.words[i] == ",":
            j = i - 1
            sent_start = table.sent_starts[table.sentence_at(start)]
            is_punct = table.flags(IS_PUNCT)
            while j >= max(sent_start, i - LEFT_WINDOW) and not is_punct[j]:
                if actor[j] is not None:
                    return actor[j]
                j -= 1
        return None


def _longest_first(match: tuple[int, int, int]) -> tuple[int, int]:
    return -(match[2] - match[1]), match[1]
