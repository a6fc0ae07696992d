"""Anonymous and on-record sources through the whole pipeline (pipeline.sources).

Which phrases become SOURCE entities (openers, places between head and verb,
spokespersons) and what claimant they give a claim. Passages are invented for this
file; test_actors.py holds the basic source-phrase cases.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

Analyse = Callable[..., Doc]
AO = "anonymous_official"


def _sources(doc: Doc) -> list[tuple[str, str | None, bool]]:
    return [(e.text, e.affiliation_id, e.anonymous) for e in doc._.entities if e.label == "SOURCE"]


@pytest.mark.parametrize(
    "text, phrase, affiliation",
    [
        (
            "An Israeli military spokesman said troops had killed 20 militants.",
            "An Israeli military spokesman",
            "israel",
        ),
        (
            "Troops killed 20 militants, an Israeli army spokeswoman told reporters.",
            "an Israeli army spokeswoman",
            "israel",
        ),
        (
            "“We will study the offer,” a Hamas spokesperson said on Monday.",
            "a Hamas spokesperson",
            "hamas",
        ),
        (
            "A Qatari foreign ministry spokesman said talks would resume in Doha.",
            "A Qatari foreign ministry spokesman",
            "qatar",
        ),
        (
            "Talks will resume on Sunday, said a spokesman for Qatar's foreign ministry.",
            "a spokesman for Qatar",
            "qatar",
        ),
    ],
)
def test_spokesperson_is_an_on_record_source(
    analyse: Analyse, text: str, phrase: str, affiliation: str
) -> None:
    assert (phrase, affiliation, False) in _sources(analyse(text))


@pytest.mark.parametrize(
    "text, claimant",
    [
        ("An Israeli military spokesman said troops had killed 20 militants in Rafah.", "israel"),
        ("Hamas had rejected the proposal, a Hamas spokeswoman said.", "hamas"),
        (
            "“We have received the response and are studying it,” said a spokesman for Qatar.",
            "qatar",
        ),
    ],
)
def test_spokesperson_claim_is_the_organisations(
    analyse: Analyse, text: str, claimant: str
) -> None:
    claims = analyse(text)._.claims
    assert claims and {(c.claimant_id, c.claimant_anonymous) for c in claims} == {(claimant, False)}


def test_named_spokesperson_is_a_person_not_a_source(analyse: Analyse) -> None:
    doc = analyse("Hamas spokesman Hazem Qassem said the group had rejected the proposal.")
    assert _sources(doc) == []


@pytest.mark.parametrize(
    "text, phrase, affiliation",
    [
        # an opener makes a plural head a source without determiner or report verb
        (
            "According to Israeli officials, 130 hostages are still held in Gaza.",
            "Israeli officials",
            "israel",
        ),
        (
            "At least 40 people were killed overnight, according to hospital officials.",
            "hospital officials",
            None,
        ),
        (
            "Some 200 trucks entered Gaza, according to Egyptian security sources.",
            "Egyptian security sources",
            "egypt",
        ),
        # a place between a plural head and its report verb
        (
            "At least nine people died, hospital officials in Khan Younis said.",
            "hospital officials",
            None,
        ),
        (
            "Medical officials in Gaza City said 30 bodies had been recovered.",
            "Medical officials",
            None,
        ),
        (
            "Egyptian officials in Cairo told reporters the talks would resume.",
            "Egyptian officials",
            "egypt",
        ),
        # medics, witnesses and regional diplomats speak without a name too
        ("Medics said 12 people were killed in Khan Younis.", "Medics", None),
        ("Fifteen others were wounded, a paramedic told Reuters.", "a paramedic", None),
        (
            "Qatar is back in contact with both sides, a regional diplomat said.",
            "a regional diplomat",
            None,
        ),
    ],
)
def test_plural_source_without_determiner(
    analyse: Analyse, text: str, phrase: str, affiliation: str | None
) -> None:
    assert (phrase, affiliation, True) in _sources(analyse(text))


@pytest.mark.parametrize(
    "text",
    [
        # a comma is no report verb: the counted people are no source
        "Israeli strikes killed 21,320 people, mostly women and children, medics said.",
        # a plural head with a place but no report verb
        "Talks with officials in Cairo resumed on Monday.",
        "Negotiators in Doha met for a third day.",
    ],
)
def test_no_plural_source_without_opener_or_verb(analyse: Analyse, text: str) -> None:
    found = [s for s, _, _ in _sources(analyse(text))]
    assert not any(s.lower() in {"people", "officials", "negotiators"} for s in found), found


@pytest.mark.parametrize(
    "text",
    [
        "According to Israeli officials, 11 Palestinians were killed near the yellow line.",
        "Eleven Palestinians were killed near the yellow line, according to Israeli officials.",
        "Israeli officials in Jerusalem said 11 Palestinians were killed near the yellow line.",
    ],
)
def test_plural_officials_are_anonymous_claimants(analyse: Analyse, text: str) -> None:
    claims = analyse(text)._.claims
    assert claims and {(c.claimant_id, c.claimant_affiliation_id) for c in claims} == {
        (AO, "israel")
    }
