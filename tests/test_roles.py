"""Tests for pipeline.roles: mediator, guarantor and party roles per article and sentence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import spacy
from seeds import seed_published
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.build import PIPELINE
from pipeline.records import Entity
from pipeline.roles import (
    Conflict,
    Mention,
    actors_with_role,
    article_roles,
    group_mentions,
    is_dateline,
    sentence_conflicts,
)

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
SEEDS = ROOT / "data" / "raw" / "seeds"
PUBLISHED = seed_published()
OWN = ("ceasefire_sentences", "ceasefire_lemmatizer", "ceasefire_actors", "ceasefire_roles")


@pytest.fixture(scope="module")
def run() -> Callable[..., Doc]:
    nlp: Language = spacy.blank("en")
    for factory, config in PIPELINE:
        if factory in OWN:
            nlp.add_pipe(factory, config=config)
            if factory.startswith("ceasefire_"):
                nlp.config["initialize"]["components"][factory] = {"rules_dir": str(RULES)}
    nlp.initialize()

    def analyse(text: str, published: str = "2024-02-08") -> Doc:
        doc = nlp.make_doc(text)
        doc._.published = dt.date.fromisoformat(published)
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        return doc

    return analyse


def seed_text(stem: str) -> str:
    text = next(SEEDS.glob(f"{stem}_*.txt")).read_text(encoding="utf-8")
    stripped = text.lstrip()
    return stripped[len("date 2023-12-29") :].lstrip() if stripped.startswith("date ") else text


# -- pure functions ----------------------------------------------------------------------

GAZA = Conflict(
    "gaza", True, frozenset({"hamas", "israel"}), frozenset({"gaza"}), frozenset({"state"})
)
SUDAN = Conflict(
    "sudan",
    False,
    frozenset({"sudan", "rapid_support_forces"}),
    frozenset({"darfur"}),
    frozenset({"state"}),
)
LEBANON = Conflict(
    "lebanon", False, frozenset({"israel", "hezbollah"}), frozenset(), frozenset({"state"})
)


@pytest.mark.parametrize(
    "actors, words, expected",
    [
        ([{"egypt"}], [set()], ["gaza"]),
        ([{"sudan", "egypt"}, {"egypt"}], [set(), set()], ["sudan", "sudan"]),
        ([{"israel", "hezbollah"}, {"israel"}], [set(), set()], ["lebanon", "lebanon"]),
        ([{"israel", "hamas"}, {"israel"}], [set(), set()], ["gaza", "gaza"]),
        ([{"egypt"}, {"qatar"}], [{"darfur"}, {"gaza"}], ["sudan", "gaza"]),
    ],
)
def test_sentence_conflicts(
    actors: list[set[str]], words: list[set[str]], expected: list[str]
) -> None:
    assert [
        c.conflict_id for c in sentence_conflicts(actors, words, [GAZA, SUDAN, LEBANON])
    ] == expected


def test_group_mentions_joins_only_across_connectors() -> None:
    a, b, c = (
        Mention(0, 0, 1, "qatar", 0),
        Mention(1, 4, 5, "egypt", 0),
        Mention(2, 9, 10, "turkey", 0),
    )
    groups = group_mentions([a, b, c], connector_tokens={1, 2, 3})
    assert [[m.actor_id for m in g] for g in groups] == [["qatar", "egypt"], ["turkey"]]


def test_article_roles_rank_mediator_over_guarantor() -> None:
    def ent(actor: str, role: str | None) -> Entity:
        return Entity(0, 0, 1, actor, "ACTOR", actor_id=actor, role=role)

    entities = [
        ent("egypt", "guarantor"),
        ent("egypt", "mediator"),
        ent("turkey", "guarantor"),
        ent("hamas", "party"),
        ent("afp", None),
    ]
    assert article_roles(entities) == {"egypt": "mediator", "turkey": "guarantor", "hamas": "party"}


# -- seeds -------------------------------------------------------------------------------

SEED_ROLES = {
    "000": ({"egypt", "qatar", "united_states"}, set()),
    "001": ({"egypt", "qatar", "united_states"}, set()),
    "002": ({"egypt", "qatar", "united_states"}, {"turkey", "russia", "france"}),
    "003": ({"egypt", "united_states"}, set()),
    "004": ({"egypt", "qatar", "turkey", "united_states"}, set()),
}


@pytest.mark.parametrize("stem", sorted(SEED_ROLES))
def test_seed_mediators_and_guarantors(run: Callable[..., Doc], stem: str) -> None:
    entities = run(seed_text(stem), PUBLISHED[stem])._.entities
    mediators, guarantors = SEED_ROLES[stem]
    assert actors_with_role(entities, "mediator") == mediators
    assert actors_with_role(entities, "guarantor") == guarantors
    assert {"hamas", "israel"} <= actors_with_role(entities, "party")


def test_role_rule_names_the_cue(run: Callable[..., Doc]) -> None:
    doc = run(
        "Qatar, backed by Egypt and the United States, helped broker a truce between Israel "
        "and Hamas."
    )
    roles = {(e.text, e.role, e.role_rule) for e in doc._.entities}
    assert ("Egypt", "mediator", "broker_verb") in roles
    assert ("Hamas", "party", "party:gaza") in roles


def test_blinken_counts_for_the_united_states(run: Callable[..., Doc]) -> None:
    doc = run(
        "Secretary of State Antony Blinken is in the region to try to broker a deal between "
        "Israel and Hamas."
    )
    assert actors_with_role(doc._.entities, "mediator") == {"united_states"}


# -- other phrasings (own sentences) --------------------------------------------------------


@pytest.mark.parametrize(
    "text, mediators, guarantors",
    [
        ("Egyptian and Qatari mediators handed Hamas a new proposal.", {"egypt", "qatar"}, set()),
        (
            "Talks mediated by Qatar, Egypt and the United States resumed on Sunday, Hamas said.",
            {"qatar", "egypt", "united_states"},
            set(),
        ),
        (
            "Qatar has hosted indirect talks between Israel and Hamas since November.",
            {"qatar"},
            set(),
        ),
        (
            "The US-brokered truce between Israel and Hamas collapsed after a week.",
            {"united_states"},
            set(),
        ),
        (
            "Egypt is working to secure a ceasefire deal in Gaza, an Egyptian official said.",
            {"egypt"},
            set(),
        ),
        (
            "Mediators Egypt and Qatar said Hamas had accepted the proposal.",
            {"egypt", "qatar"},
            set(),
        ),
        (
            "Israel sent a delegation for talks with Qatari mediators on the hostages.",
            {"qatar"},
            set(),
        ),
        (
            "Turkey said it was ready to act as a guarantor of any Gaza ceasefire.",
            set(),
            {"turkey"},
        ),
        (
            "Egypt, Qatar and the United States will serve as guarantors of the Gaza deal.",
            set(),
            {"egypt", "qatar", "united_states"},
        ),
        (
            "Qatari Prime Minister Mohammed bin Abdulrahman Al Thani said mediators were close "
            "to a Gaza deal.",
            {"qatar"},
            set(),
        ),
        (
            "The talks, hosted by Egypt, focused on a hostage exchange between Hamas and Israel.",
            {"egypt"},
            set(),
        ),
        ("Cairo will host a new round of negotiations on Gaza next week.", {"egypt"}, set()),
        (
            "The Gaza truce was reached under the auspices of Egypt and Qatar.",
            {"egypt", "qatar"},
            set(),
        ),
        (
            "Washington is working with Cairo and Doha to close gaps between Israel and Hamas.",
            {"united_states", "egypt", "qatar"},
            set(),
        ),
        (
            "Hamas wants Russia and China to stand as guarantors alongside the mediators.",
            set(),
            {"russia", "china"},
        ),
        # a subject behind a head noun ("The leaders of ...")
        (
            "The leaders of Egypt, Qatar and Turkey signed a document pledging to guarantee "
            "the Gaza ceasefire.",
            set(),
            {"egypt", "qatar", "turkey"},
        ),
        (
            "The foreign ministers of the United States and Turkey said they would guarantee "
            "the Gaza deal.",
            set(),
            {"united_states", "turkey"},
        ),
        # supervisors are guarantors; papers, drafts and offers are proposals
        (
            "Hamas said it would hand its heavy weapons to a body under the supervision of "
            "Egypt and Qatar.",
            set(),
            {"egypt", "qatar"},
        ),
        (
            "The prisoner releases will take place under the joint oversight of Turkey and "
            "Egypt, the hostage deal says.",
            set(),
            {"turkey", "egypt"},
        ),
        (
            "Hamas said it had sent its reply to a U.S. paper on the hostage deal.",
            {"united_states"},
            set(),
        ),
        ("Israel's negotiators studied the Egyptian draft on the Gaza truce.", {"egypt"}, set()),
        ("Israel called the Hamas offer on the hostages a non-starter.", set(), set()),
        (
            "Israel and Hamas have agreed to a ceasefire in Gaza, Qatar's prime minister "
            "announced.",
            {"qatar"},
            set(),
        ),
        ("Israel announced the ceasefire with Hamas on Sunday.", set(), set()),
        (
            "The talks in Cairo were held with the participation of Qatari and Turkish delegations "
            "between Israel and Hamas.",
            {"qatar", "turkey"},
            set(),
        ),
    ],
)
def test_role_phrasings(
    run: Callable[..., Doc], text: str, mediators: set[str], guarantors: set[str]
) -> None:
    entities = run(text)._.entities
    assert actors_with_role(entities, "mediator") == mediators
    assert actors_with_role(entities, "guarantor") == guarantors


@pytest.mark.parametrize(
    "text",
    [
        "Egypt and Qatar have also mediated between Sudan's army and the Rapid Support Forces.",
        "Qatar helped broker the return of Ukrainian children from Russia.",
        "The US and France brokered the ceasefire between Israel and Hezbollah in Lebanon.",
        "A Hamas delegation visited Moscow for talks with Russian officials on the war in Ukraine.",
        "Israel rejected the mediators' plan, and Hamas said it would study it.",
        "Israel helped broker nothing; Hamas mediated nothing.",
        "Egypt's army said Egyptian troops were deployed on the border.",
        "Syria's foreign minister met an Israeli delegation in Paris in talks mediated by a U.S. "
        "envoy on the Golan Heights.",
        "Syrian and Israeli officials met in Baku, with Turkey and Jordan helping to broker a "
        "truce in Sweida.",
    ],
)
def test_hard_negatives_mark_no_gaza_mediator(run: Callable[..., Doc], text: str) -> None:
    entities = run(text)._.entities
    assert actors_with_role(entities, "mediator") == set()
    assert actors_with_role(entities, "guarantor") == set()


def test_parties_of_the_sentence_conflict_only(run: Callable[..., Doc]) -> None:
    doc = run("Hamas and Israel traded accusations. Russia kept shelling Kyiv.")
    roles = {e.text: e.role for e in doc._.entities}
    assert roles["Hamas"] == roles["Israel"] == "party"
    assert roles["Russia"] == "party"  # a party to the Ukraine conflict in that sentence


def test_a_mediator_mention_elsewhere_has_no_role(run: Callable[..., Doc]) -> None:
    doc = run("Qatar mediated the Gaza truce. Qatar Airways resumed flights to Qatar.")
    roles = [(e.sentence, e.role) for e in doc._.entities if e.actor_id == "qatar"]
    assert roles[0] == (0, "mediator") and all(role is None for s, role in roles if s == 1)


# -- round 3 mechanisms (own sentences) -------------------------------------------------


@pytest.mark.parametrize(
    "text, mediators",
    [
        # host scope: a party's delegation (near it, or named earlier) and a counterpart
        ("A Hamas delegation met Egyptian officials in Cairo to discuss the truce.", {"egypt"}),
        ("Israeli negotiators held talks with Qatari officials on the Gaza hostages.", {"qatar"}),
        (
            "A delegation from the militant group, Hamas, arrived in Cairo for talks with "
            "Egyptian officials on the Gaza truce.",
            {"egypt"},
        ),
        (
            "A Hamas delegation arrived in Cairo on Sunday. Hamas officials said the delegation "
            "met the head of Egyptian intelligence to discuss the truce.",
            {"egypt"},
        ),
    ],
)
def test_host_needs_a_party_delegation(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert actors_with_role(run(text)._.entities, "mediator") == mediators


@pytest.mark.parametrize(
    "text",
    [
        "CAIRO, Egypt (AP) - Israel approved a Gaza deal with Hamas after negotiators signed it.",
        "DOHA, Qatar - Negotiators signed the Gaza agreement, Israel and Hamas said.",
        "Israel and Hamas said their negotiators would study the Gaza ceasefire text.",
        "Turkey's delegation met Qatari officials on Gaza, Israel said.",
    ],
)
def test_host_without_a_party_delegation_marks_nobody(run: Callable[..., Doc], text: str) -> None:
    assert actors_with_role(run(text)._.entities, "mediator") == set()


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "Talks in Cairo between the heads of the CIA, Mossad and Egyptian intelligence "
            "ended without a Gaza deal.",
            {"united_states", "egypt"},
        ),
        (
            "Negotiations between Qatari, Egyptian and Israeli officials on the hostages "
            "resumed on Monday.",
            {"qatar", "egypt"},
        ),
        ("Talks between Israel and Hamas on the Gaza hostages stalled.", set()),
    ],
)
def test_talks_between_give_non_parties_the_mediator_role(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert actors_with_role(run(text)._.entities, "mediator") == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        ("CIA director William Burns travelled to Cairo for the Gaza talks.", {"united_states"}),
        ("Qatar's prime minister flew to Paris on Friday for hostage negotiations.", {"qatar"}),
        (
            "Steve Witkoff, the US Middle East envoy, had joined the Gaza talks in recent days.",
            {"united_states"},
        ),
        ("Egyptian officials will attend the meeting on the Gaza hostages.", {"egypt"}),
        ("A Hamas delegation travelled to Doha for the hostage talks.", set()),
    ],
)
def test_travelling_to_or_joining_talks(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert actors_with_role(run(text)._.entities, "mediator") == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "A senior Egyptian official said Cairo would keep pressing Israel and Hamas to agree.",
            {"egypt"},
        ),
        ("Qatar urged Hamas to accept the Gaza proposal.", {"qatar"}),
        (
            "The plan included Egypt requesting that Hamas agree to a phased hostage release.",
            {"egypt"},
        ),
        ("Israel pressed Hamas to accept the Gaza hostage deal.", set()),
        ("Egypt urged residents of Gaza to agree to nothing.", set()),
    ],
)
def test_pressing_a_named_party(run: Callable[..., Doc], text: str, mediators: set[str]) -> None:
    assert actors_with_role(run(text)._.entities, "mediator") == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        ("Egypt had not yet received a response from Hamas on the Gaza plan.", {"egypt"}),
        (
            "Hamas' response, which reached Egypt and Qatar and was seen by the United States, "
            "included an offer on the hostages.",
            {"egypt", "qatar", "united_states"},
        ),
        ("Hamas handed its reply to Qatar on Tuesday, a Gaza official said.", {"qatar"}),
        ("Israel received Hamas's response on the hostages.", set()),
    ],
)
def test_a_party_response_goes_to_mediators(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert actors_with_role(run(text)._.entities, "mediator") == mediators


@pytest.mark.parametrize(
    "text, mediators, guarantors",
    [
        (
            "Egypt, which guarantees the Gaza deal together with Qatar, "
            "said it would host a summit.",
            set(),
            {"egypt", "qatar"},
        ),
        ("Qatar brokered the Gaza truce along with Egypt.", {"qatar", "egypt"}, set()),
        (
            "Separately, Qatar said it was stepping up efforts with Egypt "
            "to broker a deal on Gaza.",
            {"qatar", "egypt"},
            set(),
        ),
        (
            "The United States worked with Cairo to broker the hostage deal.",
            {"united_states", "egypt"},
            set(),
        ),
        ("Qatar brokered the Gaza truce with Hamas and Israel.", {"qatar"}, set()),
        # the partner of an unnamed subject, past the parties, after a possessive
        (
            "We are still mediating between the two sides, together with our Egyptian partners.",
            {"egypt"},
            set(),
        ),
        (
            "Qatar is mediating between Israel and Hamas, jointly with Egypt.",
            {"qatar", "egypt"},
            set(),
        ),
        # a group other than the parties between the cue and the phrase keeps its own role
        ("Qatar mediated talks in Gaza for Turkey together with Egypt.", {"qatar"}, set()),
    ],
)
def test_partner_phrases_share_the_role(
    run: Callable[..., Doc], text: str, mediators: set[str], guarantors: set[str]
) -> None:
    entities = run(text)._.entities
    assert actors_with_role(entities, "mediator") == mediators
    assert actors_with_role(entities, "guarantor") == guarantors


@pytest.mark.parametrize(
    "text, opening, expected",
    [
        ("CAIRO", "", True),
        ("JERUSALEM", " ", True),
        ("CAIRO", "Talks in ", False),
        ("Cairo", "", False),
        ("US", "", False),
        ("CIA", "", False),
        ("Egypt", "SHARM EL-SHEIKH, ", True),
        ("Qatar", "DOHA, ", True),
        ("Egypt", "UN, ", False),
        ("Egypt", "Qatar, ", False),
    ],
)
def test_is_dateline(text: str, opening: str, expected: bool) -> None:
    assert is_dateline(text, opening) is expected


@pytest.mark.parametrize(
    "text, dateline",
    [
        (
            "DOHA (Reuters) - Qatar said talks on a Gaza truce mediated by Egypt would resume.",
            "DOHA",
        ),
        ("CAIRO, Jan 5 (AFP) - Egypt is working to secure a Gaza ceasefire deal.", "CAIRO"),
        ("JERUSALEM - Israel said Hamas had rejected the Gaza proposal.", "JERUSALEM"),
    ],
)
def test_a_dateline_takes_no_role(run: Callable[..., Doc], text: str, dateline: str) -> None:
    """A dateline is a place (the actors component drops it), never a mediator or party."""
    roles = {e.text: e.role for e in run(text)._.entities}
    assert roles.get(dateline) is None
    assert {r for t, r in roles.items() if t != dateline} - {None}


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "Trump told the Gaza summit, which Egypt hosted in the Red Sea resort, it was over.",
            {"egypt"},
        ),
        ("The Gaza talks that Qatar convened last week ended without a deal.", {"qatar"}),
        (
            "The hostage deal is based on a plan that President Joe Biden laid out in May.",
            {"united_states"},
        ),
        ("Hamas rejected proposals from Egypt to extend the Gaza truce.", {"egypt"}),
        ("Israel accepted the plan, which Hamas presented on Gaza.", set()),
        (
            "Haniyeh arrived in Cairo for talks with Egyptian intelligence chief "
            "Abbas Kamel on Gaza.",
            {"egypt"},
        ),
        ("The current round on the hostages, hosted by Qatar, ended on Monday.", {"qatar"}),
        (
            "The Gaza framework was hammered out in Paris last month by officials "
            "from Qatar and Egypt.",
            {"qatar", "egypt"},
        ),
        (
            "Egypt, which hosted Hamas and Israeli delegations in Cairo, is pressing "
            "the two factions to agree.",
            {"egypt"},
        ),
        ("Egypt has proposed a two-day truce in Gaza.", {"egypt"}),
        ("Qatar's envoy has been shuttling between the two sides on Gaza hostages.", {"qatar"}),
        (
            "Turkey will host a meeting of the mediating countries on the Gaza ceasefire.",
            {"turkey"},
        ),
    ],
)
def test_hosts_venues_and_proposers(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert actors_with_role(run(text, "2024-06-01")._.entities, "mediator") == mediators


def test_a_dateline_country_takes_no_role(run: Callable[..., Doc]) -> None:
    doc = run(
        "SHARM EL-SHEIKH, Egypt - The leaders of Egypt and Qatar signed a document guaranteeing "
        "the Gaza ceasefire."
    )
    roles = [(e.text, e.role) for e in doc._.entities if e.actor_id == "egypt"]
    assert roles == [("Egypt", None), ("Egypt", "guarantor")]


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "Trump told the summit, which Egypt hosted in the Red Sea resort, that it was over.",
            {"egypt"},
        ),
        (
            "Negotiators met in the Red Sea resort, hosted by Egypt, to finalise the hostage deal.",
            {"egypt"},
        ),
    ],
)
def test_red_sea_is_no_yemen_marker(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert actors_with_role(run(text, "2025-10-14")._.entities, "mediator") == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "Egyptian intelligence chief Hassan Rashad met Hamas leaders in Cairo to discuss "
            "the truce.",
            {"egypt"},
        ),
        (
            "Turkish officials met Hamas negotiators on Saturday to discuss the hostages.",
            {"turkey"},
        ),
        ("Qatar hosted Israeli officials at talks on the hostage deal.", {"qatar"}),
        ("Hamas officials met Israeli envoys in Cairo on the hostage deal.", set()),
        ("Egypt's intelligence chief will travel to Israel to push for a deal.", {"egypt"}),
        ("Qatar is pressing for a compromise on the hostages, a Qatari source said.", {"qatar"}),
        ("The Israeli army chief is pushing for a deal on the hostages.", set()),
        ("The European Union called for a Gaza ceasefire.", set()),
    ],
)
def test_meeting_a_party_and_pushing_for_a_deal(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert actors_with_role(run(text)._.entities, "mediator") == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "Hamas said it was studying a proposal put forward by U.S. envoy Steve Witkoff.",
            {"united_states"},
        ),
        ("The truce plan, presented by Egypt last week, has three stages for Gaza.", {"egypt"}),
        (
            "Trump announced a 20-point plan for Gaza that includes the release of hostages.",
            {"united_states"},
        ),
        ("Qatar outlined a proposal for a Gaza truce to both sides.", {"qatar"}),
        ("Hamas put forward a counter-proposal on the Gaza truce.", set()),  # a party
        ("The plan, announced by Israel on Sunday, would expand the Gaza operation.", set()),
    ],
)
def test_putting_forward_a_plan_is_mediating(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    """An actor outside the conflict that puts forward its plan takes the mediator role."""
    entities = run(text, published="2025-10-10")._.entities  # Trump in office
    assert actors_with_role(entities, "mediator") == mediators


# -- round 4: cue families of the blind2-4 errors (own sentences) -----------------------------


def mediators_of(run: Callable[..., Doc], text: str, published: str = "2024-02-08") -> set[str]:
    return actors_with_role(run(text, published)._.entities, "mediator")


@pytest.mark.parametrize(
    "text, mediators",
    [
        ("Mossad chief, Egyptian spy chief push new framework for a Gaza truce.", {"egypt"}),
        ("CIA chief, Qatari PM push Paris framework for Gaza pause.", {"united_states", "qatar"}),
        (
            "Qatari Prime Minister Sheikh Mohammed bin Abdulrahman Al Thani and Egypt are "
            "pushing a proposal for a Gaza truce.",
            {"qatar", "egypt"},
        ),
        ("Egypt is promoting its plan for the hostages in Gaza.", {"egypt"}),
        ("Israel is pushing its own plan for Gaza.", set()),
    ],
)
def test_titles_join_names_and_promoting_a_plan(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    """Title words ride on the actor before them, so 'CIA chief, Qatari PM' is one group."""
    assert mediators_of(run, text) == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "Negotiators from the United States, Israel, Qatar and Egypt agreed on a Gaza deal.",
            {"united_states", "qatar", "egypt"},
        ),
        (
            "Delegations from Hamas, Egypt and Qatar met in Cairo on the hostages.",
            {"egypt", "qatar"},
        ),
        ("Officials from Qatar and Egypt arrived in Gaza with aid.", set()),  # no party named
        (
            "CIA Director William Burns hosted the meeting with Mossad chief David Barnea and "
            "Egyptian intelligence head Abbas Kamel on the hostages.",
            {"united_states", "egypt"},
        ),
        ("The meeting with Qatar's emir covered gas prices and Gaza.", set()),
    ],
)
def test_a_group_naming_a_party(run: Callable[..., Doc], text: str, mediators: set[str]) -> None:
    """'negotiators from' and 'meeting with' pick a group only when it names a party."""
    assert mediators_of(run, text) == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "Qatar's prime minister said the talks went well and that the proposal would be "
            "passed to Hamas.",
            {"qatar"},
        ),
        ("Egypt relayed the Israeli response to Hamas on Gaza.", {"egypt"}),
        ("Turkey has been passing messages between Israel and Hamas.", {"turkey"}),
        ("Qatar is relaying messages back and forth on the Gaza hostages.", {"qatar"}),
        ("The Red Cross handed the hostages to Israel in Gaza.", set()),  # no proposal
        ("Hamas passed the proposal to its leaders in Gaza.", set()),  # a party
    ],
)
def test_passing_proposals_and_messages(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert mediators_of(run, text) == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "Riyadh valued the efforts of Qatar, Egypt and Turkey as well as the United States "
            "in reaching the Gaza deal.",
            {"qatar", "egypt", "turkey", "united_states"},
        ),
        (
            "Netanyahu's office said it appreciated the U.S. efforts on the hostage deal.",
            {"united_states"},
        ),
        ("Hamas thanked Egypt's diplomacy over the hostages.", {"egypt"}),
        (
            "Qatar will resume its efforts with partners when the parties show willingness "
            "to end the Gaza war.",
            {"qatar"},
        ),
        (
            "DOHA, Nov 10 (AFP) - Qatar has told Israel and Hamas that it is suspending its "
            "efforts to mediate a Gaza deal.",
            {"qatar"},
        ),
        (
            "The Qatari prime minister warned that the escalation could derail efforts to free "
            "the remaining hostages.",
            {"qatar"},
        ),
        ("The efforts of Jordan to deliver aid to Gaza were praised.", set()),
        ("The U.N. efforts to deliver aid to Gaza were praised.", set()),
        ("Israel's efforts to free the hostages have failed, Hamas said.", set()),
    ],
)
def test_efforts_of_a_mediator(run: Callable[..., Doc], text: str, mediators: set[str]) -> None:
    assert mediators_of(run, text) == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        ("Egypt has proposed a new timeline for the hostages in Gaza.", {"egypt"}),
        ("What did the U.S. propose on Gaza?", {"united_states"}),
        ("Witkoff had proposed that Hamas free five hostages in Gaza.", {"united_states"}),
        ("Hamas responded positively to the Egyptian idea on Gaza.", {"egypt"}),
        (
            "Israel halted aid to Gaza to press Hamas to accept an extension, a proposal it "
            "attributes to U.S. envoy Steve Witkoff.",
            {"united_states"},
        ),
        (
            "A draft resolution circulated by the United States would back the Gaza plan.",
            {"united_states"},
        ),
        ("Israel has proposed a new map for the Gaza withdrawal.", set()),
        ("The proposed deal for Gaza was rejected by Hamas.", set()),
    ],
)
def test_proposing_and_attributed_proposals(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    """README: an actor outside the conflict that proposes something to the parties mediates."""
    assert mediators_of(run, text, "2025-03-03") == mediators


@pytest.mark.parametrize(
    "text, mediators",
    [
        (
            "Its intelligence chief, Turkey's Ibrahim Kalin, took part in the talks that sealed "
            "the Gaza deal.",
            {"turkey"},
        ),
        ("Egyptian officials participated in the negotiations on the hostages.", {"egypt"}),
        (
            "President-elect Donald Trump, whose envoy Steve Witkoff joined the final round, "
            "claimed credit for the Gaza deal.",
            {"united_states"},
        ),
        (
            "Egypt and Qatar are in contact with both sides to save the Gaza deal.",
            {"egypt", "qatar"},
        ),
        ("Qatar is talking to both sides about the hostages.", {"qatar"}),
        (
            "Biden said the United States, along with Turkey, Egypt and Qatar, would make "
            '"another push" for a Gaza ceasefire.',
            {"united_states", "turkey", "egypt", "qatar"},
        ),
        ("Egypt will host the signing ceremony of the Gaza deal.", {"egypt"}),
        ("Turkey is in contact with all sides on Gaza.", set()),  # general diplomacy
        ("Israel took part in the talks on the hostages in Gaza.", set()),
    ],
)
def test_taking_part_contact_and_pushes(
    run: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert mediators_of(run, text, "2025-01-16") == mediators


def test_sharm_el_sheikh_is_no_sudan_marker(run: Callable[..., Doc]) -> None:
    doc = run(
        "Hostages remain in Gaza. Turkey was one of four countries, along with Egypt, Qatar and "
        "the United States, that signed a declaration guaranteeing the truce at Sharm el-Sheikh."
    )
    assert actors_with_role(doc._.entities, "guarantor") == {
        "turkey",
        "egypt",
        "qatar",
        "united_states",
    }


def test_el_fasher_stays_a_sudan_marker(run: Callable[..., Doc]) -> None:
    doc = run("Egypt and Qatar mediated talks on El Fasher between the army and the RSF.")
    assert actors_with_role(doc._.entities, "mediator") == set()


def test_a_transcript_speaker_is_no_dateline(run: Callable[..., Doc]) -> None:
    doc = run(
        "Spokesman Majed al-Ansari of Qatar spoke on Gaza.\nAL-ANSARI: Yesterday the mediators, "
        "Qatar and Egypt, received a response from Hamas."
    )
    roles = {e.text: e.role for e in doc._.entities}
    assert roles["AL-ANSARI"] == "mediator"


def test_a_speaker_alone_takes_no_role(run: Callable[..., Doc]) -> None:
    """Roles belong to a sentence: a mediator's official quoted on the deal's terms has none."""
    doc = run(
        "Qatar mediated the Gaza truce. Israel will free 150 prisoners, an Egyptian official "
        "said. What about Egypt?"
    )
    roles = [(e.sentence, e.role) for e in doc._.entities if e.actor_id == "egypt"]
    assert roles and all(role is None for _, role in roles)


@pytest.mark.parametrize(
    "text, mediators, guarantors",
    [
        ("Qatar has been acting as a go-between for Israel and Hamas.", {"qatar"}, set()),
        ("Egypt serves as a conduit for messages on the Gaza hostages.", {"egypt"}, set()),
        (
            "Egypt and Qatar are trying to narrow differences between Israel and Hamas.",
            {"egypt", "qatar"},
            set(),
        ),
        ("Cairo is seeking to convince Hamas to accept the Gaza proposal.", {"egypt"}, set()),
        ("Egyptian officials tried to persuade Hamas to release more hostages.", {"egypt"}, set()),
        (
            "Washington has been pressuring Israel to agree to a hostage deal.",
            {"united_states"},
            set(),
        ),
        ("Qatar conveyed Israel's latest offer to Hamas.", {"qatar"}, set()),
        ("Egypt has drafted a new truce plan for Gaza.", {"egypt"}, set()),
        (
            "US Secretary of State Antony Blinken, on his ninth trip to the region, is pressing "
            "for a Gaza ceasefire deal.",
            {"united_states"},
            set(),
        ),
        ("Turkey said it was ready to guarantee any Gaza deal.", set(), {"turkey"}),
        (
            "Saudi Arabia called on the world to pressure Israel to stop the war in Gaza.",
            set(),
            set(),
        ),
        ("Egyptian officials took part in a meeting with UN aid agencies on Gaza.", set(), set()),
        ("Officials from Egypt and Jordan discussed aid to Gaza.", set(), set()),
        ("Egypt has proposed sending troops to an international force in Gaza.", set(), set()),
    ],
)
def test_go_betweens_persuasion_and_drafts(
    run: Callable[..., Doc], text: str, mediators: set[str], guarantors: set[str]
) -> None:
    entities = run(text)._.entities
    assert actors_with_role(entities, "mediator") == mediators
    assert actors_with_role(entities, "guarantor") == guarantors


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Egypt, Qatar and the United States, which brokered the agreement, will act as "
            "guarantors of the Gaza truce.",
            {"Egypt": "guarantor", "Qatar": "guarantor", "United States": "guarantor"},
        ),
        (
            "Turkey and Qatar, guarantors of the deal, met Hamas leaders in Doha to press "
            "the group on the hostages.",
            {"Turkey": "guarantor", "Qatar": "guarantor", "Hamas": "party"},
        ),
        (
            "Qatar, which mediated the Gaza talks, said it would keep hosting the negotiators.",
            {"Qatar": "mediator"},
        ),
    ],
)
def test_guarantor_outranks_mediator_on_one_mention(
    run: Callable[..., Doc], text: str, expected: dict[str, str]
) -> None:
    roles = {e.text: e.role for e in run(text)._.entities if e.text in expected}
    assert roles == expected


@pytest.mark.parametrize(
    ("text", "mediators"),
    [
        # a mediation claim's doer mediates in its sentence, where no role cue fired
        (
            "The Gaza truce extension was reached with the help of Egypt and the United States.",
            {"egypt", "united_states"},
        ),
        # not in a sentence about another conflict
        ("The Sudan truce extension was reached with the help of Egypt in Khartoum.", set()),
    ],
)
def test_mediation_claims_give_their_doers_the_role(
    analyse: Callable[..., Doc], text: str, mediators: set[str]
) -> None:
    assert actors_with_role(analyse(text)._.entities, "mediator") == mediators
