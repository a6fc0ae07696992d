"""The regression gate: metric floors stored in the repository, checked and only ever raised.

``data/gold/floors.json`` holds ``{"sets": {set: {metric path: floor}}}``, where
a metric path addresses one number of a set's metrics with ``/``
(``labels/entities.label/ACTOR/overlap/f1``). :func:`floor_failures` lists every
metric under its floor (or missing); :func:`raised_floors` moves floors up to the
current scores, never down. Lowering a floor is a deliberate, reviewed edit of
the file: the test suite fails while the working copy holds a floor lower than
the committed one (see ``tests/test_regression_gate.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

POLICY = (
    "Floors are raised as the rules improve (`ceasefire-claims rules evaluate --raise-floors`), "
    "never lowered silently: a lower value than the committed one fails the tests until it is "
    "committed on its own with the reason in the message (e.g. gold items were added)."
)


def flatten(metrics: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Return every number in a nested dict by its ``/``-joined path."""
    flat: dict[str, float] = {}
    for key, value in metrics.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, path + "/"))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[path] = float(value)
    return flat


def read_floors(path: Path) -> dict[str, dict[str, float]]:
    """Return set -> metric path -> floor ({} when the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    sets = data.get("sets", {}) if isinstance(data, dict) else {}
    return {s: {k: float(v) for k, v in floors.items()} for s, floors in sets.items()}


def write_floors(path: Path, floors: Mapping[str, Mapping[str, float]]) -> None:
    """Write the floors file with its policy, keys sorted (small diffs)."""
    data = {
        "policy": POLICY,
        "sets": {s: dict(sorted(f.items())) for s, f in sorted(floors.items())},
    }
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def floor_failures(
    metrics_by_set: Mapping[str, Mapping[str, Any]], floors: Mapping[str, Mapping[str, float]]
) -> list[str]:
    """Return one message per metric below its floor or no longer computed."""
    failures = []
    for set_name, set_floors in sorted(floors.items()):
        flat = flatten(metrics_by_set.get(set_name, {}))
        for path, floor in sorted(set_floors.items()):
            value = flat.get(path)
            if value is None:
                failures.append(f"{set_name}: {path}: no such metric (floor {floor})")
            elif value + 1e-9 < floor:
                failures.append(f"{set_name}: {path} = {value:.4f} is below its floor {floor:.4f}")
    return failures


def lowered_floors(
    current: Mapping[str, Mapping[str, float]], committed: Mapping[str, Mapping[str, float]]
) -> list[str]:
    """Return one message per floor that is lower in ``current`` than in ``committed`` (or gone)."""
    messages = []
    for set_name, old in sorted(committed.items()):
        new = current.get(set_name, {})
        for path, floor in sorted(old.items()):
            if path not in new:
                messages.append(f"{set_name}: {path}: floor {floor} removed")
            elif new[path] + 1e-9 < floor:
                messages.append(f"{set_name}: {path}: floor lowered from {floor} to {new[path]}")
    return messages


def raised_floors(
    floors: Mapping[str, Mapping[str, float]], metrics_by_set: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, float]]:
    """Return the floors moved up to the current scores (rounded down to 0.01), never down."""
    raised: dict[str, dict[str, float]] = {}
    for set_name, set_floors in floors.items():
        flat = flatten(metrics_by_set.get(set_name, {}))
        raised[set_name] = {
            path: max(floor, math.floor(flat.get(path, floor) * 100 + 1e-9) / 100)
            for path, floor in set_floors.items()
        }
    return raised
