"""Tests for pipeline.scoring: counts, one-to-one alignment, span matching, field equality."""

from __future__ import annotations

import pytest

from pipeline.scoring import Counts, align, counts_for, same_value, span_pairs, span_score


@pytest.mark.parametrize(
    "tp, fp, fn, precision, recall, f1",
    [
        (0, 0, 0, 0.0, 0.0, 0.0),
        (3, 1, 0, 0.75, 1.0, 0.8571),
        (2, 2, 2, 0.5, 0.5, 0.5),
        (0, 4, 1, 0.0, 0.0, 0.0),
    ],
)
def test_counts_scores(
    tp: int, fp: int, fn: int, precision: float, recall: float, f1: float
) -> None:
    c = Counts(tp, fp, fn)
    assert c.precision == pytest.approx(precision, abs=1e-4)
    assert c.recall == pytest.approx(recall, abs=1e-4)
    assert c.f1 == pytest.approx(f1, abs=1e-4)
    assert c.as_dict()["f1"] == pytest.approx(f1, abs=1e-4)


def test_counts_add_and_counts_for() -> None:
    total = Counts()
    total.add(counts_for(n_gold=3, n_pred=2, n_pairs=2))
    total.add(counts_for(n_gold=1, n_pred=4, n_pairs=1))
    assert (total.tp, total.fp, total.fn) == (3, 3, 1)


def test_align_takes_best_pairs_first_and_each_item_once() -> None:
    # gold 0 fits pred 0 (score 1) and pred 1 (score 5); gold 1 fits only pred 1 (score 3).
    scores = {(0, 0): 1.0, (0, 1): 5.0, (1, 1): 3.0}
    pairs = align([0, 1], [0, 1], lambda g, p: (scores[g, p],) if (g, p) in scores else None)
    assert pairs == [(0, 1)]  # pred 1 went to gold 0; gold 1 has nothing left


@pytest.mark.parametrize(
    "gold, pred, overlap, expected",
    [
        ((0, 5), (0, 5), False, (1.0, 5.0)),
        ((0, 5), (0, 4), False, None),
        ((0, 5), (3, 9), True, (0.0, 2.0)),
        ((0, 5), (5, 9), True, None),  # touching is not overlapping
    ],
)
def test_span_score(
    gold: tuple[int, int], pred: tuple[int, int], overlap: bool, expected: object
) -> None:
    assert span_score(gold, pred, overlap=overlap) == expected


def test_span_pairs_prefer_exact_then_largest_overlap() -> None:
    gold = [(0, 10), (20, 30)]
    pred = [(2, 8), (0, 10), (25, 40)]
    assert span_pairs(gold, pred, overlap=False) == [(0, 1)]
    assert span_pairs(gold, pred, overlap=True) == [(0, 1), (1, 2)]
    assert span_pairs(gold, pred, overlap=True, agree=lambda g, p: p != 1) == [(0, 0), (1, 2)]


@pytest.mark.parametrize(
    "gold, pred, equal",
    [
        (21320, 21320.0, True),
        (0.5, 0.5000000001, True),
        (7, 8, False),
        ("Hamas", "hamas ", True),
        (None, None, True),
        (None, "x", False),
        ("x", None, False),
        (True, True, True),
        (True, 1, False),
        (False, False, True),
    ],
)
def test_same_value(gold: object, pred: object, equal: bool) -> None:
    assert same_value(gold, pred) is equal
