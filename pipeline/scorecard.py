"""Plain-text tables of a metrics dict, as ``rules evaluate`` prints them.

Three tables per gold set: per label (exact and overlap P/R/F with counts),
per field (accuracy on aligned mentions, P/R/F for claim fields) and per rule
(fired, right, wrong, precision; worst rules first, so a bad rule is found in one look).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any


def _prf(scores: Mapping[str, Any] | None) -> str:
    if not scores:
        return f"{'-':>5} {'-':>5} {'-':>5}"
    return f"{scores['precision']:5.2f} {scores['recall']:5.2f} {scores['f1']:5.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
    return "\n".join(lines)


def label_rows(labels: Mapping[str, Mapping[str, Any]]) -> Iterator[list[str]]:
    """Yield one row per table and group: P/R/F exact, P/R/F overlap (or match), counts."""
    for table, groups in labels.items():
        for group, modes in groups.items():
            main = modes.get("overlap") or modes.get("match") or {}
            yield [
                table,
                group,
                _prf(modes.get("exact")),
                _prf(main),
                f"{main.get('tp', 0)}/{main.get('fp', 0)}/{main.get('fn', 0)}",
            ]


def field_rows(fields: Mapping[str, Mapping[str, Any]]) -> Iterator[list[str]]:
    """Yield one row per section and field."""
    for section, by_field in fields.items():
        for name, s in by_field.items():
            if "accuracy" in s:
                yield [section, name, f"{s['correct']}/{s['n']}", f"acc {s['accuracy']:.2f}"]
            else:
                yield [section, name, f"{s['tp']}/{s['fp']}/{s['fn']}", _prf(s)]


def rule_rows(rules: Mapping[str, Mapping[str, Any]], *, limit: int) -> Iterator[list[str]]:
    """Yield the ``limit`` worst rules (most wrong first)."""
    for rule, s in list(rules.items())[:limit]:
        yield [rule, str(s["fired"]), str(s["right"]), str(s["wrong"]), f"{s['precision']:.2f}"]


def format_set(name: str, metrics: Mapping[str, Any], *, rule_limit: int = 25) -> str:
    """Return the three tables of one gold set."""
    items = ", ".join(f"{n} {s}" for s, n in metrics.get("items", {}).items())
    parts = [f"== {name}: {metrics.get('docs', 0)} documents ({items})"]
    parts.append(
        _table(
            ["table", "group", "exact P/R/F", "overlap P/R/F", "tp/fp/fn"],
            list(label_rows(metrics.get("labels", {}))),
        )
    )
    parts.append(
        _table(
            ["section", "field", "right", "score (P R F)"],
            list(field_rows(metrics.get("fields", {}))),
        )
    )
    rules = metrics.get("rules", {})
    shown = min(rule_limit, len(rules))
    parts.append(f"rules (worst {shown} of {len(rules)}):")
    parts.append(
        _table(
            ["rule", "fired", "right", "wrong", "prec"], list(rule_rows(rules, limit=rule_limit))
        )
    )
    return "\n\n".join(parts)
