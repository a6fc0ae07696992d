"""Tests for pipeline.lemmas: the array lemmatizer gives spaCy's lookup lemmas."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from pipeline.lemmas import LookupLemmatizer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "raw" / "seeds").glob("*.txt"))
TRICKY = (
    "Hostages were freed; mediators met, brokered and are mediating talks. "
    "PERSON NOUN ORTH -PRON- The U.S. and Egypt's envoys, the least of them, said "
    "they'd leave at 4 a.m. — “quoted” text\n\n   with  spaces and 1,200 trucks."
)


def pipeline(factory: str, **config: object) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe(factory, config=config)
    nlp.initialize()
    return nlp


@pytest.fixture(scope="module")
def reference() -> Language:
    return pipeline("lemmatizer", mode="lookup")


@pytest.fixture(scope="module")
def fast() -> Language:
    return pipeline("ceasefire_lemmatizer")


def lemmas(nlp: Language, text: str) -> list[str]:
    return [t.lemma_ for t in nlp(text)]


@pytest.mark.parametrize("text", [TRICKY, "", " ", *[p.read_text(encoding="utf-8") for p in SEEDS]])
def test_same_lemmas_as_spacy_lookup(reference: Language, fast: Language, text: str) -> None:
    assert lemmas(fast, text) == lemmas(reference, text)
    assert lemmas(fast, text) == lemmas(fast, text)  # second pass through the id cache


def test_existing_lemmas_are_kept_unless_overwrite(fast: Language) -> None:
    doc = fast.make_doc("talks resumed")
    doc[0].lemma_ = "kept"
    assert [t.lemma_ for t in fast.get_pipe("ceasefire_lemmatizer")(doc)] == ["kept", "resume"]
    overwriting = pipeline("ceasefire_lemmatizer", overwrite=True)
    doc = overwriting.make_doc("talks resumed")
    doc[0].lemma_ = "kept"
    assert [t.lemma_ for t in overwriting.get_pipe("ceasefire_lemmatizer")(doc)] == [
        "talk",
        "resume",
    ]


def test_table_is_saved_with_the_model(fast: Language, tmp_path: Path) -> None:
    fast.to_disk(tmp_path / "model")
    assert (tmp_path / "model" / "ceasefire_lemmatizer" / "lookups" / "lookups.bin").exists()
    loaded = spacy.load(tmp_path / "model")
    assert isinstance(loaded.get_pipe("ceasefire_lemmatizer"), LookupLemmatizer)
    assert lemmas(loaded, TRICKY) == lemmas(fast, TRICKY)


def test_from_bytes_round_trip(fast: Language) -> None:
    other = spacy.blank("en")
    other.add_pipe("ceasefire_lemmatizer")
    other.get_pipe("ceasefire_lemmatizer").from_bytes(
        fast.get_pipe("ceasefire_lemmatizer").to_bytes()
    )
    assert lemmas(other, TRICKY) == lemmas(fast, TRICKY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mediators met. Talks resumed.", ["mediator", "meet", ".", "talk", "resume", "."]),
        ("Hamas said. Qatar agreed.", ["Hamas", "say", ".", "Qatar", "agree", "."]),
        ("The United States said.", ["The", "United", "States", "say", "."]),
    ],
)
def test_a_capitalised_word_opening_a_sentence_takes_its_lower_case_lemma(
    fast: Language, text: str, expected: list[str]
) -> None:
    doc = fast.make_doc(text)
    for token in doc:
        token.is_sent_start = token.i == 0 or doc[token.i - 1].text == "."
    assert [t.lemma_ for t in fast.get_pipe("ceasefire_lemmatizer")(doc)] == expected
