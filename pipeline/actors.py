"""Actor dictionary and the ``ceasefire_actors`` component that fills ``doc._.entities``.

The canonical actors (``rules/actors.jsonl``) and the contextual names that stand for
them (organs, capitals, blocked phrases: ``rules/actor_aliases.jsonl``) become one
alias table (:func:`alias_table`), checked for duplicate names across both files and
for unknown actor ids. Aliases match on lower case, or on exact spelling when cased
(so "US" never matches "us"); named people (:mod:`pipeline.people`) join the same
candidate list, and overlaps resolve longest-first. One PhraseMatcher pass over the
document (:class:`~pipeline.matchwindows.PhraseGroups`) finds these names with the
titles and source nouns the context rules need. The mentions are kept as per-token
lists (:class:`~pipeline.tokens.EntityMarks`); context rules then add unknown people
after titles or before appositives and anonymous sources (:mod:`pipeline.sources`),
reading those lists, and the actor and person mentions become ``doc.ents`` (labels
ACTOR and PERSON, ``kb_id`` = "actor|rule|organ" or the person id) in one write. Every
mention becomes one :class:`~pipeline.records.Entity`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.component import RuleComponent
from pipeline.matchwindows import PhraseGroups
from pipeline.people import (
    NAME_PARTS,
    PEOPLE,
    TITLES,
    PersonContext,
    PersonName,
    person_names,
    pick_person_row,
)
from pipeline.records import Entity
from pipeline.rules import Field, RuleProblem, RuleRow, RulesError, RuleSpec
from pipeline.sources import SOURCES, SourceFinder
from pipeline.tokens import EntityMarks, filter_ranges, token_table

ACTOR_TYPES = frozenset(
    {"state", "armed_group", "party", "igo", "ngo", "ministry", "agency", "media", "people"}
)

ACTORS = RuleSpec(
    name="actors",
    fields={
        "actor_id": Field(required=True),
        "name": Field(required=True),
        "actor_type": Field(required=True, choices=ACTOR_TYPES),
        "country": Field(),
        "cameo": Field(),
        "parent": Field(ref="actors.actor_id"),
        "aliases": Field(kind="list", default=[]),
        "cased_aliases": Field(kind="list", default=[]),
        "note": Field(),
    },
    unique=("actor_id",),
    description="one row per canonical actor with its names",
)

ACTOR_ALIASES = RuleSpec(
    name="actor_aliases",
    fields={
        "text": Field(required=True),
        "actor_id": Field(ref="actors.actor_id"),
        "organ": Field(),
        "kind": Field(choices=frozenset({"organ", "capital", "alias", "block"}), default="alias"),
        "cased": Field(kind="bool", default=False),
        "requires_doc": Field(kind="list", default=[]),
        "note": Field(),
    },
    unique=("text",),
    description="organs, capitals and contextual names of actors; blocked phrases",
)

#: Actor types that "the group"/"the movement" can refer back to.
GROUP_TYPES = frozenset({"armed_group", "party"})


@dataclass(frozen=True)
class Alias:
    """One name of an actor (or a blocked phrase when ``actor_id`` is None)."""

    text: str
    actor_id: str | None
    cased: bool
    kind: str = "alias"
    organ: str | None = None
    requires_doc: tuple[str, ...] = ()
    rule_id: str = ""


@dataclass(frozen=True)
class ActorInfo:
    """The attributes an ACTOR entity copies from its dictionary row."""

    actor_id: str
    name: str
    actor_type: str
    country: str | None
    cameo: str | None
    parent: str | None


def apostrophe_variants(text: str) -> set[str]:
    """Return ``text`` with straight and curly apostrophes swapped both ways."""
    return {text, text.replace("'", "\u2019"), text.replace("\u2019", "'")}


def alias_table(
    actor_rows: Sequence[RuleRow], alias_rows: Sequence[RuleRow]
) -> tuple[dict[str, ActorInfo], list[Alias]]:
    """Return the actors by id and every alias, raising on clashes.

    Raises:
        RulesError: an alias given twice (in either file, compared case-insensitively
            unless both are cased) or an alias row naming an unknown actor.
    """
    actors = {
        row["actor_id"]: ActorInfo(
            row["actor_id"],
            row["name"],
            row["actor_type"],
            row.get("country"),
            row.get("cameo"),
            row.get("parent"),
        )
        for row in actor_rows
    }
    problems: list[RuleProblem] = []
    seen: dict[str, RuleRow] = {}
    aliases: list[Alias] = []

    def add(row: RuleRow, alias: Alias) -> None:
        key = alias.text if alias.cased else alias.text.lower()
        first = seen.get(key)
        if first is not None:
            problems.append(
                RuleProblem(
                    row.path,
                    row.line,
                    f"alias {alias.text!r} already given on {first.path}:{first.line}",
                )
            )
            return
        seen[key] = row
        aliases.append(alias)

    for row in actor_rows:
        for text in row.get("aliases", []):
            add(row, Alias(text, row["actor_id"], False, rule_id=f"actor:{row['actor_id']}"))
        for text in row.get("cased_aliases", []):
            add(row, Alias(text, row["actor_id"], True, rule_id=f"actor:{row['actor_id']}"))
    for row in alias_rows:
        actor_id = row.get("actor_id")
        if row.get("kind") != "block" and actor_id not in actors:
            problems.append(
                RuleProblem(
                    row.path, row.line, f"actor_id {actor_id!r} is not a known actors.actor_id"
                )
            )
            continue
        add(
            row,
            Alias(
                row["text"],
                None if row.get("kind") == "block" else actor_id,
                bool(row.get("cased")),
                row.get("kind", "alias"),
                row.get("organ"),
                tuple(w.lower() for w in row.get("requires_doc", [])),
                f"alias:{row['text']}",
            ),
        )
    if problems:
        raise RulesError(problems)
    return actors, aliases


def sentence_index(doc: Doc) -> list[int]:
    """Return, for each token, the 0-based index of its sentence in ``list(doc.sents)``."""
    return list(token_table(doc).sent_of)


def is_place_use(doc: Doc, start: int, location_preps: frozenset[str]) -> bool:
    """Return True when the token before ``start`` makes a capital a place ("in Cairo")."""
    return start > 0 and token_table(doc).lowers[start - 1] in location_preps


def is_dateline(text: str, start_char: int, end_char: int) -> bool:
    """Return True when ``text[start_char:end_char]`` is an upper-case place name opening
    a dateline ("DOHA, Nov 10 (AFP) -", "DOHA/JERUSALEM (Reuters)"): all capitals, at the
    start of a line or after a "/" that follows another capital word, and followed by
    punctuation rather than a word (so "HAMAS SAYS ..." in a capitals headline stays)."""
    name = text[start_char:end_char]
    if not name.isupper() or sum(c.isalpha() for c in name) < 3:
        return False
    lead = max(0, start_char - 40)
    before = text[lead:start_char].rstrip(" \t")
    opens_line = before.endswith("\n") or (not before and lead == 0)
    words = before[:-1].split() if before.endswith("/") else []
    after_slash = bool(words) and words[-1].split("/")[-1].isupper()
    if not (opens_line or after_slash):
        return False
    rest = text[end_char : end_char + 3].lstrip(" ")
    return bool(rest) and not rest[0].isalnum() and rest[0] != ":"


class DictionaryEntry:
    """What the dictionary match filter reads of an alias or a person's name, as plain
    attributes (read once per match)."""

    def __init__(self, payload: Alias | PersonName) -> None:
        alias = payload if isinstance(payload, Alias) else None
        name = payload if isinstance(payload, PersonName) else None
        self.person = name is not None
        self.capital = alias is not None and alias.kind == "capital"
        self.uncased = alias is not None and not alias.cased
        self.requires_doc: tuple[str, ...] = alias.requires_doc if alias is not None else ()
        self.actor = alias is not None and alias.actor_id is not None
        self.short = name is not None and name.short
        self.person_id = name.person_id if name is not None else ""
        #: whether some required word is not found as a phrase (see _required_words)
        self.others = False


class ActorTagger(RuleComponent):
    """Find actors, people and anonymous sources; write ``doc.ents`` and ``doc._.entities``."""

    RULE_SPECS = (ACTORS, ACTOR_ALIASES, PEOPLE, TITLES, NAME_PARTS, SOURCES)

    def compile(self) -> None:
        self.actors, aliases = alias_table(
            self.rule_rows("actors"), self.rule_rows("actor_aliases")
        )
        strings = self.nlp.vocab.strings
        # one pass over a document finds names, titles and source nouns (PhraseGroups)
        self.phrases = PhraseGroups(self.nlp.vocab)
        self.lower_group = self.phrases.group("LOWER")
        self.orth_group = self.phrases.group("ORTH")
        self.payloads: dict[int, Alias | PersonName] = {}
        self.entries: dict[int, DictionaryEntry] = {}
        #: match id -> the ACTOR record of its alias with the position fields blank (filled
        #: per mention), the ``kb_id`` of its ``doc.ents`` span ("actor|rule|organ") and
        #: whether the actor is an armed group or party ("the group" can refer back to it),
        #: and the actor id
        self.prototypes: dict[int, tuple[Entity, int, bool, str]] = {}
        for i, alias in enumerate(aliases):
            match_id = self._add(f"A{i}", alias.text, alias.cased, alias)
            if alias.actor_id is not None:
                info = self.actors[alias.actor_id]
                record = Entity(
                    sentence=0,
                    start_char=0,
                    end_char=0,
                    text="",
                    label="ACTOR",
                    actor_id=alias.actor_id,
                    actor_type=info.actor_type,
                    country=info.country,
                    cameo=info.cameo,
                    organ=alias.organ or None,
                    rule_id=alias.rule_id,
                )
                kb_id = strings.add(f"{alias.actor_id}|{alias.rule_id}|{alias.organ or ''}")
                is_group = info.actor_type in GROUP_TYPES
                self.prototypes[match_id] = (record, kb_id, is_group, alias.actor_id)
        self.people = person_names(self.rule_rows("people"))
        self.person_kb: dict[int, int] = {}
        for i, name in enumerate(self.people.names):
            match_id = self._add(f"P{i}", name.text, name.cased, name)
            self.person_kb[match_id] = strings.add(name.person_id)
        self.person_context = PersonContext(
            self.nlp, self.rule_rows("titles"), self.rule_rows("name_parts"), phrases=self.phrases
        )
        self.location_preps = self.person_context.words("location_prep")
        self.sources = SourceFinder(self.nlp, self.rule_rows("sources"), phrases=self.phrases)
        self._required_words(aliases)
        self.phrases.compile()
        self.actor_label = strings.add("ACTOR")
        self.person_label = strings.add("PERSON")

    def _required_words(self, aliases: Sequence[Alias]) -> None:
        """Find the words that aliases require in the document with the other phrases: a
        word that is one token on its own is in a document when a token's lower case is
        it; the rare others are looked up in the document's words."""
        self.required_group = self.phrases.group("LOWER")
        self.required: dict[int, str] = {}  # key id -> word
        others: set[str] = set()
        for i, word in enumerate(sorted({w for a in aliases for w in a.requires_doc})):
            doc = self.nlp.make_doc(word)
            if len(doc) == 1 and doc[0].lower_ == word:
                self.required[self.phrases.add(self.required_group, f"R{i}", [doc])] = word
            else:
                others.add(word)
        for entry in self.entries.values():
            entry.others = bool(others.intersection(entry.requires_doc))

    def _add(self, key: str, text: str, cased: bool, payload: Alias | PersonName) -> int:
        group = self.orth_group if cased else self.lower_group
        docs = [self.nlp.make_doc(v) for v in sorted(apostrophe_variants(text))]
        match_id = self.phrases.add(group, key, docs)
        self.payloads[match_id] = payload
        self.entries[match_id] = DictionaryEntry(payload)
        return match_id

    def __call__(self, doc: Doc) -> Doc:
        found = self.entities(doc)
        clutter: set[int] | None = doc._.clutter_sents
        if clutter:  # page furniture ("Read more: ...") names no one
            sent_of: list[int] = token_table(doc).sent_of
            found = [e for e in found if e.sentence not in clutter]
            doc.ents = [e for e in doc.ents if sent_of[e.start] not in clutter]
        doc._.entities = found
        return doc

    def dictionary_matches(
        self, doc: Doc, found: Sequence[Sequence[tuple[int, int, int]]] | None = None
    ) -> list[tuple[int, int, int]]:
        """Return the non-overlapping ACTOR and PERSON names found by the dictionaries, as
        ``(start, end, match id)`` in text order (``self.payloads`` maps the id to the
        alias or name).

        Args:
            found: ``self.phrases(doc)``, when already run.
        """
        found = self.phrases(doc) if found is None else found
        table = token_table(doc)
        lowers: list[str] = table.lowers  # typed: the table's attributes are untyped properties
        text: str = table.text
        starts_char: list[int] = table.starts_char
        ends_char: list[int] = table.ends_char
        location_preps = self.location_preps
        words: set[str] | None = None
        present: set[str] | None = None  # required words that occur
        candidates: list[tuple[int, int, int]] = []
        entries = self.entries
        for match_id, start, end in [*found[self.lower_group], *found[self.orth_group]]:
            entry = entries[match_id]
            if not entry.person:
                if entry.capital and start > 0 and lowers[start - 1] in location_preps:
                    continue  # is_place_use
                if entry.uncased and is_dateline(text, starts_char[start], ends_char[end - 1]):
                    continue
                if entry.requires_doc:
                    if present is None:
                        required = self.required
                        present = {required[m] for m, _, _ in found[self.required_group]}
                    if not present.intersection(entry.requires_doc):
                        if not entry.others:
                            continue
                        words = words if words is not None else set(lowers)
                        if not words.intersection(entry.requires_doc):
                            continue
            candidates.append((start, end, match_id))
        seen_people: set[str] = set()
        kept: list[tuple[int, int, int]] = []
        for start, end, match_id in filter_ranges(candidates):
            entry = entries[match_id]
            if entry.person:
                if entry.short and entry.person_id not in seen_people:
                    continue
                seen_people.add(entry.person_id)
                kept.append((start, end, match_id))
            elif entry.actor:
                kept.append((start, end, match_id))
        return kept

    def dictionary_spans(self, doc: Doc) -> list[Span]:
        """Return the non-overlapping ACTOR and PERSON spans found by the dictionaries
        (label ACTOR with ``kb_id`` "actor|rule|organ", or PERSON with the person id)."""
        spans: list[Span] = []
        for start, end, match_id in self.dictionary_matches(doc):
            if match_id in self.prototypes:
                kb_id = self.prototypes[match_id][1]
                spans.append(Span(doc, start, end, label=self.actor_label, kb_id=kb_id))
            else:
                kb_id = self.person_kb[match_id]
                spans.append(Span(doc, start, end, label=self.person_label, kb_id=kb_id))
        return spans

    def entities(self, doc: Doc) -> list[Entity]:
        """Return every actor, person and source mention of ``doc`` in text order, and set
        the actor and person mentions as ``doc.ents``."""
        table = token_table(doc)
        sent_of: list[int] = table.sent_of
        text: str = table.text
        starts_char: list[int] = table.starts_char
        ends_char: list[int] = table.ends_char
        marks = EntityMarks(table.n)
        found: list[Entity] = []
        groups: list[tuple[int, str]] = []
        people: list[tuple[int, int, int]] = []  # start, end, match id (-1: from context)
        phrases = self.phrases(doc)
        prototypes, person_kb = self.prototypes, self.person_kb
        actor_label, person_label = self.actor_label, self.person_label
        for start, end, match_id in self.dictionary_matches(doc, phrases):
            prototype = prototypes.get(match_id)
            if prototype is None:
                marks.add(start, end, person_label, person_kb[match_id])
                people.append((start, end, match_id))
                continue
            record, kb_id, is_group, actor_id = prototype
            marks.add(start, end, actor_label, kb_id, actor_id)
            start_char, end_char = starts_char[start], ends_char[end - 1]
            found.append(
                at_position(record, sent_of[start], start_char, end_char, text[start_char:end_char])
            )
            if is_group:
                groups.append((start, actor_id))
        titles = self.person_context.title_matches(doc, phrases)
        unknown = self.person_context.unknown_names(
            doc, marks, titles, on_doc=partial(marks.write, doc)
        )
        for start, end in unknown:  # they overlap no dictionary mention
            marks.add(start, end, self.person_label, 0)
            people.append((start, end, -1))
        if people:
            ends = self.person_context.title_ends(titles)
            published = doc._.published
            for start, end, match_id in people:
                found.append(
                    self.person_entity(doc, marks, start, end, match_id, titles, ends, published)
                )
        marks.write(doc)
        found.extend(self.sources.entities(doc, marks, groups, self.is_person_like, phrases))
        found.sort(key=_text_order)
        return found

    def is_person_like(self, actor_id: str) -> bool:
        """Return True for actors that are peoples (weak evidence of a source's affiliation)."""
        info = self.actors.get(actor_id)
        return info is not None and info.actor_type == "people"

    def person_entity(
        self,
        doc: Doc,
        marks: EntityMarks,
        start: int,
        end: int,
        match_id: int,
        titles: Sequence[tuple[int, int, str]],
        ends: Mapping[int, tuple[int, str]],
        published: dt.date | None,
    ) -> Entity:
        """Return the PERSON record of the name ``[start, end)`` (found by the dictionary
        entry ``match_id``, or -1 by context): dictionary facts first (the row valid on
        ``published``), context for what they lack."""
        table = token_table(doc)
        context = self.person_context.describe(table, marks, start, end, titles, ends)
        payload = self.payloads.get(match_id)
        person_id = payload.person_id if isinstance(payload, PersonName) else ""
        row = pick_person_row(self.people.rows.get(person_id, []), published)
        affiliation = row.get("affiliation_id") if row else None
        if affiliation is None and row is None:
            affiliation = context.affiliation_id
        title = context.title or (row.get("title") if row else None) or context.appositive_title
        start_char, end_char = table.starts_char[start], table.ends_char[end - 1]
        return Entity(
            sentence=table.sent_of[start],
            start_char=start_char,
            end_char=end_char,
            text=table.text[start_char:end_char],
            label="PERSON",
            affiliation_id=affiliation,
            title=title,
            rule_id=f"person:{person_id}" if row else context.rule_id,
        )


def at_position(record: Entity, sentence: int, start_char: int, end_char: int, text: str) -> Entity:
    """Return a copy of ``record`` (a frozen Entity) at another position: what
    ``dataclasses.replace`` returns, without running the frozen ``__init__`` again."""
    copy = object.__new__(Entity)
    fields = copy.__dict__
    fields.update(record.__dict__)
    fields["sentence"] = sentence
    fields["start_char"] = start_char
    fields["end_char"] = end_char
    fields["text"] = text
    return copy


def _text_order(entity: Entity) -> tuple[int, int]:
    return entity.start_char, -entity.end_char


def actor_ids(entities: Iterable[Entity]) -> set[str]:
    """Return the actor ids mentioned (ACTOR entities only)."""
    return {e.actor_id for e in entities if e.label == "ACTOR" and e.actor_id}


@Language.factory("ceasefire_actors")
def make_actor_tagger(nlp: Language, name: str) -> ActorTagger:
    """Factory for ``ceasefire_actors``."""
    return ActorTagger(nlp, name)
