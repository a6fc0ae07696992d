"""Tests for pipeline.floors: metric paths, floors checked, raised but never lowered."""

from __future__ import annotations

from pathlib import Path

from pipeline.floors import (
    flatten,
    floor_failures,
    lowered_floors,
    raised_floors,
    read_floors,
    write_floors,
)

METRICS = {
    "seeds": {
        "labels": {"entities.label": {"ACTOR": {"overlap": {"f1": 0.876, "tp": 7}}}},
        "docs": 5,
        "ok": True,
    }
}
PATH = "labels/entities.label/ACTOR/overlap/f1"


def test_flatten_addresses_every_number_by_path() -> None:
    assert flatten(METRICS["seeds"]) == {
        PATH: 0.876,
        "labels/entities.label/ACTOR/overlap/tp": 7.0,
        "docs": 5.0,
    }


def test_floor_failures_name_low_and_missing_metrics() -> None:
    assert floor_failures(METRICS, {"seeds": {PATH: 0.87}}) == []
    assert floor_failures(METRICS, {"seeds": {PATH: 0.88}}) == [
        f"seeds: {PATH} = 0.8760 is below its floor 0.8800"
    ]
    assert floor_failures(METRICS, {"seeds": {"labels/x/f1": 0.5}}) == [
        "seeds: labels/x/f1: no such metric (floor 0.5)"
    ]


def test_raised_floors_round_down_and_never_go_lower() -> None:
    assert raised_floors({"seeds": {PATH: 0.5}}, METRICS) == {"seeds": {PATH: 0.87}}
    assert raised_floors({"seeds": {PATH: 0.9}}, METRICS) == {"seeds": {PATH: 0.9}}
    assert raised_floors({"seeds": {"labels/gone/f1": 0.4}}, METRICS) == {
        "seeds": {"labels/gone/f1": 0.4}
    }


def test_lowered_floors_compare_with_the_committed_file() -> None:
    committed = {"seeds": {PATH: 0.8, "docs": 5.0}}
    assert lowered_floors({"seeds": {PATH: 0.85, "docs": 5.0}}, committed) == []
    assert lowered_floors({"seeds": {PATH: 0.7}}, committed) == [
        "seeds: docs: floor 5.0 removed",
        f"seeds: {PATH}: floor lowered from 0.8 to 0.7",
    ]


def test_floors_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "floors.json"
    assert read_floors(path) == {}
    write_floors(path, {"seeds": {PATH: 0.87}})
    assert read_floors(path) == {"seeds": {PATH: 0.87}}
    assert '"policy"' in path.read_text(encoding="utf-8")
