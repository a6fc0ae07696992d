"""The Dask engine: the local engine's rows and ids, month folders, retries, commit or nothing."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cloudpickle
import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster, WorkerPlugin
from fragile import break_last_pipe
from typer.testing import CliRunner

from pipeline import dask_engine
from pipeline import extract as extract_module
from pipeline.build import code_hash, read_model_meta
from pipeline.cli import app
from pipeline.corpus import RawDoc
from pipeline.dask_engine import (
    ModelPlugin,
    Plan,
    extract_dask,
    iter_partitions,
    model_archive,
    plan_documents,
)
from pipeline.datasets import DOCUMENT_TABLES, PARTITION_KEY, table_files
from pipeline.extract import ExtractSummary, cached_model, extract

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw" / "seeds"
KEYS = {
    "documents": ["doc_id"],
    "claims": ["claim_id"],
    "rejects": ["source", "line", "reason"],
    "figures": ["figure_id"],
}

# Invented wire-copy sentences (not from any outlet), combined at random below.
HEADLINES = [
    "{a} weighs new truce offer as talks resume in {city}",
    "Mediators press {a} and {b} on hostage deal",
    "Aid convoys enter Gaza as ceasefire talks stall",
]
SENTENCES = [
    "{a} said on {day} it had received a proposal from {m} and {m2}.",
    "At least {n:,} Palestinians have been killed since the war began, the health ministry said.",
    "{m} and {m2} have been mediating between {a} and {b} for weeks.",
    "A senior {a} official, speaking on condition of anonymity, said {k} hostages could be freed.",
    "The plan would begin with a {k}-day pause in fighting, officials told reporters.",
    "About {k}0 aid trucks crossed into the enclave on {day}, the United Nations said.",
    "Negotiators met in {city} on {day}, two officials familiar with the talks said.",
    "{b} rejected the terms, a spokesman said late {day}.",
]
ACTORS = ["Hamas", "Israel", "Egypt", "Qatar", "the United States"]
MEDIATORS = ["Egypt", "Qatar", "the United States", "Turkey"]
CITIES = ["Cairo", "Doha", "Paris", "Istanbul"]
DAYS = ["Monday", "Tuesday", "Thursday", "Saturday"]


def generated_articles(n: int, *, seed: int = 10) -> list[dict[str, Any]]:
    """Return ``n`` short invented articles (id, text, published, outlet), some undated."""
    rng = random.Random(seed)
    articles = []
    for i in range(n):
        a, b = rng.sample(ACTORS, 2)
        m, m2 = rng.sample(MEDIATORS, 2)
        slots = {
            "a": a,
            "b": b,
            "m": m,
            "m2": m2,
            "city": rng.choice(CITIES),
            "day": rng.choice(DAYS),
            "n": rng.randrange(1_000, 40_000),
            "k": rng.randrange(2, 60),
        }
        body = [rng.choice(HEADLINES)] + rng.sample(SENTENCES, rng.randrange(2, 6))
        text = "\n".join(s.format(**slots) for s in body)
        month = rng.choice(["2023-11", "2023-12", "2024-01", "2024-02", "2025-01", None])
        published = f"{month}-{rng.randrange(1, 28):02d}" if month else None
        articles.append(
            {"id": f"gen-{i:03d}", "text": text, "published": published, "outlet": "wire"}
        )
    return articles


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(pd.Series([r]).to_json(orient="records")[1:-1] + "\n" for r in records))
    return path


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two in-process workers: the Dask path, offline, in seconds."""
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster, set_as_default=False) as dask_client,
    ):
        yield dask_client


def make_inputs(folder: Path) -> list[Path]:
    """The seeds (with manifest) and a corpus of generated articles with awkward cases."""
    shutil.copytree(SEEDS, folder / "raw" / "seeds")
    records = generated_articles(12)
    records += [
        {**records[3], "id": "gen-copy"},  # same text as gen-003: a duplicate
        {
            "id": "000_4f7200585c4c9f70",
            "text": "Qatar said talks would resume on Monday.",
        },  # id taken
        {"id": "no-text", "text": None},  # rejected
    ]
    return [folder / "raw", write_jsonl(folder / "corpus.jsonl", records)]


@pytest.fixture()
def inputs(tmp_path: Path) -> list[Path]:
    return make_inputs(tmp_path)


@pytest.fixture(scope="module")
def first_run(
    tmp_path_factory: pytest.TempPathFactory, model_dir: Path, client: Client
) -> SimpleNamespace:
    """Both engines once on the same inputs (shared by the tests that only read the output)."""
    tmp = tmp_path_factory.mktemp("first_run")
    inputs = make_inputs(tmp)
    return SimpleNamespace(
        local=extract(inputs, tmp / "local", model_dir=model_dir),
        dask=extract_dask(inputs, tmp / "dask", model_dir=model_dir, client=client, partitions=5),
    )


def frames(out: Path) -> dict[str, pd.DataFrame]:
    """Every table sorted by its ids then by all values, without the partition column."""
    result = {}
    for path in sorted(out.glob("*.parquet")):
        frame = pd.read_parquet(path).drop(columns=[PARTITION_KEY], errors="ignore")
        keys = KEYS.get(path.stem, ["doc_id", "mention_id"])
        text = [repr(tuple(row)) for row in frame.itertuples(index=False)]
        frame = frame.assign(_row=text).sort_values([*keys, "_row"]).drop(columns="_row")
        result[path.stem] = frame.reset_index(drop=True)
    return result


def assert_same_tables(local_out: Path, dask_out: Path) -> None:
    a, b = frames(local_out), frames(dask_out)
    assert sorted(a) == sorted(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def counts(summary: ExtractSummary) -> tuple[Any, ...]:
    return (
        summary.read,
        summary.processed,
        summary.unchanged,
        summary.duplicates,
        summary.failed,
        dict(summary.rejected),
        dict(summary.warnings),
        summary.words,
        summary.rows,
        summary.wrote,
    )


def inodes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_ino for p in out.rglob("*.parquet") if p.is_file()}


# -- same rows, same ids --------------------------------------------------------------
def test_output_equals_the_local_engine_row_for_row(first_run: SimpleNamespace) -> None:
    summary = first_run.dask
    assert_same_tables(first_run.local.out_dir, summary.out_dir)
    assert counts(summary) == counts(first_run.local)
    assert summary.read == 19 and summary.duplicates == 1 and summary.rejected == {"no_text": 1}
    assert summary.partitions == 5
    assert summary.model_loads <= 2  # once per worker (and kept for later runs), not per task


def test_tables_are_month_folders_that_pandas_and_dask_read(first_run: SimpleNamespace) -> None:
    out = first_run.dask.out_dir
    docs = pd.read_parquet(out / "documents.parquet")
    expected = docs["published"].map(lambda d: d.strftime("%Y-%m") if pd.notna(d) else "unknown")
    assert (docs[PARTITION_KEY].astype(str) == expected).all()
    assert "unknown" in set(expected)
    for name in DOCUMENT_TABLES:
        frame = pd.read_parquet(out / f"{name}.parquet")
        if len(frame):
            assert all(f.month for f in table_files(out, name)), name
        assert len(dd.read_parquet(out / f"{name}.parquet").compute()) == len(frame)
    assert (out / "figures.parquet").is_file()  # derived tables stay single files


def test_incremental_runs_match_the_local_engine(
    inputs: list[Path], tmp_path: Path, model_dir: Path, client: Client
) -> None:
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"

    def both(**options: Any) -> tuple[ExtractSummary, ExtractSummary]:
        a = extract(inputs, local_out, model_dir=model_dir, **options)
        b = extract_dask(
            inputs, dask_out, model_dir=model_dir, client=client, partitions=4, **options
        )
        assert_same_tables(local_out, dask_out)
        assert counts(b) == counts(a)
        return a, b

    both()
    before = inodes(dask_out)
    seeds = inputs[0] / "seeds"
    changed = seeds / "003_ccac73b0137fe5d3.txt"
    changed.write_text(changed.read_text() + "\nQatar said talks would resume next week.\n")
    (seeds / "zz_copy.txt").write_text((seeds / "000_4f7200585c4c9f70.txt").read_text())
    extra = generated_articles(4, seed=99)
    inputs.append(write_jsonl(tmp_path / "more.jsonl", extra))
    _, summary = both()
    assert (summary.processed, summary.unchanged, summary.duplicates) == (5, 17, 2)
    after = inodes(dask_out)
    linked = [f for f in before if before[f] == after.get(f)]
    assert any(f.startswith("entities.parquet/published_month=2023-12/") for f in linked)

    inputs.pop()  # documents of earlier inputs are kept
    (seeds / "zz_copy.txt").unlink()
    _, summary = both()
    assert summary.wrote
    _, summary = both()
    assert not summary.wrote and summary.model_loads == 0  # nothing to do: no cluster work
    both(force=True)


def test_switching_engines_on_one_output_folder_keeps_every_row(
    inputs: list[Path], tmp_path: Path, model_dir: Path, client: Client
) -> None:
    reference, out = tmp_path / "reference", tmp_path / "out"
    first, second = inputs[:1], inputs[1:]
    for run_inputs in (first, second):
        extract(run_inputs, reference, model_dir=model_dir)
    extract_dask(first, out, model_dir=model_dir, client=client)
    extract(second, out, model_dir=model_dir)  # local engine on Dask output
    assert_same_tables(reference, out)
    assert (out / "documents.parquet").is_file()
    extract_dask(first, out, model_dir=model_dir, client=client)  # and back
    extract(first, reference, model_dir=model_dir)
    assert_same_tables(reference, out)
    assert (out / "documents.parquet").is_dir()


def test_pipeline_errors_are_rejected_as_by_the_local_engine(
    inputs: list[Path],
    tmp_path: Path,
    model_dir: Path,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nlp = cached_model(model_dir)
    break_last_pipe(nlp, monkeypatch, "Istanbul")
    monkeypatch.setattr(dask_engine, "_MODELS", {})  # the in-process workers load it too
    monkeypatch.setattr(dask_engine, "load_model", lambda path: nlp)
    local_summary = extract(inputs, tmp_path / "local", model_dir=model_dir)
    summary = extract_dask(inputs, tmp_path / "dask", model_dir=model_dir, client=client)
    assert summary.failed == local_summary.failed > 0
    assert_same_tables(tmp_path / "local", tmp_path / "dask")


def test_a_failing_derived_table_is_rejected_as_by_the_local_engine(
    inputs: list[Path],
    tmp_path: Path,
    model_dir: Path,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(tables: Path) -> Any:
        raise ValueError("no figures today")

    monkeypatch.setitem(extract_module.DERIVED_TABLES, "figures", broken)
    extract(inputs[:1], tmp_path / "local", model_dir=model_dir)
    extract_dask(inputs[:1], tmp_path / "dask", model_dir=model_dir, client=client)
    assert_same_tables(tmp_path / "local", tmp_path / "dask")
    assert pd.read_parquet(tmp_path / "dask" / "rejects.parquet")["reason"].tolist() == [
        "derived_error"
    ]


# -- crash safety ----------------------------------------------------------------------
def test_a_failed_run_leaves_the_previous_tables_untouched(
    inputs: list[Path],
    tmp_path: Path,
    model_dir: Path,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    extract_dask(inputs, out, model_dir=model_dir, client=client)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = dask_engine.process_batch

    def failing(nlp: Any, raws: Any, **kw: Any) -> Any:
        if any(raw.doc_id == "gen-007" for raw in raws):
            raise OSError("disk full")
        return real(nlp, raws, **kw)

    monkeypatch.setattr(dask_engine, "process_batch", failing)
    with pytest.raises(OSError, match="disk full"):
        extract_dask(inputs, out, model_dir=model_dir, client=client, force=True, partitions=4)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".out.staging-*"))  # no staging folder left behind
    assert not list(tmp_path.glob(".out.trash-*"))
    plugins = client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert not any(p.startswith("ceasefire-model") for ps in plugins.values() for p in ps)


def test_the_driver_reads_ahead_a_bounded_number_of_partitions(
    inputs: list[Path],
    tmp_path: Path,
    model_dir: Path,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waiting: list[int] = []
    real = dask_engine.write_partition_input

    def counting(path: Path, docs: Any) -> None:
        waiting.append(len(list(path.parent.iterdir())))  # inputs not yet collected
        real(path, docs)

    monkeypatch.setattr(dask_engine, "write_partition_input", counting)
    monkeypatch.setattr(dask_engine, "IN_FLIGHT_PER_THREAD", 1)
    summary = extract_dask(
        inputs, tmp_path / "out", model_dir=model_dir, client=client, partitions=8
    )
    assert summary.partitions == len(waiting) == 8
    assert max(waiting) <= 2  # 1 per worker thread


class DieAfterPublishing(WorkerPlugin):
    """Kill the worker process once, right after a task published its part files."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def setup(self, worker: Any) -> None:
        from pipeline import datasets

        marker, close = Path(self.marker), datasets.PartWriter.close

        def close_then_die(writer: Any) -> Any:
            result = close(writer)
            if not marker.exists():
                marker.write_text(worker.address)
                os._exit(1)
            return result

        datasets.PartWriter.close = close_then_die  # type: ignore[method-assign]


@pytest.mark.slow
def test_a_worker_killed_mid_task_is_retried(
    inputs: list[Path], tmp_path: Path, model_dir: Path
) -> None:
    marker = tmp_path / "killed"
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    try:
        with (
            LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster,
            Client(cluster, set_as_default=False) as processes,
        ):
            processes.register_plugin(DieAfterPublishing(str(marker)), name="die-once")
            summary = extract_dask(
                inputs[:1], tmp_path / "dask", model_dir=model_dir, client=processes, partitions=2
            )
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert marker.exists()  # a worker died with its task's files published, result unsent
    assert summary.processed == 5
    extract(inputs[:1], tmp_path / "local", model_dir=model_dir)
    assert_same_tables(tmp_path / "local", tmp_path / "dask")
    assert not [p for p in (tmp_path / "dask").rglob("*") if p.name.startswith((".", "_"))]


# -- workers: model and code checks -----------------------------------------------------
def fake_worker(tmp_path: Path) -> SimpleNamespace:
    return SimpleNamespace(address="tcp://w:1", local_directory=str(tmp_path))


def test_model_plugin_refuses_other_code_or_another_model(tmp_path: Path, model_dir: Path) -> None:
    meta = read_model_meta(model_dir)
    with pytest.raises(RuntimeError, match="other ceasefire-claims code"):
        ModelPlugin(str(model_dir), model_meta=meta, code="0" * 16, max_length=1).setup(
            fake_worker(tmp_path)
        )
    with pytest.raises(RuntimeError, match="no model at .*--ship-model"):
        ModelPlugin(str(tmp_path / "none"), model_meta=meta, code=code_hash(), max_length=1).setup(
            fake_worker(tmp_path)
        )
    other = {**meta, "rules_hash": "elsewhere"}
    with pytest.raises(RuntimeError, match="another model"):
        ModelPlugin(str(model_dir), model_meta=other, code=code_hash(), max_length=1).setup(
            fake_worker(tmp_path)
        )


def test_a_shipped_model_is_unpacked_on_the_worker_and_loaded_once(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dask_engine, "_MODELS", {})  # a fresh worker process
    plugin = ModelPlugin(
        "/nowhere",
        model_meta=read_model_meta(model_dir),
        code=code_hash(),
        max_length=10_000_000,
        archive=model_archive(model_dir),
    )
    plugin.setup(fake_worker(tmp_path))
    assert Path(plugin.model_dir).is_relative_to(tmp_path)
    nlp = plugin.model()
    assert plugin.model() is nlp and plugin.loads == 1
    assert nlp.max_length == 10_000_000
    plugin.teardown(fake_worker(tmp_path))
    assert not list(tmp_path.iterdir())


def test_ship_model_end_to_end(
    inputs: list[Path], tmp_path: Path, model_dir: Path, client: Client
) -> None:
    summary = extract_dask(
        inputs[:1], tmp_path / "dask", model_dir=model_dir, client=client, ship_model=True
    )
    extract(inputs[:1], tmp_path / "local", model_dir=model_dir)
    assert summary.processed == 5
    assert_same_tables(tmp_path / "local", tmp_path / "dask")


@pytest.mark.parametrize(
    ("docs", "n", "expected"),
    [
        ("a:10:2024-01 b:10:2024-01 c:10:2024-01 d:10:2024-01", 2, "a:0 b:0 c:1 d:1"),
        ("a:30:2024-01 b:5:2024-01 c:5:2024-01", 2, "a:0 b:1 c:1"),
        ("a:1:2024-01 b:1:2024-01", 5, "a:0 b:1"),
        ("a:1:2024-02 b:1:2024-01 c:1:2024-02 d:1:2024-01", 2, "b:0 d:0 a:1 c:1"),
        ("a:1:unknown b:1:2023-12 c:1:2024-01", 3, "b:0 c:1 a:2"),
    ],
)
def test_partitions_are_months_cut_into_similar_sizes(docs: str, n: int, expected: str) -> None:
    """Documents as ``id:chars:month`` in input order; partitions in month, then input order."""
    rows = [d.split(":") for d in docs.split()]
    plan = Plan(
        sizes={d: int(size) for d, size, _ in rows},
        sha={d: "" for d, _, _ in rows},
        months={d: month for d, _, month in rows},
    )
    assert " ".join(f"{d}:{p}" for d, p in plan.partitions(n).items()) == expected


def raw(doc_id: str, chars: int) -> RawDoc:
    return RawDoc(doc_id, f"{doc_id}.txt", "x" * chars)


def test_partitions_are_yielded_when_complete_or_when_too_much_text_waits() -> None:
    docs = [raw(d, 10) for d in "abcdef"]
    plan = plan_documents(docs)
    assignment = {"a": 0, "b": 1, "c": 0, "d": 1, "e": 0, "f": 1}  # interleaved months
    complete = [[d.doc_id for d in p] for p in iter_partitions(docs, plan, assignment)]
    assert complete == [["a", "c", "e"], ["b", "d", "f"]]
    spilled = iter_partitions(docs, plan, assignment, max_chars=25)
    assert [[d.doc_id for d in p] for p in spilled] == [["a", "c"], ["e"], ["b", "d", "f"]]


def test_an_input_that_changes_between_the_two_readings_stops_the_run() -> None:
    plan = plan_documents([raw("a", 10), raw("b", 10)])
    with pytest.raises(RuntimeError, match="input changed"):
        list(iter_partitions([raw("a", 10), raw("b", 11)], plan, {"a": 0, "b": 0}))
    with pytest.raises(RuntimeError, match="not found again"):
        list(iter_partitions([raw("a", 10)], plan, {"a": 0, "b": 0}))


def test_a_run_writes_about_one_file_per_task_and_table(first_run: SimpleNamespace) -> None:
    """Tasks cut a month-sorted list: at most tasks + months - 1 files, not tasks x months."""
    files = table_files(first_run.dask.out_dir, "documents")
    tasks = {f.path.stem.rsplit("-", 1)[1] for f in files}
    months = {f.month for f in files}
    assert len(tasks) == first_run.dask.partitions == 5
    assert len(months) >= 5
    assert len(files) <= len(tasks) + len(months) - 1


# -- the command line ---------------------------------------------------------------------
def test_cli_runs_on_a_given_scheduler(
    inputs: list[Path], tmp_path: Path, model_dir: Path, client: Client
) -> None:
    out = tmp_path / "out"
    args = ["extract", *map(str, inputs), "--out", str(out), "--model", str(model_dir), "--quiet"]
    dask_args = ["--engine", "dask", "--scheduler", client.scheduler.address, "--partitions", "3"]
    result = CliRunner().invoke(app, [*args, *dask_args])
    assert result.exit_code == 0, result.output
    assert "18 extracted" in result.output and "dask: 3 partitions on 2 workers" in result.output
    assert (out / "claims.parquet").is_dir()
    result = CliRunner().invoke(app, [*args, "--partitions", "3"])
    assert result.exit_code == 2 and "need --engine dask" in result.output


def test_cli_explains_how_to_install_dask(
    inputs: list[Path], tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "pipeline.dask_engine")
    args = ["extract", str(inputs[0]), "--out", str(tmp_path / "out"), "--model", str(model_dir)]
    result = CliRunner().invoke(app, [*args, "--engine", "dask"])
    assert result.exit_code == 2
    assert "pip install 'ceasefire-claims[dask]'" in result.output


def test_dask_is_imported_only_by_the_dask_engine() -> None:
    code = (
        "import sys, pipeline.cli, pipeline.extract, pipeline.datasets, pipeline.build\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    importers = [
        path.name
        for path in (ROOT / "pipeline").glob("*.py")
        if any(
            line.startswith(("import dask", "from dask", "import distributed", "from distributed"))
            for line in path.read_text().splitlines()
        )
    ]
    assert importers == ["dask_engine.py"]
