"""Quantities: counts, ranges, durations and plan sizes, normalised and categorised.

The vocabulary lives in ``rules/number_*.jsonl`` (number words, qualifiers,
counted nouns and units, event cues, fused length adjectives, context words and
the category list); this module is mechanism only. :func:`parse_number` turns
the text of one number expression into value/low/high/qualifier with a small
closed-vocabulary converter that never runs over running text, and
:func:`parse_quantity` adds a trailing unit (durations in days). The
``ceasefire_numbers`` component runs after the date tagger: a Matcher built once
finds number cores, then one left-to-right pass attaches qualifiers, ranges,
units, the counted phrase and a category (the counted noun's own category first,
else the nearest event cue in the clause, else the default).
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from spacy.attrs import IS_ALPHA, LIKE_NUM, SENT_START, SHAPE
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.component import RuleComponent
from pipeline.records import Quantity, build
from pipeline.rules import Field, RuleRow, RuleSpec, load_spec_rows
from pipeline.tokens import WordClass, filter_ranges, token_table

# -- rule files ---------------------------------------------------------------

QUALIFIERS = frozenset({"at_least", "more_than", "about", "up_to"})
_EXACT, _RANGE, _VAGUE = "exact", "range", "approximate"
_LOW_BOUND = frozenset({"at_least", "more_than"})
_HIGH_BOUND = frozenset({"up_to"})
_CATEGORY = Field(ref="number_categories.category")

NUMBER_CATEGORIES = RuleSpec(
    name="number_categories",
    fields={
        "category": Field(required=True),
        "unit": Field(),
        "description": Field(),
        "default": Field(kind="bool", default=False),
    },
    unique=("category",),
    description="the categories a quantity can have; one is the default",
)
NUMBER_WORDS = RuleSpec(
    name="number_words",
    fields={
        "word": Field(required=True),
        "value": Field(kind="float", required=True),
        "kind": Field(
            required=True,
            choices=frozenset({"unit", "teen", "tens", "scale", "dozen", "article", "vague"}),
        ),
        "needs_noun": Field(kind="bool", default=False),
        "note": Field(),
    },
    unique=("word",),
    description="closed vocabulary of spelled-out numbers",
)
NUMBER_QUALIFIERS = RuleSpec(
    name="number_qualifiers",
    fields={
        "phrase": Field(required=True),
        "qualifier": Field(required=True, choices=QUALIFIERS),
        "guarded": Field(kind="bool", default=False),
        "note": Field(),
    },
    unique=("phrase",),
    description="words before a number that qualify it",
)
NUMBER_NOUNS = RuleSpec(
    name="number_nouns",
    fields={
        "word": Field(required=True),
        "kind": Field(required=True, choices=frozenset({"noun", "group", "measure", "currency"})),
        "unit": Field(),
        "category": _CATEGORY,
        "days": Field(kind="float"),
        "fusable": Field(kind="bool", default=False),
        "captive_category": _CATEGORY,
        "note": Field(),
    },
    unique=("word",),
    description="counted nouns, peoples, units of measure and currency symbols",
)
NUMBER_CUES = RuleSpec(
    name="number_cues",
    fields={
        "phrase": Field(required=True),
        "kind": Field(required=True, choices=frozenset({"event", "captive", "noun"})),
        "category": Field(required=True, ref="number_categories.category"),
        "note": Field(),
    },
    unique=("phrase",),
    description="event words that categorise a nearby number",
)
NUMBER_FUSED = RuleSpec(
    name="number_fused",
    fields={
        "phrase": Field(required=True),
        "value": Field(kind="float", required=True),
        "unit": Field(required=True),
        "category": Field(required=True, ref="number_categories.category"),
        "note": Field(),
    },
    unique=("phrase",),
    description="length adjectives with no digits (weeklong)",
)
CONTEXT_KINDS = frozenset(
    {
        "label_before",
        "date_word",
        "clutter_after",
        "clause_break",
        "carry_verb",
        "range_open",
        "range_conn",
        "of",
        "stop",
        "link",
        "number_joiner",
        "range_close",
        "list_joiner",
        "point_after",
        "anaphor",
        "filler",
        "age_after",
        "qualifier_guard",
        "carry_label",
        "subset",
        "partitive_det",
    }
)
NUMBER_CONTEXT = RuleSpec(
    name="number_context",
    fields={
        "word": Field(required=True),
        "kind": Field(required=True, choices=CONTEXT_KINDS),
        "note": Field(),
    },
    unique=("word", "kind"),
    description="function words around numbers (labels, dates, ranges, clause breaks)",
)
SPECS = (
    NUMBER_CATEGORIES,
    NUMBER_WORDS,
    NUMBER_QUALIFIERS,
    NUMBER_NOUNS,
    NUMBER_CUES,
    NUMBER_FUSED,
    NUMBER_CONTEXT,
)


# -- lexicon --------------------------------------------------------------------


@dataclass(frozen=True)
class Noun:
    """A word that can follow a number (a row of ``number_nouns``)."""

    word: str
    kind: str
    unit: str | None = None
    category: str | None = None
    days: float | None = None
    fusable: bool = False
    captive_category: str | None = None


@dataclass(frozen=True)
class Cue:
    """An event phrase that categorises a nearby number."""

    phrase: str
    kind: str
    category: str


@dataclass(frozen=True)
class NumberLexicon:
    """Every rule table the number code reads, keyed by lower-case text."""

    words: Mapping[str, tuple[float, str]]
    needs_noun: frozenset[str]
    qualifiers: Mapping[tuple[str, ...], str]
    nouns: Mapping[str, Noun]
    cues: Mapping[str, Cue]
    fused: Mapping[str, tuple[float, str, str]]
    context: Mapping[str, frozenset[str]]
    category_units: Mapping[str, str] = field(default_factory=dict)
    default_category: str = "other"
    longest_qualifier: int = 1
    guarded: frozenset[tuple[str, ...]] = frozenset()

    @classmethod
    def from_rows(cls, rows: Mapping[str, Sequence[RuleRow]]) -> NumberLexicon:
        """Build the lexicon from validated rows keyed by spec name."""
        qualifiers = {
            tuple(_pieces(r["phrase"])): r["qualifier"] for r in rows["number_qualifiers"]
        }
        context: dict[str, set[str]] = {kind: set() for kind in CONTEXT_KINDS}
        for r in rows["number_context"]:
            context[r["kind"]].add(r["word"].lower())
        defaults = [r["category"] for r in rows["number_categories"] if r.get("default")]
        return cls(
            words={r["word"].lower(): (r["value"], r["kind"]) for r in rows["number_words"]},
            needs_noun=frozenset(
                r["word"].lower() for r in rows["number_words"] if r.get("needs_noun")
            ),
            qualifiers=qualifiers,
            nouns={
                r["word"].lower(): Noun(
                    r["word"].lower(),
                    r["kind"],
                    r.get("unit"),
                    r.get("category"),
                    r.get("days"),
                    bool(r.get("fusable")),
                    r.get("captive_category"),
                )
                for r in rows["number_nouns"]
            },
            cues={
                r["phrase"].lower(): Cue(r["phrase"].lower(), r["kind"], r["category"])
                for r in rows["number_cues"]
            },
            fused={
                r["phrase"].lower(): (r["value"], r["unit"], r["category"])
                for r in rows["number_fused"]
            },
            context={kind: frozenset(words) for kind, words in context.items()},
            category_units={
                r["category"]: r["unit"] for r in rows["number_categories"] if r.get("unit")
            },
            default_category=defaults[0] if defaults else "other",
            longest_qualifier=max((len(k) for k in qualifiers), default=1),
            guarded=frozenset(
                tuple(_pieces(r["phrase"])) for r in rows["number_qualifiers"] if r.get("guarded")
            ),
        )

    def kind_words(self, *kinds: str) -> list[str]:
        """Return the number words of the given kinds."""
        return sorted(w for w, (_, kind) in self.words.items() if kind in kinds)

    def nouns_of(self, *kinds: str) -> list[str]:
        """Return the noun words of the given kinds."""
        return sorted(w for w, noun in self.nouns.items() if noun.kind in kinds)

    def has(self, kind: str, word: str) -> bool:
        """Return True when ``word`` (lower case) is a context word of ``kind``."""
        return word in self.context[kind]


def load_lexicon(rules_dir: Path) -> NumberLexicon:
    """Read and validate the number rule files in ``rules_dir`` into a lexicon."""
    return NumberLexicon.from_rows(
        {spec.name: load_spec_rows(Path(rules_dir), spec) for spec in SPECS}
    )


# -- pure parsing -----------------------------------------------------------------

_PIECE = re.compile(r"[a-z]*[$€£]|[a-z]+(?:\.(?=\s|$))?|\d[\d,]*(?:\.\d+)?|\S")
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_YEAR = re.compile(r"\d{4}")


def _pieces(text: str) -> list[str]:
    """Split an expression into lower-case words, digit groups and symbols."""
    return _PIECE.findall(text.lower())


@dataclass(frozen=True)
class ParsedNumber:
    """A number expression, normalised. Vague counts have ``value`` None."""

    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    conservative_value: float | None
    unit: str | None = None
    category: str | None = None


def _core_value(pieces: Sequence[str], lexicon: NumberLexicon) -> tuple[float | None, float] | None:
    """Return ``(value, conservative)`` for one number without qualifiers, or None.

    Vague plurals (and "X of Y" of two vague plurals) give value None.
    """
    if not pieces:
        return None
    words = lexicon.words
    kinds = [words[p][1] if p in words else None for p in pieces]
    if (
        all(k == "vague" or lexicon.has("of", p) for p, k in zip(pieces, kinds, strict=True))
        and kinds[0] == "vague"
    ):
        vague = [words[p][0] for p in pieces if p in words]
        if len(vague) > 2:
            return None
        product = 1.0
        for v in vague:
            product *= v
        return None, product
    total, group = 0.0, None  # group: the part below the last scale word
    prev: str | None = None
    for i, piece in enumerate(pieces):
        kind = kinds[i]
        if _DIGITS.fullmatch(piece):
            if prev is not None:
                return None
            group, prev = float(piece.replace(",", "")), "digits"
            continue
        if piece == "-" or lexicon.has("number_joiner", piece):
            ok = prev == "tens" if piece == "-" else prev in {"scale", "hundred"}
            if not ok or i + 1 == len(pieces):
                return None
            continue
        if kind is None:
            return None
        value = words[piece][0]
        if kind == "article":
            if i != 0 or i + 1 == len(pieces) or kinds[i + 1] not in {"scale", "dozen"}:
                return None
            group, prev = 1.0, "article"
        elif kind in {"unit", "teen", "tens"}:
            if prev in {"unit", "teen", "digits", "article"} or (prev == "tens" and kind != "unit"):
                return None
            group, prev = (group or 0.0) + value, kind
        elif kind == "dozen":
            if prev not in {None, "unit", "teen", "tens", "article", "digits"}:
                return None
            group, prev = (group if group is not None else 1.0) * value, "unit"
        elif kind == "scale" and value < 1000:
            if prev not in {"unit", "teen", "tens", "article", "digits"}:
                return None
            group, prev = (group or 0.0) * value, "hundred"
        elif kind == "scale":
            if group is None:
                return None
            total, group, prev = total + group * value, None, "scale"
        else:
            return None
    result = total + (group or 0.0)
    return (result, result) if prev is not None else None


def parse_number(text: str, *, lexicon: NumberLexicon) -> ParsedNumber | None:
    """Return the value, bounds and qualifier of a number expression, or None.

    ``text`` is the whole expression and nothing else: an optional qualifier,
    an optional range opener, an optional currency symbol, one number or two
    joined by a range word. Any unknown word makes the result None.
    """
    pieces = _pieces(text)
    qualifier: str | None = None
    for n in range(min(lexicon.longest_qualifier, len(pieces)), 0, -1):
        if tuple(pieces[:n]) in lexicon.qualifiers:
            qualifier, pieces = lexicon.qualifiers[tuple(pieces[:n])], pieces[n:]
            break
    opened = bool(pieces) and lexicon.has("range_open", pieces[0])
    if opened:
        pieces = pieces[1:]
    pieces = [p for p in pieces if p not in lexicon.nouns or lexicon.nouns[p].kind != "currency"]
    for i in range(1, len(pieces) - 1):
        piece = pieces[i]
        if not (lexicon.has("range_conn", piece) or (opened and lexicon.has("range_close", piece))):
            continue
        left, right = _core_value(pieces[:i], lexicon), _core_value(pieces[i + 1 :], lexicon)
        lo = left[0] if left else None
        hi = right[0] if right else None
        if lo is not None and hi is not None and lo < hi:
            return ParsedNumber(lo, lo, hi, _RANGE, lo)
    if opened:
        return None
    core = _core_value(pieces, lexicon)
    if core is None:
        return None
    value, conservative = core
    if value is None:
        return ParsedNumber(None, conservative, None, _VAGUE, conservative)
    qualifier = qualifier or _EXACT
    low = value if qualifier in _LOW_BOUND or qualifier == _EXACT else None
    high = value if qualifier in _HIGH_BOUND or qualifier == _EXACT else None
    return ParsedNumber(value, low, high, qualifier, value)


def _scaled(x: float | None, factor: float) -> float | None:
    return None if x is None else round(x * factor, 6)


def parse_quantity(text: str, *, lexicon: NumberLexicon) -> ParsedNumber | None:
    """Like :func:`parse_number`, also reading a trailing unit or a fused length word.

    A unit of time converts to days (six weeks gives 42); a hyphen-fused
    noun gives unit and category (20-point gives 20 points).
    """
    lowered = text.lower().strip()
    if lowered in lexicon.fused:
        value, unit, category = lexicon.fused[lowered]
        return ParsedNumber(value, value, value, _EXACT, value, unit, category)
    pieces = _pieces(lowered)
    currency = next(
        (
            lexicon.nouns[p]
            for p in pieces
            if p in lexicon.nouns and lexicon.nouns[p].kind == "currency"
        ),
        None,
    )
    noun = lexicon.nouns.get(pieces[-1]) if pieces else None
    if noun is None or noun.kind == "currency":
        parsed = parse_number(text, lexicon=lexicon)
        if parsed is None or currency is None:
            return parsed
        return dataclasses.replace(parsed, unit=currency.unit, category=currency.category)
    head = pieces[:-2] if len(pieces) > 2 and pieces[-2] == "-" else pieces[:-1]
    parsed = parse_number(" ".join(head), lexicon=lexicon)
    if parsed is None:
        return None
    factor = noun.days or 1.0
    return ParsedNumber(
        _scaled(parsed.value, factor),
        _scaled(parsed.low, factor),
        _scaled(parsed.high, factor),
        parsed.qualifier,
        _scaled(parsed.conservative_value, factor),
        noun.unit,
        noun.category,
    )


def resolve_category(
    *, noun: Noun | None, group: Noun | None, cue: Cue | None, default: str
) -> tuple[str, str]:
    """Return ``(category, reason)`` for a quantity.

    A counted noun with its own category wins (a dead hostage is still counted
    as a hostage); else the nearest event cue, where a captive cue takes the
    counted people's captive category; else the default.
    """
    if noun is not None and noun.category:
        return noun.category, f"noun:{noun.word}"
    if cue is not None:
        if cue.kind == "captive" and group is not None and group.captive_category:
            return group.captive_category, f"cue:{cue.phrase}+{group.word}"
        return cue.category, f"cue:{cue.phrase}"
    return default, "default"


# -- the component ----------------------------------------------------------------

_NO_NOUN = Noun("", "")
# Labels of the core finder (number-word kinds come from the rules' closed kind list).
_DIGIT, _JOINER, _OF, _FUSED = "digit", "joiner", "of", "fused"
_WORD, _CUE = "word", "cue"  # groups of the phrase matcher's labels
_WORDS = frozenset({"unit", "teen", "tens", "scale", "dozen"})
_SCALES = frozenset({"scale", "dozen"})
#: Token shapes of a number (spaCy caps a run of one character class at four).
_DIGIT_SHAPES = ("d", "dd", "ddd", "dddd", "d,ddd", "dd,ddd", "ddd,ddd", "d,ddd,ddd", "d.d", "dd.d")

#: Largest gap, in tokens, between a number and the event cue that categorises it.
CUE_WINDOW = 8
#: Numbers below this, between commas right after a name, are ages.
AGE_LIMIT = 120
#: Most tokens read after a number when looking for its counted noun.
NOUN_WINDOW = 4
#: Most tokens a counted phrase may run on through a list after a link word.
LINK_WINDOW = 10
#: Most tokens between a label word ("the tally now stands at") and its number.
LABEL_WINDOW = 4
#: Most tokens of an apposition between a number's phrase and its verb.
APPOSITION_WINDOW = 10


class _Counted:
    """The counted phrase of a quantity and the nouns that decide its category (a plain
    class: mypyc compiles its ``__init__``, a dataclass keeps the generated Python one)."""

    text: str | None
    noun: Noun | None
    group: Noun | None
    end: int
    found: bool
    head: int  # the counted noun's token

    def __init__(
        self,
        text: str | None = None,
        noun: Noun | None = None,
        group: Noun | None = None,
        end: int = 0,
        found: bool = False,
        head: int = 0,
    ) -> None:
        self.text = text
        self.noun = noun
        self.group = group
        self.end = end
        self.found = found
        self.head = head


@dataclass
class _DocIndex:
    """Per-document lookups, each built in one pass."""

    sent_of: list[int]
    sent_end: list[int]
    blocked: bytearray
    breaks: list[int]  # prefix counts of clause-break tokens
    lowers: list[int]  # LOWER hash of each token
    numeric: list[bool]  # a digit token (like a number, not a word)
    dashed: list[bool]  # one token of two numbers joined by a dash
    cue_starts: list[int] = field(default_factory=list)
    cue_ends: list[int] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    digits: list[int] = field(default_factory=list)  # numeric or dashed tokens
    kinds: dict[int, str] = field(default_factory=dict)  # token -> number-word kind
    fused: list[tuple[int, int]] = field(default_factory=list)  # fused length words
    texts: list[str] = field(default_factory=list)  # token texts (no Token objects)
    lower_text: list[str] = field(default_factory=list)  # lower-case token texts
    alpha: list[bool] = field(default_factory=list)  # IS_ALPHA of each token


class NumberTagger(RuleComponent):
    """Finds quantities and stores :class:`~pipeline.records.Quantity` records on the Doc."""

    RULE_SPECS = SPECS

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
        self.lexicon: NumberLexicon | None = None
        #: one PhraseMatcher for number words (label: their kind), cues and fused words
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.phrase_labels: dict[int, tuple[str, str]] = {}  # match id -> (group, value)
        self.word_kinds: dict[int, str] = {}  # LOWER id of a one-token number word -> kind
        self.number_words = WordClass(frozenset())
        self.dash_shapes = WordClass(frozenset(), SHAPE)
        self.break_words = WordClass(frozenset())
        self.left_words: dict[str, frozenset[int]] = {}
        self.qualifier_ids: dict[tuple[int, ...], str] = {}
        self.guarded_ids: frozenset[tuple[int, ...]] = frozenset()
        self.guard_ids: frozenset[int] = frozenset()

    def compile(self) -> None:
        lex = NumberLexicon.from_rows({spec.name: self.rule_rows(spec.name) for spec in SPECS})
        self.lexicon = lex
        strings = self.nlp.vocab.strings
        # number words, joiners and "of" words (labelled by kind): one-token ones are read
        # from the word table (LOWER id -> kind), others join the event cues and fused length
        # words in one matcher (a PhraseMatcher call costs a pass over the doc)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.phrase_labels = {}
        by_kind: dict[str, set[str]] = {}
        for word, (_, kind) in lex.words.items():
            by_kind.setdefault(kind, set()).add(word)
        by_kind[_JOINER] = {"-", *lex.context["number_joiner"]}
        by_kind[_OF] = set(lex.context["of"])
        phrases: list[tuple[str, str, list[str]]] = []
        self.word_kinds = {}
        for kind, members in by_kind.items():
            for word in sorted(members):
                pattern = self.nlp.make_doc(word)
                if len(pattern) == 1:
                    self.word_kinds[pattern[0].lower] = kind
                else:
                    phrases.append((_WORD, kind, [word]))
        self.number_words = WordClass(frozenset(self.word_kinds))
        phrases += [(_CUE, phrase, [phrase]) for phrase in lex.cues]
        phrases.append((_FUSED, _FUSED, list(lex.fused)))
        for group, value, texts in phrases:
            key = f"{group}:{value}"
            self.phrase_matcher.add(key, [self.nlp.make_doc(t) for t in texts])
            self.phrase_labels[strings.add(key)] = (group, value)
        dashes = sorted(w for w in lex.context["range_conn"] if not w.isalnum())
        self.dash_shapes = WordClass.of(
            strings,
            [f"{a}{d}{b}" for a in _DIGIT_SHAPES for b in _DIGIT_SHAPES for d in dashes],
            SHAPE,
        )
        self.break_words = WordClass.of(strings, lex.context["clause_break"])
        self.left_words = {
            "currency": frozenset(
                strings.add(w) for w, n in lex.nouns.items() if n.kind == "currency"
            ),
            "range_open": frozenset(strings.add(w) for w in lex.context["range_open"]),
        }
        self.qualifier_ids = {
            tuple(strings.add(w) for w in phrase): q for phrase, q in lex.qualifiers.items()
        }
        self.guarded_ids = frozenset(
            tuple(strings.add(w) for w in phrase) for phrase in lex.guarded
        )
        self.guard_ids = frozenset(strings.add(w) for w in lex.context["qualifier_guard"])

    def __call__(self, doc: Doc) -> Doc:
        found = list(self.quantities(doc)) if self.lexicon is not None else []
        clutter: set[int] | None = doc._.clutter_sents
        if clutter:  # page furniture ("Read more: toll passes 40,000") counts nothing
            found = [q for q in found if q.sentence not in clutter]
        doc._.quantities = found
        return doc

    # -- per document ----------------------------------------------------------
    def _index(self, doc: Doc) -> _DocIndex:
        """Build sentence, clause, token-class, date, word and cue lookups in array passes."""
        lex = self.lexicon
        assert lex is not None
        n = len(doc)
        table = token_table(doc)
        array = table.columns([SENT_START, LIKE_NUM, IS_ALPHA])
        starts = array[:, 0].astype(np.int64) == 1
        if n:
            starts[0] = True
        sent_of = np.cumsum(starts) - 1
        first = np.flatnonzero(starts)
        sent_end = np.append(first[1:], n)[sent_of] if n else sent_of
        is_break = table.in_class(self.break_words)
        breaks = np.concatenate([[0], np.cumsum(starts | is_break)])
        dashed = table.in_class(self.dash_shapes)
        numeric = (array[:, 1] == 1) & (array[:, 2] == 0)
        blocked = bytearray(n)
        for mention in doc._.dates or []:
            if mention.value and str(mention.value).startswith("P"):
                continue  # a duration: a number, not a date
            span = table.token_span(mention.start_char, mention.end_char)
            if span is not None:
                blocked[span[0] : span[1]] = b"\x01" * (span[1] - span[0])
        index = _DocIndex(
            sent_of.tolist(),
            sent_end.tolist(),
            blocked,
            breaks.tolist(),
            table.lower_list,
            numeric.tolist(),
            dashed.tolist(),
        )
        index.digits = np.flatnonzero(numeric | dashed).tolist()
        index.texts = table.words
        index.lower_text = table.lowers
        index.alpha = (array[:, 2] == 1).tolist()
        lower = table.lower_list
        for i in np.flatnonzero(table.in_class(self.number_words)).tolist():
            index.kinds[i] = self.word_kinds[lower[i]]
        cues: list[tuple[int, int, str]] = []
        for match_id, start, end in self.phrase_matcher(doc):
            group, value = self.phrase_labels[match_id]
            if group == _WORD:
                index.kinds[start] = value
            elif group == _CUE:
                cues.append((start, end, value))
            else:
                index.fused.append((start, end))
        for start, end, phrase in filter_ranges(cues):
            index.cue_starts.append(start)
            index.cue_ends.append(end)
            index.cues.append(lex.cues[phrase])
        return index

    def _cores(self, doc: Doc, index: _DocIndex) -> list[Span]:
        """Return the number cores of ``doc``: digits, number words, vague counts, fused words.

        Candidates come from array lookups and a PhraseMatcher of the number words, so
        only number-like positions are visited in Python.
        """
        n = len(doc)
        if not n:
            return []
        kinds = index.kinds
        dashed = index.dashed
        digits = set(index.digits)
        spans: list[Span] = []
        taken = 0
        for p in sorted(digits.union(kinds)):
            if p < taken:
                continue
            kind = _DIGIT if p in digits else kinds[p]
            end = p + 1
            if kind == _DIGIT:
                label = "dash_range" if dashed[p] else "digits"
                while label == "digits" and kinds.get(end) in _SCALES:
                    end += 1
            elif kind in _WORDS or (kind == "article" and kinds.get(end) in _SCALES):
                label = "words" if kind in _WORDS else "article"
                while kinds.get(end) in _WORDS or kinds.get(end) == _JOINER:
                    end += 1
                while kinds.get(end - 1) == _JOINER:
                    end -= 1
            elif kind == "vague":
                label = "vague"
                if kinds.get(end) == _OF and kinds.get(end + 1) == "vague":
                    end += 2
            else:
                continue
            spans.append(Span(doc, p, end, label=label))
            taken = end
        spans += [Span(doc, s, e, label=_FUSED) for s, e in index.fused]
        return filter_spans(spans)

    def _parse_core(self, span: Span) -> tuple[Span, ParsedNumber] | None:
        """Return the longest prefix of ``span`` that parses as a number."""
        assert self.lexicon is not None
        doc = span.doc
        table = token_table(doc)
        text: str = table.text
        starts: list[int] = table.starts_char
        ends: list[int] = table.ends_char
        fused: bool = span.label_ == "fused"
        start: int = span.start
        for end in range(span.end, start, -1):
            sub_text = text[starts[start] : ends[end - 1]]  # doc[start:end].text, no Span
            if fused:
                parsed = parse_quantity(sub_text, lexicon=self.lexicon)
            else:
                parsed = parse_number(sub_text, lexicon=self.lexicon)
            if parsed is not None:
                return doc[start:end], parsed
        return None

    def _excluded(self, doc: Doc, span: Span, index: _DocIndex) -> bool:
        """Return True for numbers that are dates, years, labels, ages or clutter."""
        lex = self.lexicon
        assert lex is not None
        if any(index.blocked[span.start : span.end]):
            return True
        lowers: list[str] = index.lower_text
        size: int = len(lowers)
        before = lowers[span.start - 1] if span.start > 0 else ""
        after = lowers[span.end] if span.end < size else ""
        after2 = lowers[span.end + 1] if span.end + 1 < size else ""
        if lex.has("label_before", before) or lex.has("clutter_after", after):
            return True
        if lex.has("date_word", before) or lex.has("date_word", after):
            return True
        table = token_table(doc)
        text = table.text[table.starts_char[span.start] : table.ends_char[span.end - 1]].lower()
        if len(span) == 1 and _YEAR.fullmatch(text) and 1900 <= int(text) <= 2100:
            noun = lex.nouns.get(after)
            if noun is None or noun.kind == "measure":
                return True
        if text in lex.needs_noun and not (after in lex.nouns or after2 in lex.nouns):
            return True
        return self._in_chain(doc, span) or self._is_age(doc, span)

    @staticmethod
    def _is_age(doc: Doc, span: Span) -> bool:
        """Return True for an age set off by commas after a name (Name, 35, said)."""
        s, e = span.start, span.end
        if s < 2 or e >= len(doc) or len(span) != 1 or not span[0].is_digit:
            return False
        return (
            doc[s - 1].text == ","
            and doc[e].text == ","
            and doc[s - 2].is_title
            and int(span.text) < AGE_LIMIT
        )

    @staticmethod
    def _in_chain(doc: Doc, span: Span) -> bool:
        """Return True inside three or more numbers joined by hyphens (2023-12-29)."""

        words: list[str] = token_table(doc).words

        def joined(i: int, step: int) -> bool:
            j = i + step
            k = i + 2 * step
            return 0 <= k < len(doc) and 0 <= j < len(doc) and words[j] == "-" and doc[k].like_num

        left = joined(span.start, -1)
        right = joined(span.end - 1, 1)
        return (
            (left and right)
            or (left and joined(span.start - 2, -1))
            or (right and joined(span.end + 1, 1))
        )

    def quantities(self, doc: Doc) -> Iterator[Quantity]:
        """Yield the quantities of ``doc`` in text order."""
        lex = self.lexicon
        assert lex is not None
        index = self._index(doc)
        cores = self._cores(doc, index)
        table = token_table(doc)
        previous: tuple[int, _Counted] | None = (
            None  # sentence and counted phrase of the last counted noun
        )
        i, last_end = 0, 0
        last: tuple[int, str] | None = None  # sentence and category of the last quantity
        modifiers = (0, 0)  # tokens between the last number and its counted noun
        while i < len(cores):
            core = cores[i]
            i += 1
            if core.start < last_end or self._excluded(doc, core, index):
                continue
            got = self._parse_core(core)
            if got is None:
                continue
            start, end = got[0].start, got[0].end
            if core.label_ != "fused":
                ranged = self._joins_range(doc, start, end, cores, i, index)
                if ranged:
                    end, i = cores[i].end, i + 1
                start = self._extend_left(start, index.lowers, ranged=ranged)
                end, no_count = self._extend_unit(doc, end)
                if no_count:
                    continue
            span = doc[start:end]
            span_text: str = table.text[table.starts_char[start] : table.ends_char[end - 1]]
            parsed = parse_quantity(span_text, lexicon=lex)
            if parsed is None:
                continue
            last_end = end
            sentence = index.sent_of[start]
            adjective = core.label_ == _FUSED or index.texts[end - 2] == "-"
            counted, carried = self._counted(doc, end, index, adjective=adjective), ""
            if counted.found:
                if not adjective:  # "the 42-day phase" counts no phases
                    previous = (sentence, counted)
            elif (
                parsed.unit is None
                and previous is not None
                and (
                    self._carries(doc, end, sentence, previous[0])
                    or self._labelled(doc, start, sentence, previous[0])
                )
            ):
                counted, carried = previous[1], "+carried"
            noun = counted.noun
            if parsed.category:
                noun = Noun(parsed.unit or "", "measure", parsed.unit, parsed.category)
            own = counted.found and not carried
            cue = self._nearest_cue(
                span,
                index,
                verb_at=self._verb_after(doc, counted.end if own else end),
                taken=modifiers,
            )
            if cue is not None and cue.kind == "noun" and own:
                cue = None  # a category noun nearby speaks for noun-less numbers only
            category, reason = resolve_category(
                noun=noun, group=counted.group, cue=cue, default=lex.default_category
            )
            if (
                carried
                and last is not None
                and sentence - last[0] <= 1
                and not (noun and noun.category)
                and self._part_of_them(doc, end)
            ):
                # "136 people are held ..., at least 25 of them are dead": still hostages
                category, reason = last[1], "part_of"
            elif last is not None and last[0] == sentence and not (noun and noun.category):
                # "18 others", "including 3,760 children": the previous count's category
                # (an anaphor only when no event decides: "and wounded 105,358 others")
                if (
                    reason == "default"
                    and counted.noun is not None
                    and lex.has("anaphor", counted.noun.word)
                ):
                    category, reason = last[1], "anaphor"
                elif self._subset(doc, start):
                    category, reason = last[1], "subset"
            last = (sentence, category)
            modifiers = (end, counted.head) if own else (0, 0)
            people = counted.noun or counted.group
            yield build(
                Quantity,
                sentence=sentence,
                start_char=span.start_char,
                end_char=span.end_char,
                text=span_text,
                value=parsed.value,
                low=parsed.low,
                high=parsed.high,
                qualifier=parsed.qualifier,
                category=category,
                unit=parsed.unit or (people.unit if people else lex.category_units.get(category)),
                counted=counted.text,
                conservative_value=parsed.conservative_value,
                rule_id=f"numbers.{core.label_}/{reason}{carried}",
            )

    def _joins_range(
        self, doc: Doc, start: int, end: int, cores: list[Span], i: int, index: _DocIndex
    ) -> bool:
        """Return True when ``cores[i]`` is the far end of a range starting at ``start``."""
        lex = self.lexicon
        assert lex is not None
        if (
            i >= len(cores)
            or cores[i].start != end + 1
            or cores[i].label_ == "fused"
            or end >= len(doc)
        ):
            return False
        conn = doc[end].lower_
        opened = start > 0 and lex.has("range_open", doc[start - 1].lower_)
        joins = lex.has("range_conn", conn) or (opened and lex.has("range_close", conn))
        return joins and not self._excluded(doc, cores[i], index)

    def _extend_left(self, start: int, lowers: list[int], *, ranged: bool = False) -> int:
        """Return the start after taking in a currency symbol, range opener and qualifier.

        A range opener is taken only before a range ("down from 200" is a plain 200).
        """
        lex = self.lexicon
        assert lex is not None
        for kind in ("currency", "range_open") if ranged else ("currency",):
            if start > 0 and lowers[start - 1] in self.left_words[kind]:
                start -= 1
        for n in range(min(lex.longest_qualifier, start), 0, -1):
            phrase = tuple(lowers[start - n : start])
            if phrase in self.qualifier_ids:
                if (
                    phrase in self.guarded_ids
                    and start - n > 0
                    and lowers[start - n - 1] in self.guard_ids
                ):
                    return start  # a particle or an adjective: "handed over four"
                return start - n
        return start

    def _extend_unit(self, doc: Doc, end: int) -> tuple[int, bool]:
        """Return the end after taking in a unit word, and whether the number is no count.

        A unit is a measure word (60 days) or a fusable noun after a hyphen
        (20-point). A number hyphened to any other word is a name (two-state),
        and a unit followed by an age or point-in-time word is no count either.
        """
        lex = self.lexicon
        assert lex is not None
        size = len(doc)
        table = token_table(doc)
        words: list[str] = table.words
        lowers: list[str] = table.lowers
        hyphened = end + 1 < size and words[end] == "-" and doc[end + 1].is_alpha
        if hyphened and lex.nouns.get(lowers[end + 1], _NO_NOUN).fusable:
            end += 2
        elif hyphened:
            return end, True
        elif end < size and lex.nouns.get(lowers[end], _NO_NOUN).kind == "measure":
            end += 1
        else:
            return end, False
        after = end + 1 if end + 1 < size and words[end] == "-" else end
        word = lowers[after] if after < size else ""
        return end, lex.has("age_after", word) or lex.has("point_after", word)

    def _counted(self, doc: Doc, start: int, index: _DocIndex, *, adjective: bool) -> _Counted:
        """Return the counted phrase that follows a number ending at ``start``.

        Without a known noun nothing is counted, except after a number used as
        an adjective (20-point plan, weeklong truce) or before an of-phrase
        (four days of talks), where the next plain word is kept as text.
        """
        lex = self.lexicon
        assert lex is not None
        limit = index.sent_end[start - 1]
        lowers: list[str] = index.lower_text
        alpha: list[bool] = index.alpha
        j = start
        if j < limit and lex.has("of", lowers[j]):
            j += 1
            # "four of the (28) dead hostages": the count is part of the noun's group
            if j + 1 < limit and lex.has("partitive_det", lowers[j]):
                j += 1
                if j + 1 < limit and doc[j].like_num:
                    j += 1
        head, group = None, None
        k = j
        while k < limit and k < j + NOUN_WINDOW:
            lower = lowers[k]
            if (
                not alpha[k]
                or (lex.has("stop", lower) and not lex.has("list_joiner", lower))
                or (
                    lower in lex.cues
                    and lower not in lex.nouns
                    and not (k + 1 < limit and lowers[k + 1] in lex.nouns)
                )
            ):
                break  # an event word ends the phrase, unless it modifies the next noun
                # ("28 dead hostages": hostages are counted)
            noun = lex.nouns.get(lower)
            if noun is not None and noun.kind == "group":
                group = noun
            if (
                noun is not None
                and noun.kind in {"noun", "group"}
                and not (noun.kind == "group" and k + 1 < limit and lowers[k + 1] in lex.nouns)
            ):
                head = k
                break
            k += 1
        if head is None:
            first = doc[j] if j < limit else None
            plain = (
                (adjective or j > start)
                and first is not None
                and first.is_alpha
                and not lex.has("stop", first.lower_)
                and not lex.has("filler", first.lower_)
                and first.lower_ not in lex.cues
            )
            return _Counted(text=first.text if plain and first is not None else None, end=start)
        last = head + 1
        if last < limit and lex.has("link", lowers[last]):
            m = last + 1
            while m < limit and m < last + LINK_WINDOW:
                token = doc[m]
                if (
                    lex.has("clause_break", token.lower_)
                    or token.is_sent_end
                    or token.text in {".", "!", "?"}
                ):
                    break
                if lex.has("stop", token.lower_) and not lex.has("list_joiner", token.lower_):
                    break
                m += 1
            last = m
            while last > head + 1 and not doc[last - 1].is_alpha:
                last -= 1
        noun = lex.nouns[lowers[head]]
        return _Counted(
            doc[j:last].text,
            noun,
            group if group is not None else (noun if noun.kind == "group" else None),
            last,
            True,
            head,
        )

    def _carries(self, doc: Doc, end: int, sentence: int, prev_sentence: int) -> bool:
        """Return True when a noun-less number takes the previous quantity's noun.

        It does before a verb (N are ...) or an anaphor (N of them), from this or
        the previous sentence, and before nothing (a comma, a preposition) from
        this sentence only.
        """
        lex = self.lexicon
        assert lex is not None
        nxt = doc[end].lower_ if end < len(doc) else "."
        after = doc[end + 1].lower_ if end + 1 < len(doc) else ""
        if lex.has("carry_verb", nxt) or (lex.has("of", nxt) and lex.has("anaphor", after)):
            return sentence - prev_sentence <= 1
        follows_nothing = end >= len(doc) or doc[end].is_punct or lex.has("stop", nxt)
        return follows_nothing and sentence == prev_sentence

    def _verb_after(self, doc: Doc, end: int) -> int | None:
        """Return the position of the verb a number (or its counted phrase) is the subject
        of ("dozens (more) were wounded"; "1.9 million people, or 85%, have been displaced"):
        the event word after that verb is the number's, not one before it. Else None."""
        lex = self.lexicon
        assert lex is not None
        size = len(doc)
        table = token_table(doc)
        lowers: list[str] = table.lowers
        words: list[str] = table.words
        j = end
        while j < size and lex.has("filler", lowers[j]):
            j += 1
        if j < size and words[j] == ",":  # skip one apposition set off by commas
            k = j + 1
            while k < size and k <= j + APPOSITION_WINDOW and doc[k].text != ",":
                if doc[k].is_sent_start or lex.has("clause_break", doc[k].lower_):
                    return None
                k += 1
            if k < size and doc[k].text == "," and k <= j + APPOSITION_WINDOW:
                j = k + 1
        return j if j < size and lex.has("carry_verb", lowers[j]) else None

    def _labelled(self, doc: Doc, start: int, sentence: int, prev_sentence: int) -> bool:
        """Return True when a label word just before the number points back to the last
        count ("put the figure at 1,500", "the tally rose to 22")."""
        lex = self.lexicon
        assert lex is not None
        return sentence - prev_sentence <= 1 and any(
            lex.has("carry_label", doc[k].lower_)
            for k in range(max(0, start - LABEL_WINDOW), start)
        )

    def _part_of_them(self, doc: Doc, end: int) -> bool:
        """Return True before "of them" / "of whom": a part of the last count."""
        lex = self.lexicon
        assert lex is not None
        return (
            end + 1 < len(doc)
            and lex.has("of", doc[end].lower_)
            and lex.has("anaphor", doc[end + 1].lower_)
        )

    def _subset(self, doc: Doc, start: int) -> bool:
        """Return True when the number is a part of the previous count ("including 40")."""
        lex = self.lexicon
        assert lex is not None
        return any(lex.has("subset", doc[k].lower_) for k in range(max(0, start - 2), start))

    def _nearest_cue(
        self,
        span: Span,
        index: _DocIndex,
        *,
        verb_at: int | None = None,
        taken: tuple[int, int] = (0, 0),
    ) -> Cue | None:
        """Return the closest event cue in the same clause within :data:`CUE_WINDOW` tokens.

        With ``verb_at`` (the number is the subject of the verb there) a cue on the right
        within the window of that verb wins over a closer one on the left. A cue on the
        left inside ``taken`` (the words between the previous number and its counted noun:
        "76 badly wounded Palestinians and 300 others") describes that noun only.
        """
        verb_right = verb_at is not None
        best: tuple[int, int, Cue] | None = None
        b = bisect_right(index.cue_ends, span.start) - 1
        if b >= 0:
            gap = span.start - index.cue_ends[b]
            if (
                gap <= CUE_WINDOW
                and index.breaks[span.start + 1] == index.breaks[index.cue_ends[b]]
                and not taken[0] <= index.cue_starts[b] < taken[1]
            ):
                best = (gap, 0, index.cues[b])
        a = bisect_left(index.cue_starts, span.end)
        if a < len(index.cue_starts):
            gap = index.cue_starts[a] - (verb_at if verb_at is not None else span.end)
            if (
                gap <= CUE_WINDOW
                and index.breaks[index.cue_starts[a] + 1] == index.breaks[span.end]
            ) and (best is None or gap < best[0] or verb_right):
                best = (gap, 1, index.cues[a])
        return best[2] if best else None


@Language.factory("ceasefire_numbers", assigns=["doc._.quantities"])
def make_number_tagger(nlp: Language, name: str) -> NumberTagger:
    """Factory for ``ceasefire_numbers`` (found by spaCy through the entry point)."""
    return NumberTagger(nlp, name)
