"""Tokenizer exceptions and sentence boundaries on news text."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.sentences import sentence_starts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Maj. Gen. Hassan Rashad met the U.S. envoy on Oct. 7. Talks went on.",
            ["Maj. Gen. Hassan Rashad met the U.S. envoy on Oct. 7.", "Talks went on."],
        ),
        (
            '"We are not there yet," he said. Talks resume Sept. 30.',
            ['"We are not there yet," he said.', "Talks resume Sept. 30."],
        ),
        (
            'The official said: "It is over." Then he left.',
            ['The official said: "It is over."', "Then he left."],
        ),
        (
            "Hamas delegation arrives in Egypt\nDiscussions expected to focus on aid\n"
            "CAIRO\nA delegation arrived.",
            [
                "Hamas delegation arrives in Egypt",
                "Discussions expected to focus on aid",
                "CAIRO",
                "A delegation arrived.",
            ],
        ),
        ("Is it over? No! Not yet.", ["Is it over?", "No!", "Not yet."]),
    ],
)
def test_sentences(nlp: Language, text: str, expected: list[str]) -> None:
    doc = nlp(text)
    assert [s.text.strip() for s in doc.sents] == expected


def test_abbreviations_are_single_tokens(nlp: Language) -> None:
    words = [
        t.text for t in nlp.make_doc("Lt. Col. Smith of the U.N. spoke on Sept. 30 and Oct. 7.")
    ]
    for abbr in ("Lt.", "Col.", "U.N.", "Sept.", "Oct."):
        assert abbr in words


def test_headlines_are_flagged(nlp: Language) -> None:
    doc = nlp(
        "Hamas delegation arrives in Egypt\nISTANBUL\nA senior delegation arrived late Tuesday."
    )
    assert doc._.headline_sents == {0, 1}


def test_sentence_starts_pure() -> None:
    assert sentence_starts([]) == []
    assert sentence_starts(["A", ".", "\n", "B"]) == [True, False, False, True]
    assert sentence_starts(["x", ".", '"', "y"]) == [True, False, False, True]


def headlines_by_span_text(doc: Doc) -> set[int]:
    """The definition, read from Span texts: a whole line without terminal punctuation."""
    text = doc.text
    flagged = set()
    for i, sent in enumerate(doc.sents):
        body = sent.text.rstrip()
        if not body:
            continue
        end = sent.start_char + len(body)
        ends_line = end >= len(text.rstrip()) or "\n" in text[end : end + 2]
        if ends_line and body[-1] not in ".!?…" and body[-1] not in "\"'”’)]»":
            flagged.add(i)
    return flagged


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\nHeadline\n\n",
        "Headline only",
        "Talks resumed.\n\nNEW HEADLINE  \nBody ends without a stop",
        'He said: "It is over"\nCAIRO (Reuters) -\nText.  \n  ',
        "One. Two! (Three)\nFour\n",
    ],
)
def test_headlines_match_their_definition(nlp: Language, text: str) -> None:
    doc = nlp(text)
    assert doc._.headline_sents == headlines_by_span_text(doc)
