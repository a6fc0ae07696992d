"""Strict loading of rule files: the mechanism behind "rules are data".

Every rules file in ``rules/`` is JSONL (one object per line, ``#`` lines are
comments) or CSV (a header row, ``|`` separating list items). Each file is read
against a :class:`RuleSpec` that names its allowed keys, their types, allowed
values and cross-file references. Problems are collected, never raised one at a
time, and each names ``file:line`` so a curator can fix them all in one pass.
Components call :func:`load_rule_rows` from ``initialize()`` and ``from_disk()``;
``rules build`` calls :func:`validate_rules_dir` to check everything before a
model is written. This module knows nothing of actors or cue verbs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Files and folders under ``rules/`` that are not rules (reviewed by people first).
IGNORED_PARTS = frozenset({"candidates", "README.md"})


@dataclass(frozen=True)
class RuleProblem:
    """One problem found in a rules file, located by path and 1-based line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class RulesError(ValueError):
    """Raised with every problem found, so all of them can be fixed at once."""

    def __init__(self, problems: Sequence[RuleProblem]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in rules:\n{lines}")


@dataclass(frozen=True)
class Field:
    """One allowed key of a rules row.

    Attributes:
        kind: ``str``, ``int``, ``float``, ``bool``, ``list`` (of strings) or ``any``.
        required: the key must be present and non-empty.
        choices: allowed values (for lists: allowed items).
        ref: ``"file.key"``: every value must exist in that column of that file.
        default: value used when the key is absent.
    """

    kind: str = "str"
    required: bool = False
    choices: frozenset[str] | None = None
    ref: str | None = None
    default: Any = None


@dataclass(frozen=True)
class RuleSpec:
    """The shape of one rules file: its stem, fields and uniqueness key."""

    name: str
    fields: Mapping[str, Field]
    unique: tuple[str, ...] = ()
    unique_lower: bool = True
    description: str = ""

    def candidates(self, rules_dir: Path) -> list[Path]:
        """Return the existing files under ``rules_dir`` that hold this spec's rows."""
        return [
            p
            for p in (rules_dir / f"{self.name}.jsonl", rules_dir / f"{self.name}.csv")
            if p.exists()
        ]


@dataclass(frozen=True)
class RuleRow:
    """One validated row with the place it came from."""

    path: str
    line: int
    data: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key)
        return default if value is None else value


def _coerce(value: Any, spec: Field, key: str) -> tuple[Any, str | None]:
    """Return the value converted to the field's kind, or an error message."""
    if value is None or value == "":
        return spec.default, None
    kind = spec.kind
    if kind == "any":
        return value, None
    if kind == "list":
        if isinstance(value, str):
            value = [v.strip() for v in value.split("|") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, f"key {key!r} must be a list of strings"
        if spec.choices is not None:
            bad = [v for v in value if v not in spec.choices]
            if bad:
                return None, f"key {key!r} has values {bad} outside {sorted(spec.choices)}"
        return value, None
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0", "yes", "no"}:
            return value.lower() in {"true", "1", "yes"}, None
        return None, f"key {key!r} must be true or false"
    if kind in {"int", "float"}:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None, f"key {key!r} must be a number, got {value!r}"
        if kind == "int":
            if number != int(number):
                return None, f"key {key!r} must be a whole number, got {value!r}"
            return int(number), None
        return number, None
    if not isinstance(value, str):
        return None, f"key {key!r} must be a string, got {type(value).__name__}"
    if spec.choices is not None and value not in spec.choices:
        return None, f"key {key!r} is {value!r}, not one of {sorted(spec.choices)}"
    return value, None


def _raw_rows(path: Path, text: str) -> Iterator[tuple[int, Any, str | None]]:
    """Yield ``(line, object, error)`` for each record of a JSONL or CSV text."""
    if path.suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            line = reader.line_num
            if None in row:
                yield line, None, "more cells than header columns"
                continue
            yield line, {k: v for k, v in row.items() if v not in (None, "")}, None
        return
    for line, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            yield line, json.loads(stripped), None
        except json.JSONDecodeError as exc:
            yield line, None, f"not valid JSON ({exc.msg} at column {exc.colno})"


def read_rule_rows(path: Path, spec: RuleSpec) -> tuple[list[RuleRow], list[RuleProblem]]:
    """Read and check one rules file.

    Args:
        path: a ``.jsonl`` or ``.csv`` file.
        spec: what its rows may contain.

    Returns:
        The valid rows and the problems found (unknown keys, missing or mistyped
        values, duplicates of the ``unique`` key); a bad row is left out.
    """
    where = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return [], [RuleProblem(where, 0, "file not found")]
    except UnicodeDecodeError as exc:
        return [], [RuleProblem(where, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    rows: list[RuleRow] = []
    problems: list[RuleProblem] = []
    seen: dict[tuple[Any, ...], int] = {}
    for line, obj, error in _raw_rows(path, text):
        if error:
            problems.append(RuleProblem(where, line, error))
            continue
        if not isinstance(obj, dict):
            problems.append(RuleProblem(where, line, "a row must be a JSON object"))
            continue
        unknown = sorted(set(obj) - set(spec.fields))
        row_problems = [
            f"unknown key {k!r} (allowed: {', '.join(sorted(spec.fields))})" for k in unknown
        ]
        data: dict[str, Any] = {}
        for key, fspec in spec.fields.items():
            value, err = _coerce(obj.get(key), fspec, key)
            if err:
                row_problems.append(err)
            elif fspec.required and value in (None, "", []):
                row_problems.append(f"missing required key {key!r}")
            data[key] = value
        if not row_problems and spec.unique:
            ukey = tuple(
                (str(data[k]).lower() if spec.unique_lower and data[k] is not None else data[k])
                for k in spec.unique
            )
            if ukey in seen:
                row_problems.append(
                    f"duplicate {'/'.join(spec.unique)} {list(ukey)} (first on line {seen[ukey]})"
                )
            else:
                seen[ukey] = line
        if row_problems:
            problems.extend(RuleProblem(where, line, msg) for msg in row_problems)
        else:
            rows.append(RuleRow(where, line, data))
    return rows, problems


def load_rule_rows(path: Path, spec: RuleSpec) -> list[RuleRow]:
    """Return the rows of one rules file, raising :class:`RulesError` on any problem."""
    rows, problems = read_rule_rows(path, spec)
    if problems:
        raise RulesError(problems)
    return rows


def load_spec_rows(rules_dir: Path, spec: RuleSpec, *, required: bool = True) -> list[RuleRow]:
    """Return the rows of ``spec`` from ``rules_dir`` (its JSONL and/or CSV file)."""
    paths = spec.candidates(Path(rules_dir))
    if not paths:
        if required:
            raise RulesError(
                [RuleProblem(str(Path(rules_dir) / f"{spec.name}.jsonl"), 0, "file not found")]
            )
        return []
    rows: list[RuleRow] = []
    problems: list[RuleProblem] = []
    for path in paths:
        got, bad = read_rule_rows(path, spec)
        rows.extend(got)
        problems.extend(bad)
    if problems:
        raise RulesError(problems)
    return rows


def check_references(
    specs: Iterable[RuleSpec], rows_by_spec: Mapping[str, list[RuleRow]]
) -> list[RuleProblem]:
    """Return a problem for every ``ref`` value that names no row of the referenced file."""
    problems: list[RuleProblem] = []
    index: dict[str, set[str]] = {}
    for spec in specs:
        for key, fspec in spec.fields.items():
            if not fspec.ref:
                continue
            target_file, target_key = fspec.ref.split(".", 1)
            if fspec.ref not in index:
                index[fspec.ref] = {
                    str(r.data.get(target_key)) for r in rows_by_spec.get(target_file, [])
                }
            known = index[fspec.ref]
            for row in rows_by_spec.get(spec.name, []):
                value = row.data.get(key)
                values = value if isinstance(value, list) else [value]
                for v in values:
                    if v is not None and str(v) not in known:
                        problems.append(
                            RuleProblem(
                                row.path, row.line, f"{key} {v!r} is not a known {fspec.ref}"
                            )
                        )
    return problems


def validate_rules_dir(rules_dir: Path, specs: Sequence[RuleSpec]) -> dict[str, list[RuleRow]]:
    """Check every rules file in ``rules_dir`` against its spec and cross-file references.

    Raises:
        RulesError: with every problem in every file, including files that no
            spec knows (a typo in a file name would otherwise be silently ignored).
    """
    rules_dir = Path(rules_dir)
    problems: list[RuleProblem] = []
    rows_by_spec: dict[str, list[RuleRow]] = {}
    known_names = {s.name for s in specs}
    for path in sorted(rules_dir.iterdir()) if rules_dir.is_dir() else []:
        if path.name in IGNORED_PARTS or path.name.startswith("."):
            continue
        if path.is_dir() or path.suffix not in {".jsonl", ".csv"}:
            if path.suffix not in {".md", ".cfg"} and not path.is_dir():
                problems.append(RuleProblem(str(path), 0, "not a .jsonl or .csv rules file"))
            continue
        if path.stem not in known_names:
            problems.append(
                RuleProblem(
                    str(path), 0, f"unknown rules file (known: {', '.join(sorted(known_names))})"
                )
            )
    if not rules_dir.is_dir():
        problems.append(RuleProblem(str(rules_dir), 0, "rules directory not found"))
    for spec in specs:
        paths = spec.candidates(rules_dir)
        if not paths:
            problems.append(RuleProblem(str(rules_dir / f"{spec.name}.jsonl"), 0, "file not found"))
        rows: list[RuleRow] = []
        for path in paths:
            got, bad = read_rule_rows(path, spec)
            rows.extend(got)
            problems.extend(bad)
        rows_by_spec[spec.name] = rows
    problems.extend(check_references(specs, rows_by_spec))
    if problems:
        raise RulesError(problems)
    return rows_by_spec


def rules_hash(rules_dir: Path) -> str:
    """Return a short SHA-256 over every rules file (names and bytes), candidates excluded."""
    digest = hashlib.sha256()
    rules_dir = Path(rules_dir)
    for path in sorted(rules_dir.rglob("*")):
        rel = path.relative_to(rules_dir)
        if path.is_dir() or rel.parts[0] in IGNORED_PARTS:
            continue
        digest.update(str(rel).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def write_rule_rows(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write rows as JSONL, leaving out empty values, keys in a stable order."""
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            clean = {k: v for k, v in row.items() if v not in (None, "", [])}
            fh.write(json.dumps(clean, ensure_ascii=False, sort_keys=False) + "\n")
