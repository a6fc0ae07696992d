"""The extract job: inputs -> built model -> Parquet tables, incremental and crash-safe.

:func:`extract` streams documents from :mod:`pipeline.corpus`, skips those
already in the tables with the same text hash, rules hash and model version,
runs the rest through the built model in batches (optionally in worker
processes, each loading the model once), and writes every table as Parquet row
groups into a staging folder beside the output. Only a complete staging folder
replaces the output folder, by two renames under a lock file; a run killed at
any point leaves the previous tables intact (an interrupted swap is repaired by
:func:`recover_output_dir`, which the next run calls). Memory stays flat: no
step holds more than a batch of texts, plus a few short strings per document.
A document that makes the pipeline raise is recorded in ``rejects`` and the run
carries on.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from spacy.attrs import IS_SPACE

from pipeline import __version__
from pipeline.build import build_model, load_model, read_model_meta
from pipeline.corpus import DEFAULT_MAX_BYTES, RawDoc, iter_inputs
from pipeline.figures import figures_table
from pipeline.incremental import (
    Previous,
    Run,
    no_input_reason,
    open_table,
    previous_documents,
    previous_rejects,
    row_counts,
)
from pipeline.outdir import (
    carry_other_files,
    discard_staging,
    new_staging,
    output_lock,
    recover,
    recover_output_dir,
    remove_stale_staging,
    swap_in,
    umask,
)
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
T = TypeVar("T")

#: Functions run after the tables are written, each adding derived tables to the
#: staging folder (name -> builder(staging_dir)). Filled by modules that derive tables.
DERIVED_TABLES: dict[str, Callable[[Path], pa.Table]] = {"figures": figures_table}

#: A row group is written when a table's buffered rows reach either limit.
ROW_GROUP_ROWS = 10_000
ROW_GROUP_BYTES = 4 * 2**20
#: Old tables are read one batch at a time (pyarrow reads ahead by default).
_NO_READAHEAD = {"batch_readahead": 0, "fragment_readahead": 0}
#: Characters of an exception message kept in a ``pipeline_error`` reject.
MAX_ERROR_CHARS = 300


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
    failed: int = 0


class NoInputError(RuntimeError):
    """Raised when not a single document could be read from the inputs."""


# -- one batch of documents ----------------------------------------------------
def doc_rows(doc: Any, raw: RawDoc, *, model_version: str, rules_hash: str) -> Rows:
    """Return the rows of every table for one processed Doc."""
    rows: Rows = {}
    for table in MENTION_TABLES:
        records = getattr(doc._, table) or []
        ordered = sorted(records, key=_offsets)  # stable: ties keep the component's order
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


def _offsets(record: Any) -> tuple[int, int]:
    return record.start_char, record.end_char


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


def _error_detail(exc: BaseException) -> str:
    return f"pipeline raised {type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]


def _process_one(nlp: Any, raw: RawDoc) -> Any:
    """Return the processed Doc of one document, or the exception it raised."""
    try:
        return next(iter(nlp.pipe(prepared_docs(nlp, [raw]))))
    except Exception as exc:
        return exc


def process_batch(nlp: Any, raws: Sequence[RawDoc], *, model_version: str, rules_hash: str) -> Rows:
    """Run the pipeline over a batch and return the rows of every table.

    A document that makes the pipeline raise gets a ``rejects`` row
    (``pipeline_error``) instead of its rows; the others are unaffected. The
    pseudo-table ``_words`` holds each processed document's word count.
    """
    out: Rows = {name: [] for name in ("documents", *MENTION_TABLES, "rejects", "_words")}
    docs: list[Any]
    try:
        docs = list(nlp.pipe(prepared_docs(nlp, raws), batch_size=len(raws) or 1))
    except Exception:
        docs = [_process_one(nlp, raw) for raw in raws]
    for raw, doc in zip(raws, docs, strict=True):
        try:
            if isinstance(doc, BaseException):
                raise doc
            rows = doc_rows(doc, raw, model_version=model_version, rules_hash=rules_hash)
        except Exception as exc:
            out["rejects"].append(
                reject_row(Reject(raw.source, None, "pipeline_error", _error_detail(exc)))
            )
            continue
        for table, table_rows in rows.items():
            out[table].extend(table_rows)
        out["_words"].append({"n": len(doc) - int(doc.to_array(IS_SPACE).sum()) if len(doc) else 0})
    return out


# -- worker processes --------------------------------------------------------
_MODEL_CACHE: dict[str, tuple[tuple[int, int, int], Any]] = {}
_WORKER: dict[str, Any] = {}


def cached_model(model_dir: Path) -> Any:
    """Return the model at ``model_dir``, loaded once per process (reloaded when rebuilt)."""
    key = str(Path(model_dir).resolve())
    meta = Path(key) / "meta.json"
    try:
        st = meta.stat()
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = (0, 0, 0)
    hit = _MODEL_CACHE.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    nlp = load_model(Path(model_dir))
    _MODEL_CACHE.clear()  # one model at a time: bounded memory
    _MODEL_CACHE[key] = (stamp, nlp)
    return nlp


def _init_worker(model_dir: str, max_length: int | None) -> None:
    nlp = cached_model(Path(model_dir))  # a forked worker reuses the parent's copy
    if max_length:
        nlp.max_length = max(nlp.max_length, max_length)
    _WORKER["nlp"] = nlp


def _worker_batch(raws: Sequence[RawDoc], model_version: str, rules_hash: str) -> Rows:
    nlp = _WORKER["nlp"]
    # Strings and lexemes first seen in this batch are freed after it: flat memory.
    with nlp.memory_zone():
        rows = process_batch(nlp, raws, model_version=model_version, rules_hash=rules_hash)
    for doc in rows["documents"]:
        doc["text"] = None  # the parent has the text: do not send it back
    return rows


def _batches(items: Iterable[RawDoc], size: int) -> Iterator[list[RawDoc]]:
    batch: list[RawDoc] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _map_batches(
    task: Callable[[Sequence[RawDoc], str, str], T],
    docs: Iterable[RawDoc],
    *,
    model_dir: Path,
    model_version: str,
    rules_hash: str,
    workers: int,
    batch_size: int,
    max_length: int | None,
) -> Iterator[tuple[list[RawDoc], T]]:
    """Yield ``(batch, task(batch, ...))`` in input order, in ``workers`` processes.

    ``docs`` is consumed lazily: at most ``2 * workers`` batches are in flight.
    """
    if workers <= 1:
        _init_worker(str(model_dir), max_length)
        for batch in _batches(docs, batch_size):
            yield batch, task(batch, model_version, rules_hash)
        return
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_mp_context(),
        initializer=_init_worker,
        initargs=(str(model_dir), max_length),
    ) as pool:
        pending: deque[tuple[list[RawDoc], Future[T]]] = deque()
        for batch in _batches(docs, batch_size):
            pending.append((batch, pool.submit(task, batch, model_version, rules_hash)))
            if len(pending) >= workers * 2:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def iter_processed(
    docs: Iterable[RawDoc],
    *,
    model_dir: Path,
    model_version: str,
    rules_hash: str,
    workers: int = 1,
    batch_size: int = 32,
    max_length: int | None = None,
) -> Iterator[Rows]:
    """Yield table rows batch by batch, in input order, using ``workers`` processes.

    ``docs`` is consumed lazily: at most ``2 * workers`` batches are in flight.
    ``max_length`` raises spaCy's ``nlp.max_length`` (characters) for long texts.
    """
    for batch, rows in _map_batches(
        _worker_batch,
        docs,
        model_dir=model_dir,
        model_version=model_version,
        rules_hash=rules_hash,
        workers=workers,
        batch_size=batch_size,
        max_length=max_length,
    ):
        texts = {raw.doc_id: raw.text for raw in batch}
        for doc in rows["documents"]:
            doc["text"] = texts[doc["doc_id"]]
        yield rows


@dataclass
class _Batch:
    """One batch as Arrow tables (built in the worker), without the document texts."""

    tables: dict[str, pa.Table]
    rejects: list[Reject]
    words: int


def _worker_tables(raws: Sequence[RawDoc], model_version: str, rules_hash: str) -> _Batch:
    rows = _worker_batch(raws, model_version, rules_hash)
    tables, misfits = _batch_tables(rows)
    rejects = [*(Reject(**r) for r in rows["rejects"]), *misfits]
    return _Batch(tables, rejects, sum(r["n"] for r in rows["_words"]))


def _with_texts(documents: pa.Table, batch: Sequence[RawDoc]) -> pa.Table:
    """Return the documents table of a batch with its ``text`` column filled from ``batch``."""
    texts = {raw.doc_id: raw.text for raw in batch}
    column = pa.array([texts[d] for d in documents["doc_id"].to_pylist()], type=pa.string())
    return documents.set_column(documents.schema.get_field_index("text"), "text", column)


def _mp_context() -> Any:
    """Fork where available: workers start in milliseconds and share the loaded model."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


# -- writing --------------------------------------------------------------------
class _TableWriters:
    """One ParquetWriter per file in a staging folder, with rows buffered into row groups."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.buffers: dict[str, list[pa.Table]] = {}
        self.buffered: dict[str, tuple[int, int]] = {}  # file -> (rows, bytes) in its buffer
        self.counts: Counter[str] = Counter()

    def writer(self, file: str, table: str) -> pq.ParquetWriter:
        if file not in self.writers:
            schema = table_from_rows(table, []).schema
            self.writers[file] = pq.ParquetWriter(
                self.folder / f"{file}.parquet", schema, compression="zstd"
            )
            self.buffers[file] = []
        return self.writers[file]

    def add(self, file: str, table: str, data: pa.Table) -> None:
        """Buffer ``data`` (rows of ``table``) for ``file``; write a row group when full."""
        writer = self.writer(file, table)
        if not data.num_rows:
            return
        self.buffers[file].append(
            data.cast(writer.schema) if data.schema != writer.schema else data
        )
        self.counts[file] += data.num_rows
        rows, size = self.buffered.get(file, (0, 0))
        self.buffered[file] = rows, size = rows + data.num_rows, size + data.nbytes
        if rows >= ROW_GROUP_ROWS or size >= ROW_GROUP_BYTES:
            self.flush(file)

    def flush(self, file: str) -> None:
        buffer = self.buffers.get(file)
        if buffer:
            self.writers[file].write_table(pa.concat_tables(buffer), row_group_size=2**31 - 1)
            buffer.clear()
            self.buffered[file] = (0, 0)
            pa.default_memory_pool().release_unused()  # give freed Arrow memory back

    def close(self) -> None:
        for name in TABLES:
            if name != "rejects":  # written last, with every problem of the run
                self.writer(name, name)  # every table exists, even when empty
        for file, writer in self.writers.items():
            self.flush(file)
            writer.close()


def _batch_tables(rows: Rows) -> tuple[dict[str, pa.Table], list[Reject]]:
    """Return the Arrow tables of one batch; documents whose rows misfit the schema are rejected."""
    try:
        return {
            name: table_from_rows(name, rows.get(name, []))
            for name in ("documents", *MENTION_TABLES)
        }, []
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        pass
    bad: dict[str, Reject] = {}
    for doc in rows["documents"]:
        doc_id = doc["doc_id"]
        try:
            table_from_rows("documents", [doc])
            for name in MENTION_TABLES:
                table_from_rows(name, [r for r in rows.get(name, []) if r.get("doc_id") == doc_id])
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            detail = f"records do not fit the table schema: {type(exc).__name__}: {exc}"
            bad[doc_id] = Reject(doc["source"], None, "pipeline_error", detail[:MAX_ERROR_CHARS])
    tables = {
        name: table_from_rows(name, [r for r in rows.get(name, []) if r.get("doc_id") not in bad])
        for name in ("documents", *MENTION_TABLES)
    }
    return tables, list(bad.values())


def _copy_kept_rows(old_path: Path, writers: _TableWriters, name: str, drop: set[str]) -> None:
    """Stream the rows of an old table into the staging table, leaving out ``drop``."""
    if not old_path.exists():
        return
    for batch in open_table(old_path).to_batches(batch_size=10_000, **_NO_READAHEAD):
        writers.add(name, name, _without(pa.Table.from_batches([batch]), drop))


def _without(table: pa.Table, doc_ids: set[str]) -> pa.Table:
    """Return the rows of ``table`` whose ``doc_id`` is not in ``doc_ids``."""
    if not doc_ids or not table.num_rows:
        return table
    return table.filter(~ds.field("doc_id").isin(pa.array(sorted(doc_ids), type=pa.string())))


def _fixed_sources(table: pa.Table, run: Run) -> pa.Table:
    """Return ``table`` (documents) with ``source`` and ``sources`` as this run decides."""
    pairs = [
        run.sources(d, s, ss or ())
        for d, s, ss in zip(
            table["doc_id"].to_pylist(),
            table["source"].to_pylist(),
            table["sources"].to_pylist(),
            strict=True,
        )
    ]
    for column, values, kind in (
        ("source", [p[0] for p in pairs], pa.string()),
        ("sources", [p[1] for p in pairs], pa.list_(pa.string())),
    ):
        table = table.set_column(
            table.schema.get_field_index(column), column, pa.array(values, type=kind)
        )
    return table


def _write_documents(
    staging: Path, out_dir: Path, writers: _TableWriters, run: Run, written: dict[str, int]
) -> None:
    """Complete staging/documents.parquet with the old documents kept.

    This run's documents were written with the sources known at the time
    (``written``: doc_id -> number of duplicates then). Only when a duplicate
    turned up later are they read back and rewritten with their final sources.
    """
    new = staging / "documents.parquet"
    if any(len(run.extra.get(d, ())) != n for d, n in written.items()):
        writers.flush("documents")
        writers.writers.pop("documents").close()
        new = new.rename(staging / "documents.new.parquet")
    sources: list[tuple[Path, set[str]]] = []
    if new.name != "documents.parquet":
        sources.append((new, set()))
    if run.previous:
        sources.append((out_dir / "documents.parquet", run.drop))
    for path, drop in sources:
        if not path.exists():
            continue
        for batch in open_table(path).to_batches(batch_size=256, **_NO_READAHEAD):
            table = _without(pa.Table.from_batches([batch]), drop)
            if table.num_rows:
                writers.add("documents", "documents", _fixed_sources(table, run))
    (staging / "documents.new.parquet").unlink(missing_ok=True)


# -- the job ----------------------------------------------------------------------
@dataclass(frozen=True)
class OpenedRun:
    """What both engines know once the output is locked and the model is current."""

    run: Run
    meta: dict[str, Any]
    rules_hash: str
    model_version: str
    model_rebuilt: bool


@contextmanager
def opened_run(
    out_dir: Path,
    *,
    model_dir: Path,
    rules_dir: Path | None,
    force: bool,
    note: Callable[[Reject], None],
) -> Iterator[OpenedRun]:
    """Lock and repair ``out_dir``, rebuild a stale model, and yield the run's decisions.

    The local and the Dask engine both start here, so they skip, replace and
    stamp documents identically (``model_version`` is ``<package>+<code hash>``).
    """
    with output_lock(out_dir):
        recover(out_dir)
        remove_stale_staging(out_dir)
        rebuilt = False
        if rules_dir is not None and Path(rules_dir).exists():
            rebuilt = build_model(Path(rules_dir), Path(model_dir)).rebuilt
        meta = read_model_meta(Path(model_dir))
        if not meta:
            load_model(Path(model_dir))  # raises a clear FileNotFoundError
        rules_hash = str(meta.get("rules_hash", ""))
        model_version = (
            f"{meta.get('package_version', __version__)}+{meta.get('code_hash', 'unknown')}"
        )
        run = Run(
            previous_documents(out_dir),
            force=force,
            rules_hash=rules_hash,
            model_version=model_version,
            note=note,
        )
        yield OpenedRun(run, meta, rules_hash, model_version, rebuilt)


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

    Documents already in the tables with the same text, rules and model are
    skipped; documents of earlier runs that are not in ``inputs`` are kept.
    When nothing changes, the tables are left untouched (same bytes).

    Args:
        inputs: folders of ``.txt`` files and/or ``.jsonl``/``.csv``/``.parquet`` corpora.
        out_dir: where the tables go (``<table>.parquet``).
        model_dir: the built model; rebuilt first from ``rules_dir`` when stale.
        rules_dir: rules to (re)build from; None uses the model as it is.
        workers: processes running the pipeline (each loads the model once).
        force: re-extract documents even when unchanged.
        batch_size: documents per ``nlp.pipe`` batch.
        max_bytes: largest text file or record accepted.
        progress: called with the number of documents finished, after each batch.
        warn: called once per problem found in the inputs.

    Raises:
        NoInputError: nothing at all could be read (the tables are left untouched).
        RulesError: the rules in ``rules_dir`` are malformed (nothing is written).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    summary = ExtractSummary(out_dir=out_dir)
    rejects: list[Reject] = []

    def note(reject: Reject) -> None:
        rejects.append(reject)
        (summary.warnings if reject.kept else summary.rejected)[reject.reason] += 1
        if warn:
            warn(reject)

    with opened_run(
        out_dir, model_dir=model_dir, rules_dir=rules_dir, force=force, note=note
    ) as opened:
        run, r_hash, model_version = opened.run, opened.rules_hash, opened.model_version
        summary.model_rebuilt = opened.model_rebuilt
        staging = new_staging(out_dir)
        try:
            writers = _TableWriters(staging)
            written: dict[str, int] = {}  # documents of this run -> duplicates known when written
            for batch, result in _map_batches(
                _worker_tables,
                run.to_process(iter_inputs(inputs, max_bytes=max_bytes)),
                model_dir=Path(model_dir),
                model_version=model_version,
                rules_hash=r_hash,
                workers=workers,
                batch_size=batch_size,
                max_length=max_bytes,
            ):
                for reject in result.rejects:
                    summary.failed += 1
                    note(reject)
                documents = _fixed_sources(_with_texts(result.tables.pop("documents"), batch), run)
                writers.add("documents", "documents", documents)
                written.update(
                    (d, len(run.extra.get(d, ()))) for d in documents["doc_id"].to_pylist()
                )
                for name, table in result.tables.items():
                    writers.add(name, name, table)
                summary.words += result.words
                summary.processed += documents.num_rows
                if progress:
                    progress(summary.processed)
            summary.read, summary.unchanged, summary.duplicates = (
                run.read,
                run.unchanged,
                run.duplicates,
            )
            if run.read == 0:
                raise NoInputError(no_input_reason(inputs, rejects))
            new_rejects = [reject_row(r) for r in rejects]
            if (
                not summary.processed
                and not summary.failed
                and previous_rejects(out_dir) == new_rejects
                and not run.changes_old_rows()
            ):
                summary.rows = row_counts(out_dir)
                summary.seconds = time.perf_counter() - started
                return summary
            _finish_tables(staging, out_dir, writers, run, rejects, note, written)
            swap_in(staging, out_dir)
        finally:
            discard_staging(staging)
    summary.wrote = True
    summary.rows = row_counts(out_dir)
    summary.seconds = time.perf_counter() - started
    return summary


def _finish_tables(
    staging: Path,
    out_dir: Path,
    writers: _TableWriters,
    run: Run,
    rejects: list[Reject],
    note: Callable[[Reject], None],
    written: dict[str, int],
) -> None:
    """Complete the staging folder: old rows, documents, derived tables, rejects, other files.

    A derived table whose builder raises is written empty and the error is
    recorded in ``rejects``: the extracted tables are never lost to it.
    """
    if run.previous:
        for name in MENTION_TABLES:
            _copy_kept_rows(out_dir / f"{name}.parquet", writers, name, run.drop)
    _write_documents(staging, out_dir, writers, run, written)
    writers.close()
    for name, builder in DERIVED_TABLES.items():
        try:
            table = builder(staging)
        except Exception as exc:
            detail = f"building the {name} table raised {type(exc).__name__}: {exc}"
            note(Reject(name, None, "derived_error", detail[:MAX_ERROR_CHARS]))
            if name not in SCHEMAS:
                continue
            table = table_from_rows(name, [])
        pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
    table = table_from_rows("rejects", [reject_row(r) for r in rejects])
    pq.write_table(table, staging / "rejects.parquet", compression="zstd")
    carry_other_files(out_dir, staging, ours={*TABLES, *DERIVED_TABLES})


# Names the Dask engine (pipeline.dask_engine) imports from this module.
_Run = Run
_recover, _remove_stale_staging, _swap_in, _umask = recover, remove_stale_staging, swap_in, umask
_previous_rejects, _row_counts, _no_input_reason = previous_rejects, row_counts, no_input_reason


def _carry_other_files(out_dir: Path, staging: Path) -> None:
    carry_other_files(out_dir, staging, ours={*TABLES, *DERIVED_TABLES})


__all__ = [
    "DERIVED_TABLES",
    "ExtractSummary",
    "NoInputError",
    "Previous",
    "Rows",
    "cached_model",
    "doc_rows",
    "extract",
    "iter_processed",
    "output_lock",
    "prepared_docs",
    "previous_documents",
    "process_batch",
    "recover_output_dir",
]
