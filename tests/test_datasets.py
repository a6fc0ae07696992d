"""Month-partitioned datasets: part files, old files carried forward, both layouts read alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.datasets import (
    DOCUMENT_TABLES,
    PartWriter,
    carry_forward,
    ensure_tables,
    month_of,
    part_path,
    read_table,
    remove_hidden,
    table_files,
    write_atomic,
)
from pipeline.tables import SCHEMAS, table_from_rows

MONTHS = {"a": "2024-02", "b": "2024-02", "c": "2023-12", "d": "unknown"}


def document(doc_id: str, source: str | None = None) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "source": source or f"{doc_id}.txt",
        "sources": [source or f"{doc_id}.txt"],
        "text": f"text of {doc_id}",
    }


def entity(doc_id: str, start: int) -> dict[str, Any]:
    return {"doc_id": doc_id, "mention_id": f"{doc_id}-{start}", "start_char": start, "text": "x"}


def write_parts(root: Path, stem: str, ids: list[str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    writer = PartWriter(root, stem)
    writer.add("documents", table_from_rows("documents", [document(d) for d in ids]), MONTHS)
    writer.add(
        "entities", table_from_rows("entities", [entity(d, i) for d in ids for i in (0, 5)]), MONTHS
    )
    writer.close()


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def keep_sources(table: pa.Table) -> pa.Table:
    return table


@pytest.mark.parametrize(
    ("published", "month"),
    [(dt.date(2024, 2, 8), "2024-02"), (dt.date(2023, 12, 31), "2023-12"), (None, "unknown")],
)
def test_month_of(published: dt.date | None, month: str) -> None:
    assert month_of(published) == month


def test_part_writer_writes_one_file_per_table_and_month(tmp_path: Path) -> None:
    write_parts(tmp_path, "run-00000", ["a", "b", "c", "d"])
    assert files(tmp_path) == [
        f"{table}.parquet/published_month={month}/part-run-00000.parquet"
        for table in ("documents", "entities")
        for month in ("2023-12", "2024-02", "unknown")
    ]
    docs = pd.read_parquet(tmp_path / "documents.parquet")
    assert dict(zip(docs["doc_id"], docs["published_month"].astype(str), strict=True)) == MONTHS
    entities = pq.read_table(tmp_path / "entities.parquet" / "published_month=2024-02")
    assert entities.num_rows == 4
    assert entities.schema.remove_metadata().equals(SCHEMAS["entities"])


def test_part_writer_publishes_nothing_before_close(tmp_path: Path) -> None:
    writer = PartWriter(tmp_path, "s", row_group_rows=1)  # row groups go to disk at once
    writer.add("documents", table_from_rows("documents", [document("a")]), MONTHS)
    assert table_files(tmp_path, "documents") == []
    assert len(list(tmp_path.rglob(".part-s.parquet.*.tmp"))) == 1
    writer.abort()
    assert files(tmp_path) == []


def test_writers_never_recreate_a_deleted_root(tmp_path: Path) -> None:
    root = tmp_path / "gone"
    writer = PartWriter(root, "s")
    writer.add("documents", table_from_rows("documents", [document("a")]), MONTHS)
    with pytest.raises(FileNotFoundError):
        writer.close()
    with pytest.raises(FileNotFoundError):
        write_atomic(
            table_from_rows("rejects", []), part_path(root, "rejects", None, "s"), root=root
        )
    assert not root.exists()


def test_both_layouts_read_alike(tmp_path: Path) -> None:
    rows = [document(d) for d in "abcd"]
    single = tmp_path / "single"
    single.mkdir()
    pq.write_table(table_from_rows("documents", rows), single / "documents.parquet")
    write_parts(tmp_path / "folder", "s", list("abcd"))
    a = read_table(single, "documents").sort_by("doc_id")
    b = read_table(tmp_path / "folder", "documents").sort_by("doc_id")
    assert b.column_names == a.column_names  # no partition column
    assert a.equals(b)
    assert [f.month for f in table_files(single, "documents")] == [None]
    assert [f.month for f in table_files(tmp_path / "folder", "documents")] == [
        "2023-12",
        "2024-02",
        "unknown",
    ]


def test_table_files_skip_hidden_and_underscore_files(tmp_path: Path) -> None:
    write_parts(tmp_path, "s", ["a"])
    folder = tmp_path / "documents.parquet" / "published_month=2024-02"
    (folder / ".part-x.parquet.1234.tmp").write_bytes(b"partial")
    (tmp_path / "documents.parquet" / "_inputs").mkdir()
    (tmp_path / "documents.parquet" / "_inputs" / "part-0.parquet").write_bytes(b"")
    assert [f.path.name for f in table_files(tmp_path, "documents")] == ["part-s.parquet"]
    remove_hidden(tmp_path)
    assert files(tmp_path) == [
        "documents.parquet/published_month=2024-02/part-s.parquet",
        "entities.parquet/published_month=2024-02/part-s.parquet",
    ]


def test_carry_forward_links_untouched_files_and_rewrites_the_others(tmp_path: Path) -> None:
    old, staging = tmp_path / "old", tmp_path / "staging"
    write_parts(old, "r1", ["a", "b", "c"])
    staging.mkdir()
    counts = carry_forward(old, staging, drop={"b"}, fix_documents=keep_sources, stem="r2")
    assert counts == {"documents": 2, "entities": 4}
    untouched = "entities.parquet/published_month=2023-12/part-r1.parquet"
    assert (staging / untouched).stat().st_ino == (old / untouched).stat().st_ino
    assert not (staging / "entities.parquet/published_month=2024-02/part-r1.parquet").exists()
    rewritten = pq.read_table(staging / "entities.parquet/published_month=2024-02")
    assert sorted(set(rewritten["doc_id"].to_pylist())) == ["a"]
    assert sorted(read_table(staging, "documents")["doc_id"].to_pylist()) == ["a", "c"]


def test_carry_forward_fixes_documents_sources(tmp_path: Path) -> None:
    old, staging = tmp_path / "old", tmp_path / "staging"
    write_parts(old, "r1", ["a", "c"])
    staging.mkdir()

    def add_copy(table: pa.Table) -> pa.Table:
        sources = [
            s + (["copy.txt"] if d == "c" else [])
            for d, s in zip(table["doc_id"].to_pylist(), table["sources"].to_pylist(), strict=True)
        ]
        index = table.schema.get_field_index("sources")
        return table.set_column(index, "sources", pa.array(sources, pa.list_(pa.string())))

    carry_forward(old, staging, drop=set(), fix_documents=add_copy, stem="r2")
    docs = {r["doc_id"]: r for r in read_table(staging, "documents").to_pylist()}
    assert docs["c"]["sources"] == ["c.txt", "copy.txt"]
    assert docs["a"]["sources"] == ["a.txt"]
    a_file = "documents.parquet/published_month=2024-02/part-r1.parquet"
    assert (staging / a_file).stat().st_ino == (old / a_file).stat().st_ino


def test_carry_forward_converts_single_file_tables_into_months(tmp_path: Path) -> None:
    old, staging = tmp_path / "old", tmp_path / "staging"
    old.mkdir()
    staging.mkdir()
    published = {"a": dt.date(2024, 2, 8), "c": dt.date(2023, 12, 29)}
    docs = [{**document(d), "published": p} for d, p in published.items()]
    pq.write_table(table_from_rows("documents", docs), old / "documents.parquet")
    pq.write_table(
        table_from_rows("entities", [entity(d, 0) for d in published]), old / "entities.parquet"
    )
    carry_forward(old, staging, drop=set(), fix_documents=keep_sources, stem="r2")
    assert [(f.table, f.month) for t in DOCUMENT_TABLES for f in table_files(staging, t)] == [
        ("documents", "2023-12"),
        ("documents", "2024-02"),
        ("entities", "2023-12"),
        ("entities", "2024-02"),
    ]


def test_ensure_tables_gives_empty_tables_their_columns(tmp_path: Path) -> None:
    write_parts(tmp_path, "s", ["a"])
    ensure_tables(tmp_path, DOCUMENT_TABLES, stem="s")
    assert [f.path.name for f in table_files(tmp_path, "claims")] == ["part-s-empty.parquet"]
    assert [f.path.name for f in table_files(tmp_path, "entities")] == ["part-s.parquet"]
    claims = pd.read_parquet(tmp_path / "claims.parquet")
    assert list(claims.columns) == SCHEMAS["claims"].names
    assert claims.empty
