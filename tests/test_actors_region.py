"""Regional actors, upper-case datelines and speaker-label names (round 4 vocabulary)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from pipeline.actors import is_dateline


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("DOHA, Nov 10 (AFP) - Qatar said", "DOHA", True),
        ("CAIRO/DOHA (Reuters) - Talks", "DOHA", True),
        ("Intro\nBEIRUT — Lebanon said", "BEIRUT", True),
        ("UNITED NATIONS, Dec 9 - The vote", "UNITED NATIONS", True),
        ("HAMAS SAYS TRUCE HOLDS", "HAMAS", False),
        ("AL-ANSARI: We wait.", "AL-ANSARI", False),
        ("Talks in Doha, officials said", "Doha", False),
        ("The envoy left DOHA, then Cairo", "DOHA", False),
    ],
)
def test_is_dateline(text: str, name: str, expected: bool) -> None:
    i = text.index(name)
    assert is_dateline(text, i, i + len(name)) is expected


def _ids(doc: Doc) -> list[tuple[str, str | None]]:
    return [(e.text, e.actor_id or e.affiliation_id) for e in doc._.entities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Oman, which hosted talks with Yemen's Houthis, urged calm.",
            [("Oman", "oman"), ("Yemen", "yemen"), ("Houthis", "houthis")],
        ),
        (
            "Omani mediators met Houthi rebels, and Muscat's envoy spoke.",
            [("Omani", "oman"), ("Houthi rebels", "houthis"), ("Muscat", "oman")],
        ),
        (
            "Five Thai nationals were freed, Thailand said.",
            [("Thai", "thailand"), ("Thailand", "thailand")],
        ),
        (
            "A World Central Kitchen ship docked; Doctors Without Borders warned of famine.",
            [
                ("World Central Kitchen", "world_central_kitchen"),
                ("Doctors Without Borders", "msf"),
            ],
        ),
        (
            "Gaza's civil defence said 12 people died in Gaza.",
            [("Gaza's civil defence", "gaza_civil_defence")],
        ),
        (
            "The National Security Council said the White House backs the plan.",
            [("National Security Council", "united_states"), ("White House", "united_states")],
        ),
        (
            "OCHA and the World Food Programme said trucks were stuck.",
            [("OCHA", "united_nations"), ("World Food Programme", "united_nations")],
        ),
        (
            "The Lebanese army deployed as the Lebanese presidency welcomed it.",
            [("Lebanese army", "lebanon"), ("Lebanese presidency", "lebanon")],
        ),
    ],
)
def test_regional_actors(
    analyse: Callable[..., Doc], text: str, expected: list[tuple[str, str]]
) -> None:
    got = _ids(analyse(text))
    for item in expected:
        assert item in got


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("DOHA, Nov 10 (AFP) - Qatar suspended its mediation.", "DOHA"),
        ("JERUSALEM/CAIRO (Reuters) - Israel and Hamas agreed.", "JERUSALEM"),
        ("BEIRUT — Lebanon's parliament met on Monday.", "BEIRUT"),
    ],
)
def test_dateline_capitals_are_places(analyse: Callable[..., Doc], text: str, absent: str) -> None:
    assert absent not in [e.text for e in analyse(text)._.entities]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Briefing by spokesman Majed al-Ansari.\nAL-ANSARI: We await a reply.", "AL-ANSARI"),
        ("Prime Minister Benjamin Netanyahu spoke.\nNETANYAHU: We will not stop.", "NETANYAHU"),
    ],
)
def test_speaker_label_in_capitals_is_the_person(
    analyse: Callable[..., Doc], text: str, label: str
) -> None:
    labels = [(e.text, e.label) for e in analyse(text)._.entities]
    assert (label, "PERSON") in labels


def test_capital_surname_without_full_name_is_no_person(analyse: Callable[..., Doc]) -> None:
    assert "AL-ANSARI" not in [e.text for e in analyse("AL-ANSARI: We await a reply.")._.entities]
