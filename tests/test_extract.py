"""The extract job: incremental runs, duplicates, crash recovery, pipeline errors, workers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from fragile import break_last_pipe

from pipeline import extract as extract_module
from pipeline.corpus import RawDoc
from pipeline.extract import (
    ExtractSummary,
    NoInputError,
    cached_model,
    extract,
    iter_processed,
    previous_documents,
    process_batch,
    recover_output_dir,
)
from pipeline.tables import MENTION_TABLES, SCHEMAS, TABLES

ARTICLES = {
    "a": "date 2024-02-08\nHamas said on Thursday it had received a truce proposal from Qatar.",
    "b": "date 2024-02-08\nIsrael's army said 21,320 people had been killed since Oct. 7.",
    "c": "date 2023-12-29\nA Hamas delegation arrived in Cairo late Tuesday, an official said.",
}
KEYS = {"documents": ["doc_id"], "rejects": ["source", "line", "reason"]}


def write_corpus(folder: Path, articles: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def run(inputs: Path | list[Path], out: Path, model_dir: Path, **options: Any) -> ExtractSummary:
    paths = inputs if isinstance(inputs, list) else [inputs]
    return extract(paths, out, model_dir=model_dir, **options)


def file_bytes(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def sorted_table(out: Path, name: str) -> pa.Table:
    table = pq.read_table(out / f"{name}.parquet").replace_schema_metadata(None)
    if name == "documents":
        table = table.drop_columns(["source", "sources"])  # paths differ between folders
    keys = KEYS.get(name, ["doc_id", "claim_id" if name == "claims" else "mention_id"])
    return table.sort_by([(k, "ascending") for k in keys])


def docs_by_id(out: Path) -> dict[str, dict[str, Any]]:
    return {r["doc_id"]: r for r in pq.read_table(out / "documents.parquet").to_pylist()}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "raw", ARTICLES)


# -- incremental runs ---------------------------------------------------------------
def test_first_run_writes_every_table(corpus: Path, tmp_path: Path, model_dir: Path) -> None:
    out = tmp_path / "out"
    summary = run(corpus, out, model_dir)
    assert (summary.read, summary.processed, summary.unchanged, summary.wrote) == (3, 3, 0, True)
    assert summary.words > 30
    for name in TABLES:
        table = pq.read_table(out / f"{name}.parquet")
        assert table.schema.equals(SCHEMAS[name], check_metadata=False), name
    assert sorted(docs_by_id(out)) == ["a", "b", "c"]
    assert summary.rows["documents"] == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.staging")] == []


def test_second_run_does_no_work_and_leaves_identical_bytes(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    before = file_bytes(out)
    summary = run(corpus, out, model_dir)
    assert (summary.processed, summary.unchanged, summary.wrote) == (0, 3, False)
    assert file_bytes(out) == before


def test_changed_document_is_replaced_and_new_one_added(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    old_docs = docs_by_id(out)
    (corpus / "a.txt").write_text(ARTICLES["a"] + " Israel rejected it.")
    (corpus / "d.txt").write_text("date 2024-12-03\nTurkey said it would host talks in Istanbul.")
    summary = run(corpus, out, model_dir)
    assert (summary.read, summary.processed, summary.unchanged) == (4, 2, 2)
    docs = docs_by_id(out)
    assert sorted(docs) == ["a", "b", "c", "d"]
    assert docs["a"]["text"].endswith("Israel rejected it.")
    assert docs["a"]["text_sha256"] != old_docs["a"]["text_sha256"]
    assert docs["b"] == old_docs["b"]
    # the incremental tables equal a fresh run over the same inputs
    fresh = tmp_path / "fresh"
    run(corpus, fresh, model_dir)
    for name in ("documents", *MENTION_TABLES, "rejects"):
        assert sorted_table(out, name).equals(sorted_table(fresh, name)), name


def test_force_re_runs_everything_with_equal_tables(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    before = {name: sorted_table(out, name) for name in TABLES}
    summary = run(corpus, out, model_dir, force=True)
    assert (summary.processed, summary.unchanged, summary.wrote) == (3, 0, True)
    for name in TABLES:
        assert sorted_table(out, name).equals(before[name]), name


def test_rules_hash_change_re_extracts(corpus: Path, tmp_path: Path, model_dir: Path) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    path = out / "documents.parquet"
    table = pq.read_table(path)
    index = table.schema.get_field_index("rules_hash")
    stale = pa.array(["old"] + table["rules_hash"].to_pylist()[1:], type=pa.string())
    pq.write_table(table.set_column(index, "rules_hash", stale), path)
    assert run(corpus, out, model_dir).processed == 1


def test_documents_of_earlier_inputs_are_kept(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    other = write_corpus(tmp_path / "other", {"e": "date 2024-02-08\nQatar said talks resumed."})
    summary = run(other, out, model_dir)
    assert (summary.read, summary.processed) == (1, 1)
    assert sorted(docs_by_id(out)) == ["a", "b", "c", "e"]
    entity_docs = set(pq.read_table(out / "entities.parquet")["doc_id"].to_pylist())
    assert {"a", "b", "c"} <= entity_docs


def test_old_tables_with_other_columns_are_rebuilt(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    table = pq.read_table(out / "entities.parquet")
    pq.write_table(
        table.append_column("legacy", pa.nulls(table.num_rows)), out / "entities.parquet"
    )
    assert previous_documents(out) == {}
    summary = run(corpus, out, model_dir)
    assert summary.processed == 3
    assert "legacy" not in pq.read_schema(out / "entities.parquet").names


def test_old_tables_as_partitioned_folders_are_carried_over(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    expected = {name: sorted_table(out, name) for name in ("documents", *MENTION_TABLES)}
    for name in ("documents", *MENTION_TABLES):  # as the Dask engine writes them
        table = pq.read_table(out / f"{name}.parquet")
        (out / f"{name}.parquet").unlink()
        (out / f"{name}.parquet" / "published_month=2024-02").mkdir(parents=True)
        pq.write_table(
            table, out / f"{name}.parquet" / "published_month=2024-02" / "part-0.parquet"
        )
    assert run(corpus, out, model_dir).processed == 0
    (corpus / "d.txt").write_text("date 2024-12-03\nTurkey said it would host talks.")
    assert run(corpus, out, model_dir).processed == 1
    for name, table in expected.items():
        table_now = sorted_table(out, name)
        carried = table_now.filter(pc.not_equal(table_now["doc_id"], "d"))
        assert carried.equals(table), name


# -- duplicates -------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [1, 32], ids=["keeper-written-first", "same-batch"])
def test_duplicates_are_processed_once_with_both_sources(
    corpus: Path, tmp_path: Path, model_dir: Path, batch_size: int
) -> None:
    (corpus / "zz_copy.txt").write_text(ARTICLES["a"])
    out = tmp_path / "out"
    summary = run(corpus, out, model_dir, batch_size=batch_size)
    assert (summary.read, summary.processed, summary.duplicates) == (4, 3, 1)
    docs = docs_by_id(out)
    assert sorted(docs) == ["a", "b", "c"]
    assert docs["a"]["sources"] == [str(corpus / "a.txt"), str(corpus / "zz_copy.txt")]
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    assert [(r["source"], r["reason"], r["kept"]) for r in rejects] == [
        (str(corpus / "zz_copy.txt"), "duplicate", True)
    ]
    before = file_bytes(out)
    assert run(corpus, out, model_dir).wrote is False
    assert file_bytes(out) == before


def test_duplicate_found_in_a_later_run(corpus: Path, tmp_path: Path, model_dir: Path) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    copies = write_corpus(tmp_path / "copies", {"a2": ARTICLES["a"]})
    summary = run(copies, out, model_dir)
    assert (summary.processed, summary.duplicates, summary.wrote) == (0, 1, True)
    assert docs_by_id(out)["a"]["sources"] == [str(corpus / "a.txt"), str(copies / "a2.txt")]


def test_document_that_becomes_a_duplicate_is_removed(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    (corpus / "c.txt").write_text(ARTICLES["b"])
    summary = run(corpus, out, model_dir)
    assert (summary.processed, summary.duplicates) == (0, 1)
    assert sorted(docs_by_id(out)) == ["a", "b"]
    for name in MENTION_TABLES:
        assert "c" not in pq.read_table(out / f"{name}.parquet")["doc_id"].to_pylist()


def test_text_moved_to_an_earlier_file_is_not_lost(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    """'0.txt' takes c's old text while c changes: both must be extracted."""
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    (corpus / "0.txt").write_text(ARTICLES["c"])
    (corpus / "c.txt").write_text(ARTICLES["c"] + " Talks ended.")
    summary = run(corpus, out, model_dir)
    assert (summary.processed, summary.duplicates) == (2, 0)
    docs = docs_by_id(out)
    assert sorted(docs) == ["0", "a", "b", "c"]
    assert docs["0"]["text"] == ARTICLES["c"].split("\n", 1)[1]


# -- bad input and pipeline errors ----------------------------------------------------
def test_nothing_readable_raises_and_leaves_old_tables(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    before = file_bytes(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.txt").write_text("  ")
    with pytest.raises(NoInputError, match=r"1 empty .*x\.txt"):
        run(empty, out, model_dir)
    (tmp_path / "nothing").mkdir()
    with pytest.raises(NoInputError, match="no documents found"):
        run(tmp_path / "nothing", out, model_dir)
    assert file_bytes(out) == before


def test_document_that_makes_a_component_raise_is_rejected(
    corpus: Path, tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nlp = cached_model(model_dir)
    break_last_pipe(nlp, monkeypatch, "BOOM")
    (corpus / "bad.txt").write_text("date 2024-02-08\nHamas said BOOM.")
    out = tmp_path / "out"
    summary = run(corpus, out, model_dir)
    assert (summary.processed, summary.failed) == (3, 1)
    assert sorted(docs_by_id(out)) == ["a", "b", "c"]
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    assert [(r["source"], r["reason"], r["kept"]) for r in rejects] == [
        (str(corpus / "bad.txt"), "pipeline_error", False)
    ]
    assert "RuntimeError: cannot handle BOOM" in rejects[0]["detail"]


def test_records_that_do_not_fit_the_schema_are_rejected(
    corpus: Path, tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = extract_module.doc_rows

    def broken(doc: Any, raw: RawDoc, **kw: Any) -> dict[str, list[dict[str, Any]]]:
        rows = real(doc, raw, **kw)
        if raw.doc_id == "b":
            rows["documents"][0]["n_sentences"] = "many"
        return rows

    monkeypatch.setattr(extract_module, "doc_rows", broken)
    out = tmp_path / "out"
    summary = run(corpus, out, model_dir)
    assert (summary.processed, summary.failed) == (2, 1)
    assert sorted(docs_by_id(out)) == ["a", "c"]
    assert "b" not in pq.read_table(out / "entities.parquet")["doc_id"].to_pylist()
    reasons = [r["reason"] for r in pq.read_table(out / "rejects.parquet").to_pylist()]
    assert reasons == ["pipeline_error"]


def test_process_batch_returns_rows_per_table(nlp: Any) -> None:
    raw = RawDoc("x", "x.txt", "Qatar said talks would resume on Thursday.")
    rows = process_batch(nlp, [raw], model_version="v", rules_hash="r")
    assert set(rows) >= {"documents", *MENTION_TABLES, "rejects", "_words"}
    assert [d["doc_id"] for d in rows["documents"]] == ["x"]
    assert rows["rejects"] == [] and rows["_words"] == [{"n": 8}]


# -- crash safety ---------------------------------------------------------------------
def test_recover_undoes_a_swap_interrupted_between_the_renames(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    before = file_bytes(out)
    out.rename(tmp_path / ".out.old")  # first rename done, then killed
    (tmp_path / ".out.staging-x").mkdir()
    recover_output_dir(out)
    assert file_bytes(out) == before and not (tmp_path / ".out.old").exists()
    # killed after the second rename: the old folder is only deleted
    (tmp_path / ".out.old").mkdir()
    (tmp_path / ".out.old" / "documents.parquet").write_bytes(b"old")
    recover_output_dir(out)
    assert file_bytes(out) == before and not (tmp_path / ".out.old").exists()


def test_next_run_repairs_a_killed_swap_and_removes_stale_staging(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    out.rename(tmp_path / ".out.old")
    stale = tmp_path / ".out.staging-dead"
    stale.mkdir()
    (stale / "documents.new.parquet").write_bytes(b"PAR1")
    summary = run(corpus, out, model_dir)
    assert (summary.processed, summary.unchanged) == (0, 3)
    assert not stale.exists() and not (tmp_path / ".out.old").exists()
    assert sorted(docs_by_id(out)) == ["a", "b", "c"]


def test_other_files_in_the_output_folder_are_kept(
    corpus: Path, tmp_path: Path, model_dir: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, model_dir)
    (out / "report.html").write_text("<p>report</p>")
    (out / "notes").mkdir()
    (out / "notes" / "n.txt").write_text("n")
    (corpus / "d.txt").write_text("date 2024-12-03\nTurkey said it would host talks.")
    assert run(corpus, out, model_dir).wrote
    assert (out / "report.html").read_text() == "<p>report</p>"
    assert (out / "notes" / "n.txt").read_text() == "n"


# -- streaming and workers --------------------------------------------------------------
def test_documents_are_pulled_lazily(model_dir: Path) -> None:
    pulled = []

    def docs() -> Iterator[RawDoc]:
        for i in range(100):
            pulled.append(i)
            yield RawDoc(f"d{i}", f"d{i}", f"Qatar said talks resumed. Number {i}.")

    stream = iter_processed(
        docs(), model_dir=model_dir, model_version="v", rules_hash="r", batch_size=4
    )
    first = next(stream)
    assert len(first["documents"]) == 4 and len(pulled) == 4
    assert sum(len(rows["documents"]) for rows in stream) == 96


def test_two_workers_write_the_same_tables(tmp_path: Path, model_dir: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    lines = [
        {"id": f"d{i:02d}", "text": f"{text} Update {i}.", "published": "2024-02-08"}
        for i in range(12)
        for text in [list(ARTICLES.values())[i % 3].split("\n", 1)[1]]
    ]
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines))
    one, two = tmp_path / "one", tmp_path / "two"
    run(corpus, one, model_dir, batch_size=2)
    summary = run(corpus, two, model_dir, batch_size=2, workers=2)
    assert summary.processed == 12
    for name in TABLES:
        assert sorted_table(one, name).equals(sorted_table(two, name)), name


def test_derived_tables_are_built_and_a_failing_one_is_recorded(
    corpus: Path, tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def n_docs(staging: Path) -> pa.Table:
        return pa.table({"n": [pq.read_metadata(staging / "documents.parquet").num_rows]})

    def broken(staging: Path) -> pa.Table:
        raise KeyError("no such column")

    monkeypatch.setitem(extract_module.DERIVED_TABLES, "doc_count", n_docs)
    monkeypatch.setitem(extract_module.DERIVED_TABLES, "figures", broken)
    out = tmp_path / "out"
    summary = run(corpus, out, model_dir)
    assert summary.processed == 3 and sorted(docs_by_id(out)) == ["a", "b", "c"]
    assert pq.read_table(out / "doc_count.parquet").to_pylist() == [{"n": 3}]
    assert pq.read_table(out / "figures.parquet").schema.equals(
        SCHEMAS["figures"], check_metadata=False
    )
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    assert [(r["source"], r["reason"]) for r in rejects] == [("figures", "derived_error")]
    assert "KeyError" in rejects[0]["detail"]
