"""Throughput and memory benchmark of the pipeline (``make bench``); a script, not a test.

Builds a corpus (the seed articles replicated with generated variations, or a
real corpus given with ``--corpus``) at 1x and ``--scale``x, then prints:

- words per second of a bare ``spacy.blank("en")`` tokenizer and of the full
  pipeline (``nlp.pipe``) over the same 1x corpus in this process, and their
  ratio (target: the pipeline at >= 30% of the tokenizer);
- the time each component takes, as a multiple of the bare tokenizer's time;
- the end-to-end ``extract()`` job (reading, hashing, pipeline, Parquet) with
  1 and ``--workers`` processes and the speed-up (target: >= 1.7x with 2);
- peak resident memory (``ru_maxrss``) of ``extract()`` over the 1x and the
  Nx corpus, each measured in a fresh child process (target: Nx within 1.2x
  of 1x).

Words are whitespace-separated tokens of the text, counted the same way for
every measurement, so ratios are ratios of time. ``--profile N`` also prints
the N most expensive functions of the pipeline under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import json
import os
import pstats
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw" / "seeds"
_NUMBER = re.compile(r"\d[\d,]*")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Article:
    """One benchmark document."""

    doc_id: str
    text: str
    published: dt.date | None


# -- the corpus ------------------------------------------------------------------------
def base_articles(corpus: Path | None) -> list[Article]:
    """Return the seed articles (or those of ``corpus``), read as ``extract`` reads them."""
    from pipeline.corpus import RawDoc, iter_inputs

    docs = [d for d in iter_inputs([corpus or SEEDS]) if isinstance(d, RawDoc)]
    if not docs:
        sys.exit(f"bench: no readable documents in {corpus or SEEDS}")
    return [Article(d.doc_id, d.text, d.published) for d in docs]


def vary(article: Article, rng: random.Random, index: int) -> Article:
    """Return a variation of ``article``: numbers, weekdays, paragraph order and date changed."""

    def number(match: re.Match[str]) -> str:
        digits = match[0].replace(",", "")
        if len(digits) == 4 and digits.startswith(("19", "20")):
            return match[0]  # a year stays a year
        value = max(1, int(int(digits) * rng.uniform(0.5, 1.5)))
        return f"{value:,}" if "," in match[0] else str(value)

    lines = article.text.split("\n")
    head, body = lines[:1], lines[1:]
    paragraphs = [p for p in body if p.strip()]
    if len(paragraphs) > 2:
        keep = paragraphs[:1]
        rest = paragraphs[1:]
        rng.shuffle(rest)
        paragraphs = keep + rest
    text = "\n".join(head + paragraphs)
    text = _NUMBER.sub(number, text)
    day = rng.choice(_WEEKDAYS)
    text = re.sub("|".join(_WEEKDAYS), day, text, count=rng.randint(0, 2))
    published = (
        article.published + dt.timedelta(days=rng.randint(-60, 60)) if article.published else None
    )
    return Article(f"{article.doc_id}-v{index:05d}", text, published)


def make_corpus(base: Sequence[Article], n_docs: int, *, seed: int = 8) -> list[Article]:
    """Return ``n_docs`` distinct articles: the base ones first, then variations of them."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[Article] = []
    index = 0
    while len(out) < n_docs:
        original = base[index % len(base)]
        article = original if index < len(base) else vary(original, rng, index)
        digest = hashlib.sha256(article.text.encode()).hexdigest()
        index += 1
        if digest in seen:
            continue  # a duplicate would be skipped by extract, not measured
        seen.add(digest)
        out.append(article)
    return out


def write_jsonl(articles: Sequence[Article], path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for a in articles:
            record = {
                "id": a.doc_id,
                "text": a.text,
                "published": a.published and a.published.isoformat(),
            }
            fh.write(json.dumps(record) + "\n")
    return path


def count_words(articles: Sequence[Article]) -> int:
    return sum(len(a.text.split()) for a in articles)


# -- measurements ----------------------------------------------------------------------
def timed(runs: Sequence[Callable[[], Any]], repeat: int) -> list[tuple[float, float]]:
    """Return the best (wall, CPU) seconds of each of ``runs`` over ``repeat`` rounds.

    The runs are interleaved round by round, so a burst of other load on the
    machine hits them alike. CPU time is what one core spent; ratios use it.
    """
    best = [(float("inf"), float("inf")) for _ in runs]
    for _ in range(repeat):
        for i, run in enumerate(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
            best[i] = (min(best[i][0], wall), min(best[i][1], cpu))
    return best


def prepared(nlp: Any, articles: Sequence[Article]) -> Iterator[Any]:
    for a in articles:
        doc = nlp.make_doc(a.text)
        doc._.published = a.published
        yield doc


def component_times(nlp: Any, articles: Sequence[Article]) -> list[tuple[str, float]]:
    """Return the CPU seconds each step takes over ``articles`` (tokenizer first)."""
    started = time.process_time()
    docs = list(prepared(nlp, articles))
    times = [("tokenizer (make_doc)", time.process_time() - started)]
    for name, proc in nlp.pipeline:
        started = time.process_time()
        docs = [proc(doc) for doc in docs]
        times.append((name, time.process_time() - started))
    return times


def extract_seconds(
    corpus: Path,
    model: Path,
    *,
    workers: int,
    batch_size: int,
    derived: dict[str, float] | None = None,
) -> tuple[float, float, int]:
    """Return (wall s, CPU s of this process and its workers, documents) of one ``extract()``.

    With ``derived``, also time each derived-table builder again on the output
    (they run serially at the end of every extract).
    """
    from pipeline.extract import DERIVED_TABLES, extract

    def cpu() -> float:
        own, children = (
            resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    with tempfile.TemporaryDirectory(prefix="bench-out-") as tmp:
        out = Path(tmp) / "out"
        started, started_cpu = time.perf_counter(), cpu()
        summary = extract([corpus], out, model_dir=model, workers=workers, batch_size=batch_size)
        result = time.perf_counter() - started, cpu() - started_cpu, summary.processed
        if derived is not None:
            for name, builder in DERIVED_TABLES.items():
                started = time.process_time()
                builder(out)
                derived[name] = time.process_time() - started
        return result


#: Runs a command and writes its exit code and peak RSS (``os.wait4``) to a file. The
#: measured child is started from this small process, not from the benchmark: on Linux
#: a child's ``ru_maxrss`` includes the RSS of the process it was forked from.
_LAUNCHER = """
import json, os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as fh:
    json.dump({"code": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss}, fh)
"""


def peak_rss_mb(corpus: Path, model: Path, *, batch_size: int, expected: int) -> float:
    """Return the peak RSS (MB) of a fresh child process running ``extract()`` over ``corpus``.

    Each measurement is its own process (``os.wait4`` on its pid), never the
    maximum over earlier children.
    """
    command = [sys.executable, __file__, "--child-extract", str(corpus), "--model", str(model)]
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        usage, out, err = Path(tmp) / "usage.json", Path(tmp) / "out", Path(tmp) / "err"
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            subprocess.run(
                [
                    sys.executable,
                    "-S",
                    "-c",
                    _LAUNCHER,
                    str(usage),
                    *command,
                    "--batch-size",
                    str(batch_size),
                ],
                stdout=stdout,
                stderr=stderr,
                check=True,
            )
        result = json.loads(usage.read_text())
        if result["code"] != 0:
            sys.exit(f"bench: child extract failed:\n{err.read_text(errors='replace')}")
        done = json.loads(out.read_text())["documents"]
    if done != expected:
        sys.exit(f"bench: the child extracted {done} documents, not {expected}")
    return float(result["maxrss_kb"]) / 1024  # KB on Linux


def child_extract(corpus: Path, model: Path, batch_size: int) -> None:
    seconds, _, n = extract_seconds(corpus, model, workers=1, batch_size=batch_size)
    print(json.dumps({"seconds": seconds, "documents": n}))


def profile_pipeline(nlp: Any, articles: Sequence[Article], top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in nlp.pipe(prepared(nlp, articles)):
        pass
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    return stream.getvalue()


def compiled_modules() -> list[str]:
    """Return the loaded ``pipeline`` modules that are C extensions (mypyc, see setup.py)."""
    return sorted(
        name.removeprefix("pipeline.")
        for name, module in list(sys.modules.items())
        if name.startswith("pipeline.")
        and not name.endswith("__mypyc")  # their shared library
        and str(getattr(module, "__file__", "")).endswith((".so", ".pyd"))
    )


# -- report ------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "ceasefire_claims")
    parser.add_argument(
        "--corpus", type=Path, help="a real corpus (folder or .jsonl/.csv/.parquet)"
    )
    parser.add_argument("--docs", type=int, default=100, help="documents in the 1x corpus")
    parser.add_argument("--scale", type=int, default=10, help="size of the large corpus, in x")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs (best is kept)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print N hot functions")
    parser.add_argument("--child-extract", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_extract:
        child_extract(args.child_extract, args.model, args.batch_size)
        return 0

    import spacy

    from pipeline.extract import cached_model

    if not (args.model / "meta.json").exists():
        sys.exit(f"bench: no model at {args.model}; run `make model` first")
    nlp = cached_model(args.model)  # imports every component's module
    compiled = compiled_modules()
    print(
        f"pipeline modules compiled with mypyc: {', '.join(compiled)}"
        if compiled
        else "pipeline modules: pure Python, none compiled (see setup.py, `make compile`)"
    )
    base = base_articles(args.corpus)
    small = make_corpus(base, args.docs if not args.corpus else max(args.docs, len(base)))
    large = make_corpus(base, len(small) * args.scale)
    w_small, w_large = count_words(small), count_words(large)
    print(
        f"corpus: {'seeds' if not args.corpus else args.corpus} varied; "
        f"1x = {len(small):,} docs, {w_small:,} words; "
        f"{args.scale}x = {len(large):,} docs, {w_large:,} words"
    )
    print(
        f"python {sys.version.split()[0]}, spacy {spacy.__version__}, {os.cpu_count()} cores, "
        f"model {args.model}"
    )

    # 1. throughput in this process, same corpus
    blank = spacy.blank("en")
    texts = [a.text for a in small]
    warm = small[: max(1, len(small) // 10)]  # fill caches (vocab, lexemes) before timing
    list(blank.pipe(a.text for a in warm))
    list(nlp.pipe(prepared(nlp, warm)))
    (w_blank, t_blank), (w_full, t_full) = timed(
        [
            lambda: [None for _ in blank.pipe(texts)],
            lambda: [None for _ in nlp.pipe(prepared(nlp, small))],
        ],
        max(3, 2 * args.repeat),
    )
    ratio = t_blank / t_full
    print(f"\n{'':36s} {'words/s':>10s} {'(CPU time)':>12s}")
    print(
        f"{'bare tokenizer (spacy.blank(en))':36s} {w_small / w_blank:>10,.0f} "
        f"{w_small / t_blank:>12,.0f}"
    )
    print(
        f"{'full pipeline (nlp.pipe)':36s} {w_small / w_full:>10,.0f} {w_small / t_full:>12,.0f}"
        f"   {ratio:.1%} of the tokenizer (target >= 30%: {verdict(ratio >= 0.30)})"
    )
    print("\nCPU time per step, as a multiple of the bare tokenizer's over the 1x corpus:")
    steps = component_times(nlp, small)
    total = sum(s for _, s in steps)
    for name, seconds in steps:
        print(f"  {name:28s} {seconds / t_blank:6.2f}x   {seconds / total:5.1%} of the pipeline")

    # 2. the extract job, 1 vs N workers (forced, fresh output folder each time)
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        small_path = write_jsonl(small, Path(tmp) / "corpus-1x.jsonl")
        large_path = write_jsonl(large, Path(tmp) / f"corpus-{args.scale}x.jsonl")
        load = os.getloadavg()[0]
        runs: dict[int, list[tuple[float, float, int]]] = {1: [], args.workers: []}
        derived: dict[str, float] = {}
        for _ in range(args.repeat):  # alternate and keep the best: other load comes and goes
            for w in runs:
                runs[w].append(
                    extract_seconds(
                        large_path,
                        args.model,
                        workers=w,
                        batch_size=args.batch_size,
                        derived=derived if w == 1 else None,
                    )
                )
        t1, cpu1, n1 = min(runs[1])
        tn, cpun, nn = min(runs[args.workers])
        assert n1 == nn == len(large), (n1, nn, len(large))
        speedup = t1 / tn
        print(
            f"\nextract() over the {args.scale}x corpus (read, hash, pipeline, Parquet), best of "
            f"{args.repeat}, load average {load:.1f} on {os.cpu_count()} cores before:"
        )
        print(f"  {'1 worker':26s} {w_large / t1:>10,.0f} words/s  ({t1:.1f} s)")
        print(
            f"  {f'{args.workers} workers':26s} {w_large / tn:>10,.0f} words/s  ({tn:.1f} s)   "
            f"speed-up {speedup:.2f}x (target >= 1.7x with 2: {verdict(speedup >= 1.7)})"
        )
        serial = sum(derived.values()) / cpu1
        bound = 1 / (serial + (1 - serial) / args.workers) * min(1.0, cpu1 / cpun)
        print(
            f"  {'CPU time, all processes':26s} {cpun / cpu1:>10.2f}x with {args.workers} workers "
            f"of 1 worker's; with the serial part below, the speed-up can reach {bound:.2f}x "
            "on idle cores"
        )
        for name, seconds in derived.items():
            print(
                f"  {f'derived table {name}':26s} {seconds:>10.1f} s CPU, serial at the end of "
                f"every run ({seconds / cpu1:.0%} of 1 worker's CPU time)"
            )

        # 3. peak memory, each in a fresh child process
        rss_small = peak_rss_mb(
            small_path, args.model, batch_size=args.batch_size, expected=len(small)
        )
        rss_large = peak_rss_mb(
            large_path, args.model, batch_size=args.batch_size, expected=len(large)
        )
    growth = rss_large / rss_small
    print("\npeak RSS of extract() in a fresh process (1 worker):")
    print(f"  {'1x':26s} {rss_small:>10,.0f} MB")
    print(
        f"  {f'{args.scale}x':26s} {rss_large:>10,.0f} MB   "
        f"{growth:.2f}x of 1x (target <= 1.2x: {verdict(growth <= 1.2)})"
    )
    if args.profile:
        print(f"\ncProfile of nlp.pipe over the 1x corpus, top {args.profile} by own time:")
        print(profile_pipeline(nlp, small, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
