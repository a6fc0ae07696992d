"""Scaling of ``extract``: the local engine with 1 and N workers vs a Dask cluster of N workers.

Builds the corpus of ``bench.py`` (the seed articles replicated with generated
variations, or ``--corpus``), then times ``extract`` end to end (reading,
hashing, pipeline, Parquet, commit) over it with:

- the local engine, 1 worker;
- the local engine, ``--workers`` processes;
- the Dask engine on a ``LocalCluster`` of ``--workers`` single-threaded
  worker processes (or on ``--scheduler ADDRESS``).

Each engine does one warm-up run on a small corpus first (model loaded, caches
filled), so the rows compare steady-state throughput; the cluster's start-up
time is printed apart. Scaling efficiency is words/s divided by ``workers``
times the 1-worker local words/s (1.0 = perfect). :func:`scaling_rows` returns
the rows for other reports (``bench.py`` may call it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import base_articles, count_words, make_corpus, write_jsonl

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Row:
    """One measured configuration."""

    engine: str
    workers: int
    seconds: float
    words_per_s: float
    efficiency: float  # words/s / (workers x the 1-worker local words/s)


def _timed(run: Callable[[Path], Any], out: Path) -> float:
    started = time.perf_counter()
    run(out)
    return time.perf_counter() - started


def scaling_rows(
    corpus: Path,
    warmup: Path,
    model: Path,
    *,
    words: int,
    workers: int = 2,
    scheduler: str | None = None,
    batch_size: int = 32,
) -> tuple[list[Row], float]:
    """Return the three rows and the Dask cluster's start-up seconds.

    ``corpus`` and ``warmup`` are inputs ``extract`` reads; ``words`` is the word
    count of ``corpus`` (whitespace-separated, as in ``bench.py``).
    """
    from distributed import Client, LocalCluster

    from pipeline.dask_engine import extract_dask
    from pipeline.extract import extract

    def local(n: int) -> Callable[[Path], Any]:
        return lambda out: extract([corpus], out, model_dir=model, workers=n, batch_size=batch_size)

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        root = Path(tmp)
        extract([warmup], root / "warm", model_dir=model, workers=1, batch_size=batch_size)
        for n in (1, workers):
            seconds = _timed(local(n), root / f"local-{n}")
            rows.append(
                Row(f"local, {n} worker{'s' if n > 1 else ''}", n, seconds, words / seconds, 0)
            )
        started = time.perf_counter()
        if scheduler:
            cluster = None
            client = Client(scheduler, set_as_default=False)
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
            client = Client(cluster, set_as_default=False)
        startup = time.perf_counter() - started
        try:
            n_dask = len(client.nthreads())

            def on_dask(source: Path) -> Callable[[Path], Any]:
                return lambda out: extract_dask(
                    [source], out, model_dir=model, client=client, batch_size=batch_size
                )

            on_dask(warmup)(root / "dask-warm")  # loads the model on every worker
            seconds = _timed(on_dask(corpus), root / "dask")
            where = f"Dask {'cluster' if scheduler else 'LocalCluster'}, {n_dask} workers"
            rows.append(Row(where, n_dask, seconds, words / seconds, 0))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    base = rows[0].words_per_s
    rows = [Row(**{**asdict(r), "efficiency": r.words_per_s / (r.workers * base)}) for r in rows]
    return rows, startup


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "ceasefire_claims")
    parser.add_argument(
        "--corpus", type=Path, help="a real corpus (folder or .jsonl/.csv/.parquet)"
    )
    parser.add_argument("--docs", type=int, default=400, help="documents timed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", help="time an existing Dask cluster instead")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    if not (args.model / "meta.json").exists():
        sys.exit(f"bench_dask: no model at {args.model}; run `make model` first")

    base = base_articles(args.corpus)
    articles = make_corpus(base, max(args.docs, len(base)))
    words = count_words(articles)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-dask-corpus-") as tmp:
        corpus = write_jsonl(articles, Path(tmp) / "corpus.jsonl")
        warmup = write_jsonl(make_corpus(base, 20, seed=3), Path(tmp) / "warmup.jsonl")
        rows, startup = scaling_rows(
            corpus,
            warmup,
            args.model,
            words=words,
            workers=args.workers,
            scheduler=args.scheduler,
            batch_size=args.batch_size,
        )
    print(
        f"extract() over {len(articles):,} docs, {words:,} words (read, hash, pipeline, Parquet, "
        f"commit); load average {load:.1f} on {os.cpu_count()} cores before:"
    )
    print(f"  {'':34s} {'words/s':>10s} {'seconds':>8s} {'efficiency':>11s}")
    for r in rows:
        print(f"  {r.engine:34s} {r.words_per_s:>10,.0f} {r.seconds:>8.1f} {r.efficiency:>11.0%}")
    print(f"  (cluster start-up, not in the rows: {startup:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
