"""Speaker labels, closing attributions and shared subjects (attribution round 4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc


def _claimants(doc: Doc, claim_type: str) -> list[str | None]:
    return [c.claimant_id for c in doc._.claims if c.claim_type == claim_type]


@pytest.mark.parametrize(
    "text",
    [
        "Briefing by spokesman Majed al-Ansari.\nAL-ANSARI: Israeli strikes "
        "killed 30 Palestinians on Monday.",
        "Briefing by spokesman Majed al-Ansari.\nAL-ANSARI: We spoke to both "
        "sides. Israeli strikes killed 30 Palestinians on Monday.",
        "Majed al-Ansari briefed reporters.\nAL-ANSARI: Thank you. Israeli "
        "strikes killed 30 Palestinians on Monday. That is all.",
    ],
)
def test_speaker_label_covers_its_line(analyse: Callable[..., Doc], text: str) -> None:
    assert _claimants(analyse(text), "casualties") == ["Majed al-Ansari"]


@pytest.mark.parametrize(
    "text",
    [
        "Majed al-Ansari briefed reporters.\nAL-ANSARI: Thank you.\nIsraeli "
        "strikes killed 30 Palestinians on Monday.",
        "Transcript: Israeli strikes killed 30 Palestinians on Monday.",
    ],
)
def test_label_ends_with_its_line_and_needs_a_speaker(
    analyse: Callable[..., Doc], text: str
) -> None:
    assert _claimants(analyse(text), "casualties") == [None]


def test_short_name_takes_the_full_name(analyse: Callable[..., Doc]) -> None:
    text = (
        "Spokesman Majed al-Ansari spoke on Monday. "
        "Israeli strikes killed 30 Palestinians, al-Ansari said."
    )
    assert _claimants(analyse(text), "casualties") == ["Majed al-Ansari"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Qatar has told Hamas that Israeli strikes killed 30 Palestinians, a "
            "diplomatic source said.",
            "anonymous_official",
        ),
        (
            "Egypt told Israel that Israeli strikes killed 30 Palestinians, an "
            "Egyptian official said on Monday.",
            "anonymous_official",
        ),
        ("Qatar said Israeli strikes killed 30 Palestinians.", "qatar"),
    ],
)
def test_closing_attribution_outranks_an_embedded_cue(
    analyse: Callable[..., Doc], text: str, expected: str
) -> None:
    assert _claimants(analyse(text), "casualties") == [expected]


def test_speaker_label_may_carry_a_capitalised_title(analyse: Callable[..., Doc]) -> None:
    text = (
        "MAJED AL-ANSARI, QATARI FOREIGN MINISTRY SPOKESMAN: Israeli strikes killed "
        "30 Palestinians on Monday."
    )
    [claimant] = _claimants(analyse(text), "casualties")
    assert claimant is not None and claimant.lower() == "majed al-ansari"


def test_label_title_must_be_capitals_up_to_the_colon(analyse: Callable[..., Doc]) -> None:
    text = "Majed al-Ansari, who speaks for Qatar: Israeli strikes killed 30 Palestinians."
    assert _claimants(analyse(text), "casualties") == [None]


@pytest.mark.parametrize(
    ("text", "claim_type", "subject"),
    [
        (
            "MAJED AL-ANSARI, QATARI FOREIGN MINISTRY SPOKESMAN: Yes. We are still "
            "mediating between the two sides.",
            "mediation",
            "qatar",
        ),
        (
            '"We have accepted the outline," Israeli Foreign Minister Gideon Saar said.',
            "response",
            "israel",
        ),
        (
            'A Hamas official said: "We reject the proposal. We will not accept new terms."',
            "response",
            "hamas",
        ),
    ],
)
def test_we_is_the_side_of_the_speaker(
    analyse: Callable[..., Doc], text: str, claim_type: str, subject: str
) -> None:
    got = [(c.claim_type, c.subject_id) for c in analyse(text)._.claims]
    assert got and all(pair == (claim_type, subject) for pair in got), got


@pytest.mark.parametrize(
    "text",
    [
        "We call for an immediate ceasefire.",
        "Qatar met Hamas on Monday. We call for an immediate ceasefire.",
    ],
)
def test_we_without_a_speaker_is_nobody(analyse: Callable[..., Doc], text: str) -> None:
    doc = analyse(text)
    ours = [c for c in doc._.claims if c.evidence.startswith("We call")]
    assert all(c.subject_id is None for c in ours), ours


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Egypt, Qatar and the U.S. have said they will act as guarantors of any deal.",
            {("egypt", "egypt"), ("qatar", "qatar"), ("united_states", "united_states")},
        ),
        (
            "Egypt and Qatar said they would continue their mediation.",
            {("egypt", "egypt"), ("qatar", "qatar")},
        ),
        # one speaker: "they" is that speaker
        ("Qatar said they would continue mediating.", {("qatar", "qatar")}),
    ],
)
def test_they_after_coordinated_speakers_is_each_of_them(
    analyse: Callable[..., Doc], text: str, expected: set[tuple[str, str]]
) -> None:
    got = {(c.subject_id, c.claimant_id) for c in analyse(text)._.claims}
    assert got == expected, got


def test_according_to_ends_with_its_noun_phrase(analyse: Callable[..., Doc]) -> None:
    text = (
        "More than 300 people have been killed, according to the health ministry, and "
        "Israel says 130 hostages remain in Gaza."
    )
    hostages = [c for c in analyse(text)._.claims if c.claim_type == "captives"]
    assert [c.claimant_id for c in hostages] == ["israel"], hostages
