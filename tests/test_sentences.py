"""Tokenizer exceptions and sentence boundaries on news text."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.sentences import clutter_sentences, sentence_starts, soft_line_breaks


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
        # a quote opening a line opens its sentence; one closing a line stays with it
        (
            'Talks ended.\n"We agreed," he said.\nIt held."\n(Reuters) Aid moved.',
            ['Talks ended.', '"We agreed," he said.', 'It held."', "(Reuters) Aid moved."],
        ),
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


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("U.S.-brokered talks", ["U.S.", "-", "brokered", "talks"]),
        ("a U.N.-run school", ["a", "U.N.", "-", "run", "school"]),
        ("US-brokered talks", ["US", "-", "brokered", "talks"]),
        ("The U.S. said", ["The", "U.S.", "said"]),
        ("a 12-year-old", ["a", "12", "-", "year", "-", "old"]),
    ],
)
def test_a_hyphen_after_an_abbreviation_splits(nlp: Language, text: str, tokens: list[str]) -> None:
    assert [t.text for t in nlp.make_doc(text)] == tokens


def test_headlines_are_flagged(nlp: Language) -> None:
    doc = nlp(
        "Hamas delegation arrives in Egypt\nISTANBUL\nA senior delegation arrived late Tuesday."
    )
    assert doc._.headline_sents == {0, 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talks resumed.\nRead more: Gaza toll passes 40,000\nThey ended.", {1}),
        # every sentence of the clutter line, none after it
        ("Talks resumed.\nPhoto caption: Smoke rises. A strike hit.\nThey ended.", {1, 2}),
        ("  RELATED: Board of Peace meets\nTalks resumed.", {0}),
        # the phrase must open the line and end at a word boundary
        ("Talks resumed. Read more: nothing.", set()),
        ("Relatedly: talks resumed.", set()),
        ("Advertisements for talks resumed.", set()),
    ],
)
def test_clutter_lines_are_flagged(nlp: Language, text: str, expected: set[int]) -> None:
    doc = nlp(text)
    assert doc._.clutter_sents == expected
    openers = ["read more:", "photo caption:", "related:", "advertisement"]
    assert clutter_sentences(doc, openers) == expected


def test_clutter_lines_yield_nothing(analyse) -> None:  # type: ignore[no-untyped-def]
    doc = analyse(
        "Hamas accepted the plan.\nRead more: Gaza health ministry says toll passes 40,000"
    )
    assert [e.text for e in doc._.entities] == ["Hamas"]
    assert [e.text for e in doc.ents] == ["Hamas"]
    assert doc._.quantities == [] and doc._.dates == []
    assert [c.claim_type for c in doc._.claims] == ["response"]


def test_sentence_starts_pure() -> None:
    assert sentence_starts([]) == []
    assert sentence_starts(["A", ".", "\n", "B"]) == [True, False, False, True]
    assert sentence_starts(["x", ".", '"', "y"]) == [True, False, False, True]
    # after a line break a quote opens the sentence
    assert sentence_starts(["x", ".", "\n", '"', "y"]) == [True, False, False, True, False]


def test_array_and_pure_sentence_starts_agree(nlp: Language) -> None:
    text = 'A.\n"B," he said. "C."\nD\n(E) F.\n  "G"'
    doc = nlp(text)
    expected = sentence_starts([t.text for t in doc])
    assert [bool(t.is_sent_start) for t in doc] == expected


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


WRAPPED = (
    "Gaza truce talks resume in Cairo\n"
    "\n"
    "CAIRO, March 3 - Egyptian mediators met a Hamas delegation on Monday as\n"
    "negotiators tried to close the gaps over a six-week truce, two officials\n"
    "briefed on the talks said. The delegation is expected to travel on to\n"
    "Doha later this week.\n"
    "\n"
    "Israel has not yet sent its own team, the officials added, and aid\n"
    "deliveries into the enclave remain far below what agencies say is needed."
)


def test_hard_wrapped_lines_run_on(nlp: Language) -> None:
    doc = nlp(WRAPPED)
    assert [" ".join(s.text.split()) for s in doc.sents] == [
        "Gaza truce talks resume in Cairo",
        "CAIRO, March 3 - Egyptian mediators met a Hamas delegation on Monday as negotiators "
        "tried to close the gaps over a six-week truce, two officials briefed on the talks said.",
        "The delegation is expected to travel on to Doha later this week.",
        "Israel has not yet sent its own team, the officials added, and aid deliveries into "
        "the enclave remain far below what agencies say is needed.",
    ]
    assert doc._.headline_sents == {0}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Hamas delegation arrives in Egypt\nDiscussions expected to focus on aid\n"
            "CAIRO\nA delegation arrived.",
            id="headline lines",
        ),
        pytest.param(
            "Egypt says truce talks will resume in Cairo next week after a pause\n"
            "Qatar's prime minister to join the talks, according to two officials\n"
            "A Hamas delegation is expected in the Egyptian capital on Sunday.",
            id="two long headline lines",
        ),
        pytest.param(
            "- hostages freed in the first phase of the deal announced in January\n"
            "- prisoners released in return, in batches over the following weeks\n"
            "- aid trucks allowed in daily, rising to six hundred at the peak\n"
            "- troops withdrawn from populated areas of the Gaza Strip over time\n"
            + "a very long line " * 10
            + "\nThe end.",
            id="a line too wide for wrapping",
        ),
        pytest.param("One line only, with no break at all", id="no line break"),
    ],
)
def test_text_that_is_not_wrapped_keeps_its_line_breaks(text: str) -> None:
    assert soft_line_breaks(text) == []


def test_soft_line_breaks_are_offsets_of_newlines() -> None:
    offsets = soft_line_breaks(WRAPPED)
    assert offsets and all(WRAPPED[o] == "\n" for o in offsets)
    assert WRAPPED.index("\n") not in offsets  # the headline ends its sentence


def test_sentence_starts_pure_with_soft_breaks() -> None:
    words = ["the", "ministry", "\n", "said", "so", ".", "\n", "Next"]
    starts = sentence_starts(words, soft={2})
    assert [w for w, start in zip(words, starts, strict=True) if start] == ["the", "Next"]
