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
