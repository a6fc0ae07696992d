"""Mediator, guarantor and party roles: the ``ceasefire_roles`` component.

A role belongs to a mention in a sentence, not to an actor. Each sentence is first
assigned to a conflict of ``rules/conflicts.jsonl`` (:func:`sentence_conflicts`: the
conflict whose parties and marker words it names most, else the previous sentence's,
else the document's). Cues from ``rules/role_cues.jsonl`` (Matcher token patterns on
lower case and lemmas) then give the mediator or guarantor role to the actor group the
cue's scope points at (:func:`group_mentions` joins mentions separated only by
connector phrases, so "Qatar, backed by Egypt and the United States, helped broker"
is one group). A cue may also need a party mention next to it (``party_gap``: "a
Hamas delegation") or inside it (``span_parties``: "pressing Israel and Hamas to
agree"), or a party in the group it picks (``with_party``: "negotiators from the United
States, Israel and Qatar"); partner phrases pass a left-scope role on to the partner group
("guarantees the deal together with Qatar", "efforts with Egypt to broker" -> the subject
too). An actor mention carries the title words after it ("Qatari Prime Minister Sheikh
Mohammed ...", "CIA chief"), so the title joins it to the person or the next name; the
sentence subject is looked for after a dateline ("DOHA (AFP) - Qatar said ...").
Only the target conflict gets these roles, and its parties never do;
remaining mentions of the sentence conflict's parties get role "party". A person
counts through ``affiliation_id``. ``role_rule`` names the cue (or the conflict).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from pipeline.actors import ACTOR_TYPES, ACTORS
from pipeline.component import RuleComponent
from pipeline.matchwindows import WindowMatcher
from pipeline.records import Entity
from pipeline.rules import Field, RuleProblem, RuleRow, RulesError, RuleSpec
from pipeline.tokens import TokenTable, WordClass, token_table

ROLES = frozenset({"mediator", "guarantor"})
SCOPES = frozenset({"near", "before", "left", "right", "sentence", "host", "inside"})
#: Role precedence when cues give one mention several roles: the narrower guarantor role
#: wins ("Egypt, Qatar and the US, which brokered the deal, will act as guarantors").
ROLE_RANK = {"guarantor": 3, "mediator": 2, "party": 1}
#: Precedence across an article's mentions of one actor: having mediated anywhere in
#: it makes the actor one of the article's mediators.
ARTICLE_RANK = {"mediator": 3, "guarantor": 2, "party": 1}
#: How many tokens into its sentence a group may start and still be the subject.
SUBJECT_START = 4
#: How many tokens may lie between a cue and a partner phrase after it ("mediating between
#: Israel and Hamas alongside"), and between the phrase and its group ("with our Egyptian").
PARTNER_GAP = 6
PARTNER_REACH = 1
#: A capitalised place opening its sentence with at least this many letters is a dateline;
#: a dateline ends within this many tokens.
DATELINE_MIN = 4
DATELINE_TOKENS = 8
#: A sentence opening without lower-case letters ("DOHA, Nov 10 (AFP) -", "14:55 GMT -")
#: ends at a dash token within this many tokens: the subject comes after it.
OPENING_TOKENS = 14
#: At most this many title tokens are carried by the actor mention before them.
TITLE_TOKENS = 5

CONFLICTS = RuleSpec(
    name="conflicts",
    fields={
        "conflict_id": Field(required=True),
        "target": Field(kind="bool", default=False),
        "parties": Field(kind="list", required=True, ref="actors.actor_id"),
        "markers": Field(kind="list", default=[]),
        "mediator_types": Field(kind="list", choices=ACTOR_TYPES, default=["state", "igo"]),
        "note": Field(),
    },
    unique=("conflict_id",),
    description="conflicts, their parties and the words that signal them",
)

ROLE_CUES = RuleSpec(
    name="role_cues",
    fields={
        "id": Field(required=True),
        "kind": Field(
            choices=frozenset({"cue", "connector", "partner", "title", "dash"}), default="cue"
        ),
        "role": Field(choices=ROLES),
        "scope": Field(choices=SCOPES),
        "pattern": Field(kind="any"),
        "phrase": Field(),
        "max_gap": Field(kind="int", default=8),
        "party_gap": Field(kind="int"),
        "span_parties": Field(kind="int", default=0),
        "with_party": Field(kind="bool", default=False),
        "stack": Field(kind="bool", default=False),
        "requires": Field(kind="list", default=[]),
        "types": Field(kind="list", choices=ACTOR_TYPES, default=[]),
        "note": Field(),
    },
    unique=("id",),
    description="cues that make actors mediators or guarantors; connector, partner and title words",
)


@dataclass(frozen=True)
class Conflict:
    """One conflict: its parties, marker words and who may mediate it."""

    conflict_id: str
    target: bool
    parties: frozenset[str]
    markers: frozenset[str]
    mediator_types: frozenset[str]


@dataclass(frozen=True)
class Cue:
    """One role cue row, ready to apply."""

    cue_id: str
    role: str
    scope: str
    max_gap: int
    requires: frozenset[str]
    types: frozenset[str]
    party_gap: int | None = None  # a party mention must lie within this many tokens
    span_parties: int = 0  # distinct parties the cue's own tokens must mention
    with_party: bool = False  # the group the cue picks must hold a party mention
    stack: bool = False  # applied even where a longer cue overlaps it


class Mention:
    """An entity's token span and the actor it counts for (its own id or its affiliation);
    a plain class: mypyc compiles its ``__init__`` (a dataclass keeps the generated one)."""

    index: int
    start: int
    end: int
    actor_id: str | None
    sentence: int
    label: str

    def __init__(
        self,
        index: int,
        start: int,
        end: int,
        actor_id: str | None,
        sentence: int,
        label: str = "ACTOR",
    ) -> None:
        self.index = index
        self.start = start
        self.end = end
        self.actor_id = actor_id
        self.sentence = sentence
        self.label = label


def with_role(entity: Entity, role: str, rule: str) -> Entity:
    """Return a copy of a frozen ``entity`` with ``role`` and ``role_rule``: what
    ``dataclasses.replace`` returns, without running the frozen ``__init__`` again (nor
    :func:`~pipeline.records.evolve`'s keyword checks: a role per mention of every doc)."""
    copy = object.__new__(Entity)
    fields = copy.__dict__
    fields.update(entity.__dict__)
    fields["role"] = role
    fields["role_rule"] = rule
    return copy


def conflict_scores(
    actors: set[str], words: set[str], conflicts: Sequence[Conflict]
) -> dict[str, int]:
    """Return, per conflict, how many of its parties and marker words a text names."""
    return {c.conflict_id: len(actors & c.parties) + len(words & c.markers) for c in conflicts}


def sentence_conflicts(
    actors_by_sentence: Sequence[set[str]],
    words_by_sentence: Sequence[set[str]],
    conflicts: Sequence[Conflict],
) -> list[Conflict]:
    """Return the conflict of each sentence: best score, ties broken by the previous sentence's
    conflict, then the document's (which prefers the target conflict on ties)."""
    by_id = {c.conflict_id: c for c in conflicts}
    order = sorted(conflicts, key=lambda c: not c.target)
    doc_scores = conflict_scores(
        set().union(*actors_by_sentence), set().union(*words_by_sentence), conflicts
    )
    doc_best = max(order, key=lambda c: doc_scores[c.conflict_id])
    result: list[Conflict] = []
    previous = doc_best
    for actors, words in zip(actors_by_sentence, words_by_sentence, strict=True):
        if not actors and not words:  # every score is 0
            result.append(previous)
            continue
        scores = conflict_scores(actors, words, conflicts)
        top = max(scores.values(), default=0)
        if top == 0:
            result.append(previous)
            continue
        tied = [by_id[cid] for cid, score in scores.items() if score == top]
        choice = previous if previous in tied else (doc_best if doc_best in tied else tied[0])
        result.append(choice)
        previous = choice
    return result


def group_mentions(mentions: Sequence[Mention], connector_tokens: set[int]) -> list[list[Mention]]:
    """Return mentions (sorted, one sentence) grouped when only connector tokens lie between."""
    groups: list[list[Mention]] = []
    for mention in mentions:
        if groups and all(i in connector_tokens for i in range(groups[-1][-1].end, mention.start)):
            groups[-1].append(mention)
        else:
            groups.append([mention])
    return groups


def is_dateline(text: str, opening: str) -> bool:
    """Return whether a mention is (part of) a dateline, given the text of its sentence
    before it: an all-capitals name opening the sentence ("CAIRO (AP) -"), or the name
    after an all-capitals place and a comma ("SHARM EL-SHEIKH, Egypt -")."""
    if not opening.strip():
        return sum(c.isalpha() for c in text) >= DATELINE_MIN and text.isupper()
    return (
        opening.rstrip().endswith(",")
        and opening.isupper()
        and sum(c.isalpha() for c in opening) >= DATELINE_MIN
    )


def article_roles(entities: Iterable[Entity]) -> dict[str, str]:
    """Return each actor's strongest role in an article (mediator > guarantor > party)."""
    roles: dict[str, str] = {}
    for entity in entities:
        actor = entity.actor_id or entity.affiliation_id
        if (
            actor
            and entity.role
            and ARTICLE_RANK[entity.role] > ARTICLE_RANK.get(roles.get(actor, ""), 0)
        ):
            roles[actor] = entity.role
    return roles


def actors_with_role(entities: Iterable[Entity], role: str) -> set[str]:
    """Return the actors whose strongest role in the article is ``role``."""
    return {actor for actor, r in article_roles(entities).items() if r == role}


class RoleTagger(RuleComponent):
    """Set ``role`` and ``role_rule`` on the entities the actor component found."""

    RULE_SPECS = (ACTORS, CONFLICTS, ROLE_CUES)

    def compile(self) -> None:
        self.actor_types = {row["actor_id"]: row["actor_type"] for row in self.rule_rows("actors")}
        self.conflicts = [
            Conflict(
                row["conflict_id"],
                bool(row.get("target")),
                frozenset(row["parties"]),
                frozenset(w.lower() for w in row.get("markers", [])),
                frozenset(row.get("mediator_types", [])),
            )
            for row in self.rule_rows("conflicts")
        ]
        self.cue_matcher = WindowMatcher(self.nlp.vocab)
        self.connector_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.partner_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.connector_words: set[int] = set()  # LOWER ids of one-token connectors
        self.title_words: set[str] = set()  # lower-case words an actor mention carries
        self.dash_words: set[str] = set()  # tokens that end a dateline opening
        self.cues: dict[int, Cue] = {}
        problems: list[RuleProblem] = []
        for row in self.rule_rows("role_cues"):
            problems.extend(self._add_row(row))
        if problems:
            raise RulesError(problems)
        self.connector_class = WordClass(frozenset(self.connector_words))
        self.title_class = WordClass.of(self.nlp.vocab.strings, self.title_words)
        strings = self.nlp.vocab.strings
        # Only these words of a sentence matter: conflict markers and cue requirements.
        self.context_words = WordClass.of(
            strings,
            {w for c in self.conflicts for w in c.markers}
            | {w for cue in self.cues.values() for w in cue.requires},
        )

    def _add_row(self, row: RuleRow) -> list[RuleProblem]:
        """Add one cue, connector or partner row; return what is wrong with it."""
        if row.get("kind") == "partner":
            if not row.get("phrase"):
                return [RuleProblem(row.path, row.line, "a partner needs a phrase")]
            self.partner_matcher.add("PARTNER", [self.nlp.make_doc(row["phrase"])])
            return []
        if row.get("kind") in {"title", "dash"}:
            phrase = self.nlp.make_doc(row.get("phrase") or "")
            if len(phrase) != 1:
                return [RuleProblem(row.path, row.line, f"a {row['kind']} is one token")]
            words = self.title_words if row["kind"] == "title" else self.dash_words
            words.add(phrase[0].lower_)
            return []
        if row.get("kind") == "connector":
            if not row.get("phrase"):
                return [RuleProblem(row.path, row.line, "a connector needs a phrase")]
            phrase = self.nlp.make_doc(row["phrase"])
            if len(phrase) == 1:  # one-token connectors ("and", ",") come from the word table
                self.connector_words.add(phrase[0].lower)
            else:
                self.connector_matcher.add("CONNECTOR", [phrase])
            return []
        missing = [k for k in ("role", "scope", "pattern") if not row.get(k)]
        if missing:
            return [RuleProblem(row.path, row.line, f"a cue needs {', '.join(missing)}")]
        try:
            self.cue_matcher.add(row["id"], row["pattern"])
        except (ValueError, TypeError) as exc:
            return [RuleProblem(row.path, row.line, f"bad pattern: {exc}")]
        self.cues[self.nlp.vocab.strings[row["id"]]] = Cue(
            row["id"],
            row["role"],
            row["scope"],
            int(row.get("max_gap", 8)),
            frozenset(w.lower() for w in row.get("requires", [])),
            frozenset(row.get("types", [])),
            row.get("party_gap"),
            int(row.get("span_parties", 0)),
            bool(row.get("with_party")),
            bool(row.get("stack")),
        )
        return []

    def __call__(self, doc: Doc) -> Doc:
        entities = list(doc._.entities or [])
        if entities:
            doc._.entities = self.assign_roles(doc, entities)
        elif doc._.entities is None:
            doc._.entities = []
        return doc

    def assign_roles(self, doc: Doc, entities: list[Entity]) -> list[Entity]:
        """Return ``entities`` with roles set for this document."""
        table = token_table(doc)
        sent_of = table.sent_of
        bounds = list(zip(table.sent_starts, table.sent_ends, strict=True))
        mentions = self._mentions(table, entities)
        by_sentence: list[list[Mention]] = [[] for _ in bounds]
        for m in mentions:
            by_sentence[m.sentence].append(m)
        actors = [{m.actor_id for m in ms if m.actor_id} for ms in by_sentence]
        words = self._sentence_words(table, len(bounds))
        conflicts = sentence_conflicts(actors, words, self.conflicts)
        doc._.target_sents = {s for s, conflict in enumerate(conflicts) if conflict.target}
        connectors: set[int] | None = None  # computed when a cue needs groups
        partners: dict[int, int] | None = None  # partner phrase start -> end, likewise
        anchored: set[str] = set()  # cues once next to a party ("the delegation" = theirs)
        roles: dict[int, tuple[str, str]] = {}
        # Only sentences that could hold a mediator are searched for cues.
        searched = [
            bounds[s]
            for s in range(len(bounds))
            if conflicts[s].target and self._candidates(by_sentence[s], conflicts[s], None)
        ]
        cue_spans = []  # the cues whose sentence and parties fit, before overlaps are resolved
        for match_id, start, end in self.cue_matcher(doc, searched):
            span = Span(doc, start, end, label=match_id)
            cue = self.cues[match_id]
            s = sent_of[start]
            if not conflicts[s].target or (cue.requires and not cue.requires & words[s]):
                continue
            if self._anchored(cue, span, by_sentence[s], conflicts[s]):
                anchored.add(cue.cue_id)
            elif not (cue.cue_id in anchored and cue.span_parties == 0):
                continue
            cue_spans.append(span)
        # Overlapping cues: the longest that gives a role wins (one that finds no actor
        # leaves its tokens to the shorter cues inside it).
        taken: set[int] = set()
        applied: list[tuple[int, Cue, list[Mention]]] = []
        for span in sorted(cue_spans, key=lambda sp: (sp.start - sp.end, sp.start)):
            cue = self.cues[span.label]
            if not cue.stack and any(i in taken for i in range(span.start, span.end)):
                continue
            s = sent_of[span.start]
            if connectors is None and cue.scope not in {"sentence", "host", "inside"}:
                connectors = self._connectors(table)
                partners = {a: b for _, a, b in self.partner_matcher(doc)}
            chosen = self._scope(
                cue,
                span,
                by_sentence[s],
                conflicts[s],
                connectors or set(),
                self._subject_start(table, bounds[s]),
                partners,
            )
            if chosen and not cue.stack:
                taken.update(range(span.start, span.end))
            if chosen:
                applied.append((span.start, cue, chosen))
        for _, cue, chosen in sorted(applied, key=lambda a: a[0]):
            for m in chosen:
                old = roles.get(m.index)
                if old is None or ROLE_RANK[cue.role] > ROLE_RANK[old[0]]:
                    roles[m.index] = (cue.role, cue.cue_id)
        best: dict[tuple[int, str], tuple[str, str]] = {}
        for m in mentions:
            if m.index in roles and m.actor_id:
                key = (m.sentence, m.actor_id)
                if key not in best or ROLE_RANK[roles[m.index][0]] > ROLE_RANK[best[key][0]]:
                    best[key] = roles[m.index]
        for m in mentions:
            if m.actor_id and (m.sentence, m.actor_id) in best:
                roles[m.index] = best[(m.sentence, m.actor_id)]
        for m in mentions:
            conflict = conflicts[m.sentence]
            if m.index not in roles and m.actor_id in conflict.parties:
                roles[m.index] = ("party", f"party:{conflict.conflict_id}")
        return [
            with_role(e, roles[i][0], roles[i][1]) if i in roles else e
            for i, e in enumerate(entities)
        ]

    @staticmethod
    def _anchored(cue: Cue, span: Span, mentions: Sequence[Mention], conflict: Conflict) -> bool:
        """Return whether the conflict's parties are where the cue needs them: one as the
        closest mention on either side within ``party_gap`` tokens of the cue (or on it),
        ``span_parties`` distinct ones inside it. (A cue
        anchored once by ``party_gap`` stays anchored for the rest of the document: "A Hamas
        delegation arrived ... The delegation met Egyptian officials".)"""
        if cue.party_gap is not None:
            near = [
                m
                for m in mentions
                if m.start - span.end <= cue.party_gap and span.start - m.end <= cue.party_gap
            ]
            left = [m for m in near if m.end <= span.start]
            right = [m for m in near if m.start >= span.end]
            # the closest mention on each side owns the cue ("Turkey's delegation met Hamas")
            owners = [m for m in near if m.start < span.end and m.end > span.start]
            owners += [max(left, key=lambda m: m.end)] if left else []
            owners += [min(right, key=lambda m: m.start)] if right else []
            if not any(m.actor_id in conflict.parties for m in owners):
                return False
        inside = {
            m.actor_id
            for m in mentions
            if m.actor_id in conflict.parties and m.start >= span.start and m.end <= span.end
        }
        return len(inside) >= cue.span_parties

    def _subject_start(self, table: TokenTable, bound: tuple[int, int]) -> int:
        """Return where a sentence's subject may start: after the dash of an opening
        without lower-case letters ("DOHA, Nov 10 (AFP) - Qatar said"), else its start."""
        start, end = bound
        if start >= end or any(c.islower() for c in table.doc[start].text):
            return start
        for i in range(start + 1, min(end, start + OPENING_TOKENS)):
            if table.lowers[i] in self.dash_words:
                return i + 1
        return start

    def _connectors(self, table: TokenTable) -> set[int]:
        """Return the positions of connector tokens (one-token ones and phrases)."""
        found = set(np.flatnonzero(table.in_class(self.connector_class)).tolist())
        found.update(i for _, a, b in self.connector_matcher(table.doc) for i in range(a, b))
        return found

    def _sentence_words(self, table: TokenTable, n_sents: int) -> list[set[str]]:
        """Return, per sentence, its lower-case words that are conflict markers or cue
        requirements (the only words :func:`sentence_conflicts` and cues compare)."""
        words: list[set[str]] = [set() for _ in range(n_sents)]
        if not table.n:
            return words
        lowers = table.lowers
        sent_of = table.sent_of
        for i in np.flatnonzero(table.in_class(self.context_words)).tolist():
            words[sent_of[i]].add(lowers[i])
        return words

    def _mentions(self, table: TokenTable, entities: Sequence[Entity]) -> list[Mention]:
        """Return the token span of each ACTOR and PERSON entity and the actor it counts for.

        A role belongs to an actor in a sentence, so sources (which only claim) and
        datelines (where a report was filed: "CAIRO (AP) -") get none; a person in capitals
        opening a sentence is a transcript's speaker ("AL-ANSARI: ..."), not a dateline.
        """
        found: list[Mention] = []
        titles = table.in_class(self.title_class) if self.title_words else None
        for i, e in enumerate(entities):
            if e.label == "SOURCE":
                continue
            span = table.token_span(e.start_char, e.end_char)
            if span is None:
                continue
            sent_start = table.sent_starts[e.sentence]
            if (
                e.label == "ACTOR"
                and span[0] - sent_start < DATELINE_TOKENS
                and is_dateline(e.text, table.text[table.starts_char[sent_start] : e.start_char])
            ):
                continue
            end = span[1]
            if titles is not None and e.label == "ACTOR":  # "Qatari Prime Minister", "CIA chief"
                limit = min(table.sent_ends[e.sentence], end + TITLE_TOKENS)
                while end < limit and titles[end]:
                    end += 1
            found.append(
                Mention(i, span[0], end, e.actor_id or e.affiliation_id, e.sentence, e.label)
            )
        return found

    def _candidates(
        self, group: Iterable[Mention], conflict: Conflict, cue: Cue | None
    ) -> list[Mention]:
        """Return the mentions of a group that may take the role (no parties, allowed types)."""
        types = (cue.types if cue else None) or conflict.mediator_types
        return [
            m
            for m in group
            if m.actor_id
            and m.actor_id not in conflict.parties
            and self.actor_types.get(m.actor_id) in types
        ]

    def _scope(
        self,
        cue: Cue,
        span: Span,
        mentions: Sequence[Mention],
        conflict: Conflict,
        connectors: set[int],
        sent_start: int,
        partners: Mapping[int, int] | None = None,
    ) -> list[Mention]:
        """Return the mentions a cue gives its role to."""
        if cue.scope == "sentence":
            return self._candidates(mentions, conflict, cue)
        if cue.scope == "inside":
            inside = [m for m in mentions if m.start >= span.start and m.end <= span.end]
            return self._candidates(inside, conflict, cue)
        if cue.scope == "host":
            if not any(m.actor_id in conflict.parties for m in mentions):
                return []
            return self._candidates(mentions, conflict, cue)
        groups = group_mentions(mentions, connectors)
        if cue.with_party:  # only a group that names a party ("negotiators from the US, Israel")
            groups = [g for g in groups if any(m.actor_id in conflict.parties for m in g)]
        left = [
            g for g in groups if g[-1].end <= span.start and span.start - g[-1].end <= cue.max_gap
        ]
        right = [
            g for g in groups if g[0].start >= span.end and g[0].start - span.end <= cue.max_gap
        ]
        if cue.scope in {"left", "near", "before"} and left:
            chosen = self._candidates(left[-1], conflict, cue)
            if chosen:
                return chosen + self._partnered(
                    left[-1], span, groups, partners or {}, conflict, cue, sent_start
                )
            if cue.scope == "before":
                return chosen
        elif cue.scope == "left" and partners:  # "We are mediating, together with Egypt"
            after = self._partners_after(span, groups, partners, conflict, cue)
            if after:
                return after
        if cue.scope in {"right", "near"} and right:
            chosen = self._candidates(right[0], conflict, cue)
            if chosen or cue.scope == "right":
                return chosen
        if cue.scope in {"left", "near"}:
            subject = [
                g
                for g in groups
                if 0 <= g[0].start - sent_start < SUBJECT_START and g[-1].end <= span.start
            ]
            if subject:
                chosen = self._candidates(subject[0], conflict, cue)
                if chosen:
                    return chosen + self._partnered(
                        subject[0], span, groups, partners or {}, conflict, cue, sent_start
                    )
        return []

    def _partnered(
        self,
        group: Sequence[Mention],
        span: Span,
        groups: Sequence[Sequence[Mention]],
        partners: Mapping[int, int],
        conflict: Conflict,
        cue: Cue,
        sent_start: int,
    ) -> list[Mention]:
        """Return the mediators a partner phrase adds to ``group``, which took a cue's role
        from the left: the group right after a partner phrase that follows the cue ("which
        guarantees the deal together with Qatar"), and the sentence's subject when ``group``
        itself follows a partner phrase ("Qatar ... stepping up efforts with Egypt to broker")."""
        found: list[Mention] = list(self._partners_after(span, groups, partners, conflict, cue))
        for start, end in partners.items():
            if end == group[0].start:
                subject = [
                    g
                    for g in groups
                    if 0 <= g[0].start - sent_start < SUBJECT_START and g[-1].end <= start
                ]
                if subject:
                    found.extend(subject[0])
        return self._candidates(found, conflict, cue)

    def _partners_after(
        self,
        span: Span,
        groups: Sequence[Sequence[Mention]],
        partners: Mapping[int, int],
        conflict: Conflict,
        cue: Cue,
    ) -> list[Mention]:
        """Return the possible mediators of the group right after a partner phrase that
        follows the cue ("guarantees the deal together with Qatar", "mediating between
        Israel and Hamas alongside Egypt", "together with our Egyptian partners"): only the
        conflict's parties may stand between the cue and the phrase."""
        found: list[Mention] = []
        for start, end in partners.items():
            if not span.end <= start <= span.end + PARTNER_GAP:
                continue
            between = [g for g in groups if span.end <= g[0].start < start]
            if any(m.actor_id not in conflict.parties for g in between for m in g):
                continue
            after = next((g for g in groups if end <= g[0].start <= end + PARTNER_REACH), None)
            if after is not None:
                found.extend(after)
        return self._candidates(found, conflict, cue)


def roles_by_actor(entities: Iterable[Entity]) -> Mapping[str, set[str]]:
    """Return role -> actors with that strongest role, for reports and tests."""
    result: dict[str, set[str]] = {}
    for actor, role in article_roles(entities).items():
        result.setdefault(role, set()).add(actor)
    return result


@Language.factory("ceasefire_roles")
def make_role_tagger(nlp: Language, name: str) -> RoleTagger:
    """Factory for ``ceasefire_roles``."""
    return RoleTagger(nlp, name)
