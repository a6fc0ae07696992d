"""The command line through Typer's CliRunner, on temporary folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.tables import SCHEMAS

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture()
def seeds(tmp_path: Path) -> Path:
    target = tmp_path / "raw" / "seeds"
    shutil.copytree(ROOT / "data" / "raw" / "seeds", target)
    return tmp_path / "raw"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_extract_writes_every_table_from_the_seeds(
    seeds: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "processed"
    code, output = run(
        "extract",
        str(seeds),
        "--out",
        str(out),
        "--model",
        str(model_dir),
        "--rules",
        str(ROOT / "rules"),
        "--quiet",
    )
    assert code == 0, output
    assert "5 read, 5 extracted" in output
    for table in ("documents", "entities", "quantities", "dates", "claims", "rejects"):
        arrow = pq.read_table(out / f"{table}.parquet")
        assert arrow.schema.equals(SCHEMAS[table], check_metadata=False), table
    docs = pd.read_parquet(out / "documents.parquet")
    assert sorted(docs["doc_id"]) == sorted(p.stem for p in (seeds / "seeds").glob("*.txt"))
    assert docs.set_index("doc_id").loc["001_39cec6ba0aeac842", "published_source"] == "header"
    assert not docs.set_index("doc_id").loc["001_39cec6ba0aeac842", "text"].startswith(" date")
    assert docs["published"].notna().all()

    code, output = run(
        "extract", str(seeds), "--out", str(out), "--model", str(model_dir), "--quiet"
    )
    assert code == 0 and "0 extracted, 5 unchanged" in output


def test_extract_exits_1_when_nothing_is_readable(tmp_path: Path, model_dir: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("   \n")
    code, output = run(
        "extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--model", str(model_dir)
    )
    assert code == 1
    assert "no readable documents" in output and "empty" in output
    assert not (tmp_path / "out").exists()


def test_inspect_prints_the_documents_tables(seeds: Path, tmp_path: Path, model_dir: Path) -> None:
    out = tmp_path / "processed"
    assert (
        run("extract", str(seeds), "--out", str(out), "--model", str(model_dir), "--quiet")[0] == 0
    )
    code, output = run("inspect", "002_9ad2a8485a4ae68d", "--tables", str(out))
    assert code == 0, output
    for heading in ("== document", "== entities", "== quantities", "== dates", "== claims"):
        assert heading in output
    code, output = run("inspect", "nope", "--tables", str(out))
    assert code == 1 and "no document 'nope'" in output


def test_rules_build_and_validate(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("candidates"))
    model = tmp_path / "model"
    code, output = run("rules", "validate", "--rules", str(rules))
    assert code == 0 and "ok" in output
    code, output = run("rules", "build", "--rules", str(rules), "--model", str(model))
    assert code == 0 and output.startswith("built")
    code, output = run("rules", "build", "--rules", str(rules), "--model", str(model))
    assert code == 0 and output.startswith("up to date")
    (rules / "abbreviations.jsonl").write_text('{"text": "Oct.", "colour": "x"}\n{"nope": 1}\n')
    code, output = run("rules", "build", "--rules", str(rules), "--model", str(model))
    assert code == 2
    assert "abbreviations.jsonl:1: unknown key 'colour'" in output
    assert "abbreviations.jsonl:2:" in output


@pytest.mark.parametrize("command", [[], ["extract"], ["inspect"], ["rules"], ["rules", "build"]])
def test_help_is_useful(command: list[str]) -> None:
    code, output = run(*command, "--help")
    assert code == 0 and "Usage" in output and len(output) > 200


def test_version() -> None:
    from pipeline import __version__

    assert run("--version") == (0, f"ceasefire-claims {__version__}\n")
