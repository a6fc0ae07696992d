"""Cross-source figures: the same reported number side by side across documents and outlets.

A *figure* is one mention of a counted fact (a death toll, a hostage or prisoner
count, aid trucks, a truce's length). :func:`figure_mentions` turns the numeric
rows of the claims table (and, for categories the claims table has no numbers
for, the quantities table) into :class:`Figure` records; :func:`iter_figures`
groups them and flags each one. Nothing is merged, averaged or dropped: every
mention keeps its document, publication date, outlet, claimant, qualifier and
value. Two keys group the mentions:

- ``series_key`` is what is counted: ``claim_type|category|object_id`` ("-" for
  a missing part), e.g. ``casualties|killed|palestinians``;
- ``figure_key`` is the series plus the period the figure describes
  (``YYYY-MM``): the month of the claim's event date, or the month of
  publication for a running total (no event date, or a "since" date such as
  "since Oct. 7", so the count is as of the article); ``period_source`` says which.

Within a figure key, ``disagreement`` is set when the documents sharing it do
not report the same numbers (``values_differ``) or the same claimants, the
outlet's own voice (claimant null) counting as one (``claimants_differ``); a
single document never disagrees with itself. ``is_latest_for_claimant``
marks each claimant's most recent figure in a series. :func:`figures_table`
reads the other tables from a folder and returns the typed ``figures`` table;
the extract job runs it after writing the other tables.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.tables import SCHEMAS, record_row, stable_id, table_from_rows

Row = Mapping[str, Any]

#: Date relations that make a figure a running total counted up to the article's day.
RUNNING_RELATIONS: frozenset[str] = frozenset({"since"})

#: Quantity categories never used as a fallback figure (no counted fact to compare).
UNCOUNTED_CATEGORIES: frozenset[str] = frozenset({"other"})

#: Columns that hold a mention's number; a row with none of them is no figure.
NUMBER_COLUMNS: tuple[str, ...] = ("value", "low", "high")

_MISSING = "-"
_WEEK = re.compile(r"^(\d{4})-W(\d{2})")
_MONTH = re.compile(r"^\d{4}-\d{2}")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True, slots=True)
class Figure:
    """One mention of a counted fact, with its grouping keys and cross-source flags.

    Slotted: a corpus holds thousands, and a ``__dict__`` apiece doubled the builder's memory.
    """

    figure_id: str
    figure_key: str
    series_key: str
    period: str | None
    period_source: str | None  # event_date | published
    origin: str  # claims | quantities
    doc_id: str
    claim_id: str | None
    mention_id: str | None
    sentence: int | None
    start_char: int | None
    end_char: int | None
    published: dt.date | None
    outlet: str | None
    claim_type: str | None
    predicate: str | None
    category: str | None
    subject_id: str | None
    object_id: str | None
    unit: str | None
    value: float | None
    low: float | None
    high: float | None
    qualifier: str | None
    claimant_id: str | None
    claimant_text: str | None
    claimant_anonymous: bool | None
    basis_id: str | None
    modality: str | None
    event_date: str | None
    text: str | None  # the number as written
    evidence: str | None
    n_mentions_in_key: int = 1
    n_docs_in_key: int = 1
    n_values_in_key: int = 1
    n_claimants_in_key: int = 1
    values_differ: bool = False
    claimants_differ: bool = False
    disagreement: bool = False
    is_latest_for_claimant: bool = True


def _carried_columns(table: str) -> list[str]:
    """Return the columns of ``table`` a :class:`Figure` carries (the rest is never read)."""
    return [name for name in SCHEMAS[table].names if name in Figure.__dataclass_fields__]


def period_of(value: str | None) -> str | None:
    """Return the ``YYYY-MM`` month (or ``YYYY``) an ISO date value falls in.

    A day or month gives its month, an ISO week the month of its Thursday, a year
    itself, an interval ``a/b`` the period of its end; anything else None.
    """
    if not value:
        return None
    value = value.split("/")[-1]
    week = _WEEK.match(value)
    if week:
        year, number = int(week.group(1)), int(week.group(2))
        try:
            return dt.date.fromisocalendar(year, number, 4).strftime("%Y-%m")
        except ValueError:
            return None
    found = _MONTH.match(value) or _YEAR.match(value)
    return found.group(0) if found else None


def figure_period(
    event_date: str | None, published: dt.date | None, *, running: bool
) -> tuple[str | None, str | None]:
    """Return ``(period, period_source)``: the event's month, else the month of publication.

    A running total (``running``) is always dated by publication: "21,320 killed
    since Oct. 7" describes the toll on the article's day, not in October.
    """
    if not running:
        period = period_of(event_date)
        if period:
            return period, "event_date"
    if published is not None:
        return published.strftime("%Y-%m"), "published"
    return None, None


def series_key_of(claim_type: str | None, category: str | None, object_id: str | None) -> str:
    """Return the series key ``claim_type|category|object_id`` ("-" for a missing part)."""
    return "|".join(part or _MISSING for part in (claim_type, category, object_id))


def _has_number(row: Row) -> bool:
    return any(row.get(k) is not None for k in ("value", "low", "high"))


def _number_key(row: Row) -> tuple[Any, ...]:
    """Return what ties a claim to the quantity mention it carries: place and numbers."""
    return (row["doc_id"], row.get("sentence"), row.get("value"), row.get("low"), row.get("high"))


def _gap(a: Row, b: Row) -> int:
    """Return the characters between two spans (0 when they touch or overlap)."""
    a_start, a_end = a.get("start_char") or 0, a.get("end_char") or 0
    b_start, b_end = b.get("start_char") or 0, b.get("end_char") or 0
    return max(0, b_start - a_end, a_start - b_end)


def running_claims(
    claims: Sequence[Row], dates: Iterable[Row], *, relations: Collection[str] = RUNNING_RELATIONS
) -> set[int]:
    """Return the indices of the numeric ``claims`` that are running totals.

    A claim without an event date is one (counted as of the article). A date with a
    running relation ("since Oct. 7") makes a running total of the nearest claim of
    each kind (claim type and category) in its sentence that took it as event date:
    in "since Oct. 7 ... killed at least 21,320, ... an attack that left about 1,140
    dead" the 21,320 runs since October, the 1,140 is the attack's own toll.
    """
    starts: dict[tuple[Any, ...], list[tuple[int, Row]]] = defaultdict(list)
    for n, d in enumerate(dates):
        if d.get("relation") in relations and d.get("value"):
            starts[(d["doc_id"], d["sentence"], d["value"])].append((n, d))
    running = {i for i, c in enumerate(claims) if not c.get("event_date")}
    nearest: dict[tuple[Any, ...], tuple[int, int]] = {}
    for i, c in enumerate(claims):
        for n, d in starts.get((c["doc_id"], c.get("sentence"), c.get("event_date")), []):
            kind = (n, c.get("claim_type"), c.get("category"))
            gap = _gap(c, d)
            if kind not in nearest or gap < nearest[kind][0]:
                nearest[kind] = (gap, i)
    return running | {i for _, i in nearest.values()}


def figure_mentions(
    claims: Iterable[Row],
    documents: Iterable[Row],
    *,
    quantities: Iterable[Row] = (),
    dates: Iterable[Row] = (),
    running_relations: Collection[str] = RUNNING_RELATIONS,
    uncounted_categories: Collection[str] = UNCOUNTED_CATEGORIES,
) -> list[Figure]:
    """Return one :class:`Figure` per numeric claim, plus fallback quantity mentions.

    Args:
        claims: rows of the claims table; those with a value, low or high are figures.
        documents: rows with at least ``doc_id``, ``published`` and ``outlet``.
        quantities: rows of the quantities table; a quantity becomes a figure only
            when no numeric claim has its category or carries its number (same
            sentence, same value and bounds), and its category is counted.
        dates: rows of the dates table, to tell running totals ("since ...") apart.
        running_relations: date relations that make a figure a running total.
        uncounted_categories: quantity categories never used as a fallback.
    """
    docs = {d["doc_id"]: d for d in documents}
    claims = [c for c in claims if _has_number(c)]
    running = running_claims(claims, dates, relations=running_relations)
    quantities = list(quantities)
    numbers = {_number_key(q): q for q in reversed(quantities)}
    figures: list[Figure] = []
    claimed: set[str | None] = set()
    carried: set[tuple[Any, ...]] = set()
    for i, c in enumerate(claims):
        claimed.add(c.get("category"))
        carried.add(_number_key(c))
        doc = docs.get(c["doc_id"], {})
        event_date = c.get("event_date")
        period, source = figure_period(event_date, doc.get("published"), running=i in running)
        series = series_key_of(c.get("claim_type"), c.get("category"), c.get("object_id"))
        number = numbers.get(_number_key(c), {})
        figures.append(
            Figure(
                figure_id=stable_id("claims", c["doc_id"], c.get("claim_id")),
                figure_key=f"{series}|{period or _MISSING}",
                series_key=series,
                period=period,
                period_source=source,
                origin="claims",
                doc_id=c["doc_id"],
                claim_id=c.get("claim_id"),
                mention_id=number.get("mention_id"),
                sentence=c.get("sentence"),
                start_char=c.get("start_char"),
                end_char=c.get("end_char"),
                published=doc.get("published"),
                outlet=doc.get("outlet"),
                claim_type=c.get("claim_type"),
                predicate=c.get("predicate"),
                category=c.get("category"),
                subject_id=c.get("subject_id"),
                object_id=c.get("object_id"),
                unit=c.get("unit"),
                value=c.get("value"),
                low=c.get("low"),
                high=c.get("high"),
                qualifier=c.get("qualifier"),
                claimant_id=c.get("claimant_id"),
                claimant_text=c.get("claimant_text"),
                claimant_anonymous=c.get("claimant_anonymous"),
                basis_id=c.get("basis_id"),
                modality=c.get("modality"),
                event_date=event_date,
                text=number.get("text"),
                evidence=c.get("evidence"),
            )
        )
    skip = claimed | set(uncounted_categories) | {None}
    for q in quantities:
        if q.get("category") in skip or not _has_number(q) or _number_key(q) in carried:
            continue
        doc = docs.get(q["doc_id"], {})
        period, source = figure_period(None, doc.get("published"), running=True)
        series = series_key_of(None, q["category"], None)
        figures.append(
            Figure(
                figure_id=stable_id("quantities", q["doc_id"], q.get("mention_id")),
                figure_key=f"{series}|{period or _MISSING}",
                series_key=series,
                period=period,
                period_source=source,
                origin="quantities",
                doc_id=q["doc_id"],
                claim_id=None,
                mention_id=q.get("mention_id"),
                sentence=q.get("sentence"),
                start_char=q.get("start_char"),
                end_char=q.get("end_char"),
                published=doc.get("published"),
                outlet=doc.get("outlet"),
                claim_type=None,
                predicate=None,
                category=q["category"],
                subject_id=None,
                object_id=None,
                unit=q.get("unit"),
                value=q.get("value"),
                low=q.get("low"),
                high=q.get("high"),
                qualifier=q.get("qualifier"),
                claimant_id=None,
                claimant_text=None,
                claimant_anonymous=None,
                basis_id=None,
                modality=None,
                event_date=None,
                text=q.get("text"),
                evidence=None,
            )
        )
    return figures


def _order(f: Figure) -> tuple[Any, ...]:
    return (f.series_key, f.period or "", f.published or dt.date.min, f.doc_id, f.start_char or 0)


def _documents_differ(group: Sequence[Figure], facet: Callable[[Figure], Any]) -> bool:
    """Return True when the documents of a key do not all report the same set of ``facet``.

    A document never disagrees with itself: "250 taken, 132 still held" in one article
    are two facts under one coarse key, while 21,320 here and 21,507 there is a conflict.
    """
    per_doc: dict[str, set[Any]] = defaultdict(set)
    for g in group:
        per_doc[g.doc_id].add(facet(g))
    return len({frozenset(v) for v in per_doc.values()}) > 1


def _numbers(f: Figure) -> tuple[float | None, float | None, float | None]:
    return (f.value, f.low, f.high)


def _claimant(f: Figure) -> str | None:
    return f.claimant_id


@dataclass(frozen=True)
class KeyStats:
    """The counts and flags every mention of one figure key shares."""

    n_mentions_in_key: int
    n_docs_in_key: int
    n_values_in_key: int
    n_claimants_in_key: int
    values_differ: bool
    claimants_differ: bool
    disagreement: bool


def key_stats(group: Sequence[Figure]) -> KeyStats:
    """Return the statistics of the mentions sharing one figure key (one pass per facet)."""
    values_differ = _documents_differ(group, _numbers)
    claimants_differ = _documents_differ(group, _claimant)
    return KeyStats(
        n_mentions_in_key=len(group),
        n_docs_in_key=len({g.doc_id for g in group}),
        n_values_in_key=len({_numbers(g) for g in group}),
        n_claimants_in_key=len({g.claimant_id for g in group}),
        values_differ=values_differ,
        claimants_differ=claimants_differ,
        disagreement=values_differ or claimants_differ,
    )


def iter_figures(mentions: Sequence[Figure]) -> Iterator[Figure]:
    """Yield every mention with its figure-key counts and flags, sorted by series and period.

    Linear in the mentions: they are grouped once, :func:`key_stats` runs once per key.
    """
    by_key: dict[str, list[Figure]] = defaultdict(list)
    latest: dict[tuple[str, str | None], tuple[str, dt.date]] = {}
    for f in mentions:
        by_key[f.figure_key].append(f)
        mark = (f.period or "", f.published or dt.date.min)
        who = (f.series_key, f.claimant_id)
        if who not in latest or mark > latest[who]:
            latest[who] = mark
    stats = {key: vars(key_stats(group)) for key, group in by_key.items()}
    for f in sorted(mentions, key=_order):
        yield replace(
            f,
            **stats[f.figure_key],
            is_latest_for_claimant=(f.period or "", f.published or dt.date.min)
            == latest[(f.series_key, f.claimant_id)],
        )


def _any_valid(columns: Iterable[str]) -> pc.Expression:
    """Return a filter keeping the rows where at least one of ``columns`` is not null."""
    found: pc.Expression | None = None
    for name in columns:
        valid = pc.field(name).is_valid()
        found = valid if found is None else found | valid
    assert found is not None
    return found


def _rows(
    folder: Path,
    name: str,
    columns: Sequence[str] | None = None,
    where: pc.Expression | None = None,
) -> list[dict[str, Any]]:
    """Return the ``columns`` of a table's rows ``where`` true, in file order; [] when absent.

    Columns and rows are cut by pyarrow before anything becomes a Python object:
    the builder holds the figure candidates, not the corpus' tables.
    """
    path = Path(folder) / f"{name}.parquet"
    if not path.exists():
        return []
    table = pq.read_table(path, columns=list(columns) if columns else None, filters=where)
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def figures_table(tables: Path) -> pa.Table:
    """Return the ``figures`` table built from the tables in folder ``tables``.

    Only rows that can matter are read: numeric claims and quantities (a figure,
    or the number a claim carries) and dates with a running relation.
    """
    numeric = _any_valid(NUMBER_COLUMNS)
    running = pc.field("relation").isin(sorted(RUNNING_RELATIONS)) & pc.field("value").is_valid()
    mentions = figure_mentions(
        _rows(tables, "claims", _carried_columns("claims"), numeric),
        _rows(tables, "documents", ["doc_id", "published", "outlet"]),
        quantities=_rows(tables, "quantities", _carried_columns("quantities"), numeric),
        dates=_rows(tables, "dates", [*_carried_columns("dates"), "relation"], running),
    )
    return table_from_rows("figures", [record_row(f) for f in iter_figures(mentions)])
