"""Pure scoring: precision/recall/F1 counts and one-to-one alignment of gold and predictions.

Nothing here knows about spaCy or sections. :func:`align` pairs gold and
predicted items greedily by a score (best pairs first, each item used once);
:func:`span_pairs` is the exact or overlapping span version of it, and
:class:`Counts` adds up true positives, false positives and false negatives.
:func:`same_value` is the equality used for every field (numbers within a
small tolerance, text case-insensitive), so all tables agree on what "right" means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

G = TypeVar("G")
P = TypeVar("P")
Span = tuple[int, int]


@dataclass
class Counts:
    """True positives, false positives and false negatives, with the scores they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Return counts and rounded scores, the form stored in metrics.json."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def align(
    gold: Sequence[G],
    pred: Sequence[P],
    score: Callable[[G, P], tuple[float, ...] | None],
) -> list[tuple[int, int]]:
    """Return one-to-one ``(gold index, pred index)`` pairs, best-scoring pairs first.

    Args:
        gold: gold items.
        pred: predicted items.
        score: a sortable score for a compatible pair, None for an incompatible one.
    """
    scored = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            s = score(g, p)
            if s is not None:
                scored.append((s, -gi, -pi))
    scored.sort(reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, ngi, npi in scored:
        gi, pi = -ngi, -npi
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


def span_score(gold: Span, pred: Span, *, overlap: bool) -> tuple[float, ...] | None:
    """Return the alignment score of two character spans (None when they do not match)."""
    if gold == pred:
        return (1.0, float(gold[1] - gold[0]))
    if not overlap:
        return None
    shared = min(gold[1], pred[1]) - max(gold[0], pred[0])
    return (0.0, float(shared)) if shared > 0 else None


def span_pairs(
    gold: Sequence[Span],
    pred: Sequence[Span],
    *,
    overlap: bool,
    agree: Callable[[int, int], bool] | None = None,
) -> list[tuple[int, int]]:
    """Return aligned span pairs: identical spans, or (``overlap``) any shared character.

    Args:
        agree: an extra condition on ``(gold index, pred index)`` for a pair to count.
    """

    def score(gi: int, pi: int) -> tuple[float, ...] | None:
        if agree is not None and not agree(gi, pi):
            return None
        return span_score(gold[gi], pred[pi], overlap=overlap)

    return align(range(len(gold)), range(len(pred)), score)


def counts_for(n_gold: int, n_pred: int, n_pairs: int) -> Counts:
    """Return the counts of an alignment."""
    return Counts(tp=n_pairs, fp=n_pred - n_pairs, fn=n_gold - n_pairs)


def same_value(gold: Any, pred: Any) -> bool:
    """Return whether a predicted field value equals the gold one.

    Numbers are equal within 1e-6 (relative), booleans strictly, text ignoring
    case and surrounding space; None equals only None.
    """
    if gold is None or pred is None:
        return gold is None and pred is None
    if isinstance(gold, bool) or isinstance(pred, bool):
        return bool(gold) == bool(pred) and isinstance(gold, bool) == isinstance(pred, bool)
    if isinstance(gold, int | float) and isinstance(pred, int | float):
        return math.isclose(float(gold), float(pred), rel_tol=1e-6, abs_tol=1e-9)
    return str(gold).strip().lower() == str(pred).strip().lower()
