"""The document view: displaCy spans from the tables, the page, and ``ceasefire-claims show``."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract
from pipeline.show import COLORS, display_ents, document_html
from pipeline.tables import SCHEMAS, table_from_rows

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw" / "seeds"
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?!data:|#)""", re.I)
TEXT = "Egypt and Qatar brokered talks, Hamas said. At least 21,320 <people> died by Thursday."


def row(table: str, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {name: None for name in SCHEMAS[table].names}
    base.update(values)
    return base


def span(table: str, text: str, **values: Any) -> dict[str, Any]:
    start = TEXT.index(text)
    end = start + len(text)
    return row(table, doc_id="d1", start_char=start, end_char=end, text=text, **values)


@pytest.fixture()
def tiny_tables(tmp_path: Path) -> Path:
    tables = {
        "documents": [row("documents", doc_id="d1", text=TEXT, title="Talks & tolls",
                          published=dt.date(2024, 2, 8), source="tiny.txt")],
        "entities": [
            span("entities", "Egypt", label="ACTOR", actor_id="egypt", role="mediator"),
            span("entities", "Qatar", label="ACTOR", actor_id="qatar", role="guarantor"),
            span("entities", "Hamas", label="ACTOR", actor_id="hamas", role="party"),
        ],
        "quantities": [span("quantities", "At least 21,320", value=21320.0, category="killed")],
        "dates": [span("dates", "Thursday", value="2024-02-08"),
                  span("dates", "by Thursday", value="2024-02-08")],
        "claims": [row("claims", doc_id="d1", claim_id="c1", sentence=1, start_char=44, end_char=60,
                       claim_type="casualties", predicate="kill", value=21320.0, low=21320.0,
                       qualifier="at_least", category="killed", claimant_id="hamas",
                       claimant_text="Hamas",
                       evidence="At least 21,320 <people> died by Thursday.")],
    }
    for name, rows in tables.items():
        pq.write_table(table_from_rows(name, rows), tmp_path / f"{name}.parquet")
    return tmp_path


@pytest.fixture(scope="module")
def seed_tables(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("show") / "processed"
    extract([SEEDS], out, model_dir=model_dir)
    return out


def test_display_ents_labels_and_drops_overlaps() -> None:
    entities = [
        {"start_char": 0, "end_char": 5, "label": "ACTOR", "role": "mediator"},
        {"start_char": 10, "end_char": 15, "label": "ACTOR", "role": "party"},
        {"start_char": 20, "end_char": 31, "label": "PERSON", "role": None},
        {"start_char": 40, "end_char": 50, "label": "SOURCE", "role": None},
    ]
    quantities = [{"start_char": 60, "end_char": 75}, {"start_char": 12, "end_char": 14}]
    dates = [{"start_char": 56, "end_char": 68}, {"start_char": 80, "end_char": 88}]
    assert display_ents(entities, quantities, dates) == [
        {"start": 0, "end": 5, "label": "MEDIATOR"},
        {"start": 10, "end": 15, "label": "ACTOR"},
        {"start": 20, "end": 31, "label": "PERSON"},
        {"start": 40, "end": 50, "label": "SOURCE"},
        {"start": 56, "end": 68, "label": "DATE"},
        {"start": 80, "end": 88, "label": "DATE"},
    ]


def test_document_page_marks_mentions_and_lists_claims(tiny_tables: Path) -> None:
    out = document_html(tiny_tables, "d1")
    mark = r"<mark[^>]*background: (#\w+)[^>]*>\s*(.*?)\s*<span[^>]*>(\w+)</span>"
    marks = re.findall(mark, out, re.S)
    assert [(text, label) for _, text, label in marks] == [
        ("Egypt", "MEDIATOR"), ("Qatar", "MEDIATOR"), ("Hamas", "ACTOR"),
        ("At least 21,320", "NUMBER"), ("by Thursday", "DATE"),
    ]
    assert all(color == COLORS[label] for color, _, label in marks)
    assert "<h1>Talks &amp; tolls</h1>" in out and "2024-02-08" in out
    assert "&lt;people&gt;" in out and "<people>" not in out
    claims = out.split('id="claims"', 1)[1]
    assert "casualties" in claims and "Hamas [hamas]" in claims and "21,320" in claims
    assert html.escape("At least 21,320 <people> died by Thursday.") in claims
    assert "nan" not in claims  # missing subject and object are empty cells
    assert "<script" not in out and not EXTERNAL.search(out)


def test_unknown_document_raises_with_known_ids(tiny_tables: Path) -> None:
    with pytest.raises(KeyError, match="d1"):
        document_html(tiny_tables, "nope")


def test_show_command_renders_a_seed(seed_tables: Path, tmp_path: Path) -> None:
    target = tmp_path / "pages" / "000.html"
    result = CliRunner().invoke(app, ["show", "000_4f7200585c4c9f70", "--tables", str(seed_tables),
                                      "--html", str(target)])
    assert result.exit_code == 0, result.output
    out = target.read_text(encoding="utf-8")
    text = pq.read_table(seed_tables / "documents.parquet").to_pandas().set_index("doc_id")
    first = text.loc["000_4f7200585c4c9f70", "text"].split("\n")[0]
    assert html.escape(first.split(",")[0]) in out  # the article is there
    assert re.search(r"21,320\s*<span[^>]*>NUMBER</span>", out)
    assert re.search(r"Thursday\s*<span[^>]*>DATE</span>", out)
    assert re.search(r"Hamas\s*<span[^>]*>ACTOR</span>", out)
    assert 'id="claims"' in out and not EXTERNAL.search(out)
    assert ">nan<" not in out and "nan [" not in out and "[nan]" not in out


def test_show_command_fails_cleanly_on_an_unknown_id(seed_tables: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["show", "nope", "--tables", str(seed_tables),
                                      "--html", str(tmp_path / "x.html")])
    assert result.exit_code == 1 and "no document 'nope'" in result.output
    assert not (tmp_path / "x.html").exists()
