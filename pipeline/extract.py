"""The extract job: inputs -> built model -> Parquet tables, incremental and crash-safe.

:func:`extract` streams documents from :mod:`pipeline.corpus`, skips those
already in the tables with the same text hash and rules hash, runs the rest
through the built model in batches (optionally in worker processes, each
loading the model once), and writes every table as Parquet row groups into a
staging folder beside the output. Only a complete staging folder replaces the
output folder, by two renames; a run killed at any point leaves the previous
tables intact (an interrupted swap is repaired by the next run or reader).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.build import build_model, load_model, read_model_meta
from pipeline.corpus import DEFAULT_MAX_BYTES, RawDoc, iter_inputs
from pipeline.figures import figures_table
from pipeline.records import Document, Reject
from pipeline.tables import (
    MENTION_TABLES,
    SCHEMAS,
    TABLES,
    document_row,
    mention_rows,
    reject_row,
    table_from_rows,
)

Rows = dict[str, list[dict[str, Any]]]

#: Functions run after the tables are written, each adding derived tables to the
#: staging folder (name -> builder(staging_dir)). Filled by modules that derive tables.
DERIVED_TABLES: dict[str, Callable[[Path], pa.Table]] = {"figures": figures_table}


@dataclass
class ExtractSummary:
    """What one extract run did (printed by the CLI, returned to callers)."""

    out_dir: Path
    read: int = 0
    processed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    words: int = 0
    model_rebuilt: bool = False
    wrote: bool = False


def recover_output_dir(out_dir: Path) -> None:
    """Finish or undo a swap that a killed run left half done."""
    out_dir = Path(out_dir)
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.exists():
        if out_dir.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.rename(out_dir)


def doc_rows(doc: Any, raw: RawDoc, *, model_version: str, rules_hash: str) -> Rows:
    """Return the rows of every table for one processed Doc."""
    rows: Rows = {}
    for table, _ in MENTION_TABLES.items():
        records = getattr(doc._, table) or []
        ordered = sorted(records, key=lambda r: (r.start_char, r.end_char, repr(r)))
        rows[table] = mention_rows(table, raw.doc_id, ordered)
    n_sentences = sum(1 for _ in doc.sents) if len(doc) else 0
    document = Document(
        doc_id=raw.doc_id,
        source=raw.source,
        outlet=raw.outlet,
        url=raw.url,
        title=raw.title or _headline_title(doc),
        published=raw.published,
        published_source=raw.published_source,
        n_chars=len(raw.text),
        n_sentences=n_sentences,
        text_sha256=raw.text_sha256,
        model_version=model_version,
        rules_hash=rules_hash,
        text=raw.text,
        sources=(raw.source,),
    )
    rows["documents"] = [document_row(document)]
    return rows


def _headline_title(doc: Any) -> str | None:
    """Return the first sentence when it is a headline line, else None."""
    flagged = doc._.headline_sents or set()
    if 0 in flagged:
        first = next(iter(doc.sents), None)
        if first is not None:
            return first.text.strip() or None
    return None


def prepared_docs(nlp: Any, raws: Sequence[RawDoc]) -> Iterator[Any]:
    """Yield tokenised Docs carrying their publication date, ready for ``nlp.pipe``."""
    for raw in raws:
        doc = nlp.make_doc(raw.text)
        doc._.published = raw.published
        yield doc


def process_batch(nlp: Any, raws: Sequence[RawDoc], *, model_version: str, rules_hash: str) -> Rows:
    """Run the pipeline over a batch and return the rows of every table."""
    out: Rows = {name: [] for name in ("documents", *MENTION_TABLES)}
    for raw, doc in zip(raws, nlp.pipe(prepared_docs(nlp, raws), batch_size=len(raws) or 1)):
        for table, rows in doc_rows(doc, raw, model_version=model_version, rules_hash=rules_hash).items():
            out[table].extend(rows)
        out.setdefault("_words", []).append({"n": sum(1 for t in doc if not t.is_space)})
    return out


# -- worker processes --------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(model_dir: str) -> None:
    _WORKER["nlp"] = load_model(Path(model_dir))


def _worker_batch(raws: Sequence[RawDoc], model_version: str, rules_hash: str) -> Rows:
    return process_batch(_WORKER["nlp"], raws, model_version=model_version, rules_hash=rules_hash)


def _batches(items: Iterable[RawDoc], size: int) -> Iterator[list[RawDoc]]:
    batch: list[RawDoc] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_processed(
    docs: Iterable[RawDoc],
    *,
    model_dir: Path,
    model_version: str,
    rules_hash: str,
    workers: int = 1,
    batch_size: int = 32,
) -> Iterator[Rows]:
    """Yield table rows batch by batch, in input order, using ``workers`` processes."""
    if workers <= 1:
        nlp = load_model(model_dir)
        for batch in _batches(docs, batch_size):
            yield process_batch(nlp, batch, model_version=model_version, rules_hash=rules_hash)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(str(model_dir),)
    ) as pool:
        pending: list[Future[Rows]] = []
        for batch in _batches(docs, batch_size):
            pending.append(pool.submit(_worker_batch, batch, model_version, rules_hash))
            if len(pending) >= workers * 2:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


# -- reading previous output -------------------------------------------------
def previous_documents(out_dir: Path) -> dict[str, tuple[str, str]]:
    """Return ``doc_id -> (text_sha256, rules_hash)`` from an existing documents table."""
    path = Path(out_dir) / "documents.parquet"
    if not path.exists():
        return {}
    try:
        table = pq.read_table(path, columns=["doc_id", "text_sha256", "rules_hash"])
    except Exception:  # an unreadable old table is simply rebuilt
        return {}
    return {
        d: (h, r)
        for d, h, r in zip(
            table["doc_id"].to_pylist(), table["text_sha256"].to_pylist(), table["rules_hash"].to_pylist()
        )
    }


def _copy_kept_rows(old_path: Path, writer: pq.ParquetWriter, drop_ids: set[str], key: str) -> int:
    """Stream rows of an old table into ``writer``, leaving out documents in ``drop_ids``."""
    if not old_path.exists():
        return 0
    try:
        # One file (this engine) or a month-partitioned folder (pipeline.dask_engine).
        old = ds.dataset(old_path, format="parquet")
    except Exception:
        return 0
    if old.schema.names != writer.schema.names:
        return 0  # schema changed: everything is re-extracted
    drop = pa.array(sorted(drop_ids), type=pa.string())
    n = 0
    for batch in old.to_batches(batch_size=5000):
        table = pa.Table.from_batches([batch]).cast(writer.schema)
        if len(drop):
            table = table.filter(pc.invert(pc.is_in(table[key], value_set=drop)))
        if table.num_rows:
            writer.write_table(table)
            n += table.num_rows
    return n


class _TableWriters:
    """One ParquetWriter per table in a staging folder, opened lazily."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts: Counter[str] = Counter()

    def writer(self, name: str) -> pq.ParquetWriter:
        if name not in self.writers:
            schema = table_from_rows(name, []).schema
            self.writers[name] = pq.ParquetWriter(self.folder / f"{name}.parquet", schema, compression="zstd")
        return self.writers[name]

    def write_rows(self, name: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.writer(name).write_table(table_from_rows(name, rows))
            self.counts[name] += len(rows)

    def close(self) -> None:
        for name in SCHEMAS:
            self.writer(name)  # every table exists, even when empty
        for w in self.writers.values():
            w.close()


def extract(
    inputs: Sequence[Path],
    out_dir: Path,
    *,
    model_dir: Path,
    rules_dir: Path | None = None,
    workers: int = 1,
    force: bool = False,
    batch_size: int = 32,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[Reject], None] | None = None,
) -> ExtractSummary:
    """Extract every table from ``inputs`` into ``out_dir``.

    Args:
        inputs: folders of ``.txt`` files and/or ``.jsonl``/``.csv``/``.parquet`` corpora.
        out_dir: where the tables go (``<table>.parquet``).
        model_dir: the built model; rebuilt first from ``rules_dir`` when stale.
        rules_dir: rules to (re)build from; None uses the model as it is.
        workers: processes running the pipeline (each loads the model once).
        force: re-extract documents even when unchanged.
        batch_size: documents per ``nlp.pipe`` batch and per Parquet row group.
        max_bytes: largest text file accepted.
        progress: called with the number of documents finished, after each batch.
        warn: called once per problem found in the inputs.

    Raises:
        NoInputError: nothing at all could be read.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    summary = ExtractSummary(out_dir=out_dir)
    recover_output_dir(out_dir)
    if rules_dir is not None and Path(rules_dir).exists():
        summary.model_rebuilt = build_model(Path(rules_dir), Path(model_dir)).rebuilt
    meta = read_model_meta(Path(model_dir))
    if not meta:
        load_model(Path(model_dir))  # raises a clear FileNotFoundError
    r_hash = str(meta.get("rules_hash", ""))
    model_version = str(meta.get("package_version", __version__))

    previous = {} if force else previous_documents(out_dir)
    seen_hashes: dict[str, str] = {sha: doc_id for doc_id, (sha, _) in previous.items()}
    extra_sources: dict[str, list[str]] = {}
    rejects: list[Reject] = []
    to_process: list[RawDoc] = []
    replaced: set[str] = set()

    def note(reject: Reject) -> None:
        rejects.append(reject)
        (summary.warnings if reject.kept else summary.rejected)[reject.reason] += 1
        if warn:
            warn(reject)

    for item in iter_inputs(inputs, max_bytes=max_bytes):
        if isinstance(item, Reject):
            note(item)
            continue
        summary.read += 1
        sha = item.text_sha256
        first = seen_hashes.get(sha)
        if first is not None and first != item.doc_id:
            summary.duplicates += 1
            extra_sources.setdefault(first, []).append(item.source)
            note(Reject(item.source, None, "duplicate", f"same text as document {first!r}", kept=True))
            continue
        seen_hashes[sha] = item.doc_id
        old = previous.get(item.doc_id)
        if old is not None and old == (sha, r_hash):
            summary.unchanged += 1
            continue
        if old is not None:
            replaced.add(item.doc_id)
        to_process.append(item)

    if summary.read == 0 and not previous:
        raise NoInputError(_no_input_reason(inputs, rejects))

    old_rejects = _previous_rejects(out_dir)
    new_rejects = [reject_row(r) for r in rejects]
    if not to_process and not force and old_rejects == new_rejects and not extra_sources:
        summary.rows = _row_counts(out_dir)
        summary.seconds = time.perf_counter() - started
        return summary

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    staging.chmod(0o755)
    try:
        writers = _TableWriters(staging)
        drop = replaced | {d.doc_id for d in to_process}
        for name in ("documents", *MENTION_TABLES):
            old_path = out_dir / f"{name}.parquet"
            writers.counts[name] += _copy_kept_rows(old_path, writers.writer(name), drop, "doc_id")
        done = 0
        for rows in iter_processed(
            to_process,
            model_dir=Path(model_dir),
            model_version=model_version,
            rules_hash=r_hash,
            workers=workers,
            batch_size=batch_size,
        ):
            summary.words += sum(r["n"] for r in rows.pop("_words", []))
            for doc in rows["documents"]:
                doc["sources"] = [doc["source"], *extra_sources.get(doc["doc_id"], [])]
            for name, table_rows in rows.items():
                writers.write_rows(name, table_rows)
            done += len(rows["documents"])
            summary.processed = done
            if progress:
                progress(done)
        writers.write_rows("rejects", new_rejects)
        writers.close()
        if extra_sources:
            _add_sources(staging / "documents.parquet", extra_sources)
        for name, builder in DERIVED_TABLES.items():
            pq.write_table(builder(staging), staging / f"{name}.parquet", compression="zstd")
        _carry_other_files(out_dir, staging)
        _swap_in(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary.wrote = True
    summary.rows = _row_counts(out_dir)
    summary.seconds = time.perf_counter() - started
    return summary


class NoInputError(RuntimeError):
    """Raised when not a single document could be read from the inputs."""


def _no_input_reason(inputs: Sequence[Path], rejects: list[Reject]) -> str:
    if not rejects:
        return f"no documents found in {', '.join(str(p) for p in inputs)}"
    counts = Counter(r.reason for r in rejects)
    return "no readable documents: " + ", ".join(f"{n} {reason}" for reason, n in counts.most_common())


def _previous_rejects(out_dir: Path) -> list[dict[str, Any]] | None:
    path = Path(out_dir) / "rejects.parquet"
    if not path.exists():
        return None
    try:
        return list(pq.read_table(path).to_pylist())
    except Exception:
        return None


def _row_counts(out_dir: Path) -> dict[str, int]:
    counts = {}
    for path in sorted(Path(out_dir).glob("*.parquet")):
        try:
            counts[path.stem] = ds.dataset(path, format="parquet").count_rows()
        except Exception:
            counts[path.stem] = -1
    return counts


def _add_sources(path: Path, extra: dict[str, list[str]]) -> None:
    """Add duplicate sources to ``documents.sources`` of the staged table."""
    table = pq.read_table(path)
    sources = table["sources"].to_pylist()
    ids = table["doc_id"].to_pylist()
    merged = [sorted(set(s or []) | set(extra.get(d, []))) for d, s in zip(ids, sources)]
    idx = table.schema.get_field_index("sources")
    table = table.set_column(idx, "sources", pa.array(merged, type=pa.list_(pa.string())))
    pq.write_table(table, path, compression="zstd")


def _carry_other_files(out_dir: Path, staging: Path) -> None:
    """Copy files that are not our tables (e.g. a report) into the new output folder."""
    if not out_dir.exists():
        return
    ours = {f"{n}.parquet" for n in (*TABLES, *DERIVED_TABLES)}
    for path in out_dir.iterdir():
        if path.is_file() and path.name not in ours and not (staging / path.name).exists():
            shutil.copy2(path, staging / path.name)


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``staging`` with two renames (see :func:`recover_output_dir`)."""
    for path in staging.iterdir():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)

