"""The figures table: keys, periods, disagreement and latest flags, on small hand-made tables."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import pipeline.figures
from pipeline.extract import extract
from pipeline.figures import (
    Figure,
    figure_mentions,
    figure_period,
    figures_table,
    iter_figures,
    key_stats,
    period_of,
    running_claims,
)
from pipeline.tables import SCHEMAS, table_from_rows

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SEEDS = ROOT / "data" / "raw" / "seeds"

DOCS = [
    {"doc_id": "a", "published": dt.date(2023, 12, 28), "outlet": "AFP"},
    {"doc_id": "b", "published": dt.date(2023, 12, 29), "outlet": "France 24"},
    {"doc_id": "c", "published": dt.date(2024, 2, 8), "outlet": "AFP"},
    {"doc_id": "d", "published": dt.date(2026, 1, 14), "outlet": "Anadolu"},
]
TOLL = {"claim_type": "casualties", "category": "killed", "predicate": "kill",
        "subject_id": "israel", "object_id": "palestinians", "qualifier": "at_least"}
SERIES = "casualties|killed|palestinians"


def row(table: str, **values: Any) -> dict[str, Any]:
    """Return a full row of ``table`` with every column not given set to None."""
    base: dict[str, Any] = {name: None for name in SCHEMAS[table].names}
    base.update(values)
    return base


def claim(doc_id: str, sentence: int, value: float | None, **values: Any) -> dict[str, Any]:
    fields = {"low": value, **TOLL, **values}
    return row("claims", claim_id=f"{doc_id}{sentence}", doc_id=doc_id, sentence=sentence,
               start_char=sentence * 100, end_char=sentence * 100 + 10, value=value, **fields)


CLAIMS = [
    # "Since Oct. 7, ... have killed at least 21,320 Palestinians" (no claimant)
    claim("a", 4, 21320.0, event_date="2023-10-07"),
    # the same toll "according to Hamas-run Gaza's health ministry", no date
    claim("b", 4, 21320.0, claimant_id="gaza_health_ministry"),
    # "at least 27,840 people have been killed, the health ministry said Thursday"
    claim("c", 8, 27840.0, claimant_id="gaza_health_ministry", event_date="2024-02-08"),
    claim("d", 8, 71000.0, claimant_id="gaza_health_ministry", qualifier="more_than"),
    # "80 Israelis were freed" during last month's truce, in two stories
    claim("a", 8, 80.0, claim_type="captives", category="hostages", predicate="release",
          subject_id="hamas", object_id="israelis", qualifier="exact", event_date="2023-11"),
    claim("b", 8, 80.0, claim_type="captives", category="hostages", predicate="release",
          subject_id="hamas", object_id="israelis", qualifier="exact", event_date="2023-11"),
    # not a figure: no number
    claim("c", 1, None, claim_type="response", category="reject", predicate="reject"),
]
DATES = [
    row("dates", doc_id="a", sentence=4, value="2023-10-07", relation="since"),
    row("dates", doc_id="a", sentence=8, value="2023-11", relation=None),
    row("dates", doc_id="c", sentence=8, value="2024-02-08", relation=None),
]


def by_doc(figures: list[Figure], series: str) -> dict[str, Figure]:
    return {f.doc_id: f for f in figures if f.series_key == series}


@pytest.fixture()
def figures() -> list[Figure]:
    return list(iter_figures(figure_mentions(CLAIMS, DOCS, dates=DATES)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-12-28", "2023-12"),
        ("2023-11", "2023-11"),
        ("2024-W06", "2024-02"),
        ("2024-W01", "2024-01"),
        ("2027", "2027"),
        ("2023-11-24/2023-11-30", "2023-11"),
        ("2023-11-28/2023-12-01", "2023-12"),
        (None, None),
        ("", None),
        ("soon", None),
        ("2024-W60", None),
    ],
)
def test_period_of(value: str | None, expected: str | None) -> None:
    assert period_of(value) == expected


@pytest.mark.parametrize(
    ("event_date", "published", "running", "expected"),
    [
        ("2023-11", dt.date(2023, 12, 28), False, ("2023-11", "event_date")),
        ("2023-10-07", dt.date(2023, 12, 28), True, ("2023-12", "published")),
        (None, dt.date(2024, 2, 8), False, ("2024-02", "published")),
        ("someday", dt.date(2024, 2, 8), False, ("2024-02", "published")),
        (None, None, True, (None, None)),
    ],
)
def test_figure_period(
    event_date: str | None,
    published: dt.date | None,
    running: bool,
    expected: tuple[str | None, str | None],
) -> None:
    assert figure_period(event_date, published, running=running) == expected


def test_a_since_date_runs_the_nearest_claim_of_each_kind() -> None:
    # "Since Oct. 7, ... have killed at least 21,320 Palestinians ... an attack that left
    # about 1,140 dead ... and wounded over 50,000": the since date goes with the nearest
    # claim per claim type and category; the 1,140 is the attack's own toll.
    since = row("dates", doc_id="a", sentence=4, start_char=0, end_char=12,
                value="2023-10-07", relation="since")
    claims = [
        claim("a", 4, 21320.0, event_date="2023-10-07") | {"start_char": 80, "end_char": 86},
        claim("a", 4, 1140.0, event_date="2023-10-07", object_id="israelis")
        | {"start_char": 190, "end_char": 194},
        claim("a", 4, 50000.0, event_date="2023-10-07", category="injured")
        | {"start_char": 260, "end_char": 267},
        claim("a", 5, 80.0, event_date="2023-11"),
        claim("a", 6, 7.0),
    ]
    assert running_claims(claims, [since]) == {0, 2, 4}
    periods = [f.period for f in figure_mentions(claims, DOCS, dates=[since])]
    assert periods == ["2023-12", "2023-10", "2023-12", "2023-11", "2023-12"]


def test_only_claims_with_a_number_are_figures(figures: list[Figure]) -> None:
    assert len(figures) == 6
    assert all(f.origin == "claims" for f in figures)
    assert "c1" not in {f.claim_id for f in figures}


def test_same_toll_in_two_stories_shares_a_key_and_flags_the_claimant_difference(
    figures: list[Figure],
) -> None:
    tolls = by_doc(figures, SERIES)
    a, b = tolls["a"], tolls["b"]
    assert a.figure_key == b.figure_key == "casualties|killed|palestinians|2023-12"
    assert a.period_source == "published"  # "since Oct. 7" is a running total
    counts = (a.n_mentions_in_key, a.n_docs_in_key, a.n_values_in_key, a.n_claimants_in_key)
    assert counts == (2, 2, 1, 2)
    assert a.disagreement and a.claimants_differ and not a.values_differ
    assert (a.claimant_id, b.claimant_id) == (None, "gaza_health_ministry")
    assert (a.outlet, b.outlet) == ("AFP", "France 24")


def test_tolls_over_time_form_one_series_with_a_latest_per_claimant(figures: list[Figure]) -> None:
    tolls = by_doc(figures, SERIES)
    assert [tolls[d].period for d in "abcd"] == ["2023-12", "2023-12", "2024-02", "2026-01"]
    assert tolls["c"].period_source == "event_date"
    assert not tolls["c"].disagreement and tolls["c"].n_mentions_in_key == 1
    latest = {d for d, f in tolls.items() if f.is_latest_for_claimant}
    assert latest == {"a", "d"}  # a: the outlet's own latest; d: the ministry's latest
    assert [f.doc_id for f in figures if f.series_key == SERIES] == list("abcd")


def test_an_event_figure_is_dated_by_its_event(figures: list[Figure]) -> None:
    freed = by_doc(figures, "captives|hostages|israelis")
    assert {f.figure_key for f in freed.values()} == {"captives|hostages|israelis|2023-11"}
    assert not freed["a"].disagreement
    assert not freed["a"].is_latest_for_claimant and freed["b"].is_latest_for_claimant  # b is newer


def test_different_numbers_under_one_key_disagree() -> None:
    claims = [claim("a", 1, 21320.0), claim("b", 1, 21507.0)]
    a, b = iter_figures(figure_mentions(claims, DOCS))
    assert a.values_differ and b.values_differ and not a.claimants_differ
    assert a.disagreement and a.n_values_in_key == 2
    assert not a.is_latest_for_claimant and b.is_latest_for_claimant


def test_a_document_does_not_disagree_with_itself() -> None:
    fields = {"claim_type": "captives", "category": "hostages", "object_id": None}
    claims = [claim("c", 7, 250.0, **fields), claim("c", 8, 132.0, **fields),
              claim("c", 9, 29.0, claimant_id="israel", **fields)]
    figures = list(iter_figures(figure_mentions(claims, DOCS)))
    assert {f.figure_key for f in figures} == {"captives|hostages|-|2024-02"}
    assert not any(f.disagreement for f in figures)
    assert figures[0].n_values_in_key == 3 and figures[0].n_claimants_in_key == 2


def test_documents_reporting_the_same_set_of_numbers_agree() -> None:
    claims = [claim(d, s, v) for d in "ab" for s, v in ((1, 21320.0), (2, 1140.0))]
    assert not any(f.disagreement for f in iter_figures(figure_mentions(claims, DOCS)))
    claims.append(claim("b", 3, 21507.0))
    assert all(f.values_differ for f in iter_figures(figure_mentions(claims, DOCS)))


def test_key_statistics_are_computed_once_per_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # 40 stories repeating two tolls under one key, 40 others under their own months:
    # the builder stays linear, each key's group is summarised once, not once per mention.
    docs = [{"doc_id": f"s{n}", "published": dt.date(2023, 1 + n % 12, 1), "outlet": "AFP"}
            for n in range(80)]
    claims = [claim(f"s{n}", s, v, event_date="2024-01") for n in range(40)
              for s, v in ((1, 24448.0), (2, 24620.0))]
    claims += [claim(f"s{n}", 1, float(n)) for n in range(40, 80)]
    mentions = figure_mentions(claims, docs)
    calls: list[int] = []

    def counted(group: list[Figure]) -> Any:
        calls.append(len(group))
        return key_stats(group)

    monkeypatch.setattr(pipeline.figures, "key_stats", counted)
    figures = list(iter_figures(mentions))
    assert len(figures) == 120
    assert len(calls) == len({f.figure_key for f in mentions}) == 13
    assert sum(calls) == len(mentions)  # every mention in exactly one group
    shared = [f for f in figures if f.period == "2024-01"]
    assert {(f.n_mentions_in_key, f.n_docs_in_key, f.values_differ) for f in shared} == {
        (80, 40, False)
    }


def test_a_claim_takes_the_surface_and_id_of_its_quantity() -> None:
    quantities = [row("quantities", doc_id="a", mention_id="q1", sentence=4, text="at least 21,320",
                      value=21320.0, low=21320.0, category="killed")]
    (figure,) = figure_mentions([claim("a", 4, 21320.0)], DOCS, quantities=quantities)
    assert (figure.mention_id, figure.text) == ("q1", "at least 21,320")


def test_quantities_fill_in_categories_the_claims_lack() -> None:
    quantities = [
        row("quantities", doc_id="c", mention_id="q1", sentence=13, text="400 to 500", low=400.0,
            high=500.0, qualifier="range", category="aid_trucks", unit="trucks"),
        row("quantities", doc_id="c", mention_id="q2", sentence=8, text="27,840", value=27840.0,
            category="killed"),
        row("quantities", doc_id="c", mention_id="q3", sentence=2, text="two", value=2.0,
            category="other"),
        row("quantities", doc_id="c", mention_id="q4", sentence=3, text="dozens", value=None,
            category="injured"),
        row("quantities", doc_id="c", mention_id="q5", sentence=11, text="about six weeks",
            value=42.0, qualifier="about", category="duration"),
    ]
    proposal = claim("c", 11, 42.0, claim_type="ceasefire", category="proposed", low=None)
    figures = figure_mentions([*CLAIMS, proposal], DOCS, quantities=quantities)
    fallback = [f for f in figures if f.origin == "quantities"]  # q5 is carried by the claim
    assert [(f.mention_id, f.figure_key) for f in fallback] == [("q1", "-|aid_trucks|-|2024-02")]
    assert (fallback[0].low, fallback[0].high, fallback[0].claimant_id) == (400.0, 500.0, None)


def test_figures_table_reads_a_folder_and_matches_the_schema(tmp_path: Path) -> None:
    pq.write_table(table_from_rows("claims", CLAIMS), tmp_path / "claims.parquet")
    pq.write_table(table_from_rows("documents", [row("documents", **d) for d in DOCS]),
                   tmp_path / "documents.parquet")
    pq.write_table(table_from_rows("dates", DATES), tmp_path / "dates.parquet")
    table = figures_table(tmp_path)
    assert table.schema.equals(SCHEMAS["figures"], check_metadata=False)
    assert table.num_rows == 6
    first = table.slice(0, 1).to_pylist()[0]
    assert first["series_key"] == "captives|hostages|israelis"
    assert first["published"] == dt.date(2023, 12, 28)


def test_figures_table_of_an_empty_folder_is_empty(tmp_path: Path) -> None:
    table = figures_table(tmp_path)
    assert table.num_rows == 0 and table.schema.equals(SCHEMAS["figures"], check_metadata=False)


def test_readme_documents_every_figures_column() -> None:
    section = README.read_text(encoding="utf-8").split("### figures\n", 1)[1].split("\n## ", 1)[0]
    documented: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|"):
            documented.update(c.strip() for c in re.split(",", line.split("|")[1]) if c.strip())
    assert not [c for c in SCHEMAS["figures"].names if c not in documented]


@pytest.fixture(scope="module")
def seed_figures(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("figures") / "processed"
    extract([SEEDS], out, model_dir=model_dir)
    table = pq.read_table(out / "figures.parquet")
    assert table.schema.equals(SCHEMAS["figures"], check_metadata=False)
    return table.to_pylist()


def test_seed_death_tolls_form_one_series(seed_figures: list[dict[str, Any]]) -> None:
    tolls = [f for f in seed_figures if f["category"] == "killed"
             and f["value"] in (21320.0, 27840.0, 44466.0, 71000.0)]
    assert sorted((f["doc_id"][:3], f["period"]) for f in tolls) == [
        ("000", "2023-12"), ("001", "2023-12"), ("002", "2024-02"), ("003", "2026-01"),
        ("004", "2024-12"),
    ]
    assert len({f["series_key"] for f in tolls}) == 1
    first = [f for f in tolls if f["value"] == 21320.0]
    assert first[0]["figure_key"] == first[1]["figure_key"]
    assert first[0]["n_docs_in_key"] == 2 and not first[0]["values_differ"]


def test_seed_toll_of_21320_shows_the_claimant_difference(
    seed_figures: list[dict[str, Any]],
) -> None:
    first = {f["doc_id"][:3]: f for f in seed_figures if f["value"] == 21320.0}
    assert first["001"]["claimant_id"] == "gaza_health_ministry"
    assert first["000"]["claimant_id"] != "gaza_health_ministry"
    assert first["000"]["claimants_differ"] and first["001"]["disagreement"]
    latest = {f["claimant_id"]: f["value"] for f in seed_figures
              if f["series_key"] == first["001"]["series_key"] and f["is_latest_for_claimant"]}
    assert latest[None] == 71000.0  # the outlets' own newest toll (003, 2026-01)
