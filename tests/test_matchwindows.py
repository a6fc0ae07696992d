"""Tests for pipeline.matchwindows: a WindowMatcher finds what the full Matcher finds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.matchwindows import WindowMatcher, pattern_starts

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "raw" / "seeds").glob("*.txt"))

PATTERNS: list[tuple[str, list[dict[str, Any]]]] = [
    ("one", [{"LOWER": "talks"}]),
    ("set", [{"LOWER": {"IN": ["delegation", "delegations"]}}]),
    (
        "lemma",
        [{"LEMMA": "hold"}, {"OP": "?"}, {"OP": "?"}, {"LEMMA": {"IN": ["talk", "meeting"]}}],
    ),
    ("pair", [{"LEMMA": "talk"}, {"LOWER": {"IN": ["in", "at"]}}]),
    ("shape", [{"SHAPE": {"IN": ["d", "dd"]}}, {"LOWER": "days"}]),
    ("orth", [{"ORTH": "Hamas"}, {"LOWER": "official", "OP": "?"}]),
    ("tie", [{"LEMMA": "hold"}, {"LEMMA": "talk"}]),  # the same span as "lemma" on "held talks"
]


def rows(matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    return sorted(matches)


@pytest.fixture(scope="module")
def docs(nlp: Language) -> list[Doc]:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    texts.append("Egypt held talks in Cairo. Qatar will hold two days of talks at Doha.")
    out = []
    for text in texts:
        doc = nlp.make_doc(text)
        for name in ("ceasefire_sentences", "ceasefire_lemmatizer"):
            doc = nlp.get_pipe(name)(doc)
        out.append(doc)
    return out


def both(
    nlp: Language, patterns: list[tuple[str, list[dict[str, Any]]]]
) -> tuple[Matcher, WindowMatcher]:
    full, windowed = Matcher(nlp.vocab), WindowMatcher(nlp.vocab)
    for key, pattern in patterns:
        full.add(key, [pattern])
        windowed.add(key, pattern)
    return full, windowed


def test_same_matches_as_the_matcher(nlp: Language, docs: list[Doc]) -> None:
    full, windowed = both(nlp, PATTERNS)
    assert windowed.bounded
    for doc in docs:
        assert rows(windowed(doc)) == rows(full(doc))


def test_same_matches_per_sentence(nlp: Language, docs: list[Doc]) -> None:
    full, windowed = both(nlp, PATTERNS)
    for doc in docs:
        sents = [(s.start, s.end) for s in doc.sents]
        expected = [(m, s.start + a, s.start + b) for s in doc.sents for m, a, b in full(s)]
        assert rows(windowed(doc, sents)) == rows(expected)
        assert windowed(doc, []) == []


def test_ties_keep_the_matcher_order(nlp: Language, docs: list[Doc]) -> None:
    """filter_spans keeps the first of two equal spans: the windowed order must agree."""
    full, windowed = both(nlp, PATTERNS)

    def keep(doc: Doc, matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        spans = filter_spans([Span(doc, a, b, label=m) for m, a, b in matches])
        return [(s.start, s.end, s.label) for s in spans]

    for doc in docs:
        assert keep(doc, windowed(doc)) == keep(doc, full(doc))


def test_rule_files_patterns(nlp: Language, docs: list[Doc]) -> None:
    """The role cues of rules/ (plain, optional and wildcard tokens) through both matchers."""
    cues = [
        json.loads(line)
        for line in (ROOT / "rules" / "role_cues.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    patterns = [(c["id"], c["pattern"]) for c in cues if c.get("pattern")]
    full, windowed = both(nlp, patterns)
    for doc in docs:
        assert rows(windowed(doc)) == rows(full(doc))


def test_unbounded_patterns_fall_back(nlp: Language, docs: list[Doc]) -> None:
    patterns = [*PATTERNS, ("star", [{"LOWER": "the"}, {"IS_TITLE": True, "OP": "+"}])]
    full, windowed = both(nlp, patterns)
    assert not windowed.bounded
    for doc in docs:
        assert rows(windowed(doc)) == rows(full(doc))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ([{"LOWER": "talks"}], "LOWER"),
        ([{"ORTH": "Hamas"}], "LOWER"),
        ([{"LEMMA": {"IN": ["hold"]}}], "LEMMA"),
        ([{"OP": "?"}, {"LOWER": "talks"}], None),
        ([{"IS_TITLE": True}], None),
        ([{"LOWER": "the"}, {"OP": "*"}], None),
        ([{"LOWER": {"NOT_IN": ["the"]}}], None),
    ],
)
def test_pattern_starts(pattern: list[dict[str, Any]], expected: str | None) -> None:
    from spacy.attrs import IDS

    found = pattern_starts(pattern)
    assert (found[0] if found else None) == (IDS[expected] if expected else None)


WORDS = ["talks", "Talks", "held", "hold", "in", "Cairo", ",", "the", "7", "May", "may"]
token_specs = st.one_of(
    st.just({}),
    st.builds(lambda w: {"LOWER": w.lower()}, st.sampled_from(WORDS)),
    st.builds(
        lambda ws: {"LOWER": {"IN": sorted({w.lower() for w in ws})}},
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
    ),
    st.builds(lambda w: {"ORTH": w}, st.sampled_from(WORDS)),
    st.builds(lambda w: {"LEMMA": w}, st.sampled_from(["hold", "talk", "may"])),
    st.builds(
        lambda f, v: {f: v}, st.sampled_from(["IS_TITLE", "IS_LOWER", "IS_DIGIT"]), st.booleans()
    ),
    st.builds(
        lambda w, v: {"LOWER": w.lower(), "IS_LOWER": v}, st.sampled_from(WORDS), st.booleans()
    ),
)
optional = st.builds(lambda t: {**t, "OP": "?"}, token_specs)
plain_patterns = st.builds(
    lambda first, rest: [first, *rest],
    token_specs.filter(lambda t: bool(t.keys() & {"LOWER", "ORTH", "LEMMA"})),
    st.lists(st.one_of(token_specs, optional), max_size=4),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(plain_patterns, min_size=1, max_size=4), st.lists(st.sampled_from(WORDS), max_size=14)
)
def test_plain_patterns_match_like_the_matcher(
    nlp: Language, patterns: list[list[dict[str, Any]]], words: list[str]
) -> None:
    """Patterns checked on arrays (values, flags, optional tokens) give the Matcher's
    matches, and the same survivors of filter_spans (ties kept in the Matcher's order)."""
    full, windowed = both(nlp, [(f"p{i}", p) for i, p in enumerate(patterns)])
    doc = Doc(nlp.vocab, words=words or ["x"])
    doc = nlp.get_pipe("ceasefire_lemmatizer")(doc)
    got, expected = windowed(doc), full(doc)
    assert sorted(got) == sorted(expected)

    def keep(matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        spans = filter_spans([Span(doc, a, b, label=m) for m, a, b in matches])
        return [(s.start, s.end, s.label) for s in spans]

    assert keep(got) == keep(expected)
