"""The regression gate: the metrics of this working copy's rules must reach the repo's floors.

``data/gold/floors.json`` holds the floors; this session scores the pipeline built
from ``rules/`` (the ``nlp`` fixture) against every gold set and fails on any metric
below its floor. Floors are raised as the rules improve
(``ceasefire-claims rules evaluate --raise-floors``) and never lowered silently:
the second test fails while the working copy holds a floor lower than the one in
git HEAD, so lowering one is a deliberate commit of its own, with the reason.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.evaluate import evaluate
from pipeline.floors import floor_failures, lowered_floors, read_floors

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / "data" / "gold" / "floors.json"


def test_metrics_reach_their_floors(nlp: Language) -> None:
    floors = read_floors(FLOORS)
    assert floors, f"{FLOORS} holds no floors"
    result = evaluate(
        nlp, ROOT / "data" / "gold", raw_dir=ROOT / "data" / "raw", sets=sorted(floors)
    )
    failures = floor_failures(result.metrics["sets"], floors)
    assert not failures, (
        "\n".join(failures) + "\nSee which items: ceasefire-claims rules evaluate --errors 50. "
        "Fix the rules, or lower the floor in a commit of its own saying why (data/gold/README.md)."
    )


def test_floors_are_never_lowered_silently() -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    shown = subprocess.run(
        [git, "show", "HEAD:data/gold/floors.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        pytest.skip("floors.json is not committed yet")
    committed = {
        s: {k: float(v) for k, v in f.items()} for s, f in json.loads(shown.stdout)["sets"].items()
    }
    lowered = lowered_floors(read_floors(FLOORS), committed)
    assert not lowered, "\n".join(lowered) + "\nCommit a lowered floor on its own, with the reason."


def test_floors_are_scores() -> None:
    data = json.loads(FLOORS.read_text(encoding="utf-8"))
    assert data["policy"]
    for set_name, floors in data["sets"].items():
        assert (ROOT / "data" / "gold" / set_name).is_dir(), set_name
        assert all(0.0 <= v <= 1.0 for v in floors.values()), set_name
