"""Tests for pipeline.actors (with pipeline.people and pipeline.sources): text -> entities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import spacy
from seeds import seed_published
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.actors import ACTOR_ALIASES, ACTORS, alias_table, sentence_index
from pipeline.build import PIPELINE
from pipeline.people import PEOPLE, pick_person_row
from pipeline.records import Entity
from pipeline.rules import RulesError, read_rule_rows

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
SEEDS = ROOT / "data" / "raw" / "seeds"
PUBLISHED = seed_published()
OWN = ("ceasefire_sentences", "ceasefire_lemmatizer", "ceasefire_actors", "ceasefire_roles")


@pytest.fixture(scope="module")
def actor_nlp() -> Language:
    """The pipeline up to ceasefire_roles, initialised from rules/ (no other component needed)."""
    nlp = spacy.blank("en")
    for factory, config in PIPELINE:
        if factory in OWN:
            nlp.add_pipe(factory, config=config)
            if factory.startswith("ceasefire_"):
                nlp.config["initialize"]["components"][factory] = {"rules_dir": str(RULES)}
    nlp.initialize()
    return nlp


@pytest.fixture(scope="module")
def run(actor_nlp: Language) -> Callable[..., Doc]:
    def analyse(text: str, published: str | None = "2024-02-08") -> Doc:
        doc = actor_nlp.make_doc(text)
        doc._.published = dt.date.fromisoformat(published) if published else None
        for _, proc in actor_nlp.pipeline:
            doc = proc(doc)
        return doc

    return analyse


def seed_text(stem: str) -> str:
    path = next(SEEDS.glob(f"{stem}_*.txt"))
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("date "):
        text = stripped[len("date 2023-12-29") :].lstrip()
    return text


def of(doc: Doc, label: str) -> list[Entity]:
    return [e for e in doc._.entities if e.label == label]


# -- rules loading ---------------------------------------------------------------------


def test_rules_files_validate() -> None:
    for spec in (ACTORS, ACTOR_ALIASES, PEOPLE):
        rows, problems = read_rule_rows(RULES / f"{spec.name}.jsonl", spec)
        assert rows and not problems


def test_unknown_key_is_rejected_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "actors.jsonl"
    path.write_text(
        '{"actor_id": "egypt", "name": "Egypt", "actor_type": "state"}\n'
        '{"actor_id": "qatar", "name": "Qatar", "actor_type": "state", "colour": "red"}\n'
    )
    _, problems = read_rule_rows(path, ACTORS)
    assert [(p.line, "colour" in p.message) for p in problems] == [(2, True)]


def test_duplicate_alias_across_files_is_rejected(tmp_path: Path) -> None:
    actors = tmp_path / "actors.jsonl"
    actors.write_text(
        '{"actor_id": "egypt", "name": "Egypt", "actor_type": "state", "aliases": ["Cairo"]}\n'
    )
    aliases = tmp_path / "actor_aliases.jsonl"
    aliases.write_text(
        '{"text": "cairo", "actor_id": "egypt", "kind": "capital"}\n'
        '{"text": "Doha", "actor_id": "qatar"}\n'
    )
    actor_rows, _ = read_rule_rows(actors, ACTORS)
    alias_rows, _ = read_rule_rows(aliases, ACTOR_ALIASES)
    with pytest.raises(RulesError) as err:
        alias_table(actor_rows, alias_rows)
    text = str(err.value)
    assert f"{aliases}:1" in text and "already given" in text
    assert f"{aliases}:2" in text and "'qatar'" in text


@pytest.mark.parametrize(
    "published, title, affiliation",
    [
        ("2024-06-01", "president", "united_states"),
        ("2025-03-01", "former president", None),
        (None, "former president", None),
    ],
)
def test_person_row_follows_the_publication_date(
    published: str | None, title: str, affiliation: str | None
) -> None:
    rows, _ = read_rule_rows(RULES / "people.jsonl", PEOPLE)
    biden = [r for r in rows if r["person_id"] == "joe_biden"]
    row = pick_person_row(biden, dt.date.fromisoformat(published) if published else None)
    assert (
        row is not None and row.get("title") == title and row.get("affiliation_id") == affiliation
    )


# -- actors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Israeli strikes hit Rafah as Qatari officials met US envoys.",
            [("Israeli", "israel"), ("Qatari", "qatar"), ("US", "united_states")],
        ),
        (
            "Türkiye and Turkiye and Turkey are one actor.",
            [("Türkiye", "turkey"), ("Turkiye", "turkey"), ("Turkey", "turkey")],
        ),
        ("Let us hope the ap is fine.", []),
        (
            "The plan envisages three stages, according to the Wall Street Journal and CNN.",
            [("Wall Street Journal", "wall_street_journal"), ("CNN", "cnn")],
        ),
        (
            "The Palestinian Prisoners' Club said 90 were freed, Kan News reported.",
            [("Palestinian Prisoners' Club", "palestinian_prisoners_club"), ("Kan News", "kan")],
        ),
        ("Kan and can are not outlets in this sentence.", []),
        ("The AP and the UN reported it.", [("AP", "ap"), ("UN", "united_nations")]),
        (
            "The IDF said the Israeli army had withdrawn.",
            [("IDF", "israel"), ("Israeli army", "israel")],
        ),
        ("Cairo's three-stage plan was sent to Doha.", [("Cairo", "egypt")]),
        ("Doha said talks in Cairo would resume.", [("Doha", "qatar")]),
        (
            "The White House and Washington welcomed it.",
            [("White House", "united_states"), ("Washington", "united_states")],
        ),
        (
            "The Hamas political office is in Qatar.",
            [("Hamas political office", "hamas"), ("Qatar", "qatar")],
        ),
        (
            "according to the Gaza Health Ministry.",
            [("Gaza Health Ministry", "gaza_health_ministry")],
        ),
        (
            "In Gaza, the health ministry said 30 died.",
            [("health ministry", "gaza_health_ministry")],
        ),
        ("The health ministry in Lima said so.", []),
        (
            "In Gaza talks news, Lebanon's health ministry said three people died.",
            [("Lebanon's health ministry", "lebanon")],
        ),
        (
            "Near Gaza, the Lebanese health ministry said two died.",
            [("Lebanese health ministry", "lebanon")],
        ),
        (
            "according to an Agence France-Presse (AFP) tally.",
            [("Agence France-Presse (AFP)", "afp")],
        ),
        (
            "80 Israelis and 240 Palestinians were freed.",
            [("Israelis", "israelis"), ("Palestinians", "palestinians")],
        ),
        (
            "Egyptian general intelligence and the State Information Services met.",
            [("Egyptian general intelligence", "egypt"), ("State Information Services", "egypt")],
        ),
        ("Reporters in the Palestinian Territories said so.", []),
    ],
)
def test_actor_mentions(
    run: Callable[..., Doc], text: str, expected: list[tuple[str, str]]
) -> None:
    assert [(e.text, e.actor_id) for e in of(run(text), "ACTOR")] == expected


def test_actor_record_fields(run: Callable[..., Doc]) -> None:
    (army,) = of(run("The Israeli army said so."), "ACTOR")
    assert (army.actor_type, army.country, army.cameo, army.organ) == (
        "state",
        "ISR",
        "ISR",
        "army",
    )
    assert army.rule_id == "alias:Israeli army"


def test_sentence_index_matches_doc_sents(run: Callable[..., Doc]) -> None:
    doc = run("Hamas spoke. Then Israel replied.\nQatar mediated.")
    sents = list(doc.sents)
    for e in doc._.entities:
        assert sents[e.sentence].start_char <= e.start_char < sents[e.sentence].end_char
    assert sentence_index(doc)[-2] == len(sents) - 1


# -- people ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, published, expected",
    [
        (
            "US Secretary of State Antony Blinken met Netanyahu.",
            "2024-02-08",
            [
                ("Antony Blinken", "united_states", "secretary of state"),
                ("Netanyahu", "israel", "prime minister"),
            ],
        ),
        (
            "Egypt's foreign minister Badr Abdel Ati said on Monday.",
            "2024-12-03",
            [("Badr Abdel Ati", "egypt", "foreign minister")],
        ),
        (
            "the head of Egyptian intelligence, Major General Hassan Rashad, met them.",
            "2024-12-03",
            [("Hassan Rashad", "egypt", "major general")],
        ),
        (
            "Hamas spokesman Hazem Qassem said the talks failed.",
            "2024-12-03",
            [("Hazem Qassem", "hamas", "spokesman")],
        ),
        (
            "Mahmoud Mardawi, a senior Hamas official, said no.",
            "2024-12-03",
            [("Mahmoud Mardawi", "hamas", "official")],
        ),
        (
            "Qatari Prime Minister Mohammed bin Abdulrahman Al Thani spoke.",
            "2024-12-03",
            [("Mohammed bin Abdulrahman Al Thani", "qatar", "prime minister")],
        ),
        (
            "President Joe Biden spoke, then Biden left.",
            "2024-05-01",
            [("Joe Biden", "united_states", "president"), ("Biden", "united_states", "president")],
        ),
        (
            "Donald Trump said the deal was close.",
            "2025-02-01",
            [("Donald Trump", "united_states", "president")],
        ),
        (
            "Turkish intelligence chief Ibrahim Kalin met Khalil al-Hayya.",
            "2024-12-03",
            [
                ("Ibrahim Kalin", "turkey", "intelligence chief"),
                ("Khalil al-Hayya", "hamas", "Gaza leader"),
            ],
        ),
    ],
)
def test_people(
    run: Callable[..., Doc], text: str, published: str, expected: list[tuple[str, str, str]]
) -> None:
    people = of(run(text, published), "PERSON")
    assert [(p.text, p.affiliation_id, p.title) for p in people] == expected
    assert all(p.actor_id is None for p in people)


def test_surname_counts_only_after_full_name(run: Callable[..., Doc]) -> None:
    assert of(run("Rashwan said Egypt had not yet received a response."), "PERSON") == []
    doc = run("Diaa Rashwan spoke. Rashwan's statement said so. Rashwan said more.")
    assert [p.text for p in of(doc, "PERSON")] == ["Diaa Rashwan", "Rashwan", "Rashwan"]


def test_a_person_is_never_an_actor(run: Callable[..., Doc]) -> None:
    doc = run("Israel Katz said Israel would respond.", "2024-12-03")
    assert [(e.label, e.text) for e in doc._.entities] == [
        ("PERSON", "Israel Katz"),
        ("ACTOR", "Israel"),
    ]


# -- sources -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A Hamas delegation will visit, an official said Thursday.", [("an official", None)]),
        (
            "Sources close to Hamas say the plan has three stages.",
            [("Sources close to Hamas", "hamas")],
        ),
        ("an Egyptian security source told AFP.", [("an Egyptian security source", "egypt")]),
        (
            "Hamas wants talks, a Palestinian official close to the group said.",
            [("a Palestinian official close to the group", "hamas")],
        ),
        ("Two Hamas officials confirmed the meeting.", [("Two Hamas officials", "hamas")]),
        (
            "A senior Israeli official, speaking on condition of anonymity, said no.",
            [("A senior Israeli official", "israel")],
        ),
        ("Hamas officials insisted on a full withdrawal.", [("Hamas officials", "hamas")]),
        ("The delegation met Egyptian officials in Cairo.", []),
        ("the official death toll rose, according to official Israeli figures.", []),
        (
            "A Hamas official spoke. Later the official added more.",
            [("A Hamas official", "hamas"), ("the official", "hamas")],
        ),
        (
            "added the official, who is familiar with the negotiations.",
            [("the official, who is familiar with the negotiations", None)],
        ),
        (
            "diplomats briefed on the talks said a deal was near.",
            [("diplomats briefed on the talks", None)],
        ),
    ],
)
def test_sources(
    run: Callable[..., Doc], text: str, expected: list[tuple[str, str | None]]
) -> None:
    sources = of(run(text), "SOURCE")
    assert [(s.text, s.affiliation_id) for s in sources] == expected
    assert all(s.anonymous and s.actor_id is None for s in sources)


# -- seeds -------------------------------------------------------------------------------

SEED_ACTORS = {
    "000": {
        "hamas",
        "egypt",
        "palestinian_islamic_jihad",
        "israel",
        "palestinians",
        "afp",
        "qatar",
        "united_states",
        "israelis",
    },
    "001": {
        "hamas",
        "palestinian_islamic_jihad",
        "israel",
        "egypt",
        "palestinians",
        "afp",
        "gaza_health_ministry",
        "qatar",
        "united_states",
    },
    "002": {
        "hamas",
        "israel",
        "palestinians",
        "afp",
        "egypt",
        "qatar",
        "united_states",
        "gaza_health_ministry",
        "turkey",
        "russia",
        "france",
    },
    "003": {
        "hamas",
        "egypt",
        "israel",
        "palestinians",
        "un_security_council",
        "united_states",
        "gaza_health_ministry",
    },
    "004": {
        "hamas",
        "egypt",
        "afp",
        "qatar",
        "turkey",
        "palestinians",
        "united_states",
        "israel",
        "lebanon",
        "arabi21",
        "fatah",
        "hezbollah",
        "france",
        "international_criminal_court",
        "yedioth_ahronoth",
    },
}
SEED_PEOPLE = {
    "000": {("Diaa Rashwan", "egypt"), ("Rashwan", "egypt")},
    "001": {("Diaa Rashwan", "egypt"), ("Rashwan", "egypt")},
    "002": {
        ("Benjamin Netanyahu", "israel"),
        ("Antony Blinken", "united_states"),
        ("Netanyahu", "israel"),
    },
    "003": {
        ("Khalil al-Hayya", "hamas"),
        ("Donald Trump", "united_states"),
        ("Trump", "united_states"),
    },
    "004": {
        ("Hassan Rashad", "egypt"),
        ("Netanyahu", "israel"),
        ("Badr Abdel Ati", "egypt"),
        ("Benjamin Netanyahu", "israel"),
        ("Jake Sullivan", "united_states"),
    },
}
SEED_SOURCES = {
    "000": [
        ("an official", None),
        ("Sources close to Hamas", "hamas"),
        ("The Hamas official", "hamas"),
        ("the official", "hamas"),
        ("The official", "hamas"),
    ],
    "001": [
        ("a Hamas official", "hamas"),
        ("The Hamas official", "hamas"),
        ("the official", "hamas"),
        ("The official", "hamas"),
    ],
    "002": [
        ("a Palestinian official close to the group", "hamas"),
        ("The Palestinian official", "hamas"),
        ("the official, who is familiar with the negotiations", "hamas"),
        ("The Palestinian official based in Gaza", "hamas"),
        ("the official", "hamas"),
        ("the official", "hamas"),
        ("the official", "hamas"),
    ],
    "003": [],
    "004": [
        ("Two Hamas officials", "hamas"),
        ("Another Hamas official", "hamas"),
        ("the official", "hamas"),
        ("a Hamas official", "hamas"),
        ("Hamas officials", "hamas"),
        ("sources", None),
    ],
}


@pytest.mark.parametrize("stem", sorted(PUBLISHED))
def test_seed_entities(run: Callable[..., Doc], stem: str) -> None:
    doc = run(seed_text(stem), PUBLISHED[stem])
    assert {e.actor_id for e in of(doc, "ACTOR")} == SEED_ACTORS[stem]
    assert {(p.text, p.affiliation_id) for p in of(doc, "PERSON")} == SEED_PEOPLE[stem]
    assert [(s.text, s.affiliation_id) for s in of(doc, "SOURCE")] == SEED_SOURCES[stem]
