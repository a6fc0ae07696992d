"""The run report: its parts as frames, the page for the seeds, and ``ceasefire-claims report``."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract
from pipeline.report import actors_by_month, chart_series, report_html, rules_fired

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw" / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?!data:|#)""", re.I)

DOCS = pd.DataFrame(
    {
        "doc_id": ["a", "b", "c"],
        "published": [dt.date(2023, 12, 28), dt.date(2023, 12, 29), None],
    }
)
ENTITIES = pd.DataFrame(
    {
        "doc_id": ["a", "a", "a", "b", "b", "c", "c"],
        "label": ["ACTOR", "ACTOR", "ACTOR", "ACTOR", "PERSON", "ACTOR", "ACTOR"],
        "actor_id": ["egypt", "egypt", "hamas", "qatar", None, "egypt", "turkey"],
        "role": ["mediator", "mediator", "party", "guarantor", None, "mediator", None],
        "rule_id": ["r1", "r1", "r2", "r3", "", "r1", None],
    }
)


@pytest.fixture(scope="module")
def seed_tables(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "processed"
    extract([SEEDS], out, model_dir=model_dir)
    return out


def test_mediators_by_month_count_documents_not_mentions() -> None:
    table = actors_by_month(ENTITIES, DOCS, roles={"mediator", "guarantor"})
    assert table.to_dict() == {
        "egypt": {"2023-12": 1, "unknown": 1},
        "qatar": {"2023-12": 1, "unknown": 0},
    }


def test_actors_by_month_keeps_the_most_frequent() -> None:
    table = actors_by_month(ENTITIES, DOCS, top=1)
    assert list(table.columns) == ["egypt"]
    assert actors_by_month(ENTITIES.iloc[0:0], DOCS).empty


def test_rules_fired_counts_rows_and_documents_per_table() -> None:
    fired = rules_fired({"entities": ENTITIES, "claims": pd.DataFrame()})
    assert fired.values.tolist() == [
        ["entities", "r1", 3, 2], ["entities", "r2", 1, 1], ["entities", "r3", 1, 1],
    ]


def test_chart_series_prefers_series_with_more_periods() -> None:
    figures = pd.DataFrame(
        {
            "series_key": ["x", "x", "y", "y", "y", "z", "z"],
            "period": ["2023-12", "2024-02", "2023-12", "2023-12", "2023-12", "2023-12", "2026-01"],
            "figure_id": list("abcdefg"),
        }
    )
    assert chart_series(figures) == ["x", "z"]
    assert chart_series(figures, top=1) == ["x"]


def test_report_of_the_seeds(seed_tables: Path) -> None:
    out = report_html(seed_tables)
    assert out.startswith("<!DOCTYPE html>") and "<script" not in out and not EXTERNAL.search(out)
    sections = dict(re.findall(r'<h2 id="(\w+)">.*?</h2>\n(.*?)(?=<h2 id=|</body>)', out, re.S))
    assert set(sections) == {"documents", "actors", "figures", "rules"}
    assert all(doc_id in sections["documents"] for doc_id in SEED_IDS)
    assert "Mediators by month" in sections["actors"]
    assert "data:image/svg+xml;base64," in sections["actors"]
    mediators = sections["actors"].split("Actors by month")[0]
    assert "<th>egypt</th>" in mediators and "<th>qatar</th>" in mediators
    assert "<th>hamas</th>" not in mediators  # a party, never a mediator
    for toll in ("21,320", "27,840", "44,466", "71,000"):
        assert toll in sections["figures"]
    assert 'class="disagree' in sections["figures"] and "data:image/svg+xml" in sections["figures"]
    fired = r"<td>(entities|quantities|dates|claims)</td><td>[^<]+</td>"
    assert re.search(fired, sections["rules"])


def test_report_derives_figures_for_older_tables(seed_tables: Path, tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(seed_tables, old)
    (old / "figures.parquet").unlink()
    assert "21,320" in report_html(old).split('id="figures"')[1]


def test_report_command_writes_the_page(seed_tables: Path, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "report.html"
    args = ["report", "--tables", str(seed_tables), "--html", str(target)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ceasefire-claims report" in target.read_text(encoding="utf-8")
    missing = CliRunner().invoke(app, ["report", "--tables", str(tmp_path / "none"), "--html",
                                       str(tmp_path / "x.html")])
    assert missing.exit_code == 1 and "extract" in missing.output


@pytest.mark.skipif(
    not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")),
    reason="no headless Chromium on this machine (optional check)",
)
def test_report_renders_in_headless_chromium(seed_tables: Path, tmp_path: Path) -> None:
    browser = next(b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b))
    page = tmp_path / "report.html"
    page.write_text(report_html(seed_tables), encoding="utf-8")
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
         "--window-size=1200,2000", page.as_uri()],
        check=True, timeout=120, capture_output=True,
    )
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.std() > 0.05  # not a blank page
