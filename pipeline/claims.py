"""Attributed claim tuples: who did what to whom, how many, when, and who says so.

``iter_claims(doc, rules)`` reads what the earlier components left on the Doc
(entities, quantities, dates, headline flags) and yields one
:class:`~pipeline.records.Claim` per reported fact. Two anchors make a claim: a
quantity whose category maps to a claim type (``rules/claim_quantities.jsonl``:
casualties, captives, aid, plan parts, truce durations), or a trigger from
``rules/claim_triggers.jsonl`` (visit, broker, dismiss, insist, "put forward"...).
Subjects are the nearest eligible actor left of the trigger within the clause
(or the passive agent after it), objects the counted group or the actor right
of the trigger; modality comes from ``claim_modality.jsonl`` cues in a window,
the claimant from :mod:`pipeline.attribution`. Everything is linear per sentence.
The component then reconciles claims with roles: a mediation claim whose doer is a party
of the conflict in its sentence is dropped (:func:`claims_without_party_doers`), and the
doer of a mediation claim takes the mediator or guarantor role where the role tagger
gave none (:func:`roles_from_claims`).
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from pipeline.actors import ACTOR_ALIASES
from pipeline.attribution import (
    CLAIM_ANAPHORS,
    CLAIM_CUES,
    CLAIM_LEXICON,
    CLAIM_SETTINGS,
    LEXICON_KINDS,
    Attribution,
    CueHit,
    DocView,
    Mention,
    Row,
    Settings,
    antecedent_person,
    build_view,
    coordinated_after,
    inherited_attribution,
    is_blocked,
    is_compound,
    is_question,
    sentence_attributions,
    settings_from_rows,
)
from pipeline.component import RuleComponent
from pipeline.records import Claim, Entity, Quantity, build
from pipeline.roles import with_role
from pipeline.rules import Field, RuleProblem, RuleRow, RulesError, RuleSpec
from pipeline.tokens import TokenTable, WordClass, token_table

CLAIM_TYPES = frozenset(
    {
        "casualties",
        "captives",
        "proposal",
        "response",
        "meeting",
        "mediation",
        "demand",
        "aid",
        "ceasefire",
    }
)
MODALITIES = frozenset(
    {"asserted", "expected", "planned", "proposed", "conditional", "negated", "hedged"}
)
_SIDES = frozenset({"left", "right", "both"})

CLAIM_TRIGGERS = RuleSpec(
    name="claim_triggers",
    fields={
        "id": Field(required=True),
        "lemma": Field(),  # space-separated tokens, each "a|b" alternatives, matched on LEMMA
        "text": Field(),  # same, matched on LOWER
        "claim_type": Field(required=True, choices=CLAIM_TYPES),
        "predicate": Field(required=True),
        "category": Field(),
        "near": Field(choices=LEXICON_KINDS),
        "near_side": Field(choices=_SIDES, default="both"),
        "near_window": Field(kind="int", default=4),
        "not_prev": Field(kind="list", default=[]),
        "not_next": Field(kind="list", default=[]),
        "not_soon_after": Field(kind="list", default=[]),  # none of these words within
        "not_soon_after_window": Field(kind="int", default=3),  # this many tokens right
        # ("agreed to extend the truce": an extension, not the truce agreed)
        "needs_before": Field(kind="list", default=[]),  # one of these words within
        "needs_before_window": Field(kind="int", default=8),  # this many tokens left
        "not_before": Field(kind="list", default=[]),  # none of these words within
        "not_before_window": Field(kind="int", default=6),  # this many tokens left
        # ("until a ceasefire takes hold", "if no deal is reached": a condition, no event)
        # ("no release until ...", "will not disarm before ...": a condition, a demand)
        "not_after": Field(kind="list", choices=LEXICON_KINDS, default=[]),
        "subject_block_after": Field(kind="list", choices=LEXICON_KINDS, default=[]),
        "subject": Field(
            choices=frozenset({"left", "possessive", "right", "none"}), default="left"
        ),  # right: only the actors after the trigger (subject_right)
        "subject_fallback": Field(choices=frozenset({"claimant", "none"}), default="none"),
        "then_left": Field(kind="bool", default=False),  # possessive: no possessor and no
        # subject_right actor -> the actor left of the trigger ("Hamas delivered its response")
        # left: the actor left of the trigger (the host in "Egypt, which hosted Hamas and
        # Fatah delegations": the delegations visit Egypt)
        "object": Field(
            choices=frozenset({"right", "any", "group", "left", "none"}), default="right"
        ),
        "object_window": Field(kind="int"),
        "passive_check": Field(kind="bool", default=True),
        "each_subject": Field(kind="bool", default=False),
        "modality": Field(choices=MODALITIES),
        "priority": Field(kind="int", default=0),
        "needs_quantity": Field(kind="bool", default=False),
        "link": Field(kind="bool", default=False),
        "requires": Field(
            kind="list", choices=frozenset({"subject", "object", "doer"}), default=[]
        ),
        # doer: a subject, or a speaker with an affiliation to fall back on (subject_fallback)
        "background_after": Field(kind="list", default=[]),  # "since the truce began, N
        # were killed, the ministry said": after these words the event is background,
        # not the speaker's claim (no claimant)
        "agent_window": Field(kind="int", default=4),  # how far "by X" may follow
        "agent_pass": Field(kind="list", default=[]),  # words between "by" and the agent
        # ("by officials from the United States, Qatar and Egypt")
        "subject_right": Field(kind="list"),  # no possessor: the actor(s) right after the
        # trigger, past these words and determiners ("mediators Qatar and Egypt",
        # "a proposal from Egyptian and Qatari mediators")
        "suppress": Field(kind="list", choices=CLAIM_TYPES, default=[]),
        "topic_window": Field(kind="int", default=12),
        "note": Field(),
    },
    unique=("id",),
    description="words that make or qualify a claim: type, predicate, where its actors are",
)

CLAIM_QUANTITIES = RuleSpec(
    name="claim_quantities",
    fields={
        "category": Field(required=True),
        "claim_type": Field(choices=CLAIM_TYPES),
        "adopt_types": Field(kind="list", choices=CLAIM_TYPES, default=[]),
        "predicate": Field(),
        "claim_category": Field(),
        "default_category": Field(),
        "modal_categories": Field(kind="list", choices=MODALITIES, default=[]),
        "modal_category": Field(),
        "modal_predicate": Field(),
        "requires_group": Field(kind="bool", default=False),
        "group_types": Field(kind="list", choices=CLAIM_TYPES, default=[]),  # requires_group
        # only for these adopted types (a bare count freed needs a group; meals dropped not)
        "near": Field(choices=LEXICON_KINDS),
        "near_window": Field(kind="int", default=4),
        "object": Field(choices=frozenset({"group", "right", "none"}), default="group"),
        "subject_fallback": Field(choices=frozenset({"claimant", "none"}), default="none"),
        "subject": Field(choices=frozenset({"left", "none"}), default="left"),
        "shared": Field(kind="bool", default=False),
        "lend_to": Field(kind="list", choices=CLAIM_TYPES, default=[]),
        # the doer when the text names none, for these predicates only: prisoners are
        # released by the state that holds them
        "default_subject": Field(),
        "default_subject_predicates": Field(kind="list", default=[]),
        "lend_window": Field(kind="int", default=10),
        "note": Field(),
    },
    unique=("category",),
    description="quantity categories that anchor a claim (killed -> casualties)",
)

CLAIM_MODALITY = RuleSpec(
    name="claim_modality",
    fields={
        "text": Field(required=True),
        "modality": Field(required=True, choices=MODALITIES),
        "priority": Field(kind="int", default=0),
        "side": Field(choices=_SIDES, default="left"),
        "window": Field(kind="int"),
        "claim_types": Field(kind="list", choices=CLAIM_TYPES, default=[]),
        "not_own": Field(kind="bool", default=False),  # the trigger word itself: no cue
        "note": Field(),
    },
    unique=("text", "claim_types"),
    description="words that make a claim expected, planned, negated, hedged...",
)

CLAIM_TOPICS = RuleSpec(
    name="claim_topics",
    fields={
        "text": Field(required=True),
        "claim_type": Field(required=True, choices=CLAIM_TYPES),
        "category": Field(required=True),
        "note": Field(),
    },
    unique=("text", "claim_type"),
    description="what a demand is about: its category",
)

CLAIM_GROUPS = RuleSpec(
    name="claim_groups",
    fields={
        "actor_id": Field(required=True),
        "group": Field(),
        "opponent_group": Field(),
        "captive_category": Field(),
        "default_for": Field(kind="list", default=[]),
        "reporter_group": Field(),
        "note": Field(),
    },
    unique=("actor_id",),
    description="actor -> the people group counted as its victims or captives",
)

SPECS: tuple[RuleSpec, ...] = (
    CLAIM_TRIGGERS,
    CLAIM_QUANTITIES,
    CLAIM_MODALITY,
    CLAIM_TOPICS,
    CLAIM_GROUPS,
    CLAIM_LEXICON,
    CLAIM_ANAPHORS,
    CLAIM_CUES,
    CLAIM_SETTINGS,
    ACTOR_ALIASES,  # capitals: "arrived in Cairo" visits the state (place_object_types)
)


# -- compiled rules -------------------------------------------------------------------


def word_sequences(words: str) -> list[list[str]]:
    """Return every token sequence a pattern stands for: one token per space-separated
    word, ``a|b`` = alternatives ("put|putt forward" -> [put, forward], [putt, forward])."""
    return [list(seq) for seq in itertools.product(*(w.split("|") for w in words.split()))]


def pattern_docs(vocab: Vocab, words: str, *, lemma: bool) -> list[Doc]:
    """Return the phrase patterns of a rule: docs whose LEMMA (or LOWER) is the words."""
    return [
        Doc(vocab, words=seq, lemmas=seq) if lemma else Doc(vocab, words=seq)
        for seq in word_sequences(words)
    ]


@dataclass
class ClaimRules:
    """Claim rule rows with the matchers built from them (built once per pipeline)."""

    rows: dict[str, list[Row]]
    settings: Settings
    matcher: PhraseMatcher  # lemma patterns
    phrases: PhraseMatcher  # lower-case patterns
    quantity_rules: dict[str, Row] = field(default_factory=dict)
    groups: dict[str, Row] = field(default_factory=dict)
    default_groups: dict[str, str] = field(default_factory=dict)
    #: match id -> ``(file, row)``, or the lexicon kind (what :meth:`row` reads from a label)
    by_match_id: dict[int, tuple[str, Row] | str] = field(default_factory=dict)
    #: trigger match id -> its context conditions
    checks: dict[int, TriggerCheck] = field(default_factory=dict)
    #: one-word lexicon entries, read from the word table instead of the PhraseMatcher:
    #: the class of their LOWER ids, and the kinds of each
    words: WordClass = field(default_factory=lambda: WordClass(frozenset()))
    word_kinds: dict[int, list[str]] = field(default_factory=dict)

    def row(self, label: str) -> tuple[str, Row] | None:
        """Return ``(file, row)`` for a match label ``file:index`` (None for lexicon kinds)."""
        name, _, index = label.partition(":")
        if not index:
            return None
        return name, self.rows[name][int(index)]


def compile_claim_rules(nlp: Language, rows: Mapping[str, list[RuleRow]]) -> ClaimRules:
    """Return :class:`ClaimRules` from validated rows (all problems raised at once)."""
    problems: list[RuleProblem] = []
    labels: list[str] = []
    matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    for name in ("claim_triggers", "claim_cues"):
        for i, row in enumerate(rows.get(name, [])):
            lemma, text = row.get("lemma"), row.get("text")
            if bool(lemma) == bool(text):
                problems.append(RuleProblem(row.path, row.line, "give exactly one of lemma, text"))
                continue
            if lemma:
                matcher.add(f"{name}:{i}", pattern_docs(nlp.vocab, lemma, lemma=True))
            else:
                phrases.add(f"{name}:{i}", pattern_docs(nlp.vocab, text.lower(), lemma=False))
            labels.append(f"{name}:{i}")
    word_kinds: dict[int, list[str]] = {}
    for row in rows.get("claim_lexicon", []):
        pattern = nlp.make_doc(row["text"])
        if len(pattern) == 1:
            word_kinds.setdefault(pattern[0].lower, []).append(row["kind"])
        else:
            phrases.add(row["kind"], [pattern])
            labels.append(row["kind"])
    for name in ("claim_anaphors", "claim_modality", "claim_topics"):
        for i, row in enumerate(rows.get(name, [])):
            phrases.add(f"{name}:{i}", [nlp.make_doc(row["text"])])
            labels.append(f"{name}:{i}")
    for i, row in enumerate(rows.get("actor_aliases", [])):
        if row.get("kind") == "capital" and row.get("actor_id"):
            phrases.add(f"actor_aliases:{i}", [nlp.make_doc(row["text"].lower())])
            labels.append(f"actor_aliases:{i}")
    if problems:
        raise RulesError(problems)
    native = {k: [Row(r) for r in v] for k, v in rows.items()}
    rules = ClaimRules(
        rows=native,
        settings=settings_from_rows(rows.get("claim_settings", [])),
        matcher=matcher,
        phrases=phrases,
        quantity_rules={r["category"]: r for r in native.get("claim_quantities", [])},
        groups={r["actor_id"]: r for r in native.get("claim_groups", [])},
        default_groups={
            cat: r.get("group") or r["actor_id"]
            for r in rows.get("claim_groups", [])
            for cat in r.get("default_for", [])
        },
    )
    for label in labels:
        found = rules.row(label)
        match_id = nlp.vocab.strings.add(label)
        rules.by_match_id[match_id] = found or label
        if found is not None and found[0] == "claim_triggers":
            rules.checks[match_id] = trigger_check(found[1])
    rules.word_kinds = word_kinds
    rules.words = WordClass(frozenset(word_kinds))
    return rules


@dataclass(slots=True, eq=False)  # one per trigger row, built in compile()
class TriggerCheck:
    """The context conditions of a trigger row as typed fields (:func:`trigger_ok` reads
    them for every match: no row lookups at run time)."""

    not_prev: frozenset[str]
    not_next: frozenset[str]
    not_soon_after: frozenset[str]
    not_soon_after_window: int
    not_after: list[str]
    needs_before: frozenset[str]
    needs_before_window: int
    not_before: frozenset[str]
    not_before_window: int
    near: str  # "" when the row has no ``near`` condition
    near_window: int
    near_left: bool
    near_right: bool


def trigger_check(row: Row) -> TriggerCheck:
    """Return the :class:`TriggerCheck` of a ``claim_triggers`` row."""
    side = row.get("near_side", "both")
    return TriggerCheck(
        not_prev=frozenset(row.get("not_prev", [])),
        not_next=frozenset(row.get("not_next", [])),
        not_soon_after=frozenset(row.get("not_soon_after", [])),
        not_soon_after_window=int(row.get("not_soon_after_window", 3)),
        not_after=list(row.get("not_after", [])),
        needs_before=frozenset(row.get("needs_before", [])),
        needs_before_window=int(row.get("needs_before_window", 8)),
        not_before=frozenset(row.get("not_before", [])),
        not_before_window=int(row.get("not_before_window", 6)),
        near=row.get("near") or "",
        near_window=int(row.get("near_window", 4)),
        near_left=side in {"left", "both"},
        near_right=side in {"right", "both"},
    )


class Hit:
    """A matched rule row (trigger, modality cue, topic) at tokens ``start:end`` (a plain
    class: mypyc compiles its ``__init__``, a dataclass keeps the generated Python one)."""

    start: int
    end: int
    row: Row
    check: TriggerCheck | None  # a trigger's context conditions, read once

    def __init__(self, start: int, end: int, row: Row, check: TriggerCheck | None = None) -> None:
        self.start = start
        self.end = end
        self.row = row
        self.check = check


@dataclass
class DocHits:
    """All rule matches of a document, split by file."""

    lexicon: dict[str, set[int]] = field(default_factory=dict)  # kind -> token positions
    anaphors: list[tuple[int, int, Row]] = field(default_factory=list)
    triggers: list[Hit] = field(default_factory=list)
    cues: list[CueHit] = field(default_factory=list)
    modality: list[Hit] = field(default_factory=list)
    topics: list[Hit] = field(default_factory=list)
    #: capitals, by start token: ``(end, actor_id)`` (a capital that is no entity is a place)
    places: dict[int, tuple[int, str]] = field(default_factory=dict)


def doc_hits(doc: Doc, rules: ClaimRules) -> DocHits:
    """Run both matchers once over ``doc`` and sort the matches by file; one-word lexicon
    entries come from a lookup of the LOWER array."""
    hits = DocHits()
    table = token_table(doc)
    lower = table.lower_list
    for i in np.flatnonzero(table.in_class(rules.words)).tolist():
        for kind in rules.word_kinds[lower[i]]:
            hits.lexicon.setdefault(kind, set()).add(i)
    for match_id, start, end in list(rules.matcher(doc)) + list(rules.phrases(doc)):
        found = rules.by_match_id[match_id]
        if isinstance(found, str):
            hits.lexicon.setdefault(found, set()).update(range(start, end))
            continue
        name, row = found
        if name == "claim_triggers":
            hits.triggers.append(Hit(start, end, row, rules.checks[match_id]))
        elif name == "claim_cues":
            hits.cues.append(CueHit(start, end, row))
        elif name == "claim_anaphors":
            hits.anaphors.append((start, end, row))
        elif name == "claim_modality":
            hits.modality.append(Hit(start, end, row))
        elif name == "claim_topics":
            hits.topics.append(Hit(start, end, row))
        elif name == "actor_aliases":
            hits.places[start] = (end, row["actor_id"])
    _drop_nested_cues(hits)
    return hits


def _drop_nested_cues(hits: DocHits) -> None:
    """Keep the longest of overlapping cue matches (a two-word cue over its second word)."""
    hits.cues.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[CueHit] = []
    for cue in hits.cues:
        if kept and cue.start < kept[-1].end:
            continue
        kept.append(cue)
    hits.cues = kept


# -- per-sentence mechanics -----------------------------------------------------------


def by_sentence(starts: Sequence[int], sents: Sequence[Span]) -> list[int]:
    """Return the sentence index of each token position in ``starts``."""
    bounds = [s.end for s in sents]
    last = len(bounds) - 1
    return [min(bisect_right(bounds, pos), last) for pos in starts]


def trigger_ok(view: DocView, hit: Hit) -> bool:
    """True when a trigger's context conditions (near, not_prev, not_next, ...) hold."""
    check: TriggerCheck = hit.check if hit.check is not None else trigger_check(hit.row)
    start: int = hit.start
    end: int = hit.end
    lower: list[str] = view.lower
    if check.not_prev and view.text(start - 1) in check.not_prev:
        return False
    if check.not_next and view.text(end) in check.not_next:
        return False
    if check.not_soon_after:
        for k in range(end, min(len(lower), end + check.not_soon_after_window)):
            if lower[k] in check.not_soon_after:
                return False
    i: int
    for kind in check.not_after:
        places = view.positions(kind)
        for i in range(start - 3, start):
            if i in places:
                return False
    if check.needs_before:
        needed = check.needs_before
        found = False
        for i in range(max(0, start - check.needs_before_window), start):
            if lower[i] in needed:
                found = True
                break
        if not found:
            return False
    if check.not_before:
        barred = check.not_before
        for i in range(max(0, start - check.not_before_window), start):
            if lower[i] in barred:
                return False
    if not check.near:
        return True
    window: int = check.near_window
    near_positions = view.positions(check.near)
    if check.near_left:
        for i in range(max(0, start - window), start):
            if i in near_positions:
                return True
    if check.near_right:
        for i in range(end, min(len(view.doc), end + window)):
            if i in near_positions:
                return True
    return False


def trigger_rank(h: Hit) -> tuple[int, int, int]:
    """Return how a trigger ranks against another of its type at the same token: priority,
    then length, then the earlier line of ``claim_triggers`` (so the result never depends
    on the order in which the matchers report equal spans)."""
    return (int(h.row.get("priority", 0)), h.end - h.start, -h.row.line)


def valid_triggers(view: DocView, hits: Sequence[Hit], skip: frozenset[int]) -> list[Hit]:
    """Return the triggers whose conditions hold, minus suppressed and attribution tokens."""
    ok = [h for h in hits if trigger_ok(view, h) and h.start not in skip]
    suppressed = {
        (t, i) for h in ok for t in h.row.get("suppress", []) for i in range(h.start, h.end)
    }
    ok = [
        h
        for h in ok
        if not any((h.row["claim_type"], i) in suppressed for i in range(h.start, h.end))
    ]
    best: dict[tuple[str, int], Hit] = {}
    for h in ok:  # per type and start: highest priority, then longest, then earliest row
        key = (h.row["claim_type"], h.start)
        cur = best.get(key)
        if cur is None or trigger_rank(h) > trigger_rank(cur):
            best[key] = h
    return sorted(best.values(), key=lambda h: h.start)


def left_subject(
    view: DocView,
    pos: int,
    lo: int,
    settings: Settings,
    *,
    skip: frozenset[int],
    objects: frozenset[int],
    atts: Sequence[Attribution] = (),
) -> Mention | None:
    """Return the nearest eligible actor left of ``pos`` in its clause.

    Passes over actors after a preposition or right after another trigger
    (``objects``), actors inside a closed relative clause, and continues into the
    antecedent of a relative clause that holds the trigger (an attack by X on Y that
    left N dead: X). A pronoun subject ("Qatar said it hoped to ...") stands for the
    speaker whose attribution covers it, else the nearest actor before it in the
    sentence (:func:`pronoun_actor`).
    """
    boundary, relative = view.positions("boundary"), view.positions("relative")
    candidates: list[tuple[Mention, int]] = []
    commas = 0
    j = pos - 1
    stop = max(lo, pos - settings.subject_window)
    while j >= stop:
        if j in skip:
            j -= 1
            continue
        tok = view.words[j]
        if j in boundary and j not in relative:
            break
        if tok == ",":
            commas += 1
        elif j in relative:
            if commas:
                candidates = [(m, c) for m, c in candidates if c != commas]
            elif candidates or view.has(j - 1, "blocker"):
                break
            elif pos - j <= RELATIVE_REACH and not any(
                k in skip or k in view.cue_tokens for k in range(j + 1, pos)
            ):
                # the trigger opens "X, which ...": X is its subject, even as a speaker
                # (only a few words in: in "X, which says N are dead" X only speaks)
                antecedent = relative_antecedent(view, j, lo, settings)
                if antecedent is not None:
                    return antecedent
        if j in view.pronouns and not candidates:
            resolve = view.pronouns[j][1]
            if resolve == "person":
                return antecedent_person(view, j)
            if resolve in {"claimant", "speaker_side"}:
                found = pronoun_actor(view, j, lo, atts, settings)
                if found is not None:
                    return found
        m = view.mention_end_at.get(j)
        if m is not None and m.start >= stop:
            eligible = (
                m.actor_type not in settings.non_subject_actor_types
                and (
                    view.has(m.end, "attack")
                    or (m.end == pos and view.text(pos) == "-")  # X of an "X-brokered" trigger
                    or not is_blocked(view, m, lo, extra=objects)
                )
                and not any(i in skip for i in range(m.start, m.end))
            )
            if eligible and m.ref_id:
                candidates.append((m, commas))
            j = m.start - 1
            continue
        j -= 1
    return candidates[0][0] if candidates else None


#: How far after ", which" a trigger may stand to take the relative's antecedent as its
#: subject: "which brokered", "which helped broker", "which did not attend" (a structural
#: limit, like SUBJECT_START, not a word list).
RELATIVE_REACH = 4


def relative_antecedent(view: DocView, rel: int, lo: int, settings: Settings) -> Mention | None:
    """Return the actor right before ", which" / ", who" at ``rel`` ("Egypt, which co-mediates
    with Qatar, said ..."; "talks with Qatar, which brokered the truce"), else None. It is
    the subject of the relative clause even when it also speaks or follows a preposition."""
    if rel - 2 < lo or view.words[rel - 1] != ",":
        return None
    m = view.mention_end_at.get(rel - 2)
    if m is None or m.start < lo or not m.ref_id:
        return None
    return None if m.actor_type in settings.non_subject_actor_types else m


def pronoun_actor(
    view: DocView, pos: int, lo: int, atts: Sequence[Attribution], settings: Settings
) -> Mention | None:
    """Return the actor a pronoun subject at ``pos`` stands for, as a virtual mention: the
    side of the speaker whose attribution covers it ("Hamas said it would ..."), else the
    nearest eligible actor before it in the same sentence ("Qatar hoped it could ...").
    A first-person pronoun ("we") is the speaker's side only, also in the sentences a
    quotation or a transcript turn carries on to."""
    end, resolve = view.pronouns[pos]
    text = view.span_text(pos, end)
    first_person = resolve == "speaker_side"  # "we": the speaker, even in a quote's sequel
    att = next(
        (
            a
            for a in atts
            if a.covers(pos) and a.affiliation_id and (first_person or not a.inherited)
        ),
        None,
    )
    if att is not None:
        return Mention(pos, end, text, "ACTOR", actor_id=att.affiliation_id, virtual=True)
    if first_person:
        return None
    sent_start = view.sents[by_sentence([pos], view.sents)[0]].start
    for j in range(pos - 1, max(sent_start, pos - settings.subject_window) - 1, -1):
        m = view.mention_end_at.get(j)
        if (
            m is not None
            and m.label == "ACTOR"
            and m.ref_id
            and m.actor_type not in settings.non_subject_actor_types
        ):
            return m.moved(pos, end, text)
    return None


def floor(sent: Span, atts: Sequence[Attribution], pos: int) -> int:
    """Return where a subject search from ``pos`` must stop: the sentence start, or the start
    of the content an attribution introduces ("X said that ..." keeps X out of reach)."""
    starts = [a.scope[0] for a in atts if a.covers(pos) and not a.inherited and a.scope[0] <= pos]
    return max([sent.start, *starts])


def coordinated(view: DocView, m: Mention, lo: int) -> list[Mention]:
    """Return ``m`` with the actors coordinated before it (X, Y and Z)."""
    out = [m]
    cur = m
    while True:
        j = cur.start - 1
        while j >= lo and view.has(j, "determiner"):
            j -= 1
        if j < lo or not (view.has(j, "coordinator") or view.text(j) in {",", "-"}):
            break
        while j - 1 >= lo and (view.has(j - 1, "coordinator") or view.text(j - 1) == ","):
            j -= 1  # "X, along with Y", "X together with Y"
        prev = view.mention_end_at.get(j - 1)
        if prev is None or prev.start < lo:
            break
        out.append(prev)
        cur = prev
    return list(reversed(out))


def possessor(view: DocView, pos: int, lo: int) -> Mention | None:
    """Return the actor right before a noun (X's three-stage plan, an X-ian plan)."""
    j = pos - 1
    steps = 0
    while j >= lo and steps < 6:
        m = view.mention_end_at.get(j)
        if m is not None:
            return m
        tok = view.doc[j]
        if (
            view.has(j, "determiner")
            or view.has(j, "boundary")
            or view.has(j, "blocker")  # "sends reply through mediators": no possessor
            or (tok.is_punct and tok.text not in {"-", "'s", "’s", "'", "’"})
        ):
            return None
        j -= 1
        steps += 1
    return None


def is_passive(view: DocView, start: int, end: int, settings: Settings) -> bool:
    """True when a trigger follows a passive auxiliary or is followed by an agent "by".

    A trigger ending in an active suffix ("is pushing for") is never passive.
    """
    if view.text(start).endswith(tuple(settings.active_suffixes)):
        return False
    j = start - 1
    while j >= 0 and view.has(j, "skip"):
        j -= 1
    return view.has(j, "passive_aux") or view.has(end, "agent")


def agent_right(
    view: DocView,
    start: int,
    hi: int,
    window: int,
    skip: frozenset[int],
    *,
    passable: frozenset[str] = frozenset(),
) -> Mention | None:
    """Return the passive agent after ``start``: "by X", or "in X's offensive"; words in
    ``passable`` may stand between "by" and X ("by officials from X")."""
    boundary, relative = view.positions("boundary"), view.positions("relative")
    agent, possessive_agent = view.positions("agent"), view.positions("agent_possessive")
    j = start
    stop = min(hi, start + window)
    while j < stop:
        if j in skip:
            j += 1
            continue
        if j in boundary or j in relative:
            return None
        if j in agent or j in possessive_agent:
            k = j + 1
            while k < hi and (view.has(k, "determiner") or view.text(k) in passable):
                k += 1
            m = view.mention_at.get(k)
            while m is not None and is_compound(view, m):
                k = m.end + 2
                m = view.mention_at.get(k)
            possessive = m is not None and (
                view.text(m.end) in {"'s", "’s", "’", "'"} or view.has(m.end, "attack")
            )
            if m is not None and m.start == k and (view.has(j, "agent") or possessive):
                return m
        j += 1
    return None


def right_object(
    view: DocView,
    start: int,
    hi: int,
    window: int,
    skip: frozenset[int],
    *,
    skip_types: frozenset[str] = frozenset(),
) -> Mention | None:
    """Return the first actor right of a trigger within the clause (no comma crossed)."""
    boundary, relative = view.positions("boundary"), view.positions("relative")
    complementizer = view.positions("complementizer")
    j = start
    stop = min(hi, start + window)
    while j < stop:
        if j in view.cue_tokens:  # "welcomed the deal and said Ankara ...": not its object
            return None
        if j in skip:
            j += 1
            continue
        if view.text(j) == "," or j in boundary or (j in relative and j not in complementizer):
            return None
        m = view.mention_at.get(j)
        if m is not None:
            if m.ref_id and not is_compound(view, m) and m.actor_type not in skip_types:
                return m
            j = m.end
            continue
        j += 1
    return None


def place_object(
    view: DocView, places: Mapping[int, tuple[int, str]], start: int, hi: int, window: int
) -> str | None:
    """Return the state of the first capital named as a place (after a preposition, not an
    actor mention) right of ``start`` within the clause, as :func:`right_object` walks."""
    boundary, relative = view.positions("boundary"), view.positions("relative")
    complementizer, blocker = view.positions("complementizer"), view.positions("blocker")
    stop = min(hi, start + window)
    for j in range(start, stop):
        if view.text(j) == "," or j in boundary or (j in relative and j not in complementizer):
            return None
        place = places.get(j)
        if place is not None and j - 1 in blocker and j not in view.mention_at:
            return place[1]
    return None


def modality_of(
    view: DocView,
    lo: int,
    hi: int,
    hits: Sequence[Hit],
    settings: Settings,
    *,
    claim_type: str | None = None,
    own: tuple[int, int] | None = None,
) -> str:
    """Return the modality of the claim at tokens ``lo:hi`` (highest-priority cue in reach);
    a cue with ``claim_types`` counts only for claims of those types, a ``not_own`` cue
    not when it is the claim's own trigger ``own`` ("Egypt proposed a truce": asserted)."""
    boundary, relative = view.positions("boundary"), view.positions("relative")
    best: tuple[int, str] | None = None
    for hit in hits:
        row = hit.row
        types = row.get("claim_types")
        if types and claim_type not in types:
            continue
        if own and row.get("not_own") and own[0] <= hit.start and hit.end <= own[1]:
            continue
        window = int(row.get("window") or settings.modality_window)
        side = row.get("side", "left")
        inside = lo <= hit.start < hi
        left = side in {"left", "both"} and hit.end <= lo and lo - hit.end <= window
        right = side in {"right", "both"} and hit.start >= hi and hit.start - hi <= window
        if not (inside or left or right):
            continue
        a, b = (hit.end, lo) if hit.end <= lo else (hi, hit.start)
        if any(k in boundary and k not in relative for k in range(a, b)):
            continue
        rank = (int(row.get("priority", 0)), row["modality"])
        if best is None or rank[0] > best[0]:
            best = rank
    return best[1] if best else "asserted"


# -- claims ---------------------------------------------------------------------------


class Draft:
    """A claim being assembled (tokens, not yet chars). A plain class: mypyc compiles its
    ``__init__`` (a dataclass keeps the generated Python one); compared by identity."""

    claim_type: str
    predicate: str
    lo: int
    hi: int
    anchor: int
    subject: Mention | None
    obj: Mention | None
    object_id: str | None
    quantity: Quantity | None
    category: str | None
    modality: str | None
    fallback: str
    group_object: bool
    rule_id: str
    modal: Row | None  # a quantity rule whose category follows the modality
    from_trigger: bool  # made by a trigger alone (its own word is no modality cue)
    background: bool  # a background clause ("since the truce began"): no claimant

    def __init__(
        self,
        claim_type: str,
        predicate: str,
        lo: int,
        hi: int,
        anchor: int,
        subject: Mention | None = None,
        obj: Mention | None = None,
        object_id: str | None = None,
        quantity: Quantity | None = None,
        category: str | None = None,
        modality: str | None = None,
        fallback: str = "none",
        group_object: bool = False,
        rule_id: str = "",
        modal: Row | None = None,
        from_trigger: bool = False,
        background: bool = False,
    ) -> None:
        self.claim_type = claim_type
        self.predicate = predicate
        self.lo = lo
        self.hi = hi
        self.anchor = anchor
        self.subject = subject
        self.obj = obj
        self.object_id = object_id
        self.quantity = quantity
        self.category = category
        self.modality = modality
        self.fallback = fallback
        self.group_object = group_object
        self.rule_id = rule_id
        self.modal = modal
        self.from_trigger = from_trigger
        self.background = background

    def with_subject(self, subject: Mention | None) -> Draft:
        """Return a copy of this draft with ``subject``."""
        return Draft(
            self.claim_type,
            self.predicate,
            self.lo,
            self.hi,
            self.anchor,
            subject,
            self.obj,
            self.object_id,
            self.quantity,
            self.category,
            self.modality,
            self.fallback,
            self.group_object,
            self.rule_id,
            self.modal,
            self.from_trigger,
            self.background,
        )


def group_of(rules: ClaimRules, actor_id: str | None, key: str = "group") -> str | None:
    """Return a group id for ``actor_id`` from ``claim_groups`` (the id itself if unknown)."""
    if actor_id is None:
        return None
    row = rules.groups.get(actor_id)
    if row is None:
        return actor_id if key == "group" else None
    return row.get(key)


def quantity_object(
    view: DocView,
    q: tuple[int, int],
    lo: int,
    hi: int,
    subject: Mention | None,
    skip: frozenset[int],
) -> Mention | None:
    """Return the group a count refers to: the actor in or right after it, else one left of
    it and after its doer ("The Egyptian idea is that we release five hostages": none)."""
    qs, qe = q
    for j in range(qs, min(hi, qe + 3)):
        m = view.mention_at.get(j)
        if m is not None and j not in skip and not is_compound(view, m):
            return m
    if subject is not None and subject.end <= qs:
        lo = max(lo, subject.end)
    boundary, relative = view.positions("boundary"), view.positions("relative")
    j = qs - 1
    while j >= lo:
        if j in boundary and j not in relative:
            break
        m = view.mention_end_at.get(j)
        if (
            m is not None
            and m is not subject
            and j not in skip
            and m.ref_id
            and not is_compound(view, m)
            and (subject is None or m.ref_id != subject.ref_id)
        ):
            return m
        j -= 1
    return None


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def _crosses_boundary(view: DocView, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when a clause boundary, or a comma before a coordinator, lies between a and b."""
    lo, hi = (a[1], b[0]) if a[1] <= b[0] else (b[1], a[0])
    boundary, relative = view.positions("boundary"), view.positions("relative")
    coordinator = view.positions("coordinator")
    return any(
        (k in boundary and k not in relative) or (view.text(k) == "," and k + 1 in coordinator)
        for k in range(lo, hi)
    )


def _reach(
    view: DocView, q: tuple[int, int], triggers: Sequence[Hit], types: set[str], window: int
) -> list[Hit]:
    """Return the triggers of ``types`` near a count, nearest first, no boundary between."""
    near = [
        h
        for h in triggers
        if h.row["claim_type"] in types
        and _distance(q, (h.start, h.end)) <= window
        and not _crosses_boundary(view, q, (h.start, h.end))
    ]
    return sorted(
        near, key=lambda h: (_distance(q, (h.start, h.end)), -int(h.row.get("priority", 0)))
    )


def quantity_drafts(
    view: DocView,
    sent: Span,
    quantities: Sequence[tuple[Quantity, int, int]],
    triggers: Sequence[Hit],
    rules: ClaimRules,
    skip: frozenset[int],
    objects: frozenset[int],
    consumed: set[int],
    atts: Sequence[Attribution] = (),
) -> Iterator[Draft]:
    """Yield a draft for each count whose category anchors a claim.

    The nearest trigger of the claim type gives the predicate and the voice; a
    linking trigger ("in exchange for") within reach gives the predicate instead.
    """
    settings = rules.settings
    for q, qs, qe in quantities:
        qrule = rules.quantity_rules.get(q.category)
        if qrule is None:
            continue
        near = qrule.get("near")
        if near:
            w = int(qrule.get("near_window", 4))
            if not any(
                view.has(i, near) for i in range(max(sent.start, qs - w), min(sent.end, qe + w))
            ):
                continue
        types = (
            {qrule["claim_type"]} if qrule.get("claim_type") else set(qrule.get("adopt_types", []))
        )
        reach = _reach(view, (qs, qe), triggers, types, settings.quantity_window)
        own = qrule.get("claim_category")
        if own:  # "five killed and dozens more wounded": the wound trigger voices the dozens
            reach.sort(key=lambda h: h.row.get("category") not in {None, own})
        if not reach and not qrule.get("claim_type"):
            continue
        link = next((h for h in reach if h.row.get("link")), None)
        voice = next((h for h in reach if not h.row.get("link")), None)
        lead = link or voice
        group = quantity_object(view, (qs, qe), sent.start, sent.end, None, skip)
        gtypes = qrule.get("group_types") or []
        ltype = lead.row["claim_type"] if lead else qrule.get("claim_type")
        # the counted group names the count's own noun ("80 Israelis were freed"), not an
        # actor earlier in the clause ("Hamas would free ..., two officials said")
        grouped = group is not None and group.label == "ACTOR" and group.start >= qs
        if qrule.get("requires_group") and not grouped and (not gtypes or ltype in gtypes):
            continue
        for h in (link, voice):
            if h is not None:
                consumed.add(id(h))
        ctype = lead.row["claim_type"] if lead else qrule["claim_type"]
        predicate = lead.row["predicate"] if lead else qrule.get("predicate") or ctype
        lo = min([qs] + [h.start for h in (link, voice) if h])
        hi = max([qe] + [h.end for h in (link, voice) if h])
        category = qrule.get("claim_category") or next(
            (h.row.get("category") for h in (voice, link) if h and h.row.get("category")), None
        )
        draft = Draft(
            ctype,
            predicate,
            lo,
            hi,
            anchor=qs,
            quantity=q,
            category=category,
            modality=next(
                (h.row.get("modality") for h in (link, voice) if h and h.row.get("modality")), None
            ),
            fallback=qrule.get("subject_fallback", "none"),
            rule_id=f"claim_quantities:{q.category}" + (f"+{lead.row['id']}" if lead else ""),
            background=voice is not None and in_background(view, sent, voice),
        )
        right_of_link = link is not None and link.end <= qs
        # with no verb of its own, a count takes no doer from before a trigger of another
        # claim type ("Israel demanded the release of all 50 hostages": Israel demands)
        stop = link.end if link is not None and right_of_link else None
        if lead is None:
            before = [h.end for h in triggers if h.end <= qs and h.row["claim_type"] not in types]
            stop = max(before, default=stop)
        doers: list[Mention | None] = [None]
        if qrule.get("subject") == "none" and voice is not None:
            # a truce length takes the doers of its own verb (Israel and Hamas agreed to a
            # four-day truce: both; Israel resumed strikes, ending a two-month truce: Israel)
            doers = _trigger_subjects(view, sent, voice, rules, skip, objects, atts)
        draft.subject = (
            doers[0]
            if qrule.get("subject") == "none"
            else _quantity_subject(
                view,
                sent,
                (qs, qe),
                voice,
                qs if right_of_link else lo,
                rules,
                skip,
                objects,
                atts,
                stop=stop,
            )
        )
        omode = qrule.get("object", "group")
        draft.group_object = omode == "group"
        if omode == "group":
            draft.obj = quantity_object(view, (qs, qe), sent.start, sent.end, draft.subject, skip)
            draft.object_id = group_of(rules, draft.obj.ref_id if draft.obj else None)
            held = group_of(rules, draft.object_id, "captive_category")
            if held is not None and held != q.category and q.category in rules.default_groups:
                # a count of prisoners next to "Israeli jails", of hostages next to their
                # captors: that actor holds them (and frees them, when no one else is
                # named); the count's own category names the group
                if draft.subject is None and draft.obj is not None and draft.obj.label == "ACTOR":
                    draft.subject = draft.obj
                draft.obj, draft.object_id = None, rules.default_groups[q.category]
            if draft.object_id is None:  # captives: their category names them
                draft.object_id = rules.default_groups.get(q.category)
            if draft.object_id is None and draft.subject is not None:
                draft.object_id = group_of(rules, draft.subject.ref_id, "opponent_group")
            if draft.category is None:
                draft.category = group_of(rules, draft.object_id, "captive_category")
            if draft.object_id is None and draft.category is not None:
                draft.object_id = rules.default_groups.get(draft.category)
        elif omode == "right":
            draft.obj = right_object(
                view,
                hi,
                sent.end,
                settings.object_window,
                skip,
                skip_types=settings.non_object_actor_types,
            )
            draft.object_id = draft.obj.ref_id if draft.obj else None
        if draft.category is None:
            draft.category = qrule.get("default_category")
        default_subject = qrule.get("default_subject")
        if (
            draft.subject is None
            and default_subject
            and draft.predicate in qrule.get("default_subject_predicates", [])
        ):
            draft.subject = Mention(qs, qs, "", "ACTOR", actor_id=default_subject, virtual=True)
        if lead is None and qrule.get("modal_categories"):
            draft.modal = qrule
        yield draft
        for doer in doers[1:]:
            yield draft.with_subject(doer)


def _quantity_subject(
    view: DocView,
    sent: Span,
    q: tuple[int, int],
    voice: Hit | None,
    lo: int,
    rules: ClaimRules,
    skip: frozenset[int],
    objects: frozenset[int],
    atts: Sequence[Attribution],
    *,
    stop: int | None = None,
) -> Mention | None:
    """Return the doer of a counted fact: passive agent, possessor, or the actor left of it."""
    settings = rules.settings
    qs, qe = q
    mode = voice.row.get("subject", "left") if voice else "left"
    if mode == "none":
        return None
    start = qe if voice is None or voice.start < qs else max(qe, voice.end)
    agent = agent_right(view, start, sent.end, settings.object_window, skip)
    if agent is not None:
        return agent
    if (
        voice is not None
        and voice.row.get("passive_check", True)
        and is_passive(view, voice.start, voice.end, settings)
    ):
        return None
    if voice is not None and mode == "possessive":
        owner = possessor(view, voice.start, sent.start)
        if owner is not None:
            return owner
    bound = max(floor(sent, atts, lo), stop or 0)
    return left_subject(view, lo, bound, settings, skip=skip, objects=objects, atts=atts)


def trigger_drafts(
    view: DocView,
    sent: Span,
    triggers: Sequence[Hit],
    topics: Sequence[Hit],
    rules: ClaimRules,
    skip: frozenset[int],
    objects: frozenset[int],
    consumed: set[int],
    atts: Sequence[Attribution] = (),
    places: Mapping[int, tuple[int, str]] | None = None,
) -> Iterator[Draft]:
    """Yield drafts for triggers that make a claim on their own; a claim type listed in
    the ``place_object_types`` setting without an actor object takes the state of a
    capital named as a place right of its trigger ("arrived in Cairo": egypt)."""
    settings = rules.settings
    for hit in triggers:
        row = hit.row
        if id(hit) in consumed or row.get("needs_quantity") or row.get("link"):
            continue
        subjects = _trigger_subjects(view, sent, hit, rules, skip, objects, atts)
        obj = None
        omode = row.get("object", "right")
        if omode in {"right", "any", "group"}:
            obj = right_object(
                view,
                hit.end,
                sent.end,
                int(row.get("object_window") or settings.object_window),
                skip,
                skip_types=frozenset()
                if omode in {"any", "group"}
                else settings.non_object_actor_types,
            )
            if obj is not None and any(obj is s for s in subjects):
                obj = None
        elif omode == "left":
            obj = left_subject(
                view,
                hit.start,
                floor(sent, atts, hit.start),
                settings,
                skip=skip,
                objects=objects,
                atts=atts,
            )
        categories = [row.get("category")]
        claim_type: str = row["claim_type"]
        topic_end: int = hit.end + int(row.get("topic_window", 12))
        found_cats = [
            t.row["category"]
            for t in topics
            if t.row["claim_type"] == claim_type and hit.end <= t.start < topic_end
        ]
        if found_cats:
            categories = list(dict.fromkeys(found_cats))
        object_id = obj.ref_id if obj else None
        if (
            object_id is None
            and places
            and omode in {"right", "any"}
            and claim_type in settings.place_object_types
        ):
            object_id = place_object(
                view,
                places,
                hit.end,
                sent.end,
                int(row.get("object_window") or settings.object_window),
            )
        if omode == "group":
            object_id = group_of(rules, object_id)
            if row.get("category") is None:
                categories = [group_of(rules, object_id, "captive_category")]
        speaker = next((a for a in atts if a.covers(hit.start) and a.affiliation_id), None)
        requires: list[str] = row.get("requires", [])
        predicate: str = row["predicate"]
        modality: str | None = row.get("modality")
        fallback: str = row.get("subject_fallback", "none")
        rule_id: str = row["id"]
        background: bool = in_background(view, sent, hit)
        if claim_type in settings.partner_types and subjects != [None]:
            subjects = [*subjects, *partners_after(view, hit.end, sent.end, settings)]
        for subject in subjects:
            if "subject" in requires and subject is None:
                continue
            if "doer" in requires and subject is None and speaker is None:
                continue
            if "object" in requires and object_id is None:
                continue
            for cat in categories:
                yield Draft(
                    claim_type,
                    predicate,
                    hit.start,
                    hit.end,
                    hit.start,
                    subject=subject,
                    obj=obj,
                    object_id=object_id,
                    category=cat,
                    modality=modality,
                    fallback=fallback,
                    rule_id=rule_id,
                    from_trigger=True,
                    background=background,
                )


def partners_after(view: DocView, start: int, hi: int, settings: Settings) -> list[Mention]:
    """Return the actors named after a partner phrase right of a trigger, which share its
    act ("Egypt, which brokered the deal together with Qatar and the United States"): the
    first phrase within the object window, before any clause boundary or reporting cue."""
    partner, boundary = view.positions("partner"), view.positions("boundary")
    j = start
    while j < min(hi, start + settings.object_window):
        if j in boundary or j in view.cue_tokens:
            return []
        if j in partner:
            while j < hi and j in partner:
                j += 1
            k = j + 1 if j < hi and view.has(j, "determiner") else j
            m = view.mention_at.get(k)
            if m is None or m.start != k or not m.ref_id:
                return []
            if m.actor_type in settings.non_subject_actor_types:
                return []
            return [m, *coordinated_after(view, m, hi)]
        j += 1
    return []


def _trigger_subjects(
    view: DocView,
    sent: Span,
    hit: Hit,
    rules: ClaimRules,
    skip: frozenset[int],
    objects: frozenset[int],
    atts: Sequence[Attribution],
) -> list[Mention | None]:
    """Return the doers of a trigger: its possessor, passive agent or the actor(s) left of it."""
    row = hit.row
    mode = row.get("subject", "left")
    if mode == "none":
        return [None]
    if mode == "right":
        return right_subjects(view, hit, sent.end, row)
    if mode == "possessive":
        owner = possessor(view, hit.start, sent.start)
        if owner is None and row.get("subject_right") is not None:
            rightward = right_subjects(view, hit, sent.end, row)
            if rightward != [None] or not row.get("then_left"):
                return rightward
        elif owner is not None and row.get("each_subject"):
            return list(coordinated(view, owner, sent.start))
        elif owner is not None or not row.get("then_left"):
            return [owner]
    blockers = row.get("subject_block_after", [])
    if any(view.has(i, k) for k in blockers for i in range(max(0, hit.start - 3), hit.start)):
        return [None]
    agent = agent_right(
        view,
        hit.end,
        sent.end,
        int(row.get("agent_window", 4)),
        skip,
        passable=frozenset(row.get("agent_pass", [])),
    )
    if agent is not None:
        return (
            [agent, *coordinated_after(view, agent, sent.end)]
            if row.get("each_subject")
            else [agent]
        )
    if row.get("passive_check", True) and is_passive(view, hit.start, hit.end, rules.settings):
        return [None]
    nearest = left_subject(
        view,
        hit.start,
        floor(sent, atts, hit.start),
        rules.settings,
        skip=skip,
        objects=objects,
        atts=atts,
    )
    if nearest is None:
        return [None]
    if nearest.virtual and nearest.start in view.plural_pronouns and row.get("each_subject"):
        # "Egypt, Qatar and the U.S. have said they will act as guarantors": each of them
        att = next((a for a in atts if a.covers(nearest.start) and a.sides), None)
        if att is not None:
            return [
                nearest.moved(nearest.start, nearest.end, nearest.text, side)
                for side, _ in att.sides
            ]
    group = coordinated(view, nearest, sent.start)
    if not row.get("each_subject"):
        return [group[0]]
    # "Egypt and Qatar, along with the United States, have pledged ...": the actors
    # coordinated after the nearest one, up to the trigger
    return [*group, *coordinated_after(view, nearest, hit.start)]


def in_background(view: DocView, sent: Span, hit: Hit, reach: int = 4) -> bool:
    """True when one of the trigger's ``background_after`` words stands just before it
    ("since the truce began", "since it took effect")."""
    words = hit.row.get("background_after", [])
    return bool(words) and any(
        view.text(i) in words for i in range(max(sent.start, hit.start - reach), hit.start)
    )


def right_subjects(view: DocView, hit: Hit, hi: int, row: Row) -> list[Mention | None]:
    """Return the actors right after a trigger noun, past the row's ``subject_right`` words
    and determiners ("mediators Qatar and Egypt": both; "a plan from X": X)."""
    passable = set(row.get("subject_right") or [])
    j = hit.end
    while j < hi and (view.text(j) in passable or view.has(j, "determiner")):
        j += 1
    m = view.mention_at.get(j)
    if m is None or m.start != j or not m.ref_id:
        return [None]
    return [m, *coordinated_after(view, m, hi)] if row.get("each_subject") else [m]


def object_zones(view: DocView, triggers: Sequence[Hit], reach: int = 5) -> frozenset[int]:
    """Return token positions right after a trigger (up to punctuation) where an actor is
    that trigger's object, never a later trigger's subject (met X and other top
    Y officials on his latest visit: X and Y are objects)."""
    boundary, relative = view.positions("boundary"), view.positions("relative")
    zone: set[int] = set()
    for h in triggers:
        if h.row.get("object", "right") == "none":
            continue
        for j in range(h.end, min(len(view.doc), h.end + reach)):
            if view.punct[j] or j in boundary or j in relative or j in view.cue_tokens:
                break  # a reporting verb opens the next clause ("welcomed it and said X ...")
            zone.add(j)
    return frozenset(zone)


def dedupe(drafts: list[Draft], *, distinct: frozenset[str] = frozenset()) -> list[Draft]:
    """Drop trigger drafts that repeat another of the same type, subject and category with
    no more information (visit X to meet X officials: one meeting). In the claim types of
    ``distinct`` a different predicate is a different fact (Qatar, which brokered the
    deal, will guarantee it: broker and guarantee)."""
    out: list[Draft] = []
    for d in drafts:
        if d.quantity is not None:
            out.append(d)
            continue
        sid = d.subject.ref_id if d.subject else None
        same_fact = d.claim_type not in distinct
        twin = next(
            (
                o
                for o in out
                if o.quantity is None
                and o.claim_type == d.claim_type
                and (o.subject.ref_id if o.subject else None) == sid
                and o.category == d.category
                and (o.object_id == d.object_id or d.object_id is None)
                and (same_fact or o.predicate == d.predicate)
            ),
            None,
        )
        if twin is not None:
            continue
        weaker = next(
            (
                o
                for o in out
                if o.quantity is None
                and o.claim_type == d.claim_type
                and (o.subject.ref_id if o.subject else None) == sid
                and o.category == d.category
                and o.object_id is None
                and (same_fact or o.predicate == d.predicate)
            ),
            None,
        )
        if weaker is not None:
            out.remove(weaker)
        out.append(d)
    return out


def share_counts(drafts: list[Draft], rules: ClaimRules) -> list[Draft]:
    """Give a count with no doer of its own (a ``shared`` quantity rule: "a three-stage
    draft") to the same-type trigger claims of the sentence that name their doers (drawn
    up by X, Y and Z), and drop the count's own claim."""
    takers = [d for d in drafts if d.quantity is None and d.subject is not None]
    if not takers:
        return drafts
    out: list[Draft] = []
    for d in drafts:
        q = d.quantity
        rule = rules.quantity_rules.get(q.category) if q is not None else None
        mine = [t for t in takers if t.claim_type == d.claim_type and t.quantity is None]
        if rule is None or not rule.get("shared") or d.subject is not None or not mine:
            out.append(d)
            continue
        for t in mine:
            t.quantity = q
            t.category = t.category or d.category
            t.rule_id = f"{t.rule_id}+{d.rule_id}"
    return out


def lend_counts(drafts: list[Draft], rules: ClaimRules) -> None:
    """Give a count's value to the trigger claims of its sentence whose type its rule lends
    to (``lend_to``): "Egypt proposed a two-day truce" -> the proposal is worth 2 days too;
    the count keeps its own claim."""
    for d in drafts:
        rule = rules.quantity_rules.get(d.quantity.category) if d.quantity is not None else None
        if rule is None or not rule.get("lend_to"):
            continue
        reach = int(rule.get("lend_window", 10))
        for t in drafts:
            if (
                t.quantity is None
                and t.claim_type in rule["lend_to"]
                and _distance((t.lo, t.hi), (d.anchor, d.anchor + 1)) <= reach
            ):
                t.quantity = d.quantity
                t.rule_id = f"{t.rule_id}+{d.rule_id}"


def _nearest_date(
    dates: Sequence[tuple[str | None, int, int]], anchor: int, skip: frozenset[int]
) -> str | None:
    best: tuple[int, str] | None = None
    for value, start, _end in dates:
        if value is None or start in skip:
            continue
        dist = abs(start - anchor)
        if best is None or dist < best[0]:
            best = (dist, value)
    return best[1] if best else None


def iter_claims(doc: Doc, rules: ClaimRules) -> Iterator[Claim]:
    """Yield the claims of a processed document, sentence by sentence.

    Args:
        doc: a Doc with sentences, lemmas and ``doc._.entities``, ``doc._.quantities``,
            ``doc._.dates`` (lists of records) and ``doc._.headline_sents``.
        rules: compiled claim rules (:func:`compile_claim_rules`).

    Yields:
        One :class:`Claim` per reported fact, in text order.
    """
    hits = doc_hits(doc, rules)
    view = build_view(
        doc, hits.lexicon, hits.anaphors, skip_types=rules.settings.non_subject_actor_types
    )
    view.cue_tokens = {i for cue in hits.cues for i in range(cue.start, cue.end)}
    sents = view.sents
    if not sents:
        return
    headlines = doc._.headline_sents or set()
    clutter = doc._.clutter_sents or set()
    per_sent: dict[str, dict[int, list]] = {
        k: defaultdict(list) for k in ("triggers", "cues", "modality", "topics", "q", "dates")
    }
    for name in ("triggers", "cues", "modality", "topics"):
        items = getattr(hits, name)
        for item, si in zip(items, by_sentence([h.start for h in items], sents), strict=True):
            per_sent[name][si].append(item)
    table = token_table(doc)
    bounds: list[int] = [s.end for s in sents]  # by_sentence, without a bounds list per call
    last: int = len(bounds) - 1
    for q in doc._.quantities or []:
        span = table.token_span(q.start_char, q.end_char)
        if span is not None:
            per_sent["q"][min(bisect_right(bounds, span[0]), last)].append((q, *span))
    for d in doc._.dates or []:
        span = table.token_span(d.start_char, d.end_char)
        if span is not None:
            per_sent["dates"][min(bisect_right(bounds, span[0]), last)].append((d.value, *span))
    attributions = document_attributions(view, per_sent["cues"], rules.settings)
    for si, sent in enumerate(sents):
        atts = attributions[si]
        if not per_sent["triggers"][si] and not per_sent["q"][si]:
            continue  # no trigger, no count: no draft
        if si in clutter:
            continue  # page furniture ("Read more: ...") states nothing
        if is_question(view, sent, rules.settings.question_marks):
            continue  # a question asserts nothing
        skip = frozenset().union(*(a.span for a in atts)) if atts else frozenset()
        triggers = valid_triggers(view, per_sent["triggers"][si], skip)
        objects = object_zones(view, triggers)
        consumed: set[int] = set()
        drafts = list(
            quantity_drafts(
                view, sent, per_sent["q"][si], triggers, rules, skip, objects, consumed, atts
            )
        )
        counted = {(d.claim_type, d.predicate) for d in drafts}
        drafts += [
            d
            for d in dedupe(
                list(
                    trigger_drafts(
                        view,
                        sent,
                        triggers,
                        per_sent["topics"][si],
                        rules,
                        skip,
                        objects,
                        consumed,
                        atts,
                        hits.places,
                    )
                ),
                distinct=rules.settings.distinct_predicate_types,
            )
            if not ((d.claim_type, d.predicate) in counted and d.subject is None)
        ]
        drafts = share_counts(drafts, rules)
        lend_counts(drafts, rules)
        drafts.sort(key=lambda d: d.lo)
        for draft in drafts:
            yield finish(view, sent, si, draft, atts, per_sent, rules, skip, si in headlines)


def finish(
    view: DocView,
    sent: Span,
    si: int,
    d: Draft,
    atts: Sequence[Attribution],
    per_sent: Mapping[str, Mapping[int, list]],
    rules: ClaimRules,
    skip: frozenset[int],
    headline: bool,
) -> Claim:
    """Return the :class:`Claim` of a draft: attribution, modality, date, chars."""
    doc = view.doc
    att = None if d.background else next((a for a in atts if a.covers(d.anchor)), None)
    subject = d.subject
    subject_id = subject.ref_id if subject else None
    subject_text = (subject.text or None) if subject else None
    if subject_id is None and d.fallback == "claimant" and att is not None and att.affiliation_id:
        subject_id, subject_text = att.affiliation_id, att.claimant_text
    modality = d.modality or modality_of(
        view,
        d.lo,
        d.hi,
        per_sent["modality"][si],
        rules.settings,
        claim_type=d.claim_type,
        own=(d.lo, d.hi) if d.from_trigger else None,
    )
    predicate, category = d.predicate, d.category
    if d.modal is not None and modality in d.modal.get("modal_categories", []):
        predicate = d.modal.get("modal_predicate") or predicate
        category = d.modal.get("modal_category") or category
    q = d.quantity
    object_id = d.object_id if d.object_id is not None else (d.obj.ref_id if d.obj else None)
    if object_id is None and d.group_object and att is not None:
        object_id = group_of(rules, att.claimant_id, "reporter_group")
    claimant_id = att.claimant_id if att else None
    claimant_text = att.claimant_text if att else None
    affiliation = att.affiliation_id if att else None
    if att is not None and att.sides and subject_id != claimant_id:
        # "Egypt, Qatar and the U.S. said they will act as guarantors": each says it
        side_text = dict(att.sides).get(subject_id or "")
        if side_text is not None and claimant_id == att.sides[0][0]:
            claimant_id, claimant_text, affiliation = subject_id, side_text, subject_id
    table = token_table(doc)
    if d.hi > d.lo:
        start_char, end_char = table.starts_char[d.lo], table.ends_char[d.hi - 1]
    else:
        start_char, end_char = doc[d.lo : d.hi].start_char, doc[d.lo : d.hi].end_char
    return build(
        Claim,
        sentence=si,
        start_char=start_char,
        end_char=end_char,
        claim_type=d.claim_type,
        predicate=predicate,
        subject_id=subject_id,
        subject_text=subject_text,
        object_id=object_id,
        object_text=d.obj.text if d.obj else None,
        value=q.value if q else None,
        low=q.low if q else None,
        high=q.high if q else None,
        qualifier=q.qualifier if q else None,
        category=category,
        unit=q.unit if q else None,
        event_date=_nearest_date(per_sent["dates"][si], d.anchor, skip),
        claimant_id=claimant_id,
        claimant_text=claimant_text,
        claimant_anonymous=att.anonymous if att else None,
        claimant_affiliation_id=affiliation,
        basis_id=att.basis_id if att else None,
        cue=att.cue if att else None,
        quoted=view.quoted[d.anchor],
        modality=modality,
        evidence=sentence_text(table, sent),
        headline=headline,
        rule_id=d.rule_id,
    )


def sentence_text(table: TokenTable, sent: Span) -> str:
    """Return ``sent.text.strip()`` from the cached document text."""
    if sent.end <= sent.start:
        return ""
    return table.text[table.starts_char[sent.start] : table.ends_char[sent.end - 1]].strip()


def document_attributions(
    view: DocView, cues: Mapping[int, list[CueHit]], settings: Settings
) -> list[list[Attribution]]:
    """Return each sentence's attributions: its own, else one inherited from a quote."""
    own: list[list[Attribution]] = []
    last: Attribution | None = None
    for si, sent in enumerate(view.sents):
        atts = sentence_attributions(view, sent, cues.get(si, []), settings, last=last)
        own.append(atts)
        if atts:
            last = atts[0]
    spanning: dict[int, Attribution] = {}
    for qa, qb in view.quote_spans:
        if qb <= qa:
            continue
        first, last_s = by_sentence([qa, qb - 1], view.sents)
        if first == last_s:
            continue
        source = next((a for a in own[last_s] if not a.inherited), None) or next(
            (a for a in own[first] if not a.inherited), None
        )
        if source is None:
            continue
        for s in range(first, last_s + 1):
            spanning.setdefault(s, source)
    out: list[list[Attribution]] = []
    previous: Attribution | None = None
    for si, sent in enumerate(view.sents):
        if own[si]:
            out.append(own[si])
            previous = own[si][0]
            continue
        inherited = inherited_attribution(view, sent, previous, spanning.get(si))
        out.append([inherited] if inherited else [])
        previous = inherited
    return out


def claims_without_party_doers(
    claims: Sequence[Claim], entities: Sequence[Entity], settings: Settings
) -> list[Claim]:
    """Return ``claims`` without those of a type in the ``party_excluded_types`` setting
    whose doer is a party of the conflict in that sentence (the role tagger's ``party``):
    a side never mediates or guarantees its own war ("Hamas delegation stays in Cairo as
    mediators push for a truce", "Hamas said it had received guarantees")."""
    if not settings.party_excluded_types:
        return list(claims)
    parties = {(e.sentence, e.actor_id) for e in entities if e.role == "party"}
    return [
        c
        for c in claims
        if c.claim_type not in settings.party_excluded_types
        or (c.sentence, c.subject_id) not in parties
    ]


def roles_from_claims(
    entities: Sequence[Entity],
    claims: Sequence[Claim],
    settings: Settings,
    target_sents: Collection[int] | None,
) -> list[Entity]:
    """Return ``entities`` with the role their sentence's claims give them: the doer of a
    mediation claim whose predicate is listed in the ``mediator_predicates`` (or
    ``guarantor_predicates``) setting mediates (guarantees) in that sentence, when the role
    tagger left the mention without a role and the sentence is about the target conflict
    ("The extension was reached with the help of Egypt and the United States")."""
    wanted: dict[tuple[int, str], tuple[str, str, str | None]] = {}
    for c in claims:
        if c.subject_id is None or c.sentence not in (target_sents or ()):
            continue
        if c.predicate in settings.mediator_predicates:
            role = "mediator"
        elif c.predicate in settings.guarantor_predicates:
            role = "guarantor"
        else:
            continue
        wanted.setdefault((c.sentence, c.subject_id), (role, c.rule_id, c.subject_text))
    if not wanted:
        return list(entities)
    out: list[Entity] = []
    for e in entities:
        if (
            e.role is None
            and e.label != "SOURCE"
            and e.actor_type not in settings.non_subject_actor_types
        ):
            side = e.actor_id if e.label == "ACTOR" else e.affiliation_id
            found = wanted.get((e.sentence, side or ""))
            if found is not None and (e.label == "ACTOR" or e.text == found[2]):
                e = with_role(e, found[0], f"claims:{found[1]}")
        out.append(e)
    return out


class ClaimExtractor(RuleComponent):
    """Sets ``doc._.claims`` from the rules in ``rules/claim_*.jsonl``."""

    RULE_SPECS = SPECS

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
        self.rules: ClaimRules | None = None

    def compile(self) -> None:
        self.rules = compile_claim_rules(self.nlp, self.rows)

    def __call__(self, doc: Doc) -> Doc:
        claims = list(iter_claims(doc, self.rules)) if self.rules else []
        if self.rules is not None and doc._.entities:
            claims = claims_without_party_doers(claims, doc._.entities, self.rules.settings)
            doc._.entities = roles_from_claims(
                doc._.entities, claims, self.rules.settings, doc._.target_sents
            )
        doc._.claims = claims
        return doc


@Language.factory("ceasefire_claims", assigns=["doc._.claims"])
def make_claim_extractor(nlp: Language, name: str) -> ClaimExtractor:
    """Factory for ``ceasefire_claims``."""
    return ClaimExtractor(nlp, name)
