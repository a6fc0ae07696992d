"""Extract on a Dask cluster: the local engine's rows and ids, in month-partitioned tables.

:func:`extract_dask` decides what to do exactly as :func:`pipeline.extract.extract`
does, with the same code (:class:`pipeline.incremental.Run`: ids, duplicates,
unchanged documents, rejects), in a first pass over the inputs
that keeps only ids, sizes and months. A second pass cuts the documents to
process into partitions of similar text size, in publication-month order (so
that each task writes few month folders), writes each partition to a file in
the staging folder and submits one Dask task per partition as soon as it is
complete (:func:`iter_partitions` bounds what waits in memory).
A task (:func:`run_partition`) runs the built model with ``nlp.pipe``
(:func:`pipeline.extract.process_batch`) and writes its rows as part files of the
month-partitioned folders of :mod:`pipeline.datasets`. :class:`ModelPlugin` loads
the model once per worker and checks that the worker's code and model are the
driver's. A worker that dies mid-task is replaced and its task re-run by Dask
(the input is a file, the outputs are replaced atomically). Only when every task
has finished is the staging folder completed and swapped in, under the output
lock, as the local engine does (:mod:`pipeline.outdir`).

Dask is not a dependency of the package: this module is the only one that
imports it, and the CLI imports it only for ``--engine dask``.
"""

from __future__ import annotations

import io
import logging
import math
import pickle
import shutil
import tarfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from distributed import Client, Future, LocalCluster, WorkerPlugin, as_completed, get_worker

from pipeline import __version__
from pipeline.build import code_hash, load_model, read_model_meta
from pipeline.corpus import DEFAULT_MAX_BYTES, RawDoc, iter_inputs
from pipeline.datasets import (
    DOCUMENT_TABLES,
    PartWriter,
    carry_forward,
    ensure_tables,
    month_of,
    remove_hidden,
    write_atomic,
    write_unpartitioned,
)
from pipeline.extract import (
    DERIVED_TABLES,
    MAX_ERROR_CHARS,
    ExtractSummary,
    NoInputError,
    opened_run,
    process_batch,
)
from pipeline.extract import _batch_tables as batch_tables  # the local engine's, on purpose
from pipeline.extract import _fixed_sources as fixed_sources
from pipeline.incremental import (
    Run,
    no_input_reason,
    previous_rejects,
    row_counts,
)
from pipeline.outdir import (
    carry_other_files,
    discard_staging,
    new_staging,
    swap_in,
)
from pipeline.records import Reject
from pipeline.tables import SCHEMAS, TABLES, reject_row, table_from_rows

#: Characters of text per partition when ``partitions`` is not given (about a
#: minute of one core), and the fewest partitions per worker thread (balance).
PARTITION_CHARS = 8_000_000
PARTITIONS_PER_THREAD = 4
#: Partitions per worker thread submitted but not yet collected (read-ahead bound).
IN_FLIGHT_PER_THREAD = 3
#: Characters of text the driver holds, at most, in partitions not yet complete.
READ_AHEAD_CHARS = 256_000_000

PartInput = tuple[RawDoc, list[str]]  # a document and its final ``sources``


@dataclass
class DaskSummary(ExtractSummary):
    """An :class:`~pipeline.extract.ExtractSummary` with what the cluster did."""

    partitions: int = 0
    workers: int = 0
    model_loads: int = 0
    cluster: str = ""


# -- planning: which documents, in which partitions ------------------------------
@dataclass
class Plan:
    """The documents to process, in input order: their sizes, text hashes and months."""

    sizes: dict[str, int] = field(default_factory=dict)  # doc_id -> characters
    sha: dict[str, str] = field(default_factory=dict)
    months: dict[str, str] = field(default_factory=dict)

    def partitions(self, n: int) -> dict[str, int]:
        """Return ``doc_id -> partition``: at most ``n`` partitions of similar text size.

        Documents are ordered by publication month (then input order) before the
        cut, so a run writes at most ``n`` + months - 1 part files per table, not
        ``n`` times the number of months.
        """
        order = sorted(self.sizes, key=self.months.__getitem__)  # stable: input order within
        total = sum(self.sizes.values()) or 1
        assignment: dict[str, int] = {}
        part = size = 0
        for doc_id in order:
            if size >= total * (part + 1) / n and part < n - 1:
                part += 1
            assignment[doc_id] = part
            size += self.sizes[doc_id]
        return assignment


def plan_documents(docs: Iterable[RawDoc]) -> Plan:
    """Return the plan of the documents ``docs`` (keeping ids and sizes, not texts)."""
    plan = Plan()
    for doc in docs:
        plan.sizes[doc.doc_id] = len(doc.text)
        plan.sha[doc.doc_id] = doc.text_sha256
        plan.months[doc.doc_id] = month_of(doc.published)
    return plan


def default_partitions(plan: Plan, threads: int) -> int:
    """Return how many partitions to make: enough to balance ``threads``, none too large."""
    chars = sum(plan.sizes.values())
    wanted = max(PARTITIONS_PER_THREAD * threads, math.ceil(chars / PARTITION_CHARS))
    return max(1, min(len(plan.sizes), wanted))


def iter_partitions(
    items: Iterable[RawDoc | Reject],
    plan: Plan,
    assignment: Mapping[str, int],
    *,
    max_chars: int = READ_AHEAD_CHARS,
) -> Iterator[list[RawDoc]]:
    """Yield the documents of each partition as soon as they have all been read.

    ``items`` is a second reading of the inputs. When more than ``max_chars`` of
    text wait in unfinished partitions (inputs far from month order), the
    largest is yielded early, as a task of its own, so memory stays bounded. A
    document whose text differs from the first reading stops the run.
    """
    expected: dict[int, int] = {}
    for part in assignment.values():
        expected[part] = expected.get(part, 0) + 1
    pending: dict[int, list[RawDoc]] = {}
    waiting: dict[int, int] = {}  # characters pending per partition
    total = 0
    for item in items:
        if isinstance(item, Reject) or item.doc_id not in assignment:
            continue
        if item.text_sha256 != plan.sha[item.doc_id]:
            raise RuntimeError(f"{item.source}: input changed during the run; run extract again")
        part = assignment[item.doc_id]
        pending.setdefault(part, []).append(item)
        waiting[part] = waiting.get(part, 0) + len(item.text)
        total += len(item.text)
        if len(pending[part]) < expected[part]:
            if total <= max_chars:
                continue
            part = max(waiting, key=waiting.__getitem__)  # spill the largest
        expected[part] -= len(pending[part])
        total -= waiting.pop(part)
        yield pending.pop(part)
    if pending:
        missing = sorted(d for d, p in assignment.items() if p in pending)
        raise RuntimeError(f"inputs changed during the run: {missing[:3]} not found again")


# -- on the workers --------------------------------------------------------------
#: The model of this worker process, by (rules hash, code hash): loaded by the
#: first task, reused by later tasks and later runs on a long-lived cluster.
_MODELS: dict[tuple[Any, Any], Any] = {}
_MODEL_LOCK = threading.Lock()
_PIPE_LOCK = threading.Lock()


class ModelPlugin(WorkerPlugin):
    """Give each worker the driver's model, loaded once, on the worker's first task.

    Without ``archive`` the model is read at ``model_dir`` on the worker (the
    driver's path); with it (a tar of the model folder) the model is unpacked
    into the worker's local directory. Setup fails, and the run with it, when a
    worker runs other code than the driver or finds another model.
    """

    def __init__(
        self,
        model_dir: str,
        *,
        model_meta: Mapping[str, Any],
        code: str,
        max_length: int,
        archive: bytes | None = None,
    ) -> None:
        self.model_dir = model_dir
        self.model_id = (model_meta.get("rules_hash"), model_meta.get("code_hash"))
        self.code = code
        self.max_length = max_length
        self.archive = archive
        self.loads = 0

    def setup(self, worker: Any) -> None:
        self._unpacked: Path | None = None
        where = f"worker {worker.address}"
        if code_hash() != self.code:
            raise RuntimeError(
                f"{where} runs other ceasefire-claims code than the driver "
                f"(this worker: version {__version__}); install the same code on every worker"
            )
        if self.archive is not None:
            self._unpacked = Path(worker.local_directory) / f"ceasefire-model-{uuid.uuid4().hex}"
            with tarfile.open(fileobj=io.BytesIO(self.archive)) as tar:
                if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4
                    tar.extractall(self._unpacked, filter="data")
                else:  # pragma: no cover - the driver's own archive
                    tar.extractall(self._unpacked)
            self.model_dir = str(self._unpacked / "model")
        meta = read_model_meta(Path(self.model_dir))
        if (meta.get("rules_hash"), meta.get("code_hash")) != self.model_id:
            found = "another model" if meta else "no model"
            raise RuntimeError(
                f"{where}: {found} at {self.model_dir}; copy the driver's model "
                "there or use --ship-model"
            )

    def model(self) -> Any:
        """Return the pipeline, loaded on first use; a later run with the same model reuses it."""
        with _MODEL_LOCK:
            nlp = _MODELS.get(self.model_id)
            if nlp is None:
                nlp = load_model(Path(self.model_dir))
                _MODELS.clear()  # one model per worker process: bounded memory
                _MODELS[self.model_id] = nlp
                self.loads += 1
            nlp.max_length = max(nlp.max_length, self.max_length)
            return nlp

    def teardown(self, worker: Any) -> None:
        if self._unpacked is not None:
            shutil.rmtree(self._unpacked, ignore_errors=True)


@dataclass(frozen=True)
class PartitionTask:
    """What a worker needs to process one partition (small: the texts are in a file)."""

    index: int
    inputs: str
    staging: str
    stem: str
    plugin: str
    model_version: str
    rules_hash: str
    batch_size: int


@dataclass(frozen=True)
class PartitionResult:
    """What one partition task did."""

    index: int
    processed: int
    words: int
    rejects: list[dict[str, Any]]  # documents the pipeline failed on
    rows: dict[str, int]
    model_loads: int


def write_partition_input(path: Path, docs: Sequence[PartInput]) -> None:
    """Write a partition's documents for its task (see :func:`read_partition_input`)."""
    with open(path, "wb") as fh:
        pickle.dump(list(docs), fh, protocol=pickle.HIGHEST_PROTOCOL)


def read_partition_input(path: Path) -> list[PartInput]:
    """Return the documents of one partition, from a file this run wrote into its staging folder."""
    try:
        with open(path, "rb") as fh:
            docs: list[PartInput] = pickle.load(fh)
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"{path}: not visible on this worker; the output folder must be on a file "
            "system every worker sees at the same path"
        ) from exc
    return docs


def run_partition(task: PartitionTask) -> PartitionResult:
    """Process one partition on a Dask worker and publish its part files (the Dask task)."""
    plugin = get_worker().plugins.get(task.plugin)
    if not isinstance(plugin, ModelPlugin):
        raise RuntimeError(f"model plugin {task.plugin!r} is not registered on this worker")
    loads = plugin.loads
    nlp = plugin.model()
    docs = read_partition_input(Path(task.inputs))
    writer = PartWriter(Path(task.staging), task.stem)
    processed = words = 0
    rejects: list[dict[str, Any]] = []
    try:
        for start in range(0, len(docs), task.batch_size):
            batch = docs[start : start + task.batch_size]
            raws = [raw for raw, _ in batch]
            with _PIPE_LOCK:  # never two threads in one pipeline (workers with nthreads > 1)
                rows = process_batch(
                    nlp, raws, model_version=task.model_version, rules_hash=task.rules_hash
                )
            sources = {raw.doc_id: list(s) for raw, s in batch}
            for doc in rows["documents"]:
                doc["sources"] = sources[doc["doc_id"]]
            tables, misfits = batch_tables(rows)
            rejects += [*rows.get("rejects", []), *(reject_row(m) for m in misfits)]
            months = {raw.doc_id: month_of(raw.published) for raw in raws}
            for name, table in tables.items():
                writer.add(name, table, months)
            processed += len(rows["documents"]) - len(misfits)
            words += sum(r["n"] for r in rows.get("_words", []))
        counts = writer.close()
    except BaseException:
        writer.abort()
        raise
    return PartitionResult(
        task.index, processed, words, rejects, dict(counts), plugin.loads - loads
    )


# -- on the driver ---------------------------------------------------------------
@contextmanager
def connect(
    *, client: Client | None, scheduler: str | None, workers: int
) -> Iterator[tuple[Client, str]]:
    """Yield a client and its description: ``client``, one for ``scheduler``, or a local cluster."""
    if client is not None:
        yield client, f"scheduler {client.scheduler.address}"
        return
    if scheduler:
        with Client(scheduler, set_as_default=False) as remote:
            yield remote, f"scheduler {scheduler}"
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, set_as_default=False) as own,
    ):
        yield own, "local cluster"


def model_archive(model_dir: Path) -> bytes:
    """Return the model folder as a tar (``model/...``) for :class:`ModelPlugin`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(model_dir, arcname="model")
    return buffer.getvalue()


def extract_dask(
    inputs: Sequence[Path],
    out_dir: Path,
    *,
    model_dir: Path,
    rules_dir: Path | None = None,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int = 1,
    partitions: int | None = None,
    ship_model: bool = False,
    force: bool = False,
    batch_size: int = 32,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[Reject], None] | None = None,
) -> DaskSummary:
    """Extract every table from ``inputs`` into ``out_dir`` on a Dask cluster.

    The arguments of :func:`pipeline.extract.extract`, and:

    Args:
        client: a connected client to use (left open).
        scheduler: the address of a running scheduler (``tcp://host:8786``); without
            it or ``client``, a local cluster of ``workers`` processes is started.
        partitions: number of tasks (default: :func:`default_partitions`).
        ship_model: send the model folder to the workers instead of reading it
            at ``model_dir`` there.

    ``out_dir`` must be on a file system every worker sees at the same path.

    Raises:
        NoInputError: nothing at all could be read (the tables are left untouched).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    summary = DaskSummary(out_dir=out_dir)
    rejects: list[Reject] = []

    def note(reject: Reject) -> None:
        rejects.append(reject)
        (summary.warnings if reject.kept else summary.rejected)[reject.reason] += 1
        if warn:
            warn(reject)

    with opened_run(
        out_dir, model_dir=model_dir, rules_dir=rules_dir, force=force, note=note
    ) as opened:
        run, meta = opened.run, opened.meta
        rules_hash, model_version = opened.rules_hash, opened.model_version
        summary.model_rebuilt = opened.model_rebuilt
        plan = plan_documents(run.to_process(iter_inputs(inputs, max_bytes=max_bytes)))
        summary.read, summary.unchanged, summary.duplicates = (
            run.read,
            run.unchanged,
            run.duplicates,
        )
        if run.read == 0:
            raise NoInputError(no_input_reason(inputs, rejects))
        if (
            not plan.sizes
            and previous_rejects(out_dir) == [reject_row(r) for r in rejects]
            and not run.changes_old_rows()
        ):
            summary.rows = row_counts(out_dir)
            summary.seconds = time.perf_counter() - started
            return summary
        staging = new_staging(out_dir)
        stem = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
        task = PartitionTask(
            index=0,
            inputs="",
            staging=str(staging),
            stem=stem,
            plugin=f"ceasefire-model-{stem}",
            model_version=model_version,
            rules_hash=rules_hash,
            batch_size=batch_size,
        )
        try:
            if plan.sizes:  # else only old rows or rejects change: no cluster needed
                plugin = ModelPlugin(
                    str(Path(model_dir).resolve()),
                    model_meta=meta,
                    code=code_hash(),
                    max_length=max_bytes,
                    archive=model_archive(Path(model_dir)) if ship_model else None,
                )
                with connect(client=client, scheduler=scheduler, workers=workers) as (dask, where):
                    threads = sum(dask.nthreads().values()) or 1
                    n = min(partitions or default_partitions(plan, threads), len(plan.sizes))
                    items = iter_inputs(inputs, max_bytes=max_bytes)
                    parts = iter_partitions(items, plan, plan.partitions(n))
                    for result in _run_tasks(dask, plugin, task, parts, run):
                        summary.partitions += 1
                        summary.processed += result.processed
                        summary.words += result.words
                        summary.model_loads += result.model_loads
                        for row in result.rejects:
                            summary.failed += 1
                            note(Reject(**row))
                        if progress:
                            progress(summary.processed)
                    summary.workers = len(dask.nthreads())
                    summary.cluster = (
                        f"{summary.partitions} partitions on {summary.workers} workers ({where})"
                    )
            _finish(staging, out_dir, run, rejects, note, stem=stem)
            swap_in(staging, out_dir)
        finally:
            discard_staging(staging)
    summary.wrote = True
    summary.rows = row_counts(out_dir)
    summary.seconds = time.perf_counter() - started
    return summary


def _run_tasks(
    dask: Client,
    plugin: ModelPlugin,
    template: PartitionTask,
    partitions: Iterable[list[RawDoc]],
    run: Run,
) -> Iterator[PartitionResult]:
    """Submit one task per partition as soon as it is read; yield the results as they finish.

    At most ``IN_FLIGHT_PER_THREAD`` partitions per worker thread wait or run at
    once, so the driver reads ahead only that far, and a partition's input file
    is deleted once its result is in: the staging folder holds a bounded amount
    of text, whatever the size of the run.
    """
    staging = Path(template.staging)
    done = as_completed(loop=dask.loop)
    futures: dict[int, Future] = {}  # submitted, not yet collected
    try:
        dask.register_plugin(plugin, name=template.plugin)  # fails if a worker's setup fails
        (staging / "_inputs").mkdir()
        for index, docs in enumerate(partitions):
            path = staging / "_inputs" / f"part-{index:05d}.pkl"
            write_partition_input(path, [(d, run.sources(d.doc_id, d.source, ())[1]) for d in docs])
            stem = f"{template.stem}-{index:05d}"
            task = replace(template, index=index, inputs=str(path), stem=stem)
            key = f"ceasefire-partition-{stem}"
            futures[index] = dask.submit(run_partition, task, key=key, pure=False, retries=1)
            done.add(futures[index])
            limit = IN_FLIGHT_PER_THREAD * (sum(dask.nthreads().values()) or 1)
            while done.count() >= limit:
                yield _collect(next(done), futures, staging)
        for future in done:
            yield _collect(future, futures, staging)
    finally:
        if futures:
            dask.cancel(list(futures.values()))
        with suppress(Exception):  # not registered, or the cluster is gone already
            dask.unregister_worker_plugin(template.plugin)


def _collect(future: Future, futures: dict[int, Future], staging: Path) -> PartitionResult:
    """Return a task's result, release its future (no recomputation) and delete its input."""
    result: PartitionResult = future.result()
    futures.pop(result.index).release()
    (staging / "_inputs" / f"part-{result.index:05d}.pkl").unlink(missing_ok=True)
    return result


def _finish(
    staging: Path,
    out_dir: Path,
    run: Run,
    rejects: list[Reject],
    note: Callable[[Reject], None],
    *,
    stem: str,
) -> None:
    """Complete the staging folder as the local engine does: old rows, derived tables, rejects."""
    remove_hidden(staging)  # the partition inputs, temporary files of killed attempts
    if run.previous:
        carry_forward(
            out_dir,
            staging,
            drop=run.drop,
            fix_documents=lambda table: fixed_sources(table, run),
            stem=stem,
        )
    ensure_tables(staging, DOCUMENT_TABLES, stem=stem)
    for name, builder in DERIVED_TABLES.items():
        try:
            table = builder(staging)
        except Exception as exc:  # as pipeline.extract: a reject and an empty table
            detail = f"building the {name} table raised {type(exc).__name__}: {exc}"
            note(Reject(name, None, "derived_error", detail[:MAX_ERROR_CHARS]))
            if name not in SCHEMAS:
                continue
            table = table_from_rows(name, [])
        write_atomic(table, staging / f"{name}.parquet", root=staging)
    write_unpartitioned(staging, "rejects", [reject_row(r) for r in rejects], stem=stem)
    carry_other_files(out_dir, staging, ours={*TABLES, *DERIVED_TABLES})
