"""The output folder: the lock, the two-rename swap and recovery after a kill (no model)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from pipeline.outdir import (
    carry_other_files,
    discard_staging,
    new_staging,
    output_lock,
    recover_output_dir,
    remove_stale_staging,
    swap_in,
)


def make_tables(folder: Path, content: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "documents.parquet").write_text(content)
    return folder


def test_swap_in_replaces_the_output_and_leaves_nothing_behind(tmp_path: Path) -> None:
    out = make_tables(tmp_path / "out", "old")
    staging = new_staging(out)
    assert staging.parent == tmp_path and staging.name.startswith(".out.staging-")
    assert staging.stat().st_mode & 0o755 == 0o755
    make_tables(staging, "new")
    swap_in(staging, out)
    assert (out / "documents.parquet").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_recover_after_the_first_rename_restores_the_old_tables(tmp_path: Path) -> None:
    make_tables(tmp_path / ".out.old", "old")
    (tmp_path / ".out.staging-x").mkdir()
    recover_output_dir(tmp_path / "out")
    assert (tmp_path / "out" / "documents.parquet").read_text() == "old"
    assert not (tmp_path / ".out.old").exists()


def test_recover_after_the_second_rename_deletes_the_old_folder(tmp_path: Path) -> None:
    make_tables(tmp_path / "out", "new")
    make_tables(tmp_path / ".out.old", "old")
    recover_output_dir(tmp_path / "out")
    assert (tmp_path / "out" / "documents.parquet").read_text() == "new"
    assert not (tmp_path / ".out.old").exists()


def test_recover_with_nothing_to_do(tmp_path: Path) -> None:
    recover_output_dir(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_stale_staging_folders_are_removed(tmp_path: Path) -> None:
    make_tables(tmp_path / ".out.staging-1", "x")
    make_tables(tmp_path / ".out.trash-2", "x")
    make_tables(tmp_path / ".other.staging-1", "x")
    remove_stale_staging(tmp_path / "out")
    assert [p.name for p in tmp_path.iterdir()] == [".other.staging-1"]


def test_a_discarded_staging_folder_cannot_be_written_into_again(tmp_path: Path) -> None:
    """A task still running after its run failed cannot leave files behind."""
    staging = new_staging(tmp_path / "out")
    (staging / "documents").mkdir()
    still_open = (staging / "documents" / "part-1.parquet").open("w")
    discard_staging(staging)
    still_open.write("late rows")  # lands in an unlinked file
    still_open.close()
    with pytest.raises(FileNotFoundError):
        (staging / "claims").mkdir()  # the task's next folder: the root is gone
    assert list(tmp_path.iterdir()) == []


def test_discarding_a_swapped_in_staging_folder_is_a_no_op(tmp_path: Path) -> None:
    staging = new_staging(tmp_path / "out")
    swap_in(make_tables(staging, "new"), tmp_path / "out")
    discard_staging(staging)
    assert (tmp_path / "out" / "documents.parquet").read_text() == "new"


def test_the_lock_serialises_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    entered = threading.Event()

    def second_run() -> None:
        with output_lock(out):
            entered.set()

    with output_lock(out):
        thread = threading.Thread(target=second_run)
        thread.start()
        time.sleep(0.2)
        assert not entered.is_set()
    thread.join(timeout=10)
    assert entered.is_set()


def test_other_files_are_carried_but_not_our_tables(tmp_path: Path) -> None:
    out = make_tables(tmp_path / "out", "old")
    (out / "report.html").write_text("r")
    (out / "figs").mkdir()
    (out / "figs" / "a.png").write_text("png")
    staging = make_tables(tmp_path / "staging", "new")
    carry_other_files(out, staging, ours={"documents"})
    assert (staging / "documents.parquet").read_text() == "new"
    assert (staging / "report.html").read_text() == "r"
    assert (staging / "figs" / "a.png").read_text() == "png"
