"""Month-partitioned Parquet datasets: the table layout the Dask engine writes.

Each table is a folder that keeps the table's file name, ``<out>/<table>.parquet/``,
holding hive-style partitions ``published_month=YYYY-MM/part-<stem>.parquet``
(``published_month=unknown`` for undated documents; ``rejects`` is not
partitioned). Every reader of ``<table>.parquet`` (``pd.read_parquet``,
``pq.read_table``, ``dask.dataframe.read_parquet``, :mod:`pipeline.views`, the
local engine) reads the folder as it reads the single file the local engine
writes, plus a ``published_month`` column where it discovers partitions.

:class:`PartWriter` writes one task's rows atomically (temporary file, fsync,
rename: a retried task overwrites what a killed attempt published);
:func:`carry_forward` keeps the rows of documents that are not re-extracted,
hard-linking untouched files so that an incremental run costs what it adds.
Nothing here knows about Dask.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.tables import TABLES, table_from_rows

PARTITION_KEY = "published_month"
#: Partition of undated documents. (Hive's ``__HIVE_DEFAULT_PARTITION__`` reads
#: back as null, which pandas cannot yet combine with a dictionary column.)
UNKNOWN_MONTH = "unknown"
#: Tables written without month partitions (their rows belong to no document).
UNPARTITIONED: frozenset[str] = frozenset({"rejects"})
#: Tables whose rows belong to documents, partitioned by the document's month.
DOCUMENT_TABLES: tuple[str, ...] = tuple(t for t in TABLES if t not in UNPARTITIONED)


def month_of(published: dt.date | None) -> str:
    """Return the partition of a publication date: ``YYYY-MM``, or ``unknown``."""
    return published.strftime("%Y-%m") if published else UNKNOWN_MONTH


def table_dir(root: Path, name: str) -> Path:
    """Return the dataset folder (or, in the local layout, the file) of table ``name``."""
    return Path(root) / f"{name}.parquet"


def part_path(root: Path, name: str, month: str | None, stem: str) -> Path:
    """Return the path of a part file (``month`` None: at the root of the table's folder)."""
    folder = table_dir(root, name)
    if month is not None:
        folder = folder / f"{PARTITION_KEY}={month}"
    return folder / f"part-{stem}.parquet"


def read_table(root: Path, name: str, *, columns: Sequence[str] | None = None) -> pa.Table:
    """Return table ``name`` (a file or a partitioned folder) without partition columns."""
    return ds.dataset(table_dir(root, name), format="parquet").to_table(columns=columns)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _mkdirs(path: Path, root: Path) -> None:
    """Create the folders between ``root`` and ``path``, never ``root`` itself.

    A task still running after its run was abandoned then fails instead of
    re-creating the deleted staging folder.
    """
    missing = list(path.parents[: len(path.relative_to(root).parts) - 1])
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")


def write_atomic(table: pa.Table, path: Path, *, root: Path) -> None:
    """Write ``table`` to ``path`` under ``root`` via a temporary file, fsync and rename."""
    _mkdirs(path, root)
    tmp = _temp_name(path)
    try:
        pq.write_table(table, tmp, compression="zstd")
        _fsync(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class PartWriter:
    """Write one task's rows as part files ``part-<stem>.parquet``, one per table and month.

    Tables are buffered per (table, month) and written as row groups of at least
    ``row_group_rows`` rows into temporary files, which :meth:`close` renames:
    part files appear complete or not at all.
    """

    def __init__(self, root: Path, stem: str, *, row_group_rows: int = 50_000) -> None:
        self.root = Path(root)
        self.stem = stem
        self.row_group_rows = row_group_rows
        self._buffers: dict[tuple[str, str], list[pa.Table]] = defaultdict(list)
        self._writers: dict[tuple[str, str], tuple[pq.ParquetWriter, Path]] = {}
        self.counts: Counter[str] = Counter()

    def add(self, name: str, table: pa.Table, months: Mapping[str, str]) -> None:
        """Buffer the rows of table ``name``; ``months`` maps each doc_id to its partition."""
        if not table.num_rows:
            return
        self.counts[name] += table.num_rows
        keys = [months[d] for d in table["doc_id"].to_pylist()]
        for month in sorted(set(keys)):
            part = (
                table if len(set(keys)) == 1 else table.filter(pa.array([k == month for k in keys]))
            )
            self._buffer((name, month), part)

    def _buffer(self, key: tuple[str, str], table: pa.Table) -> None:
        buffer = self._buffers[key]
        buffer.append(table)
        if sum(t.num_rows for t in buffer) >= self.row_group_rows:
            self._flush(key)

    def _flush(self, key: tuple[str, str]) -> None:
        buffer = self._buffers.pop(key, [])
        if not buffer:
            return
        name, month = key
        table = pa.concat_tables(buffer)
        if key not in self._writers:
            final = part_path(self.root, name, month, self.stem)
            _mkdirs(final, self.root)
            tmp = _temp_name(final)
            self._writers[key] = (pq.ParquetWriter(tmp, table.schema, compression="zstd"), tmp)
        self._writers[key][0].write_table(table, row_group_size=2**31 - 1)

    def close(self) -> Counter[str]:
        """Write what is buffered, publish every part file, return the rows written per table."""
        for key in list(self._buffers):
            self._flush(key)
        for (name, month), (writer, tmp) in self._writers.items():
            writer.close()
            _fsync(tmp)
            os.replace(tmp, part_path(self.root, name, month, self.stem))
        self._writers.clear()
        return self.counts

    def abort(self) -> None:
        """Remove every unpublished file (after an error)."""
        for writer, tmp in self._writers.values():
            try:
                writer.close()
            finally:
                tmp.unlink(missing_ok=True)
        self._writers.clear()
        self._buffers.clear()


# -- the previous output ------------------------------------------------------------
@dataclass(frozen=True)
class TableFile:
    """One data file of a table and the month partition it sits in."""

    table: str
    path: Path
    month: str | None  # None: a single-file table (local engine) or a folder-root file


def table_files(root: Path, name: str) -> list[TableFile]:
    """Return the data files of table ``name`` in either layout ([] when absent)."""
    path = table_dir(root, name)
    if path.is_file():
        return [TableFile(name, path, None)]
    if not path.is_dir():
        return []
    files = []
    for file in sorted(path.rglob("*.parquet")):
        rel = file.relative_to(path)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue  # what dataset readers ignore: temporary and metadata files
        month = None
        if len(rel.parts) == 2 and rel.parts[0].startswith(f"{PARTITION_KEY}="):
            month = rel.parts[0].split("=", 1)[1]
        files.append(TableFile(name, file, month))
    return files


def _link_or_copy(source: Path, target: Path, *, root: Path) -> None:
    _mkdirs(target, root)
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def _same(a: pa.Table, b: pa.Table) -> bool:
    return a.replace_schema_metadata(None).equals(b.replace_schema_metadata(None))


def carry_forward(
    old_dir: Path,
    staging: Path,
    *,
    drop: Collection[str],
    fix_documents: Callable[[pa.Table], pa.Table],
    stem: str,
) -> Counter[str]:
    """Put the old rows of documents not in ``drop`` into ``staging``; return rows per table.

    ``fix_documents`` returns a documents table with this run's ``source`` and
    ``sources`` (it reads only ``doc_id``, ``source`` and ``sources``). A month
    file with nothing dropped or fixed is hard-linked; any other file is
    filtered, fixed and written into its months, which also converts the
    single-file tables of the local engine.
    """
    counts: Counter[str] = Counter()
    drop_set = set(drop)
    months: dict[str, str] | None = None
    n = 0
    for name in DOCUMENT_TABLES:
        for f in table_files(old_dir, name):
            keys = ["doc_id", "source", "sources"] if name == "documents" else ["doc_id"]
            head = pq.read_table(f.path, columns=keys)
            ids = head["doc_id"].to_pylist()
            if not ids:
                continue
            dropped = not drop_set.isdisjoint(ids)
            fixed = name == "documents" and not _same(fix_documents(head), head)
            if f.month is not None and not dropped and not fixed:
                target = table_dir(staging, name) / f"{PARTITION_KEY}={f.month}" / f.path.name
                _link_or_copy(f.path, target, root=staging)
                counts[name] += len(ids)
                continue
            table = pq.read_table(f.path)
            if dropped:
                keep = [d not in drop_set for d in ids]
                table = table.filter(pa.array(keep))
                ids = [d for d, k in zip(ids, keep, strict=True) if k]
            if name == "documents":
                table = fix_documents(table)
            if f.month is None and months is None:
                months = _document_months(old_dir)
            writer = PartWriter(staging, f"{stem}-kept-{n:05d}")
            writer.add(
                name, table, {d: f.month or (months or {}).get(d, UNKNOWN_MONTH) for d in ids}
            )
            counts[name] += writer.close()[name]
            n += 1
    return counts


def _document_months(root: Path) -> dict[str, str]:
    docs = read_table(root, "documents", columns=["doc_id", "published"])
    return {
        d: month_of(p)
        for d, p in zip(docs["doc_id"].to_pylist(), docs["published"].to_pylist(), strict=True)
    }


def write_unpartitioned(
    root: Path, name: str, rows: Sequence[Mapping[str, Any]], *, stem: str
) -> None:
    """Write table ``name`` as one part file at the root of its folder."""
    write_atomic(table_from_rows(name, rows), part_path(root, name, None, stem), root=root)


def ensure_tables(root: Path, names: Iterable[str], *, stem: str) -> None:
    """Give every table without a file an empty part file, so that readers find its columns."""
    for name in names:
        if not table_files(root, name):
            write_unpartitioned(root, name, [], stem=f"{stem}-empty")


def remove_hidden(root: Path) -> None:
    """Delete the ``.``/``_`` files and folders under ``root`` (task inputs, temporary files)."""
    for path in sorted(Path(root).rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.name.startswith((".", "_")):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
