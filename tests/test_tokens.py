"""Tests for pipeline.tokens: the cached token arrays agree with spaCy's own accessors."""

from __future__ import annotations

import numpy as np
import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.attrs import IS_PUNCT, LEMMA, LOWER, ORTH, SENT_START, SHAPE
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.tokens import (
    LEXEME_ATTRS,
    WordClass,
    filter_ranges,
    forget_sentences,
    id_array,
    member,
    token_table,
)

TEXTS = [
    "Egypt's Abbas Kamel met Hamas officials in Cairo.  Talks resume on Monday.",
    '"We are working day and night," he said.\n\nA ceasefire took effect at 4 a.m.',
    "",
    "\n\n  Headline without a stop\nBody text follows here.",
]


@pytest.fixture(scope="module")
def blank() -> Language:
    return spacy.blank("en")


def with_sentences(nlp: Language, text: str) -> Doc:
    doc = nlp(text)
    for token in doc:
        token.is_sent_start = token.i == 0 or doc[token.i - 1].text in {".", "\n\n"}
    return doc


@pytest.mark.parametrize("text", TEXTS)
def test_lists_match_token_attributes(blank: Language, text: str) -> None:
    doc = blank(text)
    table = token_table(doc)
    assert table.words == [t.text for t in doc]
    assert table.lowers == [t.lower_ for t in doc]
    assert table.lower_list == [t.lower for t in doc]
    assert table.starts_char == [t.idx for t in doc]
    assert table.ends_char == [t.idx + len(t) for t in doc]
    assert table.is_space.tolist() == [t.is_space for t in doc]
    assert table.text == doc.text


@pytest.mark.parametrize("text", [t for t in TEXTS if t])
def test_sentences_match_doc_sents(blank: Language, text: str) -> None:
    doc = with_sentences(blank, text)
    table = token_table(doc)
    sents = list(doc.sents)
    assert table.sent_starts == [s.start for s in sents]
    assert table.sent_ends == [s.end for s in sents]
    assert table.sent_of == [next(k for k, s in enumerate(sents) if t in s) for t in doc]
    assert [table.sentence_at(t.i) for t in doc] == table.sent_of


def test_unset_sentences_are_one(blank: Language) -> None:
    doc = blank("One. Two.")
    assert token_table(doc).sent_starts == [0]
    assert token_table(doc).sent_of == [0] * len(doc)


def test_forget_sentences_recomputes(blank: Language) -> None:
    doc = blank("One. Two. Three.")
    assert token_table(doc).sent_starts == [0]
    doc[2].is_sent_start = True
    forget_sentences(doc)
    assert token_table(doc).sent_starts == [0, 2]


def test_cache_is_per_doc_and_holds_no_doc(blank: Language) -> None:
    first, second = blank("One two"), blank("Three four five")
    assert token_table(first).words == ["One", "two"]
    assert token_table(second).words == ["Three", "four", "five"]
    assert not any(
        isinstance(v, Doc) for v in first.user_data[next(iter(first.user_data))].values()
    )


@pytest.mark.parametrize("text", TEXTS[:2])
def test_token_span_is_char_span_expand(blank: Language, text: str) -> None:
    doc = blank(text)
    table = token_table(doc)
    for start in range(len(text)):
        for end in range(start, min(len(text), start + 12) + 1):
            span = doc.char_span(start, end, alignment_mode="expand")
            assert table.token_span(start, end) == (
                None if span is None else (span.start, span.end)
            ), (start, end)


def test_member_is_isin() -> None:
    values = np.array([5, 1, 9, 2, 2, 7], dtype=np.uint64)
    keys = np.array([2, 7, 11], dtype=np.uint64)
    assert member(values, keys).tolist() == np.isin(values, keys).tolist()
    assert member(values, keys[:0]).tolist() == [False] * 6


def test_id_array_is_sorted_and_distinct(blank: Language) -> None:
    ids = id_array(blank.vocab.strings, ["b", "a", "b"])
    assert ids.tolist() == sorted({blank.vocab.strings["a"], blank.vocab.strings["b"]})


VOCAB = spacy.blank("en").vocab
ranges = st.lists(st.tuples(st.integers(0, 15), st.integers(1, 5), st.integers(0, 3)), max_size=12)


@given(ranges)
def test_filter_ranges_is_filter_spans(items: list[tuple[int, int, int]]) -> None:
    doc = Doc(VOCAB, words=["w"] * 20)
    spans = [Span(doc, s, s + n, label=str(k)) for s, n, k in items]
    expected = [(s.start, s.end, int(s.label_)) for s in filter_spans(spans)]
    assert filter_ranges([(s, s + n, k) for s, n, k in items]) == expected


@pytest.mark.parametrize("text", TEXTS)
def test_word_table_columns_are_to_array(blank: Language, text: str) -> None:
    doc = blank(text)
    table = token_table(doc)
    for attr in LEXEME_ATTRS:
        assert table.column(attr).tolist() == doc.to_array(attr).reshape(-1).tolist(), attr
    attrs = [LOWER, SENT_START, SHAPE, LEMMA, IS_PUNCT]
    expected = doc.to_array(attrs).reshape(len(doc), len(attrs))
    assert table.columns(attrs).tolist() == expected.tolist()


def test_word_classes(blank: Language) -> None:
    doc = blank("The talks, the TALKS and “talks” resumed.")
    table = token_table(doc)
    talks = WordClass.of(blank.vocab.strings, ["talks", "the"])
    marks = WordClass.of(blank.vocab.strings, ["“", "”"], ORTH)
    assert table.in_class(talks).tolist() == [t.lower_ in {"talks", "the"} for t in doc]
    assert table.in_class(marks).tolist() == [t.text in {"“", "”"} for t in doc]


def test_word_table_grows_past_its_first_capacity(blank: Language) -> None:
    early = blank("alpha beta")
    words = WordClass.of(blank.vocab.strings, ["w299", "beta"])
    assert token_table(early).in_class(words).tolist() == [False, True]
    doc = blank(" ".join(f"w{i}" for i in range(300)))  # more new words than the first block
    table = token_table(doc)
    assert table.words == [t.text for t in doc]
    assert np.flatnonzero(table.in_class(words)).tolist() == [299]
    assert token_table(blank("beta alpha")).in_class(words).tolist() == [True, False]
