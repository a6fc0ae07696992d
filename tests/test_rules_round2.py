"""Rules round 2: phrasings a blind evaluation showed the rule files missed.

Every sentence here is invented for this file (several phrasings per error category, plus
negative sentences that must NOT fire the new cues). They run through the whole pipeline
(`analyse` fixture) and assert one field each: source entities and their affiliation,
actor aliases, mediator roles, claim types/predicates, modality and quantity categories.
Cases the rule files cannot express are marked xfail with the code change they need.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

Analyse = Callable[..., Doc]
AO = "anonymous_official"


def _sources(doc: Doc) -> list[tuple[str, str | None]]:
    return [(e.text.lower(), e.affiliation_id) for e in doc._.entities if e.label == "SOURCE"]


def _actor_ids(doc: Doc) -> set[str | None]:
    return {e.actor_id for e in doc._.entities if e.label == "ACTOR"}


def _roles(doc: Doc) -> dict[str | None, set[str | None]]:
    roles: dict[str | None, set[str | None]] = {}
    for e in doc._.entities:
        if e.label == "ACTOR":
            roles.setdefault(e.actor_id, set()).add(e.role)
    return roles


def _claims(doc: Doc) -> list[tuple[str, str]]:
    return [(c.claim_type, c.predicate) for c in doc._.claims]


def _claim_types(doc: Doc) -> set[str]:
    return {c.claim_type for c in doc._.claims}


def _needs_code(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(reason=f"needs code: {reason}", strict=False)


# --- sources ---------------------------------------------------------------------------

SOURCE_CASES = [
    (
        "Hospital officials said 12 people were killed in the strike on Rafah.",
        "hospital officials",
        None,
    ),
    (
        "At least nine people died, hospital officials in Khan Younis said.",
        "hospital officials",
        None,
    ),
    (
        "Medical officials said the bodies of 30 people had been brought in.",
        "medical officials",
        None,
    ),
    (
        "An Israeli military spokesman said troops had killed 20 militants.",
        "an israeli military spokesman",
        "israel",
    ),
    (
        "The talks are stuck, an Israeli government spokesman told reporters.",
        "an israeli government spokesman",
        "israel",
    ),
    (
        "A Hamas spokesman said the group had rejected the proposal.",
        "a hamas spokesman",
        "hamas",
    ),
    (
        "The movement will respond on Sunday, a Hamas spokeswoman said.",
        "a hamas spokeswoman",
        "hamas",
    ),
    (
        "A Qatari foreign ministry spokesperson said talks would resume.",
        "a qatari foreign ministry spokesperson",
        "qatar",
    ),
    (
        "A diplomat briefed on the talks said Egypt had tabled a new draft.",
        "a diplomat briefed on the talks",
        None,
    ),
    (
        "Two Egyptian security sources said the delegation arrived in Cairo.",
        "two egyptian security sources",
        "egypt",
    ),
    (
        "Three Egyptian security sources told Reuters the gaps had narrowed.",
        "three egyptian security sources",
        "egypt",
    ),
]


@pytest.mark.parametrize(("text", "source", "affiliation"), SOURCE_CASES)
def test_source_is_found(analyse: Analyse, text: str, source: str, affiliation: str | None) -> None:
    found = _sources(analyse(text))
    assert any(s.endswith(source) or source.endswith(s) for s, _ in found), found
    if affiliation:
        assert affiliation in {a for _, a in found}, found


ACCORDING_CASES = [
    "According to Israeli officials, 130 hostages are still held in Gaza.",
    "According to Egyptian officials, 200 aid trucks entered Gaza on Monday.",
    "According to Qatari officials, the two sides agreed to a ceasefire.",
]


@pytest.mark.parametrize("text", ACCORDING_CASES)
def test_according_to_officials_is_anonymous(analyse: Analyse, text: str) -> None:
    doc = analyse(text)
    claimants = {c.claimant_id for c in doc._.claims}
    assert claimants == {AO}, _claims(doc)


NOT_SOURCE_CASES = [
    "Three people were killed in an air strike on Deir al-Balah, medics said.",
    "Two people were wounded when a shell hit the school, witnesses said.",
    "A member of the Hamas delegation arrived in Cairo on Tuesday.",
    "A member of the Israeli negotiating team travelled to Doha.",
]


@pytest.mark.parametrize("text", NOT_SOURCE_CASES)
def test_no_spurious_source(analyse: Analyse, text: str) -> None:
    found = _sources(analyse(text))
    assert not any(s in {"three people", "two people", "a member"} for s, _ in found), found


# --- aliases ---------------------------------------------------------------------------

ALIAS_CASES = [
    ("French and British diplomats urged both sides to agree a truce.", "france"),
    ("The French president called for an immediate ceasefire.", "france"),
    ("The Prime Minister's Office said Israel would send a delegation to Cairo.", "israel"),
    ("Netanyahu's comments were echoed by the Prime Minister's Office in Jerusalem.", "israel"),
    ("Hamas said the occupation had violated the ceasefire 40 times.", "israel"),
    ("Hamas accused the occupation army of stalling the talks.", "israel"),
    ("Washington has pushed both sides to accept the plan.", "united_states"),
    ("Washington said it would keep working with Egypt and Qatar.", "united_states"),
]


@pytest.mark.parametrize(("text", "actor_id"), ALIAS_CASES)
def test_alias_is_found(analyse: Analyse, text: str, actor_id: str) -> None:
    assert actor_id in _actor_ids(analyse(text))


NOT_ALIAS_CASES = [
    ("Officials met in Washington on Monday to discuss the Ukraine war.", "united_states"),
    ("The occupation of the building by protesters ended on Friday.", "israel"),
]


@pytest.mark.parametrize(("text", "actor_id"), NOT_ALIAS_CASES)
def test_alias_does_not_overfire(analyse: Analyse, text: str, actor_id: str) -> None:
    assert actor_id not in _actor_ids(analyse(text))


# --- mediator roles --------------------------------------------------------------------

MEDIATOR_CASES = [
    (
        "Hamas and Israel are studying a plan drawn up by Qatar, Egypt and the US.",
        ["qatar", "egypt", "united_states"],
    ),
    ("The proposal, drafted by Egypt and Qatar, was sent to Hamas and Israel.", ["egypt", "qatar"]),
    (
        (
            "Egypt, which guarantees the deal together with Qatar, urged Israel and "
            "Hamas to stick to it."
        ),
        ["egypt"],
    ),
    ("Cairo was pressing both sides to agree on the second phase, Hamas said.", ["egypt"]),
    (
        "Qatar said it would study the Hamas response with the United States.",
        ["qatar", "united_states"],
    ),
    (
        "Israel's negotiators will join US envoys in Cairo for talks with Egyptian officials.",
        ["united_states", "egypt"],
    ),
    ("Egypt is expected to present a bridging proposal to Hamas and Israel.", ["egypt"]),
    (
        "Mediators from Egypt, Qatar and the United States resumed talks with Hamas.",
        ["egypt", "qatar", "united_states"],
    ),
    (
        "The truce, guaranteed by Egypt, Qatar, Turkey and the US, took effect on Sunday.",
        ["egypt", "qatar", "turkey", "united_states"],
    ),
    (
        "A committee chaired by Egypt will monitor the ceasefire between Israel and Hamas.",
        ["egypt"],
    ),
    ("The meeting between Hamas and Israel was chaired by Qatar.", ["qatar"]),
]


@pytest.mark.parametrize(("text", "mediators"), MEDIATOR_CASES)
def test_mediator_role(analyse: Analyse, text: str, mediators: list[str]) -> None:
    roles = _roles(analyse(text))
    for actor in mediators:
        assert roles.get(actor, set()) & {"mediator", "guarantor"}, roles
    assert not roles.get("hamas", set()) & {"mediator", "guarantor"}, roles
    assert not roles.get("israel", set()) & {"mediator", "guarantor"}, roles


# --- claim triggers --------------------------------------------------------------------

TRIGGER_CASES = [
    # mediation
    ("Egyptian and Qatari mediators resumed talks with Hamas in Cairo on Monday.", "mediation"),
    ("Qatar said it hoped to reopen talks between Israel and Hamas.", "mediation"),
    ("Qatar and Egypt moved to reopen talks between Israel and Hamas.", "mediation"),
    ("The talks between Israel and Hamas were chaired by Egypt.", "mediation"),
    ("The truce is guaranteed by Egypt, Qatar and the United States.", "mediation"),
    # meeting
    (
        (
            "Talks between the heads of the Egyptian and Israeli intelligence "
            "services took place in Cairo."
        ),
        "meeting",
    ),
    ("Egyptian officials met Hamas representatives in Cairo on Sunday.", "meeting"),
    ("Israeli negotiators will join US envoys in Doha for talks next week.", "meeting"),
    # ceasefire
    ("The plan would halt the fighting for six weeks.", "ceasefire"),
    ("Israel and Hamas signed the ceasefire agreement in Cairo.", "ceasefire"),
    ("The truce collapsed on Tuesday after Israeli strikes resumed.", "ceasefire"),
    ("Hamas accused Israel of violations of the ceasefire.", "ceasefire"),
    ("Israel said the rocket fire was a breach of the truce.", "ceasefire"),
    ("Officials said a ceasefire could be reached within days.", "ceasefire"),
    # demand
    ("Hamas wants a full withdrawal of Israeli troops from Gaza.", "demand"),
    # response
    ("The Israeli cabinet backed the ceasefire deal late on Thursday.", "response"),
    ("The Israeli cabinet will vote on the deal on Friday.", "response"),
    # aid
    ("Israel halted the entry of goods into Gaza on Sunday.", "aid"),
    ("Egypt reopened the Rafah crossing on Monday.", "aid"),
    # captives
    ("Hamas handed over the remains of four hostages on Thursday.", "captives"),
    ("Some 59 hostages are still held in Gaza.", "captives"),
    ("Israel says 59 hostages remain in Gaza and at least 25 of them are dead.", "captives"),
]


@pytest.mark.parametrize(("text", "claim_type"), TRIGGER_CASES)
def test_claim_trigger(analyse: Analyse, text: str, claim_type: str) -> None:
    doc = analyse(text)
    assert claim_type in _claim_types(doc), _claims(doc)


PREDICATE_CASES = [
    ("The Israeli cabinet backed the ceasefire deal late on Thursday.", "response", "accept"),
    ("Hamas backed the Egyptian proposal, a spokesman said.", "response", "accept"),
    ("The Israeli cabinet will vote on the deal on Friday.", "response", "consider"),
    ("The truce collapsed on Tuesday after Israeli strikes resumed.", "ceasefire", "violate"),
    ("Israel and Hamas signed the ceasefire agreement in Cairo.", "ceasefire", "agree"),
]


@pytest.mark.parametrize(("text", "claim_type", "predicate"), PREDICATE_CASES)
def test_claim_predicate(analyse: Analyse, text: str, claim_type: str, predicate: str) -> None:
    doc = analyse(text)
    assert (claim_type, predicate) in _claims(doc), _claims(doc)


NEGATIVE_TRIGGER_CASES = [
    ("The armed group, backed by Iran, fired rockets at Israel.", "response"),
    ("Israeli tanks backed by drones advanced into Rafah.", "response"),
    ("Egypt signed a gas contract with Israel worth $15 billion.", "ceasefire"),
    ("The roof of the building collapsed after the strike.", "ceasefire"),
    ("Egypt reopened its embassy in Damascus.", "aid"),
    ("The company resumed talks with its unions over pay.", "mediation"),
    # talks that merely take place in a capital: no host or mediator is stated
    ("Talks between Israel and Hamas in Cairo ended without agreement.", "mediation"),
]


@pytest.mark.parametrize(("text", "claim_type"), NEGATIVE_TRIGGER_CASES)
def test_trigger_does_not_overfire(analyse: Analyse, text: str, claim_type: str) -> None:
    doc = analyse(text)
    assert claim_type not in _claim_types(doc), _claims(doc)


# --- modality --------------------------------------------------------------------------

MODALITY_CASES = [
    ("Under the plan, 33 hostages would be released in the first phase.", "captives", "proposed"),
    (
        "Under the proposal, Hamas would free 33 hostages in the first phase.",
        "captives",
        "proposed",
    ),
    ("Under the deal, 600 aid trucks should enter Gaza every day.", "aid", "proposed"),
    (
        "Displaced people will be allowed to return, and 600 aid trucks will enter Gaza daily.",
        "aid",
        "planned",
    ),
    ("Egypt hoped to broker a ceasefire before Ramadan.", "mediation", "planned"),
    (
        "Egypt mediated talks between Israel and Hamas that ended without agreement.",
        "mediation",
        "negated",
    ),
    (
        "Talks in Cairo ended without agreement on a truce of at least 45 days.",
        "ceasefire",
        "negated",
    ),
]


@pytest.mark.parametrize(("text", "claim_type", "modality"), MODALITY_CASES)
def test_modality(analyse: Analyse, text: str, claim_type: str, modality: str) -> None:
    doc = analyse(text)
    got = [(c.claim_type, c.modality) for c in doc._.claims]
    assert (claim_type, modality) in got, got


# --- quantity categories ---------------------------------------------------------------

QUANTITY_CASES = [
    ("Five people were killed and dozens more were wounded.", "dozens", "injured"),
    ("Twelve people died and dozens more were injured, medics said.", "dozens", "injured"),
    ("Dozens more were wounded in strikes on Khan Younis.", "dozens", "injured"),
    ("The health ministry put the toll at fourteen.", "fourteen", "killed"),
    ("Medics put the death toll at 27 on Monday.", "27", "killed"),
    ("Some 136 people are still held in Gaza, Israel says.", "136", "hostages"),
    ("Around 100 people are still being held captive in Gaza.", "100", "hostages"),
    ("Israel says 59 hostages remain in Gaza and at least 25 of them are dead.", "25", "hostages"),
]


@pytest.mark.parametrize(("text", "span", "category"), QUANTITY_CASES)
def test_quantity_category(analyse: Analyse, text: str, span: str, category: str) -> None:
    doc = analyse(text)
    got = {q.text.lower(): q.category for q in doc._.quantities}
    match = [cat for t, cat in got.items() if span in t]
    assert match and match[0] == category, got


NEGATIVE_QUANTITY_CASES = [
    ("Some 40 people are still waiting at the Rafah crossing.", "40", "hostages"),
    ("Dozens more trucks were turned back at the border.", "dozens", "injured"),
]


@pytest.mark.parametrize(("text", "span", "category"), NEGATIVE_QUANTITY_CASES)
def test_quantity_category_does_not_overfire(
    analyse: Analyse, text: str, span: str, category: str
) -> None:
    doc = analyse(text)
    got = {q.text.lower(): q.category for q in doc._.quantities}
    assert not any(span in t and cat == category for t, cat in got.items()), got
