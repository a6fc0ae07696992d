"""Walkthrough of "when new sources arrive": suggest, accept, build, evaluate, all via the CLI.

A temporary copy of the repository (its rules, plus three invented articles from a
new outlet and their gold annotations) goes through the four commands a curator
runs. The new source brings an unknown outlet ("Meridian Herald"), an unknown
official with a title ("Foreign Minister Lars Ekholm") and a cue verb the rules
lack ("disclosed"); after accepting those three candidates the model finds them,
and evaluate shows the recall gain.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "walkthrough"
ACCEPTED = ("actor:meridian_herald", "person:lars_ekholm", "cue:disclose")


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _candidates(folder: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for path in folder.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                row = json.loads(line)
                rows[row["id"]] = row
    return rows


def _recall(metrics: dict[str, Any], *path: str) -> float:
    node: Any = metrics["sets"]["new_source"]
    for key in path:
        node = node[key]
    return float(node["recall"])


@pytest.mark.slow
def test_new_source_walkthrough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "rules", tmp_path / "rules", ignore=shutil.ignore_patterns("candidates"))
    shutil.copytree(FIXTURE / "raw", tmp_path / "data" / "raw")
    shutil.copytree(FIXTURE / "gold", tmp_path / "data" / "gold")
    monkeypatch.chdir(tmp_path)

    assert "built" in _run("rules", "build")
    _run("rules", "evaluate", "--out", "models/before.json")
    before = json.loads(Path("models/before.json").read_text(encoding="utf-8"))

    report = _run("rules", "suggest", "data/raw/new_source")
    assert "Meridian Herald" in report
    candidates = _candidates(Path("rules/candidates"))
    assert set(ACCEPTED) <= set(candidates)
    assert candidates["actor:meridian_herald"]["target"] == "actors"
    assert candidates["person:lars_ekholm"]["row"]["title"] == "foreign minister"
    assert candidates["cue:disclose"]["target"] == "claim_cues"
    assert all(len(candidates[i]["examples"]) >= 1 for i in ACCEPTED)
    rules_before = {p.name: p.read_text(encoding="utf-8") for p in Path("rules").glob("*.jsonl")}
    assert rules_before == {
        p.name: p.read_text(encoding="utf-8") for p in (ROOT / "rules").glob("*.jsonl")
    }

    files = [str(p) for p in sorted(Path("rules/candidates").glob("*.jsonl"))]
    added = _run("rules", "accept", *files, "--ids", ",".join(ACCEPTED))
    assert "built" in added
    for target in ("actors", "people", "claim_cues"):
        new = Path(f"rules/{target}.jsonl").read_text(encoding="utf-8")
        assert new.startswith(rules_before[f"{target}.jsonl"].rstrip("\n"))  # only additions
        assert len(new.splitlines()) == len(rules_before[f"{target}.jsonl"].splitlines()) + 1
    assert "up to date" in _run("rules", "build")  # accept already rebuilt

    table = _run("rules", "evaluate", "--out", "models/after.json")
    assert "entities.label" in table
    after = json.loads(Path("models/after.json").read_text(encoding="utf-8"))
    for path in (
        ("labels", "entities.label", "ACTOR", "overlap"),
        ("labels", "entities.label", "PERSON", "overlap"),
        ("labels", "entities.actor_id", "meridian_herald", "exact"),
        ("fields", "claims", "claimant_id"),
    ):
        assert _recall(after, *path) > _recall(before, *path), path
    assert _recall(before, "labels", "entities.actor_id", "meridian_herald", "exact") == 0.0
    assert _recall(after, "labels", "entities.actor_id", "meridian_herald", "exact") == 1.0
    assert (
        after["sets"]["new_source"]["rules"]["entities:actor:meridian_herald"]["precision"] == 1.0
    )

    _run("rules", "suggest", "data/raw/new_source")
    assert not set(ACCEPTED) & set(
        _candidates(Path("rules/candidates"))
    )  # known now: not proposed again
