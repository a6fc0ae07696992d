"""Who says it: a token-level view of a document and the attributions of its sentences.

Claims are extracted without a parser, so this module gives them the linear
facts they need: which tokens belong to which word class of the claim lexicon
(``rules/claim_lexicon.jsonl``), which entity mention covers a token (entities
from ``doc._.entities``, plus anaphors and bare surnames resolved here), which
tokens sit inside quotation marks, and, for each sentence, the attributions it
carries: claimant, cue, basis (a tally based on X figures) and the token
range the attribution scopes over. Every word is data; the functions below are
the mechanism (nearest-mention walks over token windows, one pass per sentence).

Conventions: ``claimant_id`` is an actor id, a person's full name (also where the
text later uses the surname alone), or the ``anonymous_claimant`` setting for unnamed
officials and sources; the side a claimant speaks for is ``affiliation_id``. An
attribution covers its whole sentence unless the cue introduces what follows it
("X said that ...", "According to X, ..."), and never a "despite ..." clause. So in a
sentence ending "according to an AFP tally based on Israeli figures" both counts are
AFP's (basis Israel). A speaker left of its cue is the nearest mention no preposition
governs, except that a cue after "and" shares its clause's subject, "X, <appositive>,
said" is X's, coordinated speakers give the first, and a participle's subject may follow
"with"; a scope to the right of its cue ends where a later speaker begins. An unnamed
spokesperson (a SOURCE that is not anonymous) speaks for its affiliation. A sentence
without a cue inherits a claimant only when the text
makes it explicit: it lies inside a quotation attributed elsewhere, or it opens a new
quotation right after a quoted, attributed sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from spacy.attrs import IS_PUNCT, IS_SPACE, SPACY
from spacy.tokens import Doc, Span

from pipeline.records import Entity
from pipeline.rules import Field, RuleRow, RuleSpec
from pipeline.tokens import token_table


class Row:
    """A validated rule row as the run-time code reads it: ``row["key"]`` and
    ``row.get("key", default)`` like :class:`~pipeline.rules.RuleRow`, but a class of
    this (compiled) module over a plain dict, so a read is a native call instead of a
    Python method call into the uncompiled loader (tens of thousands per 100 docs)."""

    path: str
    line: int
    data: dict[str, Any]

    def __init__(self, row: RuleRow) -> None:
        self.path = row.path
        self.line = row.line
        self.data = dict(row.data)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value of ``key``, or ``default`` when it is missing or None."""
        value = self.data.get(key)
        return default if value is None else value


#: Word classes of the claim lexicon (matched on lower-case text).
LEXICON_KINDS = frozenset(
    {
        "boundary",  # ends a clause window: ; : but while quotation marks
        "relative",  # who which that whom: relative clause openers
        "complementizer",  # "that" after a verb: object windows pass it
        "blocker",  # prepositions: an actor right after one is not a subject
        "coordinator",  # and, or, comma-like joins of coordinated actors
        "determiner",  # skipped when looking for a possessor or a blocker
        "agent",  # "by": passive agent follows
        "agent_possessive",  # "in": passive agent follows only as "in X's ..."
        "passive_aux",  # was were been: marks a passive trigger
        "basis",  # "based on", "citing": the claimant's own source follows
        "scope_break",  # "despite": clause outside the attribution's scope
        "statement",  # X's statement said
        "compound_suffix",  # "based", "run", "backed" after "X-": X is no actor here
        "skip",  # adverbs and auxiliaries allowed between speaker and cue
        "truce",  # ceasefire nouns
        "plan",  # plan, proposal, framework nouns
        "deal",  # deal, agreement nouns
        "aid",  # aid, trucks
        "crossing",  # crossing, border crossing
        "for",  # "for" after demand verbs ("called on Wednesday for")
        "delegation",  # delegation nouns (owner found for "the delegation")
        "addressee",  # reporters, journalists: skipped after "told"
        "talks",  # talks, negotiations: what a host hosts
        "parties",  # both sides, the parties: whom a mediator presses
        "attack",  # raid, strike, offensive: "killed in an X raid" names the doer
        "receive",  # received, awaiting: the actor before is the recipient, not the doer
        "guarantees",  # guarantees, assurances: what a party seeks ("seeks written guarantees")
        "release",  # release, handover nouns: what a party halts or postpones
        "partner",  # together with, alongside: the actor after it shares the act
        "captives",  # hostages, prisoners: whose return a condition asks for
    }
)

CLAIM_LEXICON = RuleSpec(
    name="claim_lexicon",
    fields={
        "text": Field(required=True),
        "kind": Field(required=True, choices=LEXICON_KINDS),
        "note": Field(),
    },
    unique=("text", "kind"),
    description="word classes used by claim extraction windows (matched on LOWER)",
)

CLAIM_ANAPHORS = RuleSpec(
    name="claim_anaphors",
    fields={
        "text": Field(required=True),
        "resolve": Field(
            required=True,
            choices=frozenset(
                {
                    "actor_type",
                    "owner_of",
                    "claimant",
                    "person",
                    "person_side",
                    "speaker_side",
                    "unnamed",
                }
            ),
        ),
        "actor_types": Field(kind="list"),
        "head": Field(choices=LEXICON_KINDS),
        "plural": Field(kind="bool", default=False),  # "they": every coordinated speaker
        "note": Field(),
    },
    unique=("text",),
    description="phrases that stand for an earlier actor, speaker or person",
)

CLAIM_CUES = RuleSpec(
    name="claim_cues",
    fields={
        "id": Field(required=True),
        "lemma": Field(),
        "text": Field(),
        "kind": Field(required=True, choices=frozenset({"according", "verb", "label"})),
        "priority": Field(kind="int", default=0),
        "inverted": Field(kind="bool", default=True),
        "requires_quote": Field(kind="bool", default=False),
        "addressee": Field(kind="bool", default=False),
        "final_only": Field(kind="bool", default=False),
        "note": Field(),
    },
    unique=("id",),
    description="attribution cues: the claimant follows, or the speaker stands left or right",
)

CLAIM_SETTINGS = RuleSpec(
    name="claim_settings",
    fields={
        "key": Field(
            required=True,
            choices=frozenset(
                {
                    "anonymous_claimant",
                    "non_subject_actor_types",
                    "non_object_actor_types",
                    "non_claimant_actor_types",
                    "speaker_window",
                    "subject_window",
                    "object_window",
                    "quantity_window",
                    "modality_window",
                    "inherit_window",
                    "active_suffixes",
                    "place_object_types",
                    "distinct_predicate_types",
                    "question_marks",
                    "partner_types",
                    "mediator_predicates",
                    "guarantor_predicates",
                    "party_excluded_types",
                }
            ),
        ),
        "value": Field(kind="any", required=True),
        "note": Field(),
    },
    unique=("key",),
    description="named constants of claim extraction",
)

_OPEN_QUOTES = frozenset({"“", "«", "‘"})
_CLOSE_QUOTES = frozenset({"”", "»", "’"})
_STRAIGHT_QUOTES = frozenset({'"'})
_PAIRS = {"“": "”", "«": "»", "‘": "’"}
_QUOTE_MARKS = _OPEN_QUOTES | _CLOSE_QUOTES | _STRAIGHT_QUOTES
_NOWHERE: frozenset[int] = frozenset()


class Mention:
    """An entity aligned to tokens (``end`` exclusive); virtual ones come from anaphors.

    A plain class, not a dataclass: mypyc compiles its ``__init__`` (a dataclass keeps the
    generated Python one), and one is built per entity of every document."""

    start: int
    end: int
    text: str
    label: str
    actor_id: str | None
    affiliation_id: str | None
    actor_type: str | None
    anonymous: bool
    person_name: str | None
    virtual: bool

    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        label: str,
        actor_id: str | None = None,
        affiliation_id: str | None = None,
        actor_type: str | None = None,
        anonymous: bool = False,
        person_name: str | None = None,
        virtual: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.label = label
        self.actor_id = actor_id
        self.affiliation_id = affiliation_id
        self.actor_type = actor_type
        self.anonymous = anonymous
        self.person_name = person_name
        self.virtual = virtual

    def __repr__(self) -> str:
        return (
            f"Mention(start={self.start}, end={self.end}, text={self.text!r}, "
            f"label={self.label!r}, actor_id={self.actor_id!r}, virtual={self.virtual})"
        )

    @property
    def ref_id(self) -> str | None:
        """The actor this mention stands for: the actor itself, or a person's/source's side."""
        return self.actor_id if self.label == "ACTOR" else (self.affiliation_id or self.actor_id)

    def named(self, person_name: str) -> Mention:
        """Return a copy of this mention with ``person_name``."""
        return Mention(
            self.start,
            self.end,
            self.text,
            self.label,
            self.actor_id,
            self.affiliation_id,
            self.actor_type,
            self.anonymous,
            person_name,
            self.virtual,
        )

    def moved(self, start: int, end: int, text: str, actor_id: str | None = None) -> Mention:
        """Return a virtual copy of this mention at tokens ``start:end`` with ``text`` (and
        ``actor_id`` instead of its own, when given)."""
        return Mention(
            start,
            end,
            text,
            self.label,
            self.actor_id if actor_id is None else actor_id,
            self.affiliation_id,
            self.actor_type,
            self.anonymous,
            self.person_name,
            True,
        )


@dataclass(frozen=True)
class Attribution:
    """Who a stretch of a sentence is attributed to, and how.

    ``scope`` is the token range the attribution covers; ``span`` the tokens of
    the attribution itself (speaker, cue, addressee, its date), which claims skip.
    """

    claimant_id: str
    claimant_text: str
    anonymous: bool
    affiliation_id: str | None
    cue: str
    scope: tuple[int, int]
    span: frozenset[int] = frozenset()
    basis_id: str | None = None
    quoted: bool = False
    priority: int = 0
    inherited: bool = False
    excluded: tuple[tuple[int, int], ...] = ()
    turn: bool = False  # a speaker label ("NAME:"): the rest of its line is the speaker's
    #: ``(actor_id, text)`` of each coordinated speaker ("Egypt and Qatar said"), when
    #: more than one; the first is the claimant
    sides: tuple[tuple[str, str], ...] = ()

    def covers(self, token: int) -> bool:
        """True when ``token`` lies in the scope and in no excluded clause."""
        lo, hi = self.scope
        if not lo <= token < hi:
            return False
        return not any(a <= token < b for a, b in self.excluded)


@dataclass(frozen=True)
class Settings:
    """The constants of ``rules/claim_settings.jsonl`` with their defaults."""

    anonymous_claimant: str = "anonymous"
    non_subject_actor_types: frozenset[str] = frozenset()
    non_object_actor_types: frozenset[str] = frozenset()
    non_claimant_actor_types: frozenset[str] = frozenset()
    speaker_window: int = 12
    subject_window: int = 25
    object_window: int = 10
    quantity_window: int = 8
    modality_window: int = 5
    inherit_window: int = 1
    active_suffixes: frozenset[str] = frozenset()
    place_object_types: frozenset[str] = frozenset()
    distinct_predicate_types: frozenset[str] = frozenset()
    question_marks: frozenset[str] = frozenset()
    partner_types: frozenset[str] = frozenset()
    mediator_predicates: frozenset[str] = frozenset()
    guarantor_predicates: frozenset[str] = frozenset()
    party_excluded_types: frozenset[str] = frozenset()


def settings_from_rows(rows: Iterable[RuleRow]) -> Settings:
    """Return :class:`Settings` from validated ``claim_settings`` rows."""
    values = {}
    for row in rows:
        value = row["value"]
        if isinstance(value, list):
            value = frozenset(str(v) for v in value)
        values[row["key"]] = value
    return replace(Settings(), **values)


@dataclass
class DocView:
    """Token-level facts of one document, computed once and shared by all sentences."""

    doc: Doc
    sents: list[Span]
    kinds: dict[str, set[int]]  # lexicon class -> token positions
    mentions: list[Mention]
    mention_end_at: dict[int, Mention]  # last token index -> mention
    mention_at: dict[int, Mention]  # any token index -> mention
    quoted: list[bool]
    quote_spans: list[tuple[int, int]]
    pronouns: dict[int, tuple[int, str]] = field(default_factory=dict)  # start -> (end, resolve)
    plural_pronouns: set[int] = field(default_factory=set)  # starts of "they", "we"
    date_tokens: set[int] = field(default_factory=set)
    cue_tokens: set[int] = field(default_factory=set)  # tokens of attribution cues (said, says)
    words: list[str] = field(default_factory=list)
    lower: list[str] = field(default_factory=list)
    punct: list[bool] = field(default_factory=list)
    space: list[bool] = field(default_factory=list)

    def has(self, i: int, kind: str) -> bool:
        """True when token ``i`` belongs to the lexicon class ``kind``."""
        return i in self.kinds.get(kind, _NOWHERE)

    def span_text(self, start: int, end: int) -> str:
        """Return ``doc[start:end].text`` from the cached text (no Span built)."""
        if end <= start:
            return ""
        table = token_table(self.doc)
        return table.text[table.starts_char[start] : table.ends_char[end - 1]]

    def positions(self, kind: str) -> set[int] | frozenset[int]:
        """Return the token positions of the lexicon class ``kind`` (for walks that test
        many tokens: ``j in positions`` instead of a method call per token)."""
        return self.kinds.get(kind, _NOWHERE)

    def text(self, i: int) -> str:
        """Lower-case text of token ``i`` ('' outside the document)."""
        return self.lower[i] if 0 <= i < len(self.lower) else ""


# -- building the view --------------------------------------------------------------


def quote_spans(words: Sequence[str], spaces_before: Sequence[bool]) -> list[tuple[int, int]]:
    """Return ``(start, end)`` token ranges between paired quotation marks.

    Curly quotes pair by direction; a straight ``"`` opens when preceded by a
    space (or the start) and closes otherwise. An apostrophe ``’`` closes only a
    single ``‘``. A quote left open runs to the end of the text.
    """
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    opener = ""
    for i in [k for k, w in enumerate(words) if w in _QUOTE_MARKS]:  # other words change nothing
        word = words[i]
        if open_at is None:
            straight = word in _STRAIGHT_QUOTES and spaces_before[i]
            if word in _OPEN_QUOTES and (word != "‘" or spaces_before[i]) or straight:
                open_at, opener = i, word
            continue
        if _PAIRS.get(opener) == word or (opener in _STRAIGHT_QUOTES and word in _STRAIGHT_QUOTES):
            spans.append((open_at + 1, i))
            open_at = None
    if open_at is not None:
        spans.append((open_at + 1, len(words)))
    return spans


def align_mentions(doc: Doc, entities: Iterable[Entity], *, nested: bool = False) -> list[Mention]:
    """Return the entities as token-aligned mentions, sorted; unless ``nested``, overlaps are
    dropped (the longest wins: a source "an X official" hides its actor X)."""
    table = token_table(doc)
    out: list[Mention] = []
    for ent in entities:
        span = table.token_span(ent.start_char, ent.end_char)
        if span is None or span[1] == span[0]:
            continue
        out.append(
            Mention(
                start=span[0],
                end=span[1],
                text=ent.text,
                label=ent.label,
                actor_id=ent.actor_id,
                affiliation_id=ent.affiliation_id,
                actor_type=ent.actor_type,
                anonymous=bool(ent.anonymous),
                person_name=ent.text if ent.label == "PERSON" else None,
            )
        )
    out.sort(key=lambda m: (m.start, -(m.end - m.start)))
    return out if nested else outermost(out)


def outermost(mentions: Iterable[Mention]) -> list[Mention]:
    """Return sorted mentions without those that start inside an earlier kept one."""
    kept: list[Mention] = []
    for m in mentions:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept


def surname_mentions(words: Sequence[str], mentions: list[Mention]) -> list[Mention]:
    """Return virtual PERSON mentions for later bare surnames of named persons, and give
    one-word PERSON mentions the full name of an earlier longer one (in place).

    Args:
        words: the token texts of the document.
        mentions: its aligned mentions, sorted by start.
    """
    persons = [m for m in mentions if m.label == "PERSON" and m.end - m.start >= 2]
    full: dict[str, str] = {}
    for m in persons:
        full.setdefault(words[m.end - 1], m.text)
    for k, m in enumerate(mentions):
        if m.label == "PERSON" and m.end - m.start == 1 and words[m.start] in full:
            mentions[k] = m.named(full[words[m.start]])
        elif m.label == "PERSON":  # "al-Ansari", "AL-ANSARI" after "Majed al-Ansari"
            short = m.text.lower()
            longer = next(
                (p for p in persons if p.start < m.start and p.text.lower().endswith(" " + short)),
                None,
            )
            if longer is not None:
                mentions[k] = m.named(longer.text)
    if not persons:
        return []
    covered = {i for m in mentions for i in range(m.start, m.end)}
    by_surname: dict[str, Mention] = {}
    pending = sorted(persons, key=lambda m: m.start)
    out: list[Mention] = []
    surnames = {words[m.end - 1] for m in persons}
    # only a surname can be one: visit those words (the queue advances with the position)
    for i in [k for k, w in enumerate(words) if w in surnames]:
        word = words[i]
        while pending and pending[0].end <= i:
            person = pending.pop(0)
            by_surname.setdefault(words[person.end - 1], person)
        if i in covered or not word[:1].isupper():
            continue
        named = by_surname.get(word)
        if named is not None:
            out.append(named.moved(i, i + 1, word))
    return out


def build_view(
    doc: Doc,
    lexicon: Mapping[str, set[int]],
    anaphors: Sequence[tuple[int, int, Row]],
    *,
    skip_types: frozenset[str] = frozenset(),
) -> DocView:
    """Return the :class:`DocView` of ``doc``.

    Args:
        doc: a processed document (sentences set, ``doc._.entities`` filled).
        lexicon: token positions of each class of the claim lexicon.
        anaphors: ``(start, end, row)`` matches of ``claim_anaphors``.
        skip_types: actor types never taken as the owner of "the delegation".
    """
    table = token_table(doc)
    kinds = {kind: set(positions) for kind, positions in lexicon.items()}
    aligned = align_mentions(doc, doc._.entities or [], nested=True)
    mentions = outermost(aligned)
    words = table.words
    virtual = surname_mentions(words, mentions)  # also completes bare surnames in place
    mentions = sorted(mentions + virtual, key=lambda m: m.start)
    view = DocView(
        doc=doc,
        sents=list(doc.sents),
        kinds=kinds,
        mentions=mentions,
        mention_end_at={},
        mention_at={},
        quoted=[False] * len(doc),
        quote_spans=[],
    )
    _index_mentions(view)
    for date in doc._.dates or []:
        span = table.token_span(date.start_char, date.end_char)
        if span is not None:
            view.date_tokens.update(range(*span))
    view.words = words
    view.lower = table.lowers
    flags = table.columns([IS_PUNCT, IS_SPACE, SPACY]).astype(bool)
    view.punct, view.space = flags[:, 0].tolist(), flags[:, 1].tolist()
    spaces = [True, *flags[:-1, 2].tolist()]  # whitespace before each token
    view.quote_spans = quote_spans(view.words, spaces[: len(doc)])
    for a, b in view.quote_spans:
        view.quoted[a:b] = [True] * (b - a)
    actors = [m for m in aligned if m.label == "ACTOR"]
    _resolve_anaphors(view, anaphors, skip_types, actors)
    return view


def _index_mentions(view: DocView) -> None:
    view.mentions.sort(key=lambda m: m.start)
    view.mention_end_at = {m.end - 1: m for m in view.mentions}
    view.mention_at = {i: m for m in view.mentions for i in range(m.start, m.end)}


def _resolve_anaphors(
    view: DocView,
    anaphors: Sequence[tuple[int, int, Row]],
    skip_types: frozenset[str],
    actors: Sequence[Mention],
) -> None:
    """Add virtual mentions for "the group", "the delegation"; keep pronouns for later."""
    added: list[Mention] = []
    for start, end, row in sorted(anaphors, key=lambda a: a[0]):
        if any(i in view.mention_at for i in range(start, end)):
            continue
        resolve = row["resolve"]
        if resolve in {"claimant", "person", "person_side", "speaker_side", "unnamed"}:
            view.pronouns[start] = (end, resolve)
            if row.get("plural"):
                view.plural_pronouns.add(start)
            continue
        target: Mention | None = None
        if resolve == "actor_type":
            types = set(row.get("actor_types", []))
            target = next(
                (m for m in reversed(actors) if m.end <= start and m.actor_type in types), None
            )
        elif resolve == "owner_of":
            target = _owner_before(view, start, row.get("head", ""), skip_types)
        if target is not None:
            added.append(target.moved(start, end, view.span_text(start, end)))
    if added:
        view.mentions.extend(added)
        _index_mentions(view)


def _owner_before(
    view: DocView, before: int, head: str, skip_types: frozenset[str]
) -> Mention | None:
    """Return the actor owning the last ``head`` noun before ``before`` (an X delegation)."""
    for i in range(before - 1, -1, -1):
        if not view.has(i, head):
            continue
        for j in range(i - 1, max(i - 3, -1), -1):
            m = view.mention_end_at.get(j)
            if m is not None and m.label == "ACTOR":
                return m
        for j in range(i + 1, min(i + 8, len(view.doc))):
            m = view.mention_at.get(j)
            if m is not None and m.label == "ACTOR" and m.actor_type not in skip_types:
                return m
    return None


# -- attributions ---------------------------------------------------------------------


class CueHit:
    """A matched attribution cue (a plain class: mypyc compiles its ``__init__``)."""

    start: int
    end: int
    row: Row

    def __init__(self, start: int, end: int, row: Row) -> None:
        self.start = start
        self.end = end
        self.row = row


def claimant_of(mention: Mention, settings: Settings) -> tuple[str, bool, str | None] | None:
    """Return ``(claimant_id, anonymous, affiliation_id)`` for a speaker mention, or None."""
    if mention.label == "SOURCE" and not mention.anonymous and mention.affiliation_id:
        # an unnamed spokesperson speaks on the record for the organisation
        return mention.affiliation_id, False, mention.affiliation_id
    if mention.anonymous or mention.label == "SOURCE" and not mention.actor_id:
        return settings.anonymous_claimant, True, mention.affiliation_id
    if mention.label == "PERSON":
        name = mention.person_name or mention.text
        return name, False, mention.affiliation_id
    if mention.actor_type in settings.non_claimant_actor_types:
        return None
    if mention.actor_id:
        return mention.actor_id, False, mention.affiliation_id or mention.actor_id
    return None


def is_compound(view: DocView, m: Mention) -> bool:
    """True for the X of X-based, X-run: a modifier, not an actor."""
    return view.text(m.end) == "-" and view.has(m.end + 1, "compound_suffix")


def is_blocked(
    view: DocView,
    m: Mention,
    lo: int,
    *,
    extra: frozenset[int] = frozenset(),
    suffixes: frozenset[str] = frozenset(),
) -> bool:
    """True when ``m`` follows a preposition directly or through a coordination (backed
    by X and Y), starts in ``extra`` (an object zone), or is "X-based". A mention followed
    by a word with one of ``suffixes`` is the subject of that participle ("with Hamas
    staying away"), not blocked."""
    if is_compound(view, m) or m.start in extra:
        return True
    if suffixes and any(view.text(m.end).endswith(x) for x in suffixes):
        return False
    j = m.start - 1
    while j >= lo and view.has(j, "determiner"):
        j -= 1
    if j < lo:
        return False
    if view.has(j, "blocker") or view.has(j, "agent"):
        return True
    in_list = view.text(j) == "," and (view.has(m.end, "coordinator") or view.text(m.end) == ",")
    if view.has(j, "coordinator") or in_list:
        prev = view.mention_end_at.get(j - 1)
        if prev is not None and prev.start >= lo:
            return is_blocked(view, prev, lo, extra=extra)
    return False


def _previous_word(view: DocView, j: int, lo: int) -> int:
    """Return the position of the last token before ``j`` that is no space (``lo - 1``
    when there is none in the sentence)."""
    j -= 1
    while j >= lo and view.space[j]:
        j -= 1
    return j


def coordinated_after(view: DocView, m: Mention, hi: int) -> list[Mention]:
    """Return the actors coordinated after ``m`` ("by X and Y": Y)."""
    out: list[Mention] = []
    cur = m
    while True:
        j = cur.end
        if j >= hi or not (view.has(j, "coordinator") or view.text(j) == ","):
            break
        j += 1
        while j < hi and (view.has(j, "coordinator") or view.text(j) == ","):
            j += 1  # "together with", ", along with", ", and"
        while j < hi and view.has(j, "determiner"):
            j += 1
        nxt = view.mention_at.get(j)
        if nxt is None or nxt.start != j:
            break
        out.append(nxt)
        cur = nxt
    return out


def first_conjunct(view: DocView, m: Mention, lo: int) -> Mention:
    """Return the first of coordinated speakers ending with ``m`` ("mediators Qatar and
    the United States announced": Qatar) when the coordination opens its clause: at
    most two plain words stand between it and the sentence start, a comma or a quote."""
    while True:
        j = m.start - 1
        while j >= lo and (view.has(j, "determiner") or view.space[j]):
            j -= 1
        if j < lo or not (view.has(j, "coordinator") or view.text(j) == ","):
            return m
        prev = view.mention_end_at.get(j - 1)
        if prev is None or prev.start < lo or prev.label != m.label:
            return m
        k, plain = prev.start - 1, 0
        while k >= lo and plain <= 2:
            if k in view.mention_end_at or view.punct[k] or view.has(k, "boundary"):
                break
            plain += 1
            k -= 1
        opens = k < lo or view.text(k) == "," or view.words[k] in _QUOTE_MARKS
        if not opens or is_blocked(view, prev, lo):
            return m
        m = prev


def clause_subject(view: DocView, lo: int, end: int) -> Mention | None:
    """Return the first mention of the sentence before ``end`` when no preposition
    governs it and no quotation holds it: the subject that a coordinated cue shares
    ("Israel halted ... and said"). When that mention is a demonym or state right before a
    titled person ("Turkish Foreign Minister Hakan Fidan welcomed ... and said"), the
    person is the subject."""
    for k, m in enumerate(view.mentions):
        if m.start < lo:
            continue
        if m.start >= end or view.quoted[m.start] or is_blocked(view, m, lo):
            return None
        nxt = view.mentions[k + 1] if k + 1 < len(view.mentions) else None
        if (
            m.label == "ACTOR"
            and nxt is not None
            and nxt.label == "PERSON"
            and nxt.start < end
            and 0 <= nxt.start - m.end <= TITLE_GAP
            and not any(
                view.punct[i] or view.has(i, "coordinator") for i in range(m.end, nxt.start)
            )
        ):
            return nxt
        return m
    return None


#: Title words that may stand between a state and the person it qualifies ("Turkish
#: Foreign Minister Hakan Fidan"): a structural limit, not a word list.
TITLE_GAP = 3


def appositive_speaker(view: DocView, cue: CueHit, lo: int, settings: Settings) -> Mention | None:
    """Return X of "X, <appositive>, said": the cue right after a comma that closes a
    phrase opened by a comma right after X; None otherwise."""
    c1 = _previous_word(view, cue.start, lo)
    if c1 < lo or view.text(c1) != ",":
        return None
    c0 = c1 - 1
    while c0 >= max(lo, cue.start - settings.speaker_window) and view.text(c0) != ",":
        if view.words[c0] in _QUOTE_MARKS or view.has(c0, "boundary"):
            return None
        c0 -= 1
    if c0 < lo or view.text(c0) != "," or c0 + 1 >= c1:
        return None
    m = view.mention_end_at.get(_previous_word(view, c0, lo))
    if m is None or m.start < lo or is_blocked(view, m, lo):
        return None
    return m


def speaker_left(
    view: DocView, cue: CueHit, lo: int, settings: Settings
) -> tuple[Mention | None, int | None]:
    """Return the speaker left of a verb cue and, for a pronoun speaker, its token.

    Walks left at most ``speaker_window`` tokens without crossing a quotation mark
    or a clause boundary; mentions inside a closed relative clause (X, who heads
    Y, confirmed: X) and mentions after a
    preposition are passed over.
    """
    boundary, relative = view.positions("boundary"), view.positions("relative")
    complementizer = view.positions("complementizer")
    participle = any(view.text(cue.start).endswith(x) for x in settings.active_suffixes)
    suffixes = settings.active_suffixes if participle else frozenset()
    before = _previous_word(view, cue.start, lo)
    while before >= lo and view.has(before, "skip"):
        before = _previous_word(view, before, lo)
    if before >= lo and view.has(before, "coordinator") and before not in view.pronouns:
        subject = clause_subject(view, lo, before)  # "Israel halted ..., and said"
        if subject is not None:
            return subject, None
    appositive = appositive_speaker(view, cue, lo, settings)
    if appositive is not None:
        return appositive, None
    candidates: list[tuple[Mention, int]] = []
    commas = 0
    j = cue.start - 1
    if participle and before >= lo and view.has(before, "boundary") and not view.punct[before]:
        j = before - 1  # "staying away but saying": the participles share a subject
    stop = max(lo, cue.start - settings.speaker_window)
    while j >= stop:
        tok = view.words[j]
        if j in view.pronouns and not candidates:
            return None, j
        if j in boundary or tok in _QUOTE_MARKS:
            break
        if tok == ",":
            commas += 1
        elif j in complementizer and not commas:
            break
        elif j in relative:
            candidates = [(m, c) for m, c in candidates if c != commas]
        m = view.mention_end_at.get(j)
        if m is not None:
            if not is_blocked(view, m, lo, suffixes=suffixes):
                candidates.append((m, commas))
            j = m.start - 1
            continue
        j -= 1
    if not candidates:
        return None, None
    return first_conjunct(view, candidates[0][0], lo), None


def speaker_right(view: DocView, cue: CueHit, hi: int) -> tuple[Mention | None, int | None]:
    """Return the speaker of an inverted cue (",” added the official"), or a pronoun token."""
    prev = cue.start - 1
    while prev >= 0 and view.space[prev]:
        prev -= 1
    if prev < 0 or not cue.row.get("inverted", True):
        return None, None
    after_quote = view.words[prev] in {*_CLOSE_QUOTES, *_STRAIGHT_QUOTES}
    if not after_quote and view.words[prev] != ",":
        return None, None
    j = cue.end
    while j < min(hi, cue.end + 6) and not view.punct[j] and not view.has(j, "boundary"):
        if j in view.pronouns:
            end = view.pronouns[j][0]
            return (None, j) if after_quote or _ends_np(view, end, hi) else (None, None)
        m = view.mention_at.get(j)
        if m is not None and m.start == j:
            if is_compound(view, m):
                j = m.end
                continue
            return (m, None) if after_quote or _ends_np(view, m.end, hi) else (None, None)
        j += 1
    return None, None


def _ends_np(view: DocView, j: int, hi: int) -> bool:
    """True when nothing but punctuation or a relative clause follows position ``j``."""
    return j >= hi or view.punct[j] or view.has(j, "relative") or j in view.date_tokens


def _claimant_after(view: DocView, start: int, hi: int) -> tuple[Mention | None, int]:
    """Return the source named after an according-type cue and where its noun phrase ends."""
    j = start
    found: Mention | None = None
    while j < hi:
        tok = view.words[j]
        if tok in {",", ".", ";", ":"} or view.has(j, "basis") or view.has(j, "boundary"):
            break
        m = view.mention_at.get(j)
        if m is not None:
            if not is_compound(view, m):
                found = m
            j = m.end
            continue
        if j in view.pronouns and found is None:
            found = Mention(
                j, view.pronouns[j][0], view.span_text(j, view.pronouns[j][0]), "PRONOUN"
            )
        j += 1
    return found, j


def _basis_after(view: DocView, start: int, hi: int) -> str | None:
    """Return the actor after a basis cue (based on X figures) following ``start``."""
    j = start
    while j < hi and not view.has(j, "basis"):
        if view.words[j] in {",", ";", "."}:
            return None
        j += 1
    while j < hi and view.has(j, "basis"):
        j += 1
    for k in range(j, min(j + 4, hi)):
        m = view.mention_at.get(k)
        if m is not None:
            return m.ref_id
    return None


def _after_cue(view: DocView, j: int, hi: int, *, addressee: bool) -> int:
    """Skip what belongs to the attribution after a cue (its date, skip-words, and for
    addressee cues "told AFP in Doha", "told reporters"); return the next token."""
    dates = view.date_tokens

    def attached(k: int) -> bool:
        m = view.mention_at.get(k)
        return k in dates or (addressee and (m is not None or view.has(k, "addressee")))

    def belongs(k: int) -> bool:
        if k in dates or view.has(k, "skip") or view.space[k]:
            return True
        if addressee and view.has(k, "addressee"):
            return True
        if view.has(k, "blocker"):
            return attached(k + 1 + int(view.has(k + 1, "determiner")))
        return view.has(k, "determiner") and attached(k + 1)

    while j < hi:
        m = view.mention_at.get(j)
        if addressee and m is not None and m.start == j:
            j = m.end
        elif belongs(j):
            j += 1
        else:
            break
    return j


def _exclusions(view: DocView, lo: int, hi: int, cue: CueHit) -> tuple[tuple[int, int], ...]:
    """Return clauses opened by a scope-break word ("despite ...") that do not hold the cue."""
    out: list[tuple[int, int]] = []
    for j in sorted(p for p in view.positions("scope_break") if lo <= p < hi):
        k = j + 1
        while k < hi and view.words[k] != ",":
            k += 1
        if not j <= cue.start < k:
            out.append((j, k))
    return tuple(out)


def sentence_attributions(
    view: DocView,
    sent: Span,
    cues: Sequence[CueHit],
    settings: Settings,
    *,
    last: Attribution | None,
) -> list[Attribution]:
    """Return the attributions of one sentence, best first.

    Args:
        view: the document view.
        sent: the sentence.
        cues: the attribution cues matched in it.
        settings: named constants.
        last: the most recent explicit attribution before this sentence
            (pronoun speakers and "the statement" resolve to it).
    """
    lo, hi = sent.start, sent.end
    out: list[Attribution] = []
    has_quote: bool | None = None  # computed when a cue asks
    # words between speaker and cue that belong to the attribution ("Hamas also said")
    skips, statements = view.positions("skip"), view.positions("statement")
    determiners = view.positions("determiner")
    for cue in cues:
        kind = cue.row["kind"]
        if cue.row.get("requires_quote"):
            if has_quote is None:
                has_quote = any(
                    view.quoted[k] or view.words[k] in _QUOTE_MARKS for k in range(lo, hi)
                )
            if not has_quote:
                continue
        speaker: Mention | None = None
        pronoun: int | None = None
        closing = False
        np_end = hi
        span = set(range(cue.start, cue.end))
        if kind == "label":
            speaker = label_speaker(view, cue, lo)
            if speaker is None:
                continue
            span |= set(range(speaker.start, cue.end))
            scope, basis = (cue.end, hi), None
        elif kind == "according":
            speaker, np_end = _claimant_after(view, cue.end, hi)
            if speaker is None:
                continue
            span |= set(range(cue.end, np_end))
            lead = all(view.punct[k] or view.space[k] for k in range(lo, cue.start))
            scope = (np_end, hi) if lead else (lo, hi)
            if speaker.label == "PRONOUN":
                pronoun, speaker = speaker.start, None
            basis = _basis_after(view, speaker.end if speaker else np_end, hi)
        else:
            basis = None
            speaker, pronoun = speaker_right(view, cue, hi)
            inverted = speaker is not None or pronoun is not None
            if not inverted:
                speaker, pronoun = speaker_left(view, cue, lo, settings)
            if speaker is None and pronoun is None:
                continue
            s_start = speaker.start if speaker else pronoun or cue.start
            s_end = speaker.end if speaker else view.pronouns.get(pronoun or -1, (cue.end, ""))[0]
            participle = any(view.text(cue.start).endswith(x) for x in settings.active_suffixes)
            shared = not inverted and _shares_subject(view, cue, lo)  # "X halted ... and said"
            if not participle and not shared:
                span |= set(range(s_start, s_end))
            lo_gap, hi_gap = (s_end, cue.start) if s_end <= cue.start else (cue.end, s_start)
            if shared:
                lo_gap = hi_gap
            span |= {
                k
                for k in range(lo_gap, hi_gap)
                if view.punct[k]
                or k in view.date_tokens
                or k in skips
                or k in statements
                or k in determiners
            }
            after = _after_cue(view, cue.end, hi, addressee=bool(cue.row.get("addressee")))
            if cue.row.get("final_only") and after < hi and not view.punct[after]:
                continue
            span |= set(range(cue.end, after))
            closing = after >= hi or all(view.punct[k] or view.space[k] for k in range(after, hi))
            if inverted:
                scope = (lo, min(s_start, cue.start))
                if _content_continues(view, s_end, hi):  # ", said X, among them ..."
                    scope = (lo, hi)
            elif _after_comma(view, s_start, lo):  # "..., two officials told the site X"
                scope = (lo, hi)
            else:
                content_right = (
                    after < hi
                    and view.words[after] not in {",", ".", ";"}
                    and sum(not view.punct[k] for k in range(after, hi)) >= 3
                )
                head = all(
                    view.punct[k] or view.space[k] or view.has(k, "determiner")
                    for k in range(lo, s_start)
                )
                scope = (after, hi) if content_right and not head else (lo, hi)
                if content_right and head:
                    scope = (after, hi)
        turn = next((a for a in out if a.turn), None)  # "AL-ANSARI: According to what we know"
        claimant = _resolve_claimant(view, speaker, pronoun, settings, last, turn=turn)
        if claimant is None:
            continue
        cid, ctext, anonymous, affiliation = claimant
        quoted = any(view.quoted[k] for k in range(scope[0], scope[1]) if k not in span)
        sides: tuple[tuple[str, str], ...] = ()
        if speaker is not None and speaker.label == "ACTOR" and speaker.ref_id:
            # the coordination ends at the cue, or with the claimant noun phrase of an
            # according-type cue
            group_end = cue.start if speaker.end <= cue.start else hi
            if kind == "according":
                group_end = np_end
            group = [speaker, *coordinated_after(view, speaker, group_end)]
            found = {m.ref_id: m.text for m in group if m.ref_id}
            sides = tuple(found.items()) if len(found) > 1 else ()
        out.append(
            Attribution(
                claimant_id=cid,
                claimant_text=ctext,
                anonymous=anonymous,
                affiliation_id=affiliation,
                cue=view.span_text(cue.start, cue.end),
                scope=scope,
                span=frozenset(span),
                basis_id=basis,
                quoted=quoted,
                # "..., X said." closes the sentence: it outranks a cue inside the content
                priority=int(cue.row.get("priority", 0)) + int(kind == "verb" and closing),
                excluded=_exclusions(view, scope[0], scope[1], cue),
                turn=kind == "label",
                sides=sides,
            )
        )
    out = _clip_scopes(out, lo)
    out.sort(key=lambda a: -a.priority)
    return out


def _shares_subject(view: DocView, cue: CueHit, lo: int) -> bool:
    """True when a coordinator stands right before the cue ("... and said"): the speaker is
    the subject of the first clause too, so its tokens stay free for that clause's claims."""
    j = _previous_word(view, cue.start, lo)
    while j >= lo and view.has(j, "skip"):
        j = _previous_word(view, j, lo)
    return j >= lo and view.has(j, "coordinator") and j not in view.pronouns


def is_question(view: DocView, sent: Span, marks: frozenset[str]) -> bool:
    """True when the sentence ends with a question mark (before closing quotes and
    brackets): it asks, it asserts nothing ("Will Qatar host the next round?")."""
    k = sent.end - 1
    while k >= sent.start and (
        view.space[k] or view.words[k] in _CLOSE_QUOTES or view.words[k] in {'"', ")", "]"}
    ):
        k -= 1
    return k >= sent.start and view.words[k] in marks


def opens_line(view: DocView, i: int) -> bool:
    """True when token ``i`` is the first word of a line of the text."""
    table = token_table(view.doc)
    start = table.starts_char[i]
    before = table.text[max(0, start - 40) : start].rstrip(" \t")
    return before.endswith("\n") or (not before and start <= 40)


#: How many tokens an all-capitals title after the speaker's name may have ("AL-ANSARI,
#: QATARI FOREIGN MINISTRY SPOKESMAN:"): a structural limit, not a word list.
LABEL_TITLE_REACH = 8


def label_speaker(view: DocView, cue: CueHit, lo: int) -> Mention | None:
    """Return the speaker of a transcript label ("AL-ANSARI: ...", "MAJED AL-ANSARI, QATARI
    FOREIGN MINISTRY SPOKESMAN: ..."): a mention that opens its line and stands right before
    the label's colon, or before a comma and an all-capitals title; None otherwise."""
    j = _previous_word(view, cue.start, lo)
    m = view.mention_end_at.get(j)
    if m is None or m.label == "ACTOR":
        m = None
        k = j
        while k >= max(lo, j - LABEL_TITLE_REACH) and view.words[k] != ",":
            word = view.words[k]
            if word != word.upper() or word in {":", ".", "?", "!"}:
                return None
            k -= 1
        if k >= lo and view.words[k] == ",":
            m = view.mention_end_at.get(_previous_word(view, k, lo))
    if m is None or m.start < lo or m.label == "ACTOR" or not opens_line(view, m.start):
        return None
    return m


def _after_comma(view: DocView, s_start: int, lo: int) -> bool:
    """True when a comma stands right before the speaker and content before it ("The
    talks are stuck, an official told AFP ..."): the attribution closes its sentence."""
    j = _previous_word(view, s_start, lo)
    while j >= lo and view.has(j, "determiner"):
        j = _previous_word(view, j, lo)
    if j < lo or view.text(j) != ",":
        return False
    return sum(not view.punct[k] and k not in view.date_tokens for k in range(lo, j)) >= 3


def _content_continues(view: DocView, s_end: int, hi: int) -> bool:
    """True when the content goes on after an inverted speaker: a comma and a phrase that
    is no appositive (none opened by a determiner, a relative word or a name)."""
    j = s_end
    while j < hi and (view.space[j] or j in view.date_tokens or view.has(j, "skip")):
        j += 1
    if j >= hi - 1 or view.text(j) != ",":
        return False
    k = j + 1
    while k < hi and view.space[k]:
        k += 1
    if k >= hi or view.punct[k] or k in view.mention_at or k in view.pronouns:
        return False
    return not (view.has(k, "determiner") or view.has(k, "relative"))


def _clip_scopes(atts: list[Attribution], lo: int) -> list[Attribution]:
    """Return the attributions with each content-right scope ending where a later
    speaker's attribution begins ("Qatar said ..., and a Qatari source told ...")."""
    starts = sorted(min(a.span) for a in atts if a.span)
    out: list[Attribution] = []
    for a in atts:
        head = min(a.span) if a.span else lo
        if a.scope[0] > head:  # the content follows the speaker and cue
            later = [s for s in starts if a.scope[0] < s < a.scope[1]]
            if later:
                a = replace(a, scope=(a.scope[0], later[0]))
        out.append(a)
    return out


def _resolve_claimant(
    view: DocView,
    speaker: Mention | None,
    pronoun: int | None,
    settings: Settings,
    last: Attribution | None,
    *,
    turn: Attribution | None = None,
) -> tuple[str, str, bool, str | None] | None:
    if speaker is not None and speaker.label != "PRONOUN":
        got = claimant_of(speaker, settings)
        if got is None:
            return None
        cid, anonymous, affiliation = got
        return cid, speaker.text, anonymous, affiliation
    if pronoun is None:
        return None
    end, resolve = view.pronouns.get(pronoun, (pronoun + 1, "claimant"))
    text = view.span_text(pronoun, end)
    if resolve == "unnamed":
        return settings.anonymous_claimant, text, True, None
    if resolve == "speaker_side":  # "we" is the speaker of the transcript turn it is in
        if turn is None:
            return None
        return turn.claimant_id, text, turn.anonymous, turn.affiliation_id
    if resolve == "person_side":
        person = antecedent_person(view, pronoun)
        side = person.ref_id if person is not None else None
        return (side, text, False, side) if side else None
    if last is not None:
        return last.claimant_id, text, last.anonymous, last.affiliation_id
    return None


def antecedent_person(view: DocView, pos: int) -> Mention | None:
    """Return the person a pronoun at ``pos`` stands for: the first named person of the
    nearest sentence before it that names one (usually that sentence's subject)."""
    earlier = [m for m in view.mentions if m.end <= pos and m.label == "PERSON" and m.ref_id]
    if not earlier:
        return None
    last = next(s for s in view.sents if s.start <= earlier[-1].start < s.end)
    return next(m for m in earlier if last.start <= m.start < last.end)


def inherited_attribution(
    view: DocView, sent: Span, previous: Attribution | None, spanning: Attribution | None
) -> Attribution | None:
    """Return the attribution a sentence without its own cue inherits, or None.

    A sentence inherits only when the text makes it explicit: it lies inside a
    quotation whose attribution is in another sentence (``spanning``), or it
    opens with a quotation mark right after a sentence whose attributed content
    was quoted (``previous``).
    """
    scope = (sent.start, sent.end)
    if spanning is not None:
        return replace(
            spanning, scope=scope, span=frozenset(), inherited=True, quoted=True, excluded=()
        )
    first = next((k for k in range(sent.start, sent.end) if not view.space[k]), None)
    # the sentence opens with a quotation mark, or right after one (split after the mark)
    at_mark = after_mark = False
    if first is not None:
        at_mark = first + 1 < len(view.doc) and view.quoted[first + 1] and not view.quoted[first]
        after_mark = (
            first > 0
            and view.quoted[first]
            and not view.quoted[first - 1]
            and view.words[first - 1] in _QUOTE_MARKS
        )
    if previous is not None and previous.quoted and (at_mark or after_mark):
        return replace(previous, scope=scope, span=frozenset(), inherited=True, excluded=())
    if previous is not None and previous.turn and "\n" not in view.span_text(
        previous.scope[0], sent.start
    ):  # the speaker's turn goes on to the end of its line
        return replace(previous, scope=scope, span=frozenset(), inherited=True, excluded=())
    return None
