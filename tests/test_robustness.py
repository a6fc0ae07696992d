"""Bad input through the command line, a run killed with SIGKILL, and arbitrary text.

Each bad input sits beside a good article: the run must exit 0, print a
one-line warning naming the input, record the reason in ``rejects`` and still
extract the good article. Only an input with nothing readable exits 1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.corpus import RawDoc
from pipeline.extract import doc_rows, extract
from pipeline.tables import MENTION_TABLES, table_from_rows

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw" / "seeds"
GOOD = "date 2024-02-08\nQatar said on Thursday that talks on a truce would resume in Cairo."
runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def extract_cli(inputs: list[Path], out: Path, model_dir: Path, *extra: str) -> tuple[int, str]:
    return cli(
        "extract",
        *map(str, inputs),
        "--out",
        str(out),
        "--model",
        str(model_dir),
        "--rules",
        str(out.parent / "no-rules"),
        *extra,
    )


def rejects_of(out: Path) -> list[dict[str, Any]]:
    return pq.read_table(out / "rejects.parquet").to_pylist()


def doc_ids(out: Path) -> list[str]:
    return sorted(
        pq.read_table(out / "documents.parquet", columns=["doc_id"])["doc_id"].to_pylist()
    )


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def jsonl(*lines: object) -> bytes:
    return "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines).encode()


def sparse_50mb(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.truncate(50 * 2**20)


# name, content (bytes, or a function writing the file), reason, kept (warning) or skipped
BAD_INPUTS: list[tuple[str, Any, str, bool]] = [
    ("empty.txt", b"", "empty", False),
    ("blank.txt", b"  \n\t\r\n  ", "empty", False),
    ("binary.txt", bytes(range(256)) * 40, "binary", False),
    ("latin1.txt", "Hamas said the caf\xe9 closed.".encode("latin-1"), "invalid_utf8", True),
    ("utf16.txt", "Egypt said the talks went well.".encode("utf-16"), "utf16_bom", True),
    ("huge.txt", sparse_50mb, "too_large", False),
    (
        "notjson.jsonl",
        jsonl({"id": "j1", "text": "Egypt hosted talks."}, "{not json"),
        "bad_json",
        False,
    ),
    ("notext.csv", b"id,body\n1,Egypt hosted talks.\n", "no_text", False),
    ("nulltext.csv", b"id,text\n1,\n2,Egypt hosted talks.\n", "empty", False),
    ("notext.parquet", parquet_bytes(pa.table({"id": ["p1"], "body": ["x"]})), "no_text", False),
    (
        "nulltext.parquet",
        parquet_bytes(pa.table({"id": ["p1", "p2"], "text": [None, "Egypt hosted talks."]})),
        "no_text",
        False,
    ),
    ("manifest.csv", b"name,published\ngood.txt,2024-02-08\n", "bad_manifest", False),
    ("baddate.txt", b"date 2024-02-31\nTurkey offered to host talks.", "bad_date_header", True),
    ("nodate.txt", b"date soon\nTurkey offered to host talks.", "bad_date_header", True),
    ("zcopy.txt", GOOD.encode(), "duplicate", True),
    ("notes.docx", b"PK\x03\x04", "unsupported", False),
]


@pytest.mark.parametrize(
    ("name", "content", "reason", "kept"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_is_recorded_and_the_run_carries_on(
    tmp_path: Path, model_dir: Path, name: str, content: Any, reason: str, kept: bool
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD)
    if callable(content):
        content(raw / name)
    else:
        (raw / name).write_bytes(content)
    out = tmp_path / "out"
    code, output = extract_cli([raw], out, model_dir)
    assert code == 0, output
    assert "good" in doc_ids(out)
    source = str(raw / name)
    matching = [
        r for r in rejects_of(out) if r["source"].startswith(source) and r["reason"] == reason
    ]
    assert matching and all(r["kept"] == kept and r["detail"] for r in matching), rejects_of(out)
    warning = [line for line in output.splitlines() if line.startswith(("warning:", "skipped:"))]
    kind = "warning" if kept else "skipped"
    assert any(line.startswith(f"{kind}: {source}") and f": {reason}: " in line for line in warning)
    assert len(output.splitlines()) == len(warning) + 3  # one line per problem + the summary


def test_missing_manifest_leaves_documents_undated_with_a_warning(
    tmp_path: Path, model_dir: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw)
    (raw / "manifest.csv").unlink()
    out = tmp_path / "out"
    code, output = extract_cli([raw], out, model_dir)
    assert code == 0 and "5 read, 5 extracted" in output
    undated = {Path(r["source"]).stem for r in rejects_of(out) if r["reason"] == "no_published"}
    assert undated == {p.stem for p in SEEDS.glob("*.txt")} - {"001_39cec6ba0aeac842"}


def test_nothing_readable_exits_1_with_the_reason(tmp_path: Path, model_dir: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(b"")
    (raw / "b.txt").write_bytes(bytes(range(256)) * 10)
    code, output = extract_cli([raw], tmp_path / "out", model_dir)
    assert code == 1
    assert (
        "error: no readable documents: " in output and "1 binary" in output and "1 empty" in output
    )
    assert not (tmp_path / "out").exists()
    code, output = extract_cli([tmp_path / "missing"], tmp_path / "out", model_dir)
    assert code == 1 and "not_found" in output


def test_malformed_rules_stop_extract_before_anything_is_written(
    tmp_path: Path, model_dir: Path
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("candidates"))
    with open(rules / "abbreviations.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"text": "Xyz.", "colour": "red"}\nnot json\n')
    n_lines = len((rules / "abbreviations.jsonl").read_text().splitlines())
    model = tmp_path / "model"
    shutil.copytree(model_dir, model)
    before = {p.name: p.stat().st_mtime_ns for p in model.iterdir()}
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD)
    code, output = cli(
        "extract",
        str(raw),
        "--out",
        str(tmp_path / "out"),
        "--model",
        str(model),
        "--rules",
        str(rules),
    )
    assert code == 2
    assert f"abbreviations.jsonl:{n_lines - 1}: unknown key 'colour'" in output
    assert f"abbreviations.jsonl:{n_lines}:" in output
    assert not (tmp_path / "out").exists()
    assert {p.name: p.stat().st_mtime_ns for p in model.iterdir()} == before


# -- SIGKILL ------------------------------------------------------------------------------
def varied_corpus(path: Path, n: int) -> Path:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = (
                seeds[i % len(seeds)].replace("Thursday", ["Monday", "Friday"][i % 2]) + f" ({i})"
            )
            fh.write(
                json.dumps({"id": f"v{i:04d}", "text": text, "published": "2024-02-08"}) + "\n"
            )
    return path


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_sigkill_mid_write_leaves_the_old_tables_readable(tmp_path: Path, model_dir: Path) -> None:
    out = tmp_path / "out"
    extract([SEEDS], out, model_dir=model_dir)
    before = hashes(out)
    tables_before = {p.stem: pq.read_table(p) for p in out.glob("*.parquet")}
    big = varied_corpus(tmp_path / "big.jsonl", 400)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "extract",
            str(big),
            "--out",
            str(out),
            "--model",
            str(model_dir),
            "--rules",
            str(tmp_path / "no-rules"),
            "--batch-size",
            "2",
            "--quiet",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    try:
        while not list(tmp_path.glob(".out.staging-*/documents.parquet")):
            if proc.poll() is not None:
                pytest.fail(f"the run ended before it could be killed: {proc.communicate()[1]!r}")
            assert time.monotonic() < deadline, "no staging folder after 120 s"
            time.sleep(0.01)
        time.sleep(0.2)  # let it write a little more
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert list(tmp_path.glob(".out.staging-*")), "the staging folder of the killed run"
    assert hashes(out) == before
    for name, table in tables_before.items():
        assert pq.read_table(out / f"{name}.parquet").equals(table)
    # the next run cleans up after the killed one and works
    summary = extract([SEEDS], out, model_dir=model_dir)
    assert (summary.unchanged, summary.processed) == (5, 0)
    assert not list(tmp_path.glob(".out.staging-*"))


# -- arbitrary text ------------------------------------------------------------------------
FRAGMENTS = [
    "Hamas",
    "Israel",
    "Qatar",
    "Egypt",
    "U.S.",
    "Turkey",
    "said",
    "told AFP",
    "according to",
    "an official",
    "at least",
    "more than",
    "up to",
    "1,200",
    "21,320",
    "1.5 million",
    "10-15",
    "two",
    "dozens",
    "hundreds",
    "hostages",
    "prisoners",
    "killed",
    "wounded",
    "aid trucks",
    "a truce",
    "ceasefire",
    "Thursday",
    "last week",
    "Oct. 7",
    "Jan. 2024",
    "2024-02-08",
    "since",
    "until",
    "\u201c",
    "\u201d",
    '"',
    "'",
    "(",
    ")",
    "—",
    "-",
    ".",
    ",",
    ";",
    "\n",
    "\n\n",
    "  ",
    "\t",
    "%",
    "$",
    "Mr.",
    "Gen.",
    "date",
    "day",
    "days",
    "week",
    "\u00a0",
    "\u200b",
    "\ufffd",
    "é",
    "阿",
    "🙂",
]
fragments = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=12),
    st.from_regex(r"\d{1,80}", fullmatch=True),
    st.from_regex(r"[\d,.\-/]{1,30}", fullmatch=True),
)
texts = st.one_of(
    st.text(max_size=400),
    st.lists(fragments, max_size=60).map(" ".join),
    st.lists(fragments, max_size=60).map("".join),
    st.text(alphabet="\"'\u201c\u201d\u2018\u2019\u00ab\u00bb()[]. \n", max_size=200),
    st.from_regex(r"[0-9]{100,2000}", fullmatch=True),
)
publication = st.one_of(
    st.none(), st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31))
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, published=publication)
def test_arbitrary_text_never_raises(analyse: Any, text: str, published: dt.date | None) -> None:
    doc = analyse(text, published)
    n_sents = len(list(doc.sents))
    for table in MENTION_TABLES:
        for record in getattr(doc._, table) or []:
            assert 0 <= record.start_char <= record.end_char <= len(text), (table, record)
            assert 0 <= record.sentence < max(n_sents, 1), (table, record)
            if table != "claims":
                assert text[record.start_char : record.end_char] == record.text, (table, record)
    rows = doc_rows(doc, RawDoc("x", "x", text, published), model_version="v", rules_hash="r")
    for name, table_rows in rows.items():
        table_from_rows(name, table_rows)  # fits the Parquet schema
