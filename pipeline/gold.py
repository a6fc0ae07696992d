"""Reading hand annotations: gold sets in ``data/gold/<set>/`` located in their texts.

A gold set is a folder of section files (``entities.jsonl``, ``quantities.jsonl``,
``dates.jsonl``, ``claims.jsonl``), one line per document ``{"doc", "items"}``.
Span items name their text by content (``"text"`` plus the 1-based occurrence
``"n"``), never by offsets, so they survive reformatting; :func:`read_gold_set`
finds each one in the document text and reports every problem (unknown keys,
missing text, unknown documents) as ``file:line`` instead of stopping. The texts
come from the set's own ``docs.jsonl`` (``{"id", "published", "text"}``) or else
from ``data/raw/<set>/`` read by :func:`pipeline.corpus.iter_inputs`, so headers
are stripped exactly as ``extract`` strips them. The allowed item keys are the
fields of the matching record class, so a new record field needs no change here.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.corpus import RawDoc, iter_inputs
from pipeline.records import Claim, DateMention, Entity, Quantity
from pipeline.rules import RuleProblem

#: Section name -> the record class its items describe (allowed keys are its fields).
SECTIONS: dict[str, type] = {
    "entities": Entity,
    "quantities": Quantity,
    "dates": DateMention,
    "claims": Claim,
}
#: Record fields that locate a mention; gold items say "text" and "n" instead.
OFFSET_FIELDS = frozenset({"sentence", "start_char", "end_char", "rule_id"})
#: Keys every item may carry besides the record fields.
COMMON_KEYS = frozenset({"note"})
#: Keys an item must carry, per section.
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "entities": ("text", "label"),
    "quantities": ("text",),
    "dates": ("text",),
    "claims": ("claim_type", "evidence"),
}
DOCS_FILE = "docs.jsonl"


@dataclass(frozen=True)
class GoldItem:
    """One annotated item, located in its document (span sections) or not (claims)."""

    doc: str
    path: str
    line: int
    start: int | None
    end: int | None
    data: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass
class GoldSet:
    """A gold set: its texts, its items by section and document, and what went wrong."""

    name: str
    docs: dict[str, RawDoc] = field(default_factory=dict)
    items: dict[str, dict[str, list[GoldItem]]] = field(default_factory=dict)
    problems: list[RuleProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def annotated(self, section: str) -> dict[str, list[GoldItem]]:
        """Return the items of ``section`` by document ({} when the section is absent)."""
        return self.items.get(section, {})


def allowed_keys(section: str) -> frozenset[str]:
    """Return the keys an item of ``section`` may carry."""
    names = {f.name for f in dataclasses.fields(SECTIONS[section])} - OFFSET_FIELDS
    if section != "claims":
        names |= {"text", "n"}
    return frozenset(names | COMMON_KEYS)


def nth_occurrence(text: str, needle: str, n: int = 1) -> int:
    """Return the offset of the ``n``-th (1-based) occurrence of ``needle``, or -1."""
    start = -1
    for _ in range(max(n, 1)):
        start = text.find(needle, start + 1)
        if start < 0:
            return -1
    return start


def set_texts(set_dir: Path, raw_dir: Path) -> tuple[dict[str, RawDoc], list[str]]:
    """Return the documents of a gold set by id, and notes on where they came from."""
    own = set_dir / DOCS_FILE
    source = own if own.exists() else raw_dir / set_dir.name
    if not source.exists():
        return {}, [f"{set_dir}: no {DOCS_FILE} and no {source}: no texts to evaluate"]
    docs: dict[str, RawDoc] = {}
    notes: list[str] = []
    for item in iter_inputs([source]):
        if isinstance(item, RawDoc):
            docs[item.doc_id] = item
        elif not item.kept:
            notes.append(f"{item.source}:{item.line or 0}: {item.reason}: {item.detail}")
    return docs, notes


def _section_lines(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            yield line, json.loads(raw), None
        except json.JSONDecodeError as exc:
            yield line, None, f"not valid JSON ({exc.msg} at column {exc.colno})"


def read_section(
    path: Path, section: str, docs: Mapping[str, RawDoc]
) -> tuple[dict[str, list[GoldItem]], list[RuleProblem]]:
    """Read one section file, locating span items in their documents.

    Returns:
        Items by document id (a document listed with no items maps to []), and
        every problem found; a bad item is left out, the others are kept.
    """
    where = str(path)
    allowed = allowed_keys(section)
    by_doc: dict[str, list[GoldItem]] = {}
    problems: list[RuleProblem] = []
    for line, obj, error in _section_lines(path):
        if error or not isinstance(obj, dict):
            problems.append(RuleProblem(where, line, error or "a line must be a JSON object"))
            continue
        extra = sorted(set(obj) - {"doc", "items"})
        if extra or not isinstance(obj.get("items"), list):
            problems.append(RuleProblem(where, line, 'a line is {"doc": ..., "items": [...]}'))
            continue
        doc_id = str(obj.get("doc"))
        raw = docs.get(doc_id)
        if raw is None:
            problems.append(RuleProblem(where, line, f"unknown document {doc_id!r}"))
            continue
        if doc_id in by_doc:
            problems.append(RuleProblem(where, line, f"document {doc_id!r} listed twice"))
            continue
        items = by_doc[doc_id] = []
        for index, data in enumerate(obj["items"], start=1):
            item, problem = _gold_item(data, section, allowed, raw, where, line)
            if problem:
                problems.append(RuleProblem(where, line, f"item {index}: {problem}"))
            elif item is not None:
                items.append(item)
    return by_doc, problems


def _gold_item(
    data: Any, section: str, allowed: frozenset[str], raw: RawDoc, where: str, line: int
) -> tuple[GoldItem | None, str | None]:
    """Return a located item, or the reason it cannot be used."""
    if not isinstance(data, dict):
        return None, "not a JSON object"
    unknown = sorted(set(data) - allowed)
    if unknown:
        return None, f"unknown keys {unknown} (allowed: {', '.join(sorted(allowed))})"
    missing = [k for k in REQUIRED_KEYS[section] if data.get(k) in (None, "")]
    if missing:
        return None, f"missing {missing}"
    if section == "claims":
        if str(data["evidence"]) not in raw.text:
            return None, f"evidence {data['evidence']!r} not found in the text"
        return GoldItem(raw.doc_id, where, line, None, None, data), None
    text, n = str(data["text"]), data.get("n", 1)
    if not isinstance(n, int) or n < 1:
        return None, f"n must be a whole number >= 1, got {n!r}"
    start = nth_occurrence(raw.text, text, n)
    if start < 0:
        return None, f"text {text!r} (occurrence {n}) not found in the document"
    return GoldItem(raw.doc_id, where, line, start, start + len(text), data), None


def read_gold_set(set_dir: Path, *, raw_dir: Path) -> GoldSet:
    """Read every section file present in ``set_dir`` (absent sections are noted, not errors)."""
    set_dir = Path(set_dir)
    gold = GoldSet(set_dir.name)
    gold.docs, gold.notes = set_texts(set_dir, Path(raw_dir))
    for section in SECTIONS:
        path = set_dir / f"{section}.jsonl"
        if not path.exists():
            gold.notes.append(f"{set_dir.name}: no {section}.jsonl, section skipped")
            continue
        gold.items[section], problems = read_section(path, section, gold.docs)
        gold.problems.extend(problems)
    return gold


def gold_set_dirs(gold_dir: Path) -> list[Path]:
    """Return the gold set folders under ``gold_dir`` that hold at least one section file."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        return []
    return [
        d
        for d in sorted(gold_dir.iterdir())
        if d.is_dir() and any((d / f"{s}.jsonl").exists() for s in SECTIONS)
    ]
