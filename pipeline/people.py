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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from pipeline.rules import Field, RuleRow, RuleSpec
from pipeline.tokens import token_table

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


@dataclass(frozen=True)
class PersonFacts:
    """What the context says about a name: title, affiliation and the rule that found it."""

    title: str | None = None
    affiliation_id: str | None = None
    rule_id: str = "person:context"
    appositive_title: str | None = None


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

    def __init__(self, nlp: Language, title_rows: Sequence[RuleRow], part_rows: Sequence[RuleRow]):
        self.parts: dict[str, frozenset[str]] = {}
        for kind in NAME_PARTS.fields["kind"].choices or ():
            texts = [r["text"] for r in part_rows if r["kind"] == kind]
            self.parts[kind] = frozenset(texts if kind == "stop" else [t.lower() for t in texts])
        self.title_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.titles: dict[int, str] = {}
        for i, row in enumerate(title_rows):
            key = f"T{i}"
            self.title_matcher.add(key, [nlp.make_doc(row["text"])])
            self.titles[nlp.vocab.strings[key]] = row.get("title") or row["text"].lower()
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

    def title_matches(self, doc: Doc) -> list[tuple[int, int, str]]:
        """Return every title phrase of ``doc`` as ``(start, end, title)`` (run once per doc
        and passed to the methods below as ``titles``)."""
        return [(start, end, self.titles[m]) for m, start, end in self.title_matcher(doc)]

    def title_ends(
        self,
        doc: Doc,
        titles: Sequence[tuple[int, int, str]] | None = None,
        *,
        within: tuple[int, int] | None = None,
    ) -> dict[int, tuple[int, str]]:
        """Return the longest title ending at each token index: end -> (start, title).

        Args:
            titles: :meth:`title_matches` of ``doc`` (computed when None).
            within: only titles inside these token bounds (as if matched on that span alone).
        """
        ends: dict[int, tuple[int, str]] = {}
        for start, end, title in self.title_matches(doc) if titles is None else titles:
            if within is not None and not (within[0] <= start and end <= within[1]):
                continue
            if end not in ends or start < ends[end][0]:
                ends[end] = (start, title)
        return ends

    def name_end(self, doc: Doc, start: int) -> int:
        """Return the end of the capitalised name starting at ``start`` (``start`` if none)."""
        end = start
        i = start
        while i < len(doc) and i - start < MAX_NAME_TOKENS:
            token = doc[i]
            if token.ent_type_ or token.text in self.parts["stop"]:
                break
            if token.is_title and token.is_alpha:
                i += 1
                end = i
            elif (
                token.lower_ in self.parts["particle"]
                and i > start
                and not doc[i - 1].whitespace_.count("\n")
            ):
                i += 1
            else:
                break
            if i > start and "\n" in doc[i - 1].whitespace_:
                break
        return end

    def appositive_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Return the matches of the appositive Matcher, running it only where one can be.

        A match ends with a comma and an appositive word, and everything before the comma
        is a name token or a particle; so the Matcher runs on the stretch of such tokens
        left of each ", <appositive word>" (windows that overlap are merged, so the
        ``LONGEST`` filter sees what it would see over the whole document).
        """
        table = token_table(doc)
        words, lowers = table.words, table.lowers
        stop, particles, appositive = (
            self.parts["stop"],
            self.parts["particle"],
            self.parts["appositive"],
        )
        windows: list[tuple[int, int]] = []
        commas = np.flatnonzero(table.orth_ids == doc.vocab.strings.add(",")).tolist()
        for k in commas:
            if not 0 < k < table.n - 1 or lowers[k + 1] not in appositive:
                continue
            left = k
            while left > 0:
                token = doc[left - 1]
                named = token.is_title and not token.ent_type and words[left - 1] not in stop
                if not (named or lowers[left - 1] in particles):
                    break
                left -= 1
            if left == k:
                continue
            if windows and left < windows[-1][1]:
                windows[-1] = (windows[-1][0], k + 2)
            else:
                windows.append((left, k + 2))
        found = [
            (m, lo + s, lo + e)
            for lo, hi in windows
            for m, s, e in self.appositive_matcher(doc[lo:hi])
        ]
        # the Matcher's own order for a LONGEST filter: longest first, then by start
        return sorted(found, key=lambda m: (-(m[2] - m[1]), m[1]))

    def unknown_names(
        self,
        doc: Doc,
        known: Sequence[Span],
        titles: Sequence[tuple[int, int, str]] | None = None,
    ) -> list[Span]:
        """Return PERSON spans for names after a title or before an appositive, not in ``known``.

        Args:
            titles: :meth:`title_matches` of ``doc`` (computed when None).
        """
        titles = self.title_matches(doc) if titles is None else titles
        taken = {i for span in known for i in range(span.start, span.end)}
        found: list[Span] = []
        for end, (_start, _title) in self.title_ends(doc, titles).items():
            name_end = self.name_end(doc, end)
            if sum(1 for t in doc[end:name_end] if t.is_title) >= 2 and not taken.intersection(
                range(end, name_end)
            ):
                found.append(Span(doc, end, name_end, label="PERSON", kb_id=""))
                taken.update(range(end, name_end))
        for _, start, end in self.appositive_matches(doc):
            name = Span(doc, start, end - 2, label="PERSON", kb_id="")
            if self.appositive_facts(
                doc, name
            ).affiliation_id is None and not self._appositive_title(doc, name, titles):
                continue
            if not taken.intersection(range(name.start, name.end)):
                found.append(name)
                taken.update(range(name.start, name.end))
        return found

    def _appositive_window(self, doc: Doc, name: Span) -> Span | None:
        """Return the tokens of the appositive after ``name`` (after its comma), if any."""
        i = name.end
        if (
            i + 1 >= len(doc)
            or doc[i].text != ","
            or doc[i + 1].lower_ not in self.parts["appositive"]
        ):
            return None
        end = i + 1
        table = token_table(doc)
        sent_end = table.sent_ends[table.sentence_at(name.start)]
        limit = min(len(doc), end + APPOSITIVE_WINDOW, sent_end)
        while end < limit and not doc[end].is_punct:
            end += 1
        return doc[i + 1 : end]

    def _appositive_title(
        self, doc: Doc, name: Span, titles: Sequence[tuple[int, int, str]] | None = None
    ) -> str | None:
        window = self._appositive_window(doc, name)
        if window is None:
            return None
        ends = self.title_ends(doc, titles, within=(window.start, window.end))
        return ends[min(ends)][1] if ends else None

    def appositive_facts(self, doc: Doc, name: Span) -> PersonFacts:
        """Return the affiliation named inside the appositive after ``name``."""
        window = self._appositive_window(doc, name)
        if window is None:
            return PersonFacts()
        # doc.ents, not window.ents: spaCy's stub says the latter is a 1-tuple (it is a
        # list), and mypyc-compiled code checks the declared type.
        for ent in doc.ents:
            if window.start <= ent.start and ent.end <= window.end and ent.label_ == "ACTOR":
                return PersonFacts(
                    affiliation_id=ent.kb_id_.split("|")[0], rule_id="person:appositive"
                )
        return PersonFacts()

    def describe(
        self, doc: Doc, name: Span, titles: Sequence[tuple[int, int, str]] | None = None
    ) -> PersonFacts:
        """Return the title and affiliation that the context gives ``name``.

        Args:
            titles: :meth:`title_matches` of ``doc`` (computed when None).
        """
        titles = self.title_matches(doc) if titles is None else titles
        ends = self.title_ends(doc, titles)
        title_start, title = ends.get(name.start, (name.start, None))
        affiliation = self._actor_before(doc, title_start) if title else None
        rule_id = "person:title"
        if affiliation is None:
            facts = self.appositive_facts(doc, name)
            affiliation, rule_id = facts.affiliation_id, facts.rule_id
        if (
            affiliation is None
            and name.end + 1 < len(doc)
            and doc[name.end].lower_ in self.parts["affiliation_prep"]
        ):
            ent = doc[name.end + 1]
            if ent.ent_type_ == "ACTOR":
                affiliation, rule_id = ent.ent_kb_id_.split("|")[0], "person:of"
        return PersonFacts(title, affiliation, rule_id, self._appositive_title(doc, name, titles))

    def _actor_before(self, doc: Doc, start: int) -> str | None:
        """Return the actor before a title ("US", "Egypt's") or in the phrase before a comma."""
        i = start - 1
        while i >= 0 and doc[i].lower_ in self.parts["possessive"]:
            i -= 1
        if i >= 0 and doc[i].ent_type_ == "ACTOR":
            return doc[i].ent_kb_id_.split("|")[0]
        if i >= 0 and doc[i].text == ",":
            j = i - 1
            table = token_table(doc)
            sent_start = table.sent_starts[table.sentence_at(start)]
            while j >= max(sent_start, i - LEFT_WINDOW) and not doc[j].is_punct:
                if doc[j].ent_type_ == "ACTOR":
                    return doc[j].ent_kb_id_.split("|")[0]
                j -= 1
        return None
