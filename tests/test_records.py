"""Tests for pipeline.records: ``evolve`` copies a frozen record like ``dataclasses.replace``."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.records import Entity, Quantity, evolve


@pytest.mark.parametrize(
    ("record", "changes"),
    [
        (Entity(0, 0, 5, "Egypt", "ACTOR", actor_id="EGY"), {"role": "mediator", "role_rule": "x"}),
        (Entity(1, 7, 12, "Kamel", "PERSON"), {}),
        (Quantity(2, 3, 6, "100", 100.0), {"category": "killed", "low": 90.0}),
    ],
)
def test_evolve_is_replace(record: object, changes: dict[str, object]) -> None:
    copy = evolve(record, **changes)
    expected = dataclasses.replace(record, **changes)  # type: ignore[type-var]
    assert copy == expected and hash(copy) == hash(expected)
    assert copy is not record
    assert dataclasses.asdict(copy) == dataclasses.asdict(expected)  # type: ignore[call-overload]


def test_evolve_leaves_the_original() -> None:
    record = Entity(0, 0, 5, "Egypt", "ACTOR")
    evolve(record, role="party")
    assert record.role is None


def test_evolve_rejects_unknown_fields() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        evolve(Entity(0, 0, 5, "Egypt", "ACTOR"), colour="red")
