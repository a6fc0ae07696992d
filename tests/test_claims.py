"""Claims: typed tuples from counts and triggers (pipeline.claims).

The parametrized cases build their documents by hand (tests/claim_docs.py), in many
phrasings outlets use: active and passive, attribution before and after, swaps,
possessive plans, negated and expected events. The end-to-end tests run the whole
pipeline on the seeds and on the held-out articles and score them against the gold.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from claim_docs import Ent, Num, When, actor, analysed, claims_pipeline, person, source
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.attribution import Row
from pipeline.claims import CLAIM_TRIGGERS, ClaimExtractor, Hit, compile_claim_rules, trigger_rank
from pipeline.corpus import split_header
from pipeline.rules import RuleRow, RulesError, read_rule_rows

ROOT = Path(__file__).resolve().parents[1]
AO = "anonymous_official"
FIELDS = (
    "claim_type",
    "predicate",
    "subject_id",
    "object_id",
    "value",
    "category",
    "claimant_id",
    "modality",
)


@pytest.fixture(scope="module")
def small() -> Language:
    return claims_pipeline()


def tuples(doc: Doc) -> list[tuple[object, ...]]:
    return [tuple(getattr(c, f) for f in FIELDS) for c in doc._.claims]


ISRAEL = actor("Israel", "israel")
HAMAS = actor("Hamas", "hamas", "armed_group")
EGYPT = actor("Egypt", "egypt")
QATAR = actor("Qatar", "qatar")
PALS = actor("Palestinians", "palestinians", "people")
MINISTRY = actor("health ministry", "gaza_health_ministry", "ministry")

CASES: list[tuple[str, list[Ent], list[Num], list[tuple[object, ...]]]] = [
    # active, the count right of the verb, victims named after it
    (
        "Israel's bombardment has killed at least 21,320 Palestinians, the health ministry said.",
        [ISRAEL, PALS, MINISTRY],
        [Num("at least 21,320", 21320, "killed", "at_least")],
        [
            (
                "casualties",
                "kill",
                "israel",
                "palestinians",
                21320,
                "killed",
                "gaza_health_ministry",
                "asserted",
            )
        ],
    ),
    # passive without an agent: no perpetrator; the ministry's own people are the victims
    (
        "At least 27,840 people have been killed, the health ministry said.",
        [MINISTRY],
        [Num("At least 27,840", 27840, "killed", "at_least")],
        [
            (
                "casualties",
                "kill",
                None,
                "palestinians",
                27840,
                "killed",
                "gaza_health_ministry",
                "asserted",
            )
        ],
    ),
    # passive with the agent after it
    (
        "Some 40 Palestinians were killed by Israeli strikes overnight.",
        [actor("Palestinians", "palestinians", "people"), actor("Israeli", "israel")],
        [Num("Some 40", 40, "killed", "about")],
        [("casualties", "kill", "israel", "palestinians", 40, "killed", None, "asserted")],
    ),
    # "killed in an X raid" names the doer
    (
        "At least 274 Palestinians were killed in an Israeli raid.",
        [PALS, actor("Israeli", "israel")],
        [Num("At least 274", 274, "killed", "at_least")],
        [("casualties", "kill", "israel", "palestinians", 274, "killed", None, "asserted")],
    ),
    # "an attack ... that left N dead": the attacker, the attacked side's people
    (
        "It was revenge for a Hamas attack on Israel that left about 1,140 dead.",
        [HAMAS, ISRAEL],
        [Num("about 1,140", 1140, "killed", "about")],
        [("casualties", "kill", "hamas", "israelis", 1140, "killed", None, "asserted")],
    ),
    # two counts in one clause: killed and wounded
    (
        "The army has killed 447 Palestinians and wounded 1,246 since the truce.",
        [actor("army", "israel"), PALS],
        [Num("447", 447, "killed"), Num("1,246", 1246, "injured")],
        [
            ("casualties", "kill", "israel", "palestinians", 447, "killed", None, "asserted"),
            ("casualties", "wound", "israel", "palestinians", 1246, "injured", None, "asserted"),
        ],
    ),
    # a swap: two rows, each side with its own holder
    (
        "80 Israelis were freed in exchange for 240 Palestinians held captive by Israel.",
        [actor("Israelis", "israelis", "people"), PALS, ISRAEL],
        [Num("80", 80, "hostages"), Num("240", 240, "prisoners")],
        [
            ("captives", "exchange", None, "israelis", 80, "hostages", None, "asserted"),
            ("captives", "exchange", "israel", "palestinians", 240, "prisoners", None, "asserted"),
        ],
    ),
    # a bare count next to a captive verb becomes a captives claim
    (
        "Hamas released 13 Israelis on Friday.",
        [HAMAS, actor("Israelis", "israelis", "people")],
        [Num("13", 13, "other")],
        [("captives", "release", "hamas", "israelis", 13, "hostages", None, "asserted")],
    ),
    # hedged fate of hostages, attributed with "says"
    (
        "Israel says 29 hostages are thought to be dead.",
        [ISRAEL],
        [Num("29", 29, "hostages")],
        [("captives", "die", None, "israelis", 29, "hostages", "israel", "hedged")],
    ),
    # a plan with parts, named by its owner
    (
        "Sources close to Hamas say Cairo's three-stage plan provides for renewable truces.",
        [source("Sources close to Hamas", "hamas"), actor("Cairo", "egypt")],
        [Num("three-stage", 3, "plan_parts")],
        [("proposal", "propose", "egypt", None, 3, None, AO, "asserted")],
    ),
    # passive proposal with its agent
    (
        "Talks followed a proposal put forward by Qatar last week.",
        [QATAR],
        [],
        [("proposal", "propose", "qatar", None, None, None, None, "asserted")],
    ),
    # rejection by a person stands for his side; the plan's owner through "the organization"
    (
        "Hamas made an offer. Israeli Prime Minister Benjamin Netanyahu dismissed the "
        "organization's ceasefire proposal.",
        [HAMAS, actor("Israeli", "israel"), person("Benjamin Netanyahu", "israel")],
        [],
        [
            ("response", "reject", "israel", "hamas", None, "reject", None, "asserted"),
            ("proposal", "propose", "hamas", None, None, None, None, "asserted"),
        ],
    ),
    # negated response
    (
        "Egypt had not yet received a response to its initiative.",
        [EGYPT],
        [],
        [("response", "respond", None, None, None, "respond", None, "negated")],
    ),
    # expected visit, attribution after a comma
    (
        "A Hamas delegation is expected to visit Cairo to discuss the plan, an official said.",
        [HAMAS, actor("Cairo", "egypt"), source("an official")],
        [],
        [("meeting", "visit", "hamas", "egypt", None, None, AO, "expected")],
    ),
    # a mediator with a "backed by" aside, and the truce it brokered
    (
        "Qatar, backed by Egypt and the United States, helped broker a weeklong truce.",
        [QATAR, EGYPT, actor("United States", "united_states")],
        [Num("weeklong", 7, "duration")],
        [
            ("mediation", "broker", "qatar", None, None, None, None, "asserted"),
            ("ceasefire", "agree", None, None, 7, "agreed", None, "asserted"),
        ],
    ),
    # coordinated mediators: one row each
    (
        "Egypt, Qatar and Turkey are making great efforts to reach an agreement.",
        [EGYPT, QATAR, actor("Turkey", "turkey")],
        [],
        [
            ("mediation", "mediate", s, None, None, None, None, "asserted")
            for s in ("egypt", "qatar", "turkey")
        ],
    ),
    # one demand row per thing demanded
    (
        "Hamas insisted that any deal must include a full ceasefire, a total withdrawal of "
        "Israeli forces and the entry of aid.",
        [HAMAS, actor("Israeli", "israel")],
        [],
        [
            ("demand", "demand", "hamas", None, None, cat, None, "asserted")
            for cat in ("ceasefire", "withdrawal", "aid")
        ],
    ),
    # aid trucks inside a plan
    (
        "The first phase would include allowing 400 to 500 aid trucks to enter Gaza daily.",
        [],
        [Num("400 to 500", 400, "aid_trucks", "range", 400, 500)],
        [("aid", "enter", None, None, 400, None, None, "proposed")],
    ),
    # a proposed truce with its length
    (
        "The talks would concentrate on a proposed ceasefire, which would last about six weeks.",
        [],
        [Num("about six weeks", 42, "duration", "about")],
        [("ceasefire", "propose", None, None, 42, "proposed", None, "proposed")],
    ),
    # truce events: violated, could be extended (conditional)
    (
        "France said Israel had violated the truce.",
        [actor("France", "france"), ISRAEL],
        [],
        [("ceasefire", "violate", "israel", None, None, "violated", "france", "asserted")],
    ),
    (
        "The pause could be extended if Hamas releases more hostages.",
        [HAMAS],
        [],
        [("ceasefire", "extend", None, None, None, "extended", None, "conditional")],
    ),
    # a sentence with no actor, count or cue yields nothing, even with a trigger word
    ("The two sides will meet again soon.", [], [], []),
    ("Talks were described as difficult.", [], [], []),
]


@pytest.mark.parametrize("text, entities, numbers, expected", CASES)
def test_claim_tuples(
    small: Language,
    text: str,
    entities: list[Ent],
    numbers: list[Num],
    expected: list[tuple[object, ...]],
) -> None:
    got = tuples(analysed(small, text, entities=entities, numbers=numbers))
    assert sorted(got, key=repr) == sorted(expected, key=repr)


@pytest.mark.xfail(reason="no trigger for durations a clause away from the truce noun", strict=True)
def test_duration_far_from_the_truce_noun(small: Language) -> None:
    text = "The truce, brokered by Egypt, provides for a 60-day transition."
    doc = analysed(small, text, entities=[EGYPT], numbers=[Num("60-day", 60, "duration")])
    assert any(c.claim_type == "ceasefire" and c.value == 60 for c in doc._.claims)


def test_event_date_skips_the_date_of_the_statement(small: Language) -> None:
    text = "Hamas delegates met Egyptian officials in Cairo on Sunday, an official said on Monday."
    doc = analysed(
        small,
        text,
        entities=[HAMAS, actor("Egyptian", "egypt"), source("an official")],
        dates=[When("on Sunday", "2024-12-01"), When("on Monday", "2024-12-02")],
    )
    [claim] = doc._.claims
    assert (claim.claim_type, claim.event_date, claim.claimant_id) == ("meeting", "2024-12-01", AO)


def test_headline_claims_are_flagged(small: Language) -> None:
    text = "Hamas delegation arrives in Egypt for talks\nThe talks begin on Monday."
    doc = analysed(small, text, entities=[HAMAS, EGYPT])
    [claim] = doc._.claims
    assert (claim.claim_type, claim.headline, claim.sentence) == ("meeting", True, 0)


def test_page_clutter_yields_nothing(small: Language) -> None:
    text = "Share this article\nRead more\nSubscribe to our newsletter\nAdvertisement"
    assert analysed(small, text)._.claims == []


def test_evidence_and_offsets(small: Language) -> None:
    text = "Calm returned. Qatar brokered a deal on Friday."
    doc = analysed(small, text, entities=[QATAR])
    [claim] = doc._.claims
    assert claim.evidence == "Qatar brokered a deal on Friday."
    assert text[claim.start_char : claim.end_char] == "brokered"
    assert claim.rule_id == "broker"


# -- rules ----------------------------------------------------------------------------


def test_trigger_rows_reject_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "claim_triggers.jsonl"
    path.write_text(
        '{"id": "x", "lemma": "visit", "claim_type": "meeting", "predicate": "visit", "verb": 1}\n'
        '{"id": "y", "lemma": "visit", "claim_type": "visits", "predicate": "visit"}\n',
        encoding="utf-8",
    )
    _, problems = read_rule_rows(path, CLAIM_TRIGGERS)
    assert [(p.line, "verb" in p.message or "claim_type" in p.message) for p in problems] == [
        (1, True),
        (2, True),
    ]


def test_trigger_needs_exactly_one_of_lemma_and_text(small: Language) -> None:
    row = {
        "id": "x",
        "lemma": "visit",
        "text": "visit",
        "claim_type": "meeting",
        "predicate": "visit",
    }
    with pytest.raises(RulesError, match="exactly one of lemma, text"):
        compile_claim_rules(small, {"claim_triggers": [RuleRow("t.jsonl", 3, row)]})


def test_component_round_trip_keeps_claims(small: Language) -> None:
    extractor = small.get_pipe("ceasefire_claims")
    assert isinstance(extractor, ClaimExtractor)
    copy = ClaimExtractor(small, "copy").from_bytes(extractor.to_bytes())
    doc = analysed(small, "Qatar brokered a deal.", entities=[QATAR])
    assert list(doc._.claims) == list(copy(doc)._.claims)


# -- end to end -----------------------------------------------------------------------

PUBLISHED = {
    "000": "2023-12-28",
    "001": "2023-12-29",
    "002": "2024-02-08",
    "003": "2026-01-14",
    "004": "2024-12-03",
}


def seed_text(stem: str) -> str:
    path = next((ROOT / "data" / "raw" / "seeds").glob(f"{stem}*.txt"))
    return split_header(path.read_text(encoding="utf-8"))[0]


def test_two_versions_of_the_same_story_agree_on_casualties(analyse: Callable[..., Doc]) -> None:
    """000 and 001 give the same figures; only 001 names the ministry for 21,320 (in 000 the
    sentence's closing 'according to an AFP tally based on Israeli figures' covers both)."""
    found = {}
    for stem in ("000", "001"):
        doc = analyse(seed_text(stem), PUBLISHED[stem])
        found[stem] = {
            c.value: (c.claimant_id, c.basis_id)
            for c in doc._.claims
            if c.claim_type == "casualties"
        }
    assert found["000"] == {21320: ("afp", "israel"), 1140: ("afp", "israel")}
    assert found["001"] == {21320: ("gaza_health_ministry", None), 1140: ("afp", "israel")}


def gold_score(analyse: Callable[..., Doc], set_name: str) -> tuple[float, float]:
    """Return (type F1, type+value+claimant F1) of the model on a gold set's claims."""
    gold_dir = ROOT / "data" / "gold" / set_name
    if set_name == "seeds":
        texts = {
            f.stem: (split_header(f.read_text(encoding="utf-8"))[0], PUBLISHED[f.stem[:3]])
            for f in (ROOT / "data" / "raw" / "seeds").glob("*.txt")
        }
    else:
        rows = [json.loads(line) for line in (gold_dir / "docs.jsonl").open(encoding="utf-8")]
        texts = {r["id"]: (r["text"], r.get("published")) for r in rows}
    tp = strict = n_gold = n_pred = 0
    for line in (gold_dir / "claims.jsonl").open(encoding="utf-8"):
        entry = json.loads(line)
        text, published = texts[entry["doc"]]
        preds = list(analyse(text, published)._.claims)
        n_gold += len(entry["items"])
        n_pred += len(preds)
        used: set[int] = set()
        for g in entry["items"]:
            match = [
                i
                for i, p in enumerate(preds)
                if i not in used and p.claim_type == g["claim_type"] and g["evidence"] in p.evidence
            ]
            exact = [
                i
                for i in match
                if preds[i].value == g.get("value") and preds[i].claimant_id == g.get("claimant_id")
            ]
            pick = (exact or match or [None])[0]
            if pick is not None:
                used.add(pick)
                tp += 1
                strict += pick in exact

    def f1(k: int) -> float:
        return 2 * k / (n_gold + n_pred) if n_gold + n_pred else 0.0

    return f1(tp), f1(strict)


@pytest.mark.slow
@pytest.mark.parametrize("set_name", ["seeds", "heldout"])
def test_gold_f1(analyse: Callable[..., Doc], set_name: str) -> None:
    type_f1, strict_f1 = gold_score(analyse, set_name)
    assert type_f1 >= 0.9
    assert strict_f1 >= 0.85


# --- whole pipeline: mechanisms on short invented passages ----------------------------


def _pairs(doc: Doc, *fields: str) -> list[tuple[object, ...]]:
    return [tuple(getattr(c, f) for f in fields) for c in doc._.claims]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Five people were killed and dozens more were wounded.", ("wound", "injured")),
        ("Twelve people died and dozens more were injured, medics said.", ("wound", "injured")),
        ("Three soldiers were wounded and two more were killed.", ("kill", "killed")),
    ],
)
def test_each_count_takes_the_verb_of_its_own_event(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str]
) -> None:
    got = _pairs(analyse(text), "predicate", "category")
    assert expected in got and len(set(got)) == 2, got


@pytest.mark.parametrize(
    ("text", "claim_type", "subject"),
    [
        ("Qatar said it hoped to reopen talks between Israel and Hamas.", "mediation", "qatar"),
        ("Qatar said on Monday that it hoped to revive talks with Hamas.", "mediation", "qatar"),
        ("Egypt hoped it could resume talks between the two sides.", "mediation", "egypt"),
        ("Hamas rejected the offer, saying it would study any new proposal.", "response", "hamas"),
        (
            "In a statement, Hamas said it had received the proposal and would study it.",
            "response",
            "hamas",
        ),
    ],
)
def test_pronoun_subject_is_the_speaker_or_the_actor_before_it(
    analyse: Callable[..., Doc], text: str, claim_type: str, subject: str
) -> None:
    got = _pairs(analyse(text), "claim_type", "subject_id")
    assert (claim_type, subject) in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Will Qatar host the next round?",
        "ANCHOR: Minister, will Israel accept the deal?",
        "Q: What are Egypt and Qatar asking for?",
        'Did Israeli strikes kill 30 people in Rafah on Monday?"',
    ],
)
def test_a_question_asserts_nothing(analyse: Callable[..., Doc], text: str) -> None:
    assert analyse(text)._.claims == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the actor before another claim's trigger is that trigger's subject
        ("Israel demanded the release of all 50 hostages.", (None, "israelis")),
        # the group of a count lies between its doer and the count
        ("The Egyptian idea is that Hamas releases five hostages a week.", ("hamas", "israelis")),
        # captives are named by their category, whoever frees them
        ("Israeli forces rescued four hostages in Nuseirat.", ("israel", "israelis")),
    ],
)
def test_doer_and_group_of_a_captive_count(
    analyse: Callable[..., Doc], text: str, expected: tuple[str | None, str]
) -> None:
    claims = analyse(text)._.claims
    got = [(c.subject_id, c.object_id) for c in claims if c.claim_type == "captives"]
    assert got == [expected], got


@pytest.mark.parametrize(
    "text",
    [
        "It was not clear whether talks would resume.",
        "It is unclear when the talks could restart.",
    ],
)
def test_pronoun_without_an_antecedent_in_the_sentence_gives_no_subject(
    analyse: Callable[..., Doc], text: str
) -> None:
    assert [c for c in analyse(text)._.claims if c.subject_id is not None] == []


@pytest.mark.parametrize(
    ("text", "claim_type", "modality"),
    [
        # the terms of a plan with "would": proposed
        ("Under a framework, Hamas would free around 40 hostages.", "captives", "proposed"),
        (
            "In the first stage, 33 hostages would be released, the official said.",
            "captives",
            "proposed",
        ),
        ("Israel, in return, would release 150 Palestinian prisoners.", "captives", "proposed"),
        ("The deal would halt the fighting in Gaza for six weeks.", "ceasefire", "proposed"),
        (
            "Israel has offered Hamas a pause in fighting of up to two months.",
            "ceasefire",
            "proposed",
        ),
        # an actor's own intention with "would", and "will" anywhere: planned
        ("Hamas said it would study the proposal.", "response", "planned"),
        ("Under the plan, Israel will release 250 prisoners.", "captives", "planned"),
        # no agreement on the truce: negated, on either side of the duration
        ("Talks ended without agreement on a truce of at least 45 days.", "ceasefire", "negated"),
        (
            "Talks in Doha ended on Monday without agreement on a 45-day truce.",
            "ceasefire",
            "negated",
        ),
        ("Under the framework, the fighting would stop for six weeks.", "ceasefire", "proposed"),
        (
            "Under the proposal, 50 hostages are released in the first phase.",
            "captives",
            "proposed",
        ),
    ],
)
def test_modality_of_plan_terms(
    analyse: Callable[..., Doc], text: str, claim_type: str, modality: str
) -> None:
    got = _pairs(analyse(text), "claim_type", "modality")
    assert (claim_type, modality) in got, got


@pytest.mark.parametrize(
    ("text", "subjects", "value"),
    [
        (
            "The draft, drawn up by Qatar, Egypt and the United States, sets out a "
            "three-stage truce, according to a Palestinian official.",
            ["egypt", "qatar", "united_states"],
            3,
        ),
        ("A proposal prepared by Qatar and Egypt was handed to Hamas.", ["egypt", "qatar"], None),
        ("The plan, drafted by Egypt, comprises three stages.", ["egypt"], 3),
    ],
)
def test_each_drafter_of_a_plan_proposes_it(
    analyse: Callable[..., Doc], text: str, subjects: list[str], value: float | None
) -> None:
    got = [(c.subject_id, c.value) for c in analyse(text)._.claims if c.claim_type == "proposal"]
    assert sorted(got, key=repr) == sorted([(s, value) for s in subjects], key=repr), got


@pytest.mark.parametrize(
    "text",
    ["The letter was written by Hamas leaders.", "Egypt prepared a field hospital in Rafah."],
)
def test_drafting_without_a_plan_is_no_proposal(analyse: Callable[..., Doc], text: str) -> None:
    assert "proposal" not in [c.claim_type for c in analyse(text)._.claims]


# -- round 3 (blind2 error list): mediation, demands, truce events, responses ------------


def _typed(doc: Doc, claim_type: str, *fields: str) -> list[tuple]:
    return sorted(
        (tuple(getattr(c, f) for f in fields) for c in doc._.claims if c.claim_type == claim_type),
        key=repr,
    )


@pytest.mark.parametrize(
    ("text", "subjects", "predicate"),
    [
        ("The talks in Doha, hosted by Qatar, resumed on Monday.", ["qatar"], "host"),
        ("Leaders met at the summit, which Egypt hosted in Sharm el-Sheikh.", ["egypt"], "host"),
        (
            "Egypt, which hosted Hamas and Fatah delegations, is pressing them, an official said.",
            ["egypt"],
            "host",
        ),
        ("Turkey will host a meeting of foreign ministers next month.", ["turkey"], "host"),
        (
            "The deal, guaranteed by Egypt, Qatar and the United States, took effect.",
            ["egypt", "qatar", "united_states"],
            "guarantee",
        ),
        (
            "The leaders of Egypt, Qatar and Turkey signed a document guaranteeing the ceasefire.",
            ["egypt", "qatar", "turkey"],
            "guarantee",
        ),
        (
            "Egypt and Qatar, along with the United States, have pledged to guarantee the deal.",
            ["egypt", "qatar", "united_states"],
            "guarantee",
        ),
        ("The truce was brokered by Qatar together with Egypt.", ["egypt", "qatar"], "broker"),
        (
            "Hamas handed its reply to mediators Qatar and Egypt on Monday.",
            ["egypt", "qatar"],
            "mediate",
        ),
        (
            "Talks resume next week, mediators Qatar and Egypt said in a statement.",
            ["egypt", "qatar"],
            "mediate",
        ),
        ("The text was handed to the mediators, Qatar and Egypt.", ["egypt", "qatar"], "mediate"),
        ("Qatar was still in contact with both sides, an official said.", ["qatar"], "mediate"),
        ("Egypt, which co-mediates with Qatar, said the talks would resume.", ["egypt"], "mediate"),
        (
            "Hamas would store its rockets under the supervision of Egypt and Turkey.",
            ["egypt", "turkey"],
            "guarantee",
        ),
    ],
)
def test_mediators_hosts_and_guarantors(
    analyse: Callable[..., Doc], text: str, subjects: list[str], predicate: str
) -> None:
    got = _typed(analyse(text), "mediation", "subject_id", "predicate")
    assert got == sorted(((s, predicate) for s in subjects), key=repr), got


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Egypt and Qatar have pledged to guarantee the deal.", "planned"),
        ("Turkey will host the next round of talks in Istanbul.", "planned"),
        ("Egypt hosted the talks in Cairo.", "asserted"),
    ],
)
def test_mediation_modality(analyse: Callable[..., Doc], text: str, modality: str) -> None:
    got = _typed(analyse(text), "mediation", "modality")
    assert got and all(m == modality for (m,) in got), got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hamas dropped its demand that Israel commit to a permanent ceasefire, sources said.",
            ("hamas", "ceasefire", "negated"),
        ),
        (
            "Hamas has abandoned its demand for a full withdrawal, an official said.",
            ("hamas", "withdrawal", "negated"),
        ),
        (
            "The group asked for guarantees that the ceasefire would hold, Hamas said.",
            ("hamas", "ceasefire", "asserted"),
        ),
        (
            '"There will be no release of prisoners unless the aggression ends and the occupation '
            'withdraws," Hamas said.',
            ("hamas", "withdrawal", "asserted"),
        ),
        (
            "Israeli officials say the group must give up its weapons first.",
            ("israel", "other", "asserted"),
        ),
        (
            '"We need Israel to allow in more aid," the United Nations said.',
            ("united_nations", "aid", "asserted"),
        ),
        (
            "Washington is pressing Israel to let more aid trucks in.",
            ("united_states", "aid", "asserted"),
        ),
        ("Qatar pressed Hamas on Sunday to soften its terms.", ("qatar", "other", "asserted")),
    ],
)
def test_demands_in_more_phrasings(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str, str]
) -> None:
    got = _typed(analyse(text), "demand", "subject_id", "category", "modality")
    assert expected in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Both sides want a deal, but neither wants to be seen giving ground.",
        "The ceasefire must hold.",  # no speaker: no one to demand it
        "Gaza needs more aid.",
        "Israel pressed its offensive in the north as the talks stalled.",
        # promoting a plan is a proposal, not a demand
        "CIA chief, Qatari PM push Paris framework for a Gaza pause",
    ],
)
def test_no_demand_without_a_demander(analyse: Callable[..., Doc], text: str) -> None:
    assert "demand" not in [c.claim_type for c in analyse(text)._.claims]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Israel is prepared to offer a one-week pause, officials said.",
            ("propose", "proposed", 7.0),
        ),
        (
            "Hamas responded to the latest proposal for a 60-day ceasefire.",
            ("propose", "proposed", 60.0),
        ),
        ("Israel resumes Gaza strikes, ending two-month truce", ("violate", "violated", 60.0)),
        (
            "Hamas would free five hostages in return for a 50-day extension.",
            ("extend", "extended", 50.0),
        ),
        (
            "Israeli strikes killed 400 people, shattering a truce that had held since January.",
            ("violate", "violated", None),
        ),
        ("Israel accused Hamas of breaching the deal.", ("violate", "violated", None)),
        ("Hamas accused Israel of overturning the agreement.", ("violate", "violated", None)),
    ],
)
def test_truce_events_by_their_verb(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str, float | None]
) -> None:
    got = _typed(analyse(text), "ceasefire", "predicate", "category", "value")
    assert expected in got, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hamas accepts truce proposal; Israel says terms fall short",
            ("israel", "respond", "asserted"),
        ),
        ("Hamas has not given its answer to the framework.", ("hamas", "respond", "negated")),
        (
            'Netanyahu said the changes Hamas was seeking were "not acceptable".',
            ("israel", "reject", "asserted"),
        ),
        ("Hamas is ready to discuss freezing its weapons.", ("hamas", "consider", "asserted")),
        (
            "Israel said it was willing to negotiate over the details.",
            ("israel", "consider", "asserted"),
        ),
        ("Hamas said it remained committed to the truce.", ("hamas", "accept", "asserted")),
        (
            "Hamas has informed the Egyptian mediators that it accepts their proposal.",
            ("hamas", "accept", "asserted"),
        ),
    ],
)
def test_responses_in_more_phrasings(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str, str]
) -> None:
    got = _typed(analyse(text), "response", "subject_id", "category", "modality")
    assert expected in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Egypt has refused to reopen its side of the crossing.",
        "The group was open to offers, a Hamas official said.",
    ],
)
def test_no_response_without_a_proposal(analyse: Callable[..., Doc], text: str) -> None:
    got = [(c.claim_type, c.category) for c in analyse(text)._.claims]
    assert ("response", "reject") not in got and ("proposal", None) not in got, got


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        (
            "Hamas accepted a ceasefire proposal from Egyptian and Qatari mediators.",
            ["egypt", "qatar"],
        ),
        ("Hamas studied the plan from Qatar.", ["qatar"]),
    ],
)
def test_proposal_from_its_drafters(
    analyse: Callable[..., Doc], text: str, subjects: list[str]
) -> None:
    got = _typed(analyse(text), "proposal", "subject_id")
    assert got == sorted(((s,) for s in subjects), key=repr), got


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Hamas is to release 33 hostages in stages.", "planned"),
        ("Israel is to free 250 Palestinian prisoners next week.", "planned"),
    ],
)
def test_is_to_is_planned(analyse: Callable[..., Doc], text: str, modality: str) -> None:
    got = _typed(analyse(text), "captives", "modality")
    assert got and got[0][0] == modality, got


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("Israel and Hamas have agreed to a four-day truce, Qatar said.", ["hamas", "israel"]),
        ("Hamas and Israel agreed on a six-week ceasefire.", ["hamas", "israel"]),
        ("Israel resumes Gaza strikes, ending two-month truce", ["israel"]),
    ],
)
def test_truce_length_takes_the_doers_of_its_verb(
    analyse: Callable[..., Doc], text: str, subjects: list[str]
) -> None:
    got = [c.subject_id for c in analyse(text)._.claims if c.claim_type == "ceasefire"]
    assert sorted(got) == subjects, got


@pytest.mark.parametrize(
    ("text", "value", "modality"),
    [
        ("Egypt has proposed a two-day truce in Gaza.", 2.0, "asserted"),
        ("Israel has offered Hamas a pause in fighting of up to two months.", 60.0, "asserted"),
        ("Qatar proposed a 60-day ceasefire on Monday.", 60.0, "asserted"),
    ],
)
def test_proposal_verb_is_asserted_and_worth_the_truce_length(
    analyse: Callable[..., Doc], text: str, value: float, modality: str
) -> None:
    got = [(c.value, c.modality) for c in analyse(text)._.claims if c.claim_type == "proposal"]
    assert (value, modality) in got, got


def test_a_far_truce_length_is_not_lent(analyse: Callable[..., Doc]) -> None:
    text = (
        "Cairo is proposing an agreement that would include the formation of a committee "
        "of regional mediators to monitor any conditions agreed during a truce of 60 days."
    )
    got = [c.value for c in analyse(text)._.claims if c.claim_type == "proposal"]
    assert got == [None], got


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("The talks follow a three-phase plan that Egypt laid out in May.", ["egypt"]),
        ("The framework was hammered out by Qatar and Egypt.", ["egypt", "qatar"]),
    ],
)
def test_plan_laid_out_by(analyse: Callable[..., Doc], text: str, subjects: list[str]) -> None:
    got = sorted(c.subject_id for c in analyse(text)._.claims if c.claim_type == "proposal")
    assert got == subjects, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trump said he hopes a deal can be reached next week.", ("agree", "agreed")),
        ("Officials said Israel would not agree to end the war.", ("agree", "agreed")),
    ],
)
def test_deal_reached_and_end_the_war(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str]
) -> None:
    got = _typed(analyse(text), "ceasefire", "predicate", "category")
    assert expected in got, got


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        (
            "The framework, hammered out in Paris last month by officials from the United States, "
            "Qatar and Egypt, would see 40 hostages released.",
            ["egypt", "qatar", "united_states"],
        ),
        (
            "The draft, prepared by negotiators from Egypt and Qatar, was sent to Hamas.",
            ["egypt", "qatar"],
        ),
    ],
)
def test_plan_drafted_by_officials_from(
    analyse: Callable[..., Doc], text: str, subjects: list[str]
) -> None:
    got = sorted(c.subject_id for c in analyse(text)._.claims if c.claim_type == "proposal")
    assert got == subjects, got


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        (
            "Egypt and Qatar, along with the United States, have pledged to guarantee the deal.",
            ["egypt", "qatar", "united_states"],
        ),
        ("Qatar, together with Egypt, is mediating the talks.", ["egypt", "qatar"]),
    ],
)
def test_coordinated_after_the_nearest_doer(
    analyse: Callable[..., Doc], text: str, subjects: list[str]
) -> None:
    got = sorted(c.subject_id for c in analyse(text)._.claims if c.claim_type == "mediation")
    assert got == subjects, got


@pytest.mark.parametrize(
    ("text", "claimant"),
    [
        (
            "Since the truce began on Friday, 19 Palestinians have been killed, the ministry said.",
            None,
        ),
        ("Israel says Hamas has violated the truce since it took effect on Oct. 10.", None),
        ("The truce began on Friday, the Gaza health ministry said.", "gaza_health_ministry"),
    ],
)
def test_a_truce_start_in_a_since_clause_is_background(
    analyse: Callable[..., Doc], text: str, claimant: str | None
) -> None:
    got = [
        c.claimant_id
        for c in analyse(text)._.claims
        if c.claim_type == "ceasefire" and c.predicate == "begin"
    ]
    assert got == [claimant], got


@pytest.mark.parametrize(
    ("text", "claim_type", "value"),
    [
        ("Harris called for an immediate ceasefire of at least six weeks.", "demand", 42.0),
        ("Israel is prepared to offer a one-week pause, officials said.", "proposal", 7.0),
    ],
)
def test_truce_length_lent_to_demands_and_offers(
    analyse: Callable[..., Doc], text: str, claim_type: str, value: float
) -> None:
    got = [c.value for c in analyse(text)._.claims if c.claim_type == claim_type]
    assert value in got, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Israel said it would send a delegation to Cairo.", ("israel", "planned")),
        ("Hamas sent its negotiators to Doha on Monday.", ("hamas", "asserted")),
    ],
)
def test_sending_a_delegation_is_a_visit(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str]
) -> None:
    got = _typed(analyse(text), "meeting", "subject_id", "modality")
    assert expected in got, got


def test_offering_troops_is_no_proposal(analyse: Callable[..., Doc]) -> None:
    text = "Indonesia and Morocco have offered troops for the stabilisation force."
    assert "proposal" not in [c.claim_type for c in analyse(text)._.claims]


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        (
            "An Israeli official said there would be no further withdrawal until the last "
            "hostage is returned.",
            "israel",
        ),
        ("Hamas has said it will not disarm before a Palestinian state is established.", "hamas"),
        ('"We will never hand over our weapons until the occupation ends," Hamas said.', "hamas"),
    ],
)
def test_a_refusal_until_a_condition_is_a_demand(
    analyse: Callable[..., Doc], text: str, subject: str
) -> None:
    got = _typed(analyse(text), "demand", "subject_id")
    assert (subject,) in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Netanyahu said fighting would continue until Hamas is defeated.",
        "The talks will run until Friday, Egypt said.",
        "Hamas agreed to the truce before the holiday, Qatar said.",
    ],
)
def test_until_without_a_refusal_is_no_demand(analyse: Callable[..., Doc], text: str) -> None:
    got = [c.rule_id for c in analyse(text)._.claims if c.claim_type == "demand"]
    assert got == [], got


@pytest.mark.parametrize(
    ("text", "visits"),
    [
        (
            "Egypt, which hosted Hamas and Fatah delegations, is pressing them, an aide said.",
            [("fatah", "egypt"), ("hamas", "egypt")],
        ),
        (
            "Qatar hosted Hamas and Israeli delegations on Monday, a diplomat said.",
            [("hamas", "qatar"), ("israel", "qatar")],
        ),
    ],
)
def test_hosted_delegations_visit_the_host(
    analyse: Callable[..., Doc], text: str, visits: list[tuple[str, str]]
) -> None:
    got = _typed(analyse(text), "meeting", "subject_id", "object_id")
    assert got == visits, got


def test_hosting_without_delegations_is_no_visit(analyse: Callable[..., Doc]) -> None:
    got = _typed(analyse("Egypt hosted the talks in Cairo."), "meeting", "subject_id")
    assert got == [], got


# -- round 4: general lexicon coverage, several phrasings per group --------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 150 aid trucks crossed into Gaza on Sunday, the UN said.", (150.0, "enter")),
        ("Some 90 trucks carrying flour reached northern Gaza, Egypt said.", (90.0, "enter")),
        ("Only 60 convoys of aid have arrived since Friday, Hamas said.", (60.0, "enter")),
        (
            "Jordanian aircraft dropped more than 10,000 meals over Gaza, the army said.",
            (10000.0, "deliver"),
        ),
        ("A ship unloaded nearly 300 tonnes of food at the pier, Qatar said.", (300.0, "deliver")),
    ],
)
def test_aid_movement_verbs_anchor_counts(
    analyse: Callable[..., Doc], text: str, expected: tuple[float, str]
) -> None:
    got = _typed(analyse(text), "aid", "value", "predicate")
    assert expected in got, got


@pytest.mark.parametrize(
    "text",
    [
        "About 150 journalists arrived in Cairo for the summit, Egypt said.",
        "The delegation arrived in Doha on Monday, Hamas said.",
    ],
)
def test_arrivals_without_aid_are_no_aid(analyse: Callable[..., Doc], text: str) -> None:
    got = [c.rule_id for c in analyse(text)._.claims if c.claim_type == "aid"]
    assert not any("aid_moves" in r for r in got), got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Israel closed the Kerem Shalom crossing on Sunday.", ("open", "negated")),
        ("The Rafah crossing remains shut, Egypt said.", ("open", "negated")),
        ("Israel said it would no longer approve food convoys to the north.", ("open", "negated")),
        ("Israel says it places no limit on aid.", ("open", "asserted")),
    ],
)
def test_crossings_and_permits(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str]
) -> None:
    got = _typed(analyse(text), "aid", "predicate", "modality")
    assert expected in got, got


@pytest.mark.parametrize(
    ("text", "mediators"),
    [
        (
            "The deal was brokered by Qatar in coordination with Egypt, a source said.",
            ["egypt", "qatar"],
        ),
        ('"We are still talking to both sides," Qatar said.', ["qatar"]),
        ("Egypt and Qatar are in contact with both sides to save the deal.", ["egypt", "qatar"]),
        (
            "Qatar said it would suspend its mediation until the parties show seriousness.",
            ["qatar"],
        ),
        ("Egypt facilitated the talks in Cairo, officials said.", ["egypt"]),
        ("The United States will oversee the ceasefire, an official said.", ["united_states"]),
    ],
)
def test_mediation_phrasings(analyse: Callable[..., Doc], text: str, mediators: list[str]) -> None:
    got = sorted({s for (s,) in _typed(analyse(text), "mediation", "subject_id")})
    assert got == mediators, got


@pytest.mark.parametrize(
    "text",
    [
        "Hamas said it was talking to its members about the war.",
        "The talks took place in Cairo, officials said.",
    ],
)
def test_no_mediation_without_a_mediating_act(analyse: Callable[..., Doc], text: str) -> None:
    assert "mediation" not in [c.claim_type for c in analyse(text)._.claims]


@pytest.mark.parametrize(
    ("text", "proposer"),
    [
        (
            "The resolution, which was drafted by the United Arab Emirates, failed.",
            "united_arab_emirates",
        ),
        ("Trump's idea, floated last month, drew criticism from Egypt.", "united_states"),
        ("A draft resolution circulated by the United States calls for calm.", "united_states"),
        ("Egypt presented Hamas with a new proposal on Saturday.", "egypt"),
        ("Mediators from Qatar floated a new plan, officials said.", "qatar"),
    ],
)
def test_proposal_verbs_and_nouns(analyse: Callable[..., Doc], text: str, proposer: str) -> None:
    got = _typed(analyse(text), "proposal", "subject_id")
    assert (proposer,) in got, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The United States vetoed the resolution on Friday.", ("united_states", "reject")),
        ("Hamas turned down the proposal, officials said.", ("hamas", "reject")),
        ("Last month Hamas turned down a U.S.-backed proposal.", ("hamas", "reject")),
        ("Britain abstained, diplomats said.", ("united_kingdom", "consider")),
        ("Israel is weighing the offer, an official said.", ("israel", "consider")),
        ("Hamas was studying the paper positively, a source said.", ("hamas", "consider")),
        ("Israel's cabinet ratified the agreement overnight.", ("israel", "accept")),
    ],
)
def test_response_phrasings(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str]
) -> None:
    got = _typed(analyse(text), "response", "subject_id", "category")
    assert expected in got, got


def test_discussing_ideas_is_no_response(analyse: Callable[..., Doc]) -> None:
    text = '"We are discussing ideas, not a finished deal," a Hamas official said.'
    assert "response" not in [c.claim_type for c in analyse(text)._.claims]


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Hamas called on countries to open the land crossings.", "hamas"),
        (
            "A deal will be possible only when all hostages are returned, Netanyahu's office said.",
            "israel",
        ),
        ("Israel says it will reopen the crossing only once the remains are back.", "israel"),
        (
            '"Our operations will not stop as long as the aggression continues," Hamas said.',
            "hamas",
        ),
        ("Egypt appealed for an immediate ceasefire on Monday.", "egypt"),
    ],
)
def test_demand_and_condition_phrasings(
    analyse: Callable[..., Doc], text: str, subject: str
) -> None:
    got = _typed(analyse(text), "demand", "subject_id")
    assert (subject,) in got, got


def test_a_condition_needs_a_doer(analyse: Callable[..., Doc]) -> None:
    text = "The market opens only when the trucks arrive."
    assert "demand" not in [c.claim_type for c in analyse(text)._.claims]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("The ceasefire took hold on Friday morning, Qatar said.", "began"),
        ("The truce broke down on Saturday, Egypt said.", "violated"),
        ("Hamas accused Israel of breaching the terms, the group said.", "violated"),
        ("Egypt urged Hamas to accept an extension of the first phase.", "extended"),
    ],
)
def test_ceasefire_verb_phrasings(analyse: Callable[..., Doc], text: str, category: str) -> None:
    got = [c.category for c in analyse(text)._.claims if c.claim_type == "ceasefire"]
    assert category in got, got


@pytest.mark.parametrize(
    ("text", "claim_type"),
    [
        ("Hamas said it would keep fighting until a ceasefire takes hold in Gaza.", "ceasefire"),
        ("Qatar said it would halt its mediation if no deal was reached.", "ceasefire"),
        ("Houthis vowed attacks unless aid trucks enter Gaza freely.", "aid"),
        ("Israel approved the list only after Qatari mediators stepped in.", "demand"),
        ('Israel would "respond forcefully" to any breach, Netanyahu said.', "response"),
        ('"We have received no such request," Egypt said.', "demand"),
        (
            "The gate, which Israel has said it will open to shorten the route, was shut.",
            "response",
        ),
        ("Hamas called on countries to stop the airdrops of food.", "aid"),
    ],
)
def test_conditions_threats_and_topics_make_no_event(
    analyse: Callable[..., Doc], text: str, claim_type: str
) -> None:
    got = [c.rule_id for c in analyse(text)._.claims if c.claim_type == claim_type]
    assert got == [], got


@pytest.mark.parametrize(
    "text",
    [
        "The ceasefire took hold on Friday, Egypt said.",
        "A deal was reached on Monday, Qatar said.",
        "About 200 aid trucks entered Gaza on Sunday, the UN said.",
        "Hamas responded to the proposal on Tuesday.",
        "Hamas is open to the offer, an official said.",
    ],
)
def test_the_same_events_stated_plainly_are_claims(analyse: Callable[..., Doc], text: str) -> None:
    assert analyse(text)._.claims, text


@pytest.mark.parametrize(
    ("text", "claim_type", "modality"),
    [
        ("Qatar puts its mediation on hold, a diplomat said.", "mediation", "negated"),
        ("Qatar said it was suspending its mediation.", "mediation", "negated"),
        ("About 600 aid trucks a day are supposed to enter Gaza, the UN said.", "aid", "planned"),
        ("Israel was accused of failing to let aid trucks reach the north.", "aid", "negated"),
    ],
)
def test_modality_cues_in_more_phrasings(
    analyse: Callable[..., Doc], text: str, claim_type: str, modality: str
) -> None:
    got = [c.modality for c in analyse(text)._.claims if c.claim_type == claim_type]
    assert modality in got, got


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Qatar received a positive response from Hamas on Monday.", "hamas"),
        ("We are now waiting for the Israeli reply, Qatar said.", "israel"),
        ("Hamas delivered its response to the mediators on Tuesday.", "hamas"),
        ("Hamas's answer reached Cairo late on Monday.", "hamas"),
    ],
)
def test_the_responder_of_a_response_noun(
    analyse: Callable[..., Doc], text: str, subject: str
) -> None:
    got = _typed(analyse(text), "response", "subject_id")
    assert (subject,) in got, got


def test_the_recipient_of_a_response_is_not_the_responder(analyse: Callable[..., Doc]) -> None:
    got = _typed(analyse("Egypt received a response on Monday."), "response", "subject_id")
    assert ("egypt",) not in got, got


# -- round 4: everyday phrasings of mediation, demands and meetings ----------------------------
@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("Qatar has engaged in shuttle diplomacy between Israel and Hamas.", ["qatar"]),
        ("Qatar relayed messages between Israel and Hamas.", ["qatar"]),
        ("Egypt has been passing proposals between the two sides.", ["egypt"]),
        ("Egypt mediated talks between Israel and Hamas.", ["egypt"]),
        ("Qatar is leading efforts to secure a truce.", ["qatar"]),
        ("Egypt will host a new round of talks next week.", ["egypt"]),
        ("Egypt and Qatar launched a new push for a truce on Monday.", ["egypt", "qatar"]),
        (
            'Biden said the United States, along with Egypt and Qatar, would make "another push"'
            " for a ceasefire.",
            ["egypt", "qatar", "united_states"],
        ),
    ],
)
def test_mediation_in_everyday_phrasings(
    analyse: Callable[..., Doc], text: str, subjects: list[str]
) -> None:
    got = {s for (s,) in _typed(analyse(text), "mediation", "subject_id")}
    assert got == set(subjects), got


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Israel conditioned any truce on the release of all hostages.", "israel"),
        ("Hamas is seeking a permanent ceasefire.", "hamas"),
        ("Hamas sought guarantees that the war would not resume.", "hamas"),
        ("Hamas seeks written US guarantees", "hamas"),
        ("Israel has made the return of all hostages a condition for any deal.", "israel"),
        ("Hamas renewed its demand for a full withdrawal of Israeli forces.", "hamas"),
        ("Hamas wants guarantees that the war will end.", "hamas"),
    ],
)
def test_demands_in_everyday_phrasings(
    analyse: Callable[..., Doc], text: str, subject: str
) -> None:
    got = _typed(analyse(text), "demand", "subject_id")
    assert (subject,) in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Civilians are seeking shelter in Rafah.",
        "Hamas is seeking to rebuild its forces.",
        "Some of the changes Hamas was seeking were not acceptable, Netanyahu said.",
        "Demand for food has soared in Gaza.",
    ],
)
def test_seeking_and_demand_nouns_that_are_no_demand(
    analyse: Callable[..., Doc], text: str
) -> None:
    assert _typed(analyse(text), "demand", "subject_id") == []


def test_wanting_guarantees_is_no_guarantee(analyse: Callable[..., Doc]) -> None:
    doc = analyse("Hamas wants guarantees that the war will end.")
    assert _typed(doc, "mediation", "predicate") == []


@pytest.mark.parametrize(
    ("text", "subject", "obj", "modality"),
    [
        ("Witkoff held talks with Netanyahu in Jerusalem.", "united_states", "israel", None),
        ("Witkoff held a meeting with Qatari officials on Monday.", "united_states", "qatar", None),
        ("Witkoff sat down with Netanyahu on Monday.", "united_states", "israel", None),
        ("Witkoff met with Netanyahu in Jerusalem on Tuesday.", "united_states", "israel", None),
        ("Witkoff will meet Netanyahu on Thursday.", "united_states", "israel", None),
        ("Egypt received a Hamas delegation on Sunday.", "hamas", "egypt", None),
        ("An Israeli delegation is due in Cairo on Monday.", "israel", "egypt", "expected"),
        ("Israel sent negotiators to Doha on Sunday.", "israel", "qatar", None),
        (
            "The United States will send envoys to the region next week.",
            "united_states",
            None,
            None,
        ),
        ("A Hamas delegation arrived in Cairo on Sunday, but Israel stayed away.", "israel", None,
         "negated"),
        ("Hamas, which did not attend the Doha session, issued a statement.", "hamas", "qatar",
         "negated"),
        ("An Israeli delegation attended the Doha talks.", "israel", "qatar", None),
        ("CIA Director William Burns is expected back in Israel next week.", "united_states",
         "israel", "expected"),
        ("CIA Director William Burns is expected back in Cairo next week.", "united_states",
         "egypt", "expected"),
    ],
)
def test_meetings_in_everyday_phrasings(
    analyse: Callable[..., Doc], text: str, subject: str | None, obj: str | None,
    modality: str | None,
) -> None:
    got = _typed(analyse(text), "meeting", "subject_id", "object_id", "modality")
    assert any(
        (s, o) == (subject, obj) and (modality is None or m == modality) for s, o, m in got
    ), got


@pytest.mark.parametrize(
    "text",
    [
        "Israel sent troops into Rafah.",
        "The aid is due in Gaza on Monday.",
        "The ceasefire held in Gaza with few violations.",
        "Talks resumed in Doha, with Hamas staying away.",
    ],
)
def test_no_meeting_without_a_visit_or_talks(analyse: Callable[..., Doc], text: str) -> None:
    got = _typed(analyse(text), "meeting", "subject_id")
    assert got == [], got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hamas reiterated its demand for a permanent ceasefire, the withdrawal of Israeli "
            "forces and the return of the displaced.",
            [("hamas", "ceasefire"), ("hamas", "other"), ("hamas", "withdrawal")],
        ),
        ("Israel renewed its call for the release of all hostages.", [("israel", "prisoners")]),
        ("The group is seeking a lasting truce, Hamas officials said.", [("hamas", "ceasefire")]),
        ("Hamas is still seeking a permanent ceasefire.", [("hamas", "ceasefire")]),
    ],
)
def test_renewed_and_sought_demands(
    analyse: Callable[..., Doc], text: str, expected: list[tuple[str | None, str]]
) -> None:
    assert _typed(analyse(text), "demand", "subject_id", "category") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hamas dropped its demand for a permanent ceasefire.",
        "Israel is seeking to destroy Hamas, the minister said.",
        "Reuters sought comment from the Israeli army.",
    ],
)
def test_no_standing_demand_from_dropped_or_other_seeking(
    analyse: Callable[..., Doc], text: str
) -> None:
    got = _typed(analyse(text), "demand", "subject_id", "modality")
    assert all(m == "negated" for _, m in got), got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Egypt and Qatar, which brokered the agreement, will act as guarantors.",
            [
                ("egypt", "broker"),
                ("qatar", "broker"),
                ("egypt", "guarantee"),
                ("qatar", "guarantee"),
            ],
        ),
        (
            "Qatar, which hosted the talks, has also agreed to guarantee the truce.",
            [("qatar", "host"), ("qatar", "guarantee")],
        ),
        (
            "Qatar brokered the truce and Qatar brokered the swap.",
            [("qatar", "broker")],
        ),
    ],
)
def test_one_mediator_with_two_acts_gives_two_claims(
    analyse: Callable[..., Doc], text: str, expected: list[tuple[str, str]]
) -> None:
    got = _typed(analyse(text), "mediation", "subject_id", "predicate")
    assert sorted(got) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "subjects", "predicate"),
    [
        ("Israel said it appreciated the U.S. efforts.", ["united_states"], "mediate"),
        (
            "Hamas said it valued the efforts of Qatar, Egypt and Turkey.",
            ["egypt", "qatar", "turkey"],
            "mediate",
        ),
        ("The Egyptian-mediated ceasefire held on Sunday.", ["egypt"], "broker"),
        ("The Egyptian-brokered ceasefire held on Sunday.", ["egypt"], "broker"),
        ("Israeli jets struck Gaza despite the US-brokered truce.", ["united_states"], "broker"),
        ("Talks on the second phase of the Qatari-brokered deal stalled.", ["qatar"], "broker"),
        ("The U.S.-brokered ceasefire held on Sunday.", ["united_states"], "broker"),
        ("Officials hailed the Qatari-mediated deal.", ["qatar"], "broker"),
    ],
)
def test_praised_efforts_and_compound_brokers(
    analyse: Callable[..., Doc], text: str, subjects: list[str], predicate: str
) -> None:
    got = _typed(analyse(text), "mediation", "subject_id", "predicate")
    assert got == [(s, predicate) for s in subjects]


@pytest.mark.parametrize(
    "text",
    [
        "The UN Security Council adopted a US-backed resolution.",
        "Israel said its military efforts would continue.",
        "The proposal was passed to Hamas on Monday.",
        "The Knesset passed a law on Monday.",
        "The gaps between the two sides remain wide.",
    ],
)
def test_no_mediation_from_backing_war_efforts_or_an_unnamed_relay(
    analyse: Callable[..., Doc], text: str
) -> None:
    assert _typed(analyse(text), "mediation", "subject_id") == []


@pytest.mark.parametrize(
    ("text", "claim_type", "subject"),
    [
        ("Qatar said it would keep working with Egypt to bridge the gaps.", "mediation", "qatar"),
        ("Egyptian officials are trying to narrow the differences.", "mediation",
         "egypt"),
        ("The proposal would be passed to Hamas, a Qatari official said.", "mediation", "qatar"),
        ("The Security Council on Monday adopted a resolution backing the plan.", "response",
         "un_security_council"),
    ],
)
def test_relaying_bridging_and_adopting(
    analyse: Callable[..., Doc], text: str, claim_type: str, subject: str
) -> None:
    assert (subject,) in _typed(analyse(text), claim_type, "subject_id")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gaza's health ministry said ceasefire breaches had killed 12 people.", ["violate"]),
        ("Hamas accused Israel of truce violations on Sunday.", ["violate"]),
        ("The truce monitors met on Sunday, Egyptian officials said.", []),
    ],
)
def test_truce_violations_as_a_compound(
    analyse: Callable[..., Doc], text: str, expected: list[str]
) -> None:
    assert [p for (p,) in _typed(analyse(text), "ceasefire", "predicate")] == expected


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("Mediators from Egypt, Qatar and Turkey met on Sunday.", ["egypt", "qatar", "turkey"]),
        ("The truce was reached with the help of Egypt and the United States.",
         ["egypt", "united_states"]),
        ("The talks are held under the auspices of the United States.", ["united_states"]),
    ],
)
def test_mediators_named_after_a_preposition(
    analyse: Callable[..., Doc], text: str, subjects: list[str]
) -> None:
    assert _typed(analyse(text), "mediation", "subject_id") == [(s,) for s in subjects]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Witkoff later headed to Qatar, the White House said.", [("united_states", "qatar")]),
        ("The Israeli team will not return to Egypt for now.", [("israel", "egypt")]),
        ("The hostages returned to Israel on Monday.", []),
        ("Israel said it would return to fighting.", []),
    ],
)
def test_heading_to_a_state_is_a_visit(
    analyse: Callable[..., Doc], text: str, expected: list[tuple[str, str]]
) -> None:
    assert _typed(analyse(text), "meeting", "subject_id", "object_id") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A Hamas delegation arrived in Cairo on Tuesday.", [("hamas", "egypt")]),
        ("Israeli negotiators travelled to Doha.", [("israel", "qatar")]),
        ("Israel will send a delegation to Doha on Monday.", [("israel", "qatar")]),
        ("Witkoff flew to Cairo, then to Doha.", [("united_states", "egypt")]),
        ("Hamas said talks in Cairo were positive.", []),
        ("Cairo has sent a delegation to Israel.", [("egypt", "israel")]),
    ],
)
def test_a_capital_named_as_a_place_is_the_visited_state(
    analyse: Callable[..., Doc], text: str, expected: list[tuple[str, str]]
) -> None:
    assert _typed(analyse(text), "meeting", "subject_id", "object_id") == expected


@pytest.mark.parametrize(
    ("text", "claim_type", "expected"),
    [
        ("Egypt, Qatar and the U.S. will act as guarantors of any deal.", "mediation",
         [("egypt", "guarantee"), ("qatar", "guarantee"), ("united_states", "guarantee")]),
        ("Egypt and Qatar were racing on Wednesday to salvage the ceasefire.", "mediation",
         [("egypt", "mediate"), ("qatar", "mediate")]),
        ("Qatar keeps channels open with both sides.", "mediation", [("qatar", "mediate")]),
        ("Israel balked at Hamas demands on Tuesday.", "response", [("israel", "reject")]),
        ("Israel tried to save its soldiers.", "mediation", []),
    ],
)
def test_guarantors_rescues_and_balking(
    analyse: Callable[..., Doc], text: str, claim_type: str, expected: list[tuple[str, str]]
) -> None:
    assert _typed(analyse(text), claim_type, "subject_id", "predicate") == expected


def test_in_return_for_links_two_counts(analyse: Callable[..., Doc]) -> None:
    doc = analyse("Hamas freed 30 hostages in return for 90 Palestinian prisoners.")
    assert _typed(doc, "captives", "value", "predicate") == [(30, "exchange"), (90, "exchange")]


# -- round 5: meetings "for talks with", crossings, and the order of equal triggers -----------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hamas officials said little after talks with Egyptian intelligence officials.",
            ("meeting", "meet", "egypt"),
        ),
        (
            "Speaking after talks with Turkish officials in Ankara, the Hamas leader said little.",
            ("meeting", "meet", "turkey"),
        ),
        (
            "The Rafah crossing between Gaza and Egypt reopened on Monday, Egyptian media said.",
            ("aid", "open", None),
        ),
    ],
)
def test_talks_with_and_crossings_in_more_phrasings(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str, str | None]
) -> None:
    got = [(c.claim_type, c.predicate, c.object_id) for c in analyse(text)._.claims]
    assert expected in got, got


@pytest.mark.parametrize("reverse", [False, True])
def test_equal_triggers_rank_by_their_line_in_the_file(reverse: bool) -> None:
    rows = [
        Row(RuleRow("claim_triggers.jsonl", line, {"id": f"r{line}", "claim_type": "response"}))
        for line in (9, 5, 14)
    ]
    hits = [Hit(3, 4, row) for row in rows]
    best = max(reversed(hits) if reverse else hits, key=trigger_rank)
    assert best.row.line == 5
    ranked = Hit(3, 4, Row(RuleRow("x", 20, {"id": "p", "claim_type": "response", "priority": 1})))
    assert max([*hits, ranked], key=trigger_rank) is ranked  # priority first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Egypt, which co-mediates with Qatar, said the talks would resume.",
            ("mediation", "egypt"),
        ),
        ("Hamas held talks with Qatar, which brokered the truce.", ("mediation", "qatar")),
        ("Hamas, which did not attend the Doha session, said little.", ("meeting", "hamas")),
    ],
)
def test_relative_clause_takes_its_antecedent_as_subject(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str]
) -> None:
    got = [(c.claim_type, c.subject_id) for c in analyse(text)._.claims]
    assert expected in got, got


def test_relative_clause_of_a_speaker_does_not_make_it_the_doer(
    analyse: Callable[..., Doc],
) -> None:
    doc = analyse(
        "Some 136 hostages are held in Gaza, according to the Israeli army, "
        "which says at least 25 of them are dead."
    )
    got = [c.subject_id for c in doc._.claims if c.value == 25]
    assert got and "israel" not in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Hamas seeks written US guarantees before signing the deal",
        "Hamas wants written guarantees from the United States that the war will end.",
        "Hamas has asked for firm international guarantees.",
    ],
)
def test_guarantees_sought_are_a_demand_not_a_guarantor_role(
    analyse: Callable[..., Doc], text: str
) -> None:
    doc = analyse(text)
    got = [(c.claim_type, c.predicate, c.subject_id, c.claimant_id) for c in doc._.claims]
    assert ("demand", "demand", "hamas", None) in got, got  # "written" is no attribution cue
    assert not [c for c in doc._.claims if c.predicate == "guarantee"], got


# -- round 5b (tuned on blind7): halted releases, reopening, hosts, invitations, modality --------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hamas halts hostage releases", ("captives", "release", "hamas", "negated")),
        (
            "Hamas said it was postponing the next release of hostages.",
            ("captives", "release", "hamas", "negated"),
        ),
        (
            "Israel agreed on Sunday to reopen the Rafah crossing.",
            ("aid", "open", "israel", "asserted"),
        ),
        ("Egypt hosts Sudanese factions", ("mediation", "host", "egypt", "asserted")),
        (
            "Saudi Arabia has invited both warring parties to a new round of talks.",
            ("mediation", "mediate", "saudi_arabia", "asserted"),
        ),
        (
            "The first 13 hostages will be released on Friday, Qatar said.",
            ("captives", "release", None, "planned"),
        ),
        pytest.param(
            "Some 13 hostages held in Gaza will be released on Friday, Qatar said.",
            ("captives", "release", None, "planned"),
            marks=pytest.mark.xfail(
                reason="a participle right after the count ('held in Gaza') is taken as its "
                "verb; the main verb further right is not reached"
            ),
        ),
        (
            "About 400 aid trucks a day would be allowed in, an official said.",
            ("aid", "enter", None, "planned"),
        ),
    ],
)
def test_blind7_phrasings(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str, str | None, str]
) -> None:
    got = [(c.claim_type, c.predicate, c.subject_id, c.modality) for c in analyse(text)._.claims]
    assert expected in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Earlier in the week, Hamas had threatened to delay the release of the hostages.",
        "Explainer: Why has Hamas paused hostage releases?",
    ],
)
def test_threats_and_questions_are_no_halted_release(
    analyse: Callable[..., Doc], text: str
) -> None:
    got = [c.rule_id for c in analyse(text)._.claims if c.claim_type == "captives"]
    assert got == [], got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qatar, alongside Egypt, brokered the truce.", {"qatar", "egypt"}),
        (
            "The extension came within the framework of Qatari mediation alongside Egypt and "
            "the United States.",
            {"qatar", "egypt", "united_states"},
        ),
        (
            "Egypt, which brokered the January deal together with Qatar and the United States, "
            "called for restraint.",
            {"egypt", "qatar", "united_states"},
        ),
        (
            "Washington has pledged to act as a guarantor of the deal alongside Cairo and Doha.",
            {"united_states", "egypt", "qatar"},
        ),
        # a partner phrase past a reporting cue belongs to another clause
        ("Qatar mediated, Hamas said together with Egypt.", {"qatar"}),
        (
            "Egypt would continue its efforts with Qatar to reach a deal, the official said.",
            {"egypt"},
        ),
    ],
)
def test_mediators_joined_by_alongside_and_far_deals(
    analyse: Callable[..., Doc], text: str, expected: set[str]
) -> None:
    got = {c.subject_id for c in analyse(text)._.claims if c.claim_type == "mediation"}
    assert got == expected, got


def test_not_sending_a_negotiating_team_is_a_negated_visit(analyse: Callable[..., Doc]) -> None:
    got = _typed(analyse("Israel will not send a negotiating team to Cairo this week."), "meeting",
                 "subject_id", "modality")
    assert got == [("israel", "negated")], got


def test_pushing_to_act_is_no_demand(analyse: Callable[..., Doc]) -> None:
    doc = analyse("Washington pushes to shore up the ceasefire between Israel and Hezbollah.")
    assert "press_to" not in [c.rule_id for c in doc._.claims]


@pytest.mark.parametrize(
    ("text", "value", "group"),
    [
        (
            "In total, 1,968 prisoners were freed from Israeli jails, among them 250 serving "
            "life terms.",
            250,
            "palestinians",
        ),
        ("With Hamas freeing 11 living hostages on Sunday, the truce held.", 11, "israelis"),
        ("Troops rescued four hostages held in a Palestinian family's home.", 4, "israelis"),
    ],
)
def test_a_counts_holder_is_not_its_group(
    analyse: Callable[..., Doc], text: str, value: int, group: str
) -> None:
    got = [c.object_id for c in analyse(text)._.claims if c.value == value]
    assert got and set(got) == {group}, got


def test_the_holder_of_a_count_frees_it_when_no_one_else_is_named(
    analyse: Callable[..., Doc],
) -> None:
    doc = analyse("With Hamas freeing 11 living hostages on Sunday, the truce held.")
    got = [(c.subject_id, c.object_id) for c in doc._.claims if c.value == 11]
    assert got == [("hamas", "israelis")], got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A Hamas delegation is also in Cairo.", [("meeting", "visit", "hamas", "egypt")]),
        (
            "CIA Director William Burns is already in Doha for the talks.",
            [("meeting", "visit", "united_states", "qatar")],
        ),
        ("Hamas said the ball was now in Israel's court.", []),
        (
            "Hamas negotiators held separate talks with Egyptian mediators on Sunday.",
            [("meeting", "meet", "hamas", "egypt")],
        ),
        (
            "Lebanon, Israel hold second round of U.S.-hosted talks in Naqoura",
            [("mediation", "host", "united_states", None)],
        ),
    ],
)
def test_presence_separate_talks_and_hosted_compounds(
    analyse: Callable[..., Doc], text: str, expected: list[tuple[str, str, str, str | None]]
) -> None:
    got = [
        (c.claim_type, c.predicate, c.subject_id, c.object_id)
        for c in analyse(text)._.claims
        if c.claim_type in {"meeting", "mediation"} and c.predicate in {"visit", "meet", "host"}
    ]
    assert got == expected, got


def test_a_reporting_verb_ends_the_object_window(analyse: Callable[..., Doc]) -> None:
    doc = analyse(
        "Turkish Foreign Minister Hakan Fidan welcomed the deal and said Ankara was ready to "
        "act as a guarantor for a lasting ceasefire."
    )
    got = [(c.claim_type, c.predicate, c.subject_id, c.object_id) for c in doc._.claims]
    assert ("mediation", "guarantee", "turkey", None) in got, got
    assert ("response", "accept", "turkey", None) in got, got  # Ankara is no object of welcomed
    # the shared subject of "... and said" is the titled person, not the demonym before it
    assert {c.claimant_id for c in doc._.claims if c.predicate == "guarantee"} == {"Hakan Fidan"}


@pytest.mark.parametrize(
    "text",
    [
        "The guarantors welcome the progress achieved in the talks.",
        "Hamas says ready to store weapons under guarantor oversight",
    ],
)
def test_a_guarantor_noun_without_a_named_guarantor_is_no_claim(
    analyse: Callable[..., Doc], text: str
) -> None:
    assert [c for c in analyse(text)._.claims if c.predicate == "guarantee"] == []


@pytest.mark.parametrize(
    ("text", "claim_type"),
    [
        ("Israel holds off on sending team to Cairo", "meeting"),
        ("Israel is refusing to reopen the Rafah crossing, the UN said.", "aid"),
    ],
)
def test_holding_off_and_refusing_negate_the_act(
    analyse: Callable[..., Doc], text: str, claim_type: str
) -> None:
    got = _typed(analyse(text), claim_type, "modality")
    assert got and all(m == "negated" for (m,) in got), got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a sentence naming no actor, count or speaker may still state a claim
        ("No aid has entered since March 2.", ("aid", "enter", None, "negated")),
        ("The Rafah crossing remains shut.", ("aid", "open", None, "negated")),
        # an airdrop is a delivery with or without a count
        (
            "The United States airdropped food into Gaza on Saturday.",
            ("aid", "deliver", "united_states", "asserted"),
        ),
        # agreeing to a plan accepts it; agreeing on one drafts it
        (
            "Hamas has not yet agreed to the framework.",
            ("response", "accept", "hamas", "negated"),
        ),
        (
            "The negotiators agreed on a framework for a deal.",
            ("proposal", "propose", None, "asserted"),
        ),
    ],
)
def test_claims_without_actor_or_count(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str, str | None, str]
) -> None:
    got = _pairs(analyse(text), "claim_type", "predicate", "subject_id", "modality")
    assert got == [expected], got


@pytest.mark.parametrize(
    "text",
    [
        "Hamas sends reply through mediators",
        "Hamas sent its answer via the mediators on Monday.",
    ],
)
def test_no_possessor_across_a_preposition(analyse: Callable[..., Doc], text: str) -> None:
    got = [c.subject_id for c in analyse(text)._.claims if c.claim_type == "mediation"]
    assert got == [], got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The pause in fighting between Israel and Hamas was extended by two days.", "extend"),
        ("The ceasefire between Israel and Hamas took hold on Sunday morning.", "begin"),
        ("The seven-day truce between Israel and Hamas collapsed on Friday.", "violate"),
        ("Gaza ceasefire shattered as strikes resume", "violate"),
    ],
)
def test_truce_events_after_a_long_truce_phrase(
    analyse: Callable[..., Doc], text: str, expected: str
) -> None:
    got = [c.predicate for c in analyse(text)._.claims if c.claim_type == "ceasefire"]
    assert expected in got, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hamas refuses to disarm while Israeli troops remain in Gaza.", ("reject", "asserted")),
        ("Hamas has not yet agreed to disarm.", ("accept", "negated")),
        ("Hamas has said it will not lay down its weapons.", ("accept", "negated")),
        ("Hamas would not surrender its weapons to the occupation.", ("accept", "negated")),
    ],
)
def test_disarmament_responses(
    analyse: Callable[..., Doc], text: str, expected: tuple[str, str]
) -> None:
    got = _pairs(analyse(text), "claim_type", "predicate", "modality")
    assert ("response", *expected) in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Israeli officials say the group must give up its weapons before any withdrawal.",
        "Washington is pressing Hamas to hand over its heavy weapons.",
    ],
)
def test_a_demand_to_disarm_is_no_response(analyse: Callable[..., Doc], text: str) -> None:
    got = [c.predicate for c in analyse(text)._.claims if c.claim_type == "response"]
    assert got == [], got


@pytest.mark.parametrize(
    "text",
    [
        "An Israeli delegation has been in Doha since Saturday.",
        "A Hamas delegation remained in Cairo for a third day on Tuesday.",
    ],
)
def test_a_delegation_staying_in_a_capital_visits(analyse: Callable[..., Doc], text: str) -> None:
    got = _pairs(analyse(text), "claim_type", "predicate")
    assert ("meeting", "visit") in got, got


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Israel would keep fighting until all hostages were returned, Netanyahu said.", "israel"),
        (
            "The truce would end if the hostages were not returned by noon on Saturday, "
            "Israel said.",
            "israel",
        ),
        # the condition's category is the captives', whatever topic words follow
        (
            "Israel said it would cancel the ceasefire if all the hostages were not returned "
            "by noon on Saturday and resume fighting.",
            "israel",
        ),
    ],
)
def test_a_condition_on_the_captives_is_a_demand(
    analyse: Callable[..., Doc], text: str, subject: str
) -> None:
    got = _pairs(analyse(text), "claim_type", "subject_id", "category", "modality")
    assert ("demand", subject, "prisoners", "asserted") in got, got


def test_a_return_without_a_condition_is_no_demand(analyse: Callable[..., Doc]) -> None:
    got = _pairs(analyse("All hostages were returned on Monday, Israel said."), "claim_type")
    assert ("demand",) not in got, got


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        # prisoners are released by the state that holds them when no one is named
        ("The hostages were freed in exchange for 117 Palestinian prisoners.", "israel"),
        ("33 Palestinian prisoners were due to be released on Friday.", "israel"),
        # a named doer stays
        ("Egypt said 33 Palestinian prisoners would be freed by Israel.", "israel"),
    ],
)
def test_released_prisoners_have_their_captor_as_doer(
    analyse: Callable[..., Doc], text: str, subject: str
) -> None:
    got = [
        c.subject_id for c in analyse(text)._.claims if c.category == "prisoners" and c.value
    ]
    assert got == [subject], got


def test_held_prisoners_take_no_default_doer(analyse: Callable[..., Doc]) -> None:
    got = _pairs(analyse("Some 9,000 Palestinian prisoners are held."), "predicate", "subject_id")
    assert ("hold", None) in got, got


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        (
            "Jordan and the United Arab Emirates welcomed the agreement.",
            {"jordan", "united_arab_emirates"},
        ),
        ("Israel and Hamas both rejected the proposal.", {"israel", "hamas"}),
    ],
)
def test_each_coordinated_side_responds(
    analyse: Callable[..., Doc], text: str, subjects: set[str]
) -> None:
    got = {c.subject_id for c in analyse(text)._.claims if c.claim_type == "response"}
    assert got == subjects, got


@pytest.mark.parametrize(
    "text",
    [
        "Hamas delegation stays in Cairo as mediators push for a Ramadan truce",
        "Israel holds off on sending a team to Cairo as mediators press Hamas on disarmament",
    ],
)
def test_a_party_never_mediates_its_own_war(analyse: Callable[..., Doc], text: str) -> None:
    got = [c.subject_id for c in analyse(text)._.claims if c.claim_type == "mediation"]
    assert not {"hamas", "israel"} & set(got), got


@pytest.mark.parametrize(
    "text",
    [
        "Washington would keep working with both sides, the State Department said.",
        'Egypt had made "significant progress" in bridging the gaps between the two sides.',
    ],
)
def test_working_with_both_sides_and_bridging_gaps_mediate(
    analyse: Callable[..., Doc], text: str
) -> None:
    got = _pairs(analyse(text), "claim_type", "predicate")
    assert ("mediation", "mediate") in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Egypt called on Israel to allow fuel into northern Gaza.",
        "The UN called for the opening of all crossings.",
    ],
)
def test_demands_for_supplies_are_about_aid(analyse: Callable[..., Doc], text: str) -> None:
    got = _pairs(analyse(text), "claim_type", "category")
    assert ("demand", "aid") in got, got


def test_agreeing_to_extend_a_truce_is_an_extension_only(analyse: Callable[..., Doc]) -> None:
    text = "Israel and Hamas have agreed to extend their truce in Gaza by two days."
    got = {c.predicate for c in analyse(text)._.claims if c.claim_type == "ceasefire"}
    assert got == {"extend"}, got
