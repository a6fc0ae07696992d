"""Attribution: quotes, claimants, cues, basis, scope and inheritance (pipeline.attribution).

Documents are built by hand (tests/claim_docs.py): entities are set from records, so
these tests depend only on the claim rules, not on the other components.
"""

from __future__ import annotations

import pytest
from claim_docs import Ent, Num, When, actor, analysed, claims_pipeline, person, source
from spacy.language import Language

from pipeline.attribution import quote_spans

AO = "anonymous_official"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return claims_pipeline()


@pytest.mark.parametrize(
    "words, spaces, expected",
    [
        (["“", "We", "agree", ",", "”", "he", "said"], [1, 1, 1, 0, 0, 1, 1], [(1, 4)]),
        (['"', "No", '"', ",", "she", "said"], [1, 0, 0, 0, 1, 1], [(1, 2)]),
        # an apostrophe never closes a double quote
        (["“", "Hamas", "’", "offer", "”"], [1, 0, 0, 1, 0], [(1, 4)]),
        # a quote left open runs to the end (it continues in the next paragraph)
        (["“", "We", "will", "talk"], [1, 0, 1, 1], [(1, 4)]),
        (["no", "quotes"], [1, 1], []),
    ],
)
def test_quote_spans(words: list[str], spaces: list[int], expected: list[tuple[int, int]]) -> None:
    assert quote_spans(words, [bool(s) for s in spaces]) == expected


KILLED = Num("at least 120", 120, "killed", qualifier="at_least")
ISRAEL = actor("Israeli", "israel")
PALS = actor("Palestinians", "palestinians", "people")
MINISTRY = actor("health ministry", "gaza_health_ministry", "ministry")
AFP = actor("AFP", "afp", "media")


@pytest.mark.parametrize(
    "text, entities, claimant, cue",
    [
        # "according to" at the end, at the start, in the middle
        (
            "Israeli strikes killed at least 120 Palestinians, according to the health ministry.",
            [ISRAEL, PALS, MINISTRY],
            "gaza_health_ministry",
            "according to",
        ),
        (
            "According to the health ministry, Israeli strikes killed at least 120 Palestinians.",
            [ISRAEL, PALS, MINISTRY],
            "gaza_health_ministry",
            "According to",
        ),
        (
            "Israeli strikes, according to the health ministry, killed at least 120 Palestinians.",
            [ISRAEL, PALS, MINISTRY],
            "gaza_health_ministry",
            "according to",
        ),
        # X said before and after the content, with a date
        (
            "The health ministry said on Monday that Israeli strikes killed at "
            "least 120 Palestinians.",
            [ISRAEL, PALS, MINISTRY],
            "gaza_health_ministry",
            "said",
        ),
        (
            "Israeli strikes killed at least 120 Palestinians, the health ministry said Monday.",
            [ISRAEL, PALS, MINISTRY],
            "gaza_health_ministry",
            "said",
        ),
        # present tense "says"
        (
            "The health ministry says Israeli strikes killed at least 120 Palestinians.",
            [ISRAEL, PALS, MINISTRY],
            "gaza_health_ministry",
            "says",
        ),
        # an anonymous source keeps its text, the id is anonymous_official
        (
            "Israeli strikes killed at least 120 Palestinians, a Hamas official told AFP.",
            [ISRAEL, PALS, source("a Hamas official", "hamas"), AFP],
            AO,
            "told",
        ),
        # the addressee of "told" is not the claimant
        (
            "A Hamas official told AFP on Thursday that Israeli strikes killed at "
            "least 120 Palestinians.",
            [ISRAEL, PALS, source("A Hamas official", "hamas"), AFP],
            AO,
            "told",
        ),
        # a relative clause between speaker and cue is passed over
        (
            "Diaa Rashwan, who heads Egypt's information service, confirmed that Israeli strikes "
            "killed at least 120 Palestinians.",
            [person("Diaa Rashwan", "egypt"), actor("Egypt", "egypt"), ISRAEL, PALS],
            "Diaa Rashwan",
            "confirmed",
        ),
        # inverted order after a quote
        (
            "“Israeli strikes killed at least 120 Palestinians,” added the official.",
            [source("the official"), ISRAEL, PALS],
            AO,
            "added",
        ),
    ],
)
def test_claimant_and_cue(
    nlp: Language, text: str, entities: list, claimant: str, cue: str
) -> None:
    doc = analysed(nlp, text, entities=entities, numbers=[KILLED])
    [claim] = doc._.claims
    assert (claim.claimant_id, claim.cue) == (claimant, cue)


def test_stacked_attribution_gives_claimant_and_basis(nlp: Language) -> None:
    text = (
        "Since Oct. 7, Israeli strikes have killed at least 120 Palestinians, according to an "
        "AFP tally based on Israeli figures."
    )
    doc = analysed(
        nlp, text, entities=[ISRAEL, PALS, AFP, actor("Israeli", "israel", n=2)], numbers=[KILLED]
    )
    [claim] = doc._.claims
    assert (claim.claimant_id, claim.basis_id, claim.claimant_anonymous) == ("afp", "israel", False)


def test_person_claimant_keeps_full_name_for_a_later_surname(nlp: Language) -> None:
    text = (
        "Diaa Rashwan said Cairo had put forward a plan. "
        "Rashwan said Israeli strikes killed at least 120 Palestinians."
    )
    doc = analysed(
        nlp,
        text,
        entities=[person("Diaa Rashwan", "egypt"), actor("Cairo", "egypt"), ISRAEL, PALS],
        numbers=[KILLED],
    )
    casualty = next(c for c in doc._.claims if c.claim_type == "casualties")
    assert (casualty.claimant_id, casualty.claimant_text) == ("Diaa Rashwan", "Rashwan")


def test_outlet_statement_has_no_claimant(nlp: Language) -> None:
    doc = analysed(
        nlp,
        "Israeli strikes killed at least 120 Palestinians.",
        entities=[ISRAEL, PALS],
        numbers=[KILLED],
    )
    [claim] = doc._.claims
    assert claim.claimant_id is None and claim.claimant_anonymous is None and claim.cue is None


def test_pronoun_speaker_is_the_previous_claimant(nlp: Language) -> None:
    text = (
        "The official said talks would resume. "
        "“Israeli strikes killed at least 120 Palestinians,” he added."
    )
    doc = analysed(
        nlp, text, entities=[source("The official", "hamas"), ISRAEL, PALS], numbers=[KILLED]
    )
    [claim] = doc._.claims
    assert (claim.claimant_id, claim.claimant_text, claim.quoted) == (AO, "he", True)


def test_quote_spanning_sentences_takes_the_closing_attribution(nlp: Language) -> None:
    text = "“Israeli strikes killed at least 120 Palestinians. We want a truce,” the minister said."
    doc = analysed(
        nlp, text, entities=[ISRAEL, PALS, person("the minister", "qatar")], numbers=[KILLED]
    )
    [claim] = doc._.claims
    assert (claim.claimant_id, claim.quoted) == ("the minister", True)


def test_next_quote_inherits_the_quoted_speaker(nlp: Language) -> None:
    text = (
        "“We are close,” a Hamas official said. “Israeli strikes killed at least 120 Palestinians.”"
    )
    doc = analysed(
        nlp, text, entities=[source("a Hamas official", "hamas"), ISRAEL, PALS], numbers=[KILLED]
    )
    [claim] = doc._.claims
    assert claim.claimant_id == AO


def test_unquoted_next_sentence_inherits_nothing(nlp: Language) -> None:
    text = (
        "A Hamas official said talks were close. Israeli strikes killed at least 120 Palestinians."
    )
    doc = analysed(
        nlp, text, entities=[source("A Hamas official", "hamas"), ISRAEL, PALS], numbers=[KILLED]
    )
    [claim] = doc._.claims
    assert claim.claimant_id is None


def test_despite_clause_is_outside_the_attribution(nlp: Language) -> None:
    text = (
        "Despite a ceasefire that began Oct. 10, Israel has continued to attack, killing at least "
        "120 Palestinians, according to the health ministry."
    )
    doc = analysed(
        nlp,
        text,
        entities=[actor("Israel", "israel"), PALS, MINISTRY],
        numbers=[KILLED],
        dates=[When("Oct. 10", "2025-10-10")],
    )
    by_type = {c.claim_type: c for c in doc._.claims}
    assert by_type["ceasefire"].claimant_id is None
    assert by_type["casualties"].claimant_id == "gaza_health_ministry"
    assert by_type["casualties"].subject_id == "israel"


def test_speaker_stating_that_scopes_over_what_follows_only(nlp: Language) -> None:
    text = (
        "Israel and Hezbollah agreed on a ceasefire, despite France stating "
        "that Israel violated the truce."
    )
    doc = analysed(
        nlp,
        text,
        entities=[
            actor("Israel", "israel"),
            actor("Hezbollah", "hezbollah", "armed_group"),
            actor("France", "france"),
            actor("Israel", "israel", n=2),
        ],
    )
    claimants = {(c.predicate, c.subject_id): c.claimant_id for c in doc._.claims}
    assert claimants == {
        ("agree", "israel"): None,
        ("agree", "hezbollah"): None,
        ("violate", "israel"): "france",
    }


def test_unnamed_sources_are_anonymous(nlp: Language) -> None:
    text = "According to the newspaper, sources said the Rafah crossing may be opened next month."
    doc = analysed(nlp, text, entities=[actor("the newspaper", "haaretz", "media")])
    [claim] = doc._.claims
    assert (claim.claim_type, claim.claimant_id, claim.claimant_anonymous) == ("aid", AO, True)
    assert claim.modality == "hedged"


SPOKESMAN = Ent("a Hamas spokesman", "SOURCE", affiliation_id="hamas", anonymous=False)


@pytest.mark.parametrize(
    "text, entities",
    [
        (
            "A Hamas spokesman said Israeli strikes killed at least 120 Palestinians.",
            [Ent("A Hamas spokesman", "SOURCE", affiliation_id="hamas"), ISRAEL, PALS],
        ),
        (
            "Israeli strikes killed at least 120 Palestinians, a Hamas spokesman said on Monday.",
            [SPOKESMAN, ISRAEL, PALS],
        ),
        (
            "“Israeli strikes killed at least 120 Palestinians,” said a Hamas spokesman.",
            [SPOKESMAN, ISRAEL, PALS],
        ),
        (
            "Israeli strikes have killed at least 120 Palestinians, a spokesman for Hamas "
            "told reporters.",
            [Ent("a spokesman for Hamas", "SOURCE", affiliation_id="hamas"), ISRAEL, PALS],
        ),
    ],
)
def test_unnamed_spokesperson_speaks_for_the_organisation(
    nlp: Language, text: str, entities: list
) -> None:
    doc = analysed(nlp, text, entities=entities, numbers=[KILLED])
    [claim] = doc._.claims
    assert (claim.claimant_id, claim.claimant_anonymous, claim.claimant_affiliation_id) == (
        "hamas",
        False,
        "hamas",
    )
    assert claim.claimant_text is not None and "spokesman" in claim.claimant_text


@pytest.mark.parametrize(
    "text, entities, claimant",
    [
        # a cue after "and" shares the subject of its clause
        (
            "The health ministry updated its figures on Monday and said Israeli strikes killed "
            "at least 120 Palestinians.",
            [MINISTRY, ISRAEL, PALS],
            "gaza_health_ministry",
        ),
        (
            "Hamas on Sunday rejected the plan by Egypt, and later said Israeli strikes killed "
            "at least 120 Palestinians.",
            [actor("Hamas", "hamas", "armed_group"), actor("Egypt", "egypt"), ISRAEL, PALS],
            "hamas",
        ),
        # an appositive between speaker and cue: the speaker is the name before it
        (
            "Diaa Rashwan, the head of Egypt's information service, said Israeli strikes killed "
            "at least 120 Palestinians.",
            [person("Diaa Rashwan", "egypt"), actor("Egypt", "egypt"), ISRAEL, PALS],
            "Diaa Rashwan",
        ),
        (
            "Hamas, speaking after talks with Qatar, said Israeli strikes killed at least 120 "
            "Palestinians.",
            [actor("Hamas", "hamas", "armed_group"), actor("Qatar", "qatar"), ISRAEL, PALS],
            "hamas",
        ),
        # coordinated speakers: the first stands for them
        (
            "Israeli strikes killed at least 120 Palestinians, Qatar and Egypt said.",
            [ISRAEL, PALS, actor("Qatar", "qatar"), actor("Egypt", "egypt")],
            "qatar",
        ),
        (
            "Israeli strikes killed at least 120 Palestinians, mediators Qatar and the "
            "United States announced.",
            [ISRAEL, PALS, actor("Qatar", "qatar"), actor("United States", "united_states")],
            "qatar",
        ),
        # ... but not an object coordinated with the speaker across a verb
        (
            "Egypt condemned Turkey and Qatar said Israeli strikes killed at least 120 "
            "Palestinians.",
            [
                actor("Egypt", "egypt"),
                actor("Turkey", "turkey"),
                actor("Qatar", "qatar"),
                ISRAEL,
                PALS,
            ],
            "qatar",
        ),
        # a participle's subject after "with"
        (
            "Mediators resumed talks in Doha, with Hamas staying away but saying Israeli strikes "
            "killed at least 120 Palestinians.",
            [actor("Hamas", "hamas", "armed_group"), ISRAEL, PALS],
            "hamas",
        ),
        (
            "Talks resumed in Cairo, with Hamas saying that Israeli strikes killed at least 120 "
            "Palestinians.",
            [actor("Hamas", "hamas", "armed_group"), ISRAEL, PALS],
            "hamas",
        ),
        (
            "Hamas rejected the plan by Egypt, saying Israeli strikes killed at least 120 "
            "Palestinians.",
            [actor("Hamas", "hamas", "armed_group"), actor("Egypt", "egypt"), ISRAEL, PALS],
            "hamas",
        ),
    ],
)
def test_speaker_of_the_cue(nlp: Language, text: str, entities: list, claimant: str) -> None:
    doc = analysed(nlp, text, entities=entities, numbers=[KILLED])
    [claim] = [c for c in doc._.claims if c.claim_type == "casualties"]
    assert claim.claimant_id == claimant


@pytest.mark.parametrize(
    "text, entities, claimant",
    [
        # a speaker after a comma closes the sentence, whatever the addressee is
        (
            "Israeli strikes killed at least 120 Palestinians, two Hamas officials told the "
            "news site Axios.",
            [
                ISRAEL,
                PALS,
                source("two Hamas officials", "hamas"),
                actor("Axios", "axios", "media"),
            ],
            AO,
        ),
        # a later speaker ends the scope of an earlier one ...
        (
            "Qatar said it would keep mediating, and a Hamas official told AFP that Israeli "
            "strikes killed at least 120 Palestinians.",
            [actor("Qatar", "qatar"), source("a Hamas official", "hamas"), AFP, ISRAEL, PALS],
            AO,
        ),
        # ... in both orders
        (
            "A Hamas official said Israeli strikes killed at least 120 Palestinians, and Qatar "
            "said it would keep pressing both sides.",
            [source("A Hamas official", "hamas"), ISRAEL, PALS, actor("Qatar", "qatar")],
            AO,
        ),
        # the content runs on past an inverted speaker when no appositive follows
        (
            "The toll rose again overnight, said a Hamas official, among them at least 120 "
            "Palestinians killed by Israeli strikes.",
            [source("a Hamas official", "hamas"), PALS, ISRAEL],
            AO,
        ),
    ],
)
def test_scope_of_the_attribution(nlp: Language, text: str, entities: list, claimant: str) -> None:
    doc = analysed(nlp, text, entities=entities, numbers=[KILLED])
    casualties = [c for c in doc._.claims if c.claim_type == "casualties"]
    assert [c.claimant_id for c in casualties] == [claimant]


def test_appositive_after_an_inverted_speaker_is_not_content(nlp: Language) -> None:
    text = (
        "Israeli strikes killed at least 120 Palestinians, said Diaa Rashwan, the head of "
        "Egypt's information service."
    )
    doc = analysed(
        nlp,
        text,
        entities=[ISRAEL, PALS, person("Diaa Rashwan", "egypt"), actor("Egypt", "egypt")],
        numbers=[KILLED],
    )
    assert [c.claimant_id for c in doc._.claims] == ["Diaa Rashwan"]


@pytest.mark.parametrize(
    "text",
    [
        # the opening quote mark ends the previous sentence when the splitter cuts after it
        "“We are close,” a diplomat told Reuters, speaking on condition of anonymity. "
        "“Israeli strikes killed at least 120 Palestinians.”",
        '"We are close," a diplomat told Reuters on Monday. '
        '"But Israeli strikes killed at least 120 Palestinians."',
    ],
)
def test_quote_after_a_quoted_speaker_inherits_it(nlp: Language, text: str) -> None:
    doc = analysed(
        nlp,
        text,
        entities=[source("a diplomat"), actor("Reuters", "reuters", "media"), ISRAEL, PALS],
        numbers=[KILLED],
    )
    [claim] = doc._.claims
    assert (claim.claimant_id, claim.quoted) == (AO, True)


@pytest.mark.parametrize(
    "text, cue",
    [
        ("The health ministry put the toll at 120.", "put the toll at"),
        ("On Monday the health ministry put the death toll at 120.", "put the death toll at"),
    ],
)
def test_toll_cues(nlp: Language, text: str, cue: str) -> None:
    doc = analysed(nlp, text, entities=[MINISTRY], numbers=[Num("120", 120, "killed")])
    [claim] = doc._.claims
    assert (claim.claimant_id, claim.cue) == ("gaza_health_ministry", cue)


def test_describe_as_is_an_attribution(nlp: Language) -> None:
    text = "An Israeli official described the Hamas reply as a rejection of the plan."
    doc = analysed(
        nlp,
        text,
        entities=[source("An Israeli official", "israel"), actor("Hamas", "hamas", "armed_group")],
    )
    assert doc._.claims and {c.claimant_id for c in doc._.claims} == {AO}
