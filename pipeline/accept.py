"""Merging reviewed candidates into the rules files, validated, with small diffs, then rebuilding.

A candidate row (written by :mod:`pipeline.suggest`, edited by a reviewer)
carries its ``target`` rules file and the ``row`` to add. :func:`accept_candidates`
inserts the selected rows into a copy of the rules folder, validates the copy
exactly as ``rules build`` does (every file, cross-file ids, then each
component's own checks by building the model from it) and only then writes the
real files. Every problem is reported against the candidate's own ``file:line``
when it concerns a new row. Existing lines (comments included) are kept byte for
byte; new rows go where the file's sort order puts them, or at the end of a file
that is not sorted, so a diff shows only the added lines.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.build import BuildResult, build_model, rule_specs, tool_specs
from pipeline.rules import IGNORED_PARTS, RuleProblem, RulesError, RuleSpec


@dataclass(frozen=True)
class Accepted:
    """One candidate row chosen for merging, with the place it came from."""

    path: str
    line: int
    id: str
    target: str
    row: Mapping[str, Any]


@dataclass
class AcceptResult:
    """What ``accept`` did: rows added per rules file (and their new line numbers), the build."""

    added: dict[str, list[int]] = field(default_factory=dict)
    build: BuildResult | None = None


def _jsonl_records(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            yield line, json.loads(raw), None
        except json.JSONDecodeError as exc:
            yield line, None, f"not valid JSON ({exc.msg} at column {exc.colno})"


def read_candidates(
    paths: Sequence[Path], *, ids: Sequence[str] = (), specs: Mapping[str, RuleSpec]
) -> tuple[list[Accepted], list[RuleProblem]]:
    """Return the selected candidates (all, or those in ``ids``) and every problem found."""
    files = [
        p
        for path in map(Path, paths)
        for p in (sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    ]
    chosen: list[Accepted] = []
    problems: list[RuleProblem] = []
    wanted = set(ids)
    for path in files:
        if not path.exists():
            problems.append(RuleProblem(str(path), 0, "file not found"))
            continue
        for line, obj, error in _jsonl_records(path):
            where = RuleProblem(str(path), line, "")
            if error or not isinstance(obj, dict):
                problems.append(
                    RuleProblem(where.path, line, error or "a candidate must be a JSON object")
                )
                continue
            cid = str(obj.get("id", ""))
            if wanted and cid not in wanted:
                continue
            target, row = obj.get("target"), obj.get("row")
            if target not in specs:
                problems.append(
                    RuleProblem(where.path, line, f"target {target!r} is not a rules file")
                )
            elif not isinstance(row, dict) or not row:
                problems.append(
                    RuleProblem(where.path, line, "row must be a non-empty JSON object")
                )
            else:
                chosen.append(Accepted(str(path), line, cid, str(target), row))
    for missing in sorted(wanted - {c.id for c in chosen}):
        problems.append(
            RuleProblem(", ".join(map(str, paths)), 0, f"no candidate with id {missing!r}")
        )
    return chosen, problems


def row_line(row: Mapping[str, Any], spec: RuleSpec) -> str:
    """Return a row as one JSONL line: the spec's key order, empty values left out."""
    ordered = [k for k in spec.fields if k in row] + sorted(k for k in row if k not in spec.fields)
    clean = {k: row[k] for k in ordered if row[k] not in (None, "", [])}
    return json.dumps(clean, ensure_ascii=False)


def sort_key(row: Mapping[str, Any], spec: RuleSpec) -> tuple[str, ...]:
    """Return the key a rules file is sorted by: its unique columns, lower case."""
    keys = spec.unique or tuple(spec.fields)[:1]
    return tuple(str(row.get(k) if row.get(k) is not None else "").lower() for k in keys)


def merged_lines(
    existing: list[str], new_rows: Sequence[Mapping[str, Any]], spec: RuleSpec
) -> tuple[list[str], list[int]]:
    """Return the file's lines with ``new_rows`` inserted, and the 1-based lines they landed on.

    Existing lines stay as they are. When the file's rows are sorted by
    :func:`sort_key`, each new row goes before the first row with a larger key;
    otherwise new rows are appended, sorted among themselves.
    """
    keyed: list[tuple[int, tuple[str, ...]]] = []
    for index, raw in enumerate(existing):
        try:
            obj = json.loads(raw) if raw.strip() and not raw.lstrip().startswith("#") else None
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            keyed.append((index, sort_key(obj, spec)))
    is_sorted = len(keyed) > 1 and all(a[1] <= b[1] for a, b in zip(keyed, keyed[1:], strict=False))
    inserts: dict[int, list[str]] = defaultdict(list)  # insert before this index of existing
    for row in sorted(new_rows, key=lambda r: sort_key(r, spec)):
        position = len(existing)
        if is_sorted:
            position = next((i for i, k in keyed if k > sort_key(row, spec)), len(existing))
        inserts[position].append(row_line(row, spec))
    lines: list[str] = []
    landed: list[int] = []
    for index in range(len(existing) + 1):
        for text in inserts.get(index, []):
            lines.append(text)
            landed.append(len(lines))
        if index < len(existing):
            lines.append(existing[index])
    return lines, landed


def _copy_rules(rules_dir: Path, dest: Path) -> None:
    shutil.copytree(
        rules_dir, dest, ignore=lambda d, names: [n for n in names if n in IGNORED_PARTS]
    )


def accept_candidates(
    paths: Sequence[Path],
    *,
    rules_dir: Path,
    model_dir: Path | None,
    ids: Sequence[str] = (),
) -> AcceptResult:
    """Merge the chosen candidates into ``rules_dir``, then rebuild ``model_dir`` (None: do not).

    Raises:
        RulesError: nothing is written when a candidate is malformed or would make
            the rules invalid; problems with new rows name the candidate's file:line.
    """
    rules_dir = Path(rules_dir)
    specs = {s.name: s for s in [*rule_specs(), *tool_specs(rules_dir)]}
    chosen, problems = read_candidates(paths, ids=ids, specs=specs)
    if problems:
        raise RulesError(problems)
    by_target: dict[str, list[Accepted]] = defaultdict(list)
    for candidate in chosen:
        by_target[candidate.target].append(candidate)
    result = AcceptResult()
    with tempfile.TemporaryDirectory(prefix="accept.") as tmp:
        staged = Path(tmp) / "rules"
        _copy_rules(rules_dir, staged)
        origin: dict[tuple[str, int], Accepted] = {}
        landed_by_path: dict[str, list[int]] = {}
        texts: dict[str, str] = {}
        for target, rows in sorted(by_target.items()):
            path = staged / f"{target}.jsonl"
            existing = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            order = sorted(rows, key=lambda c: sort_key(c.row, specs[target]))
            lines, landed = merged_lines(existing, [c.row for c in order], specs[target])
            texts[target] = "\n".join(lines) + "\n"
            path.write_text(texts[target], encoding="utf-8")
            result.added[target] = landed_by_path[str(path)] = landed
            for line, candidate in zip(landed, order, strict=True):
                origin[str(path), line] = candidate
        try:
            build = build_model(
                staged, Path(tmp) / "model" if model_dir is None else Path(model_dir), force=True
            )
        except RulesError as exc:
            located = [_located(p, origin, landed_by_path, staged, rules_dir) for p in exc.problems]
            raise RulesError(located) from None
        for target, text in texts.items():
            _write_atomic(rules_dir / f"{target}.jsonl", text)
    if model_dir is not None:
        result.build = BuildResult(Path(model_dir), True, build.rules_hash, build.code_hash)
    return result


def _located(
    problem: RuleProblem,
    origin: Mapping[tuple[str, int], Accepted],
    landed: Mapping[str, list[int]],
    staged: Path,
    rules_dir: Path,
) -> RuleProblem:
    """Return the problem at the candidate's file:line, or at the line of the real rules file."""
    candidate = origin.get((problem.path, problem.line))
    if candidate is not None:
        return RuleProblem(
            candidate.path,
            candidate.line,
            f"{candidate.id} -> {candidate.target}: {problem.message}",
        )
    line = problem.line - sum(1 for n in landed.get(problem.path, []) if n < problem.line)
    message = problem.message.replace(str(staged), str(rules_dir))
    return RuleProblem(problem.path.replace(str(staged), str(rules_dir)), line, message)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
