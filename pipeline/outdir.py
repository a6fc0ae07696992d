"""The output folder: a lock beside it, a staging folder swapped in by two renames.

A run holds :func:`output_lock` (a ``.<name>.lock`` file next to the output
folder), writes a complete staging folder ``.<name>.staging-*`` and replaces the
output with :func:`swap_in`: the output becomes ``.<name>.old``, the staging
folder becomes the output, the old one is deleted. A process killed between the
renames leaves only ``.<name>.old``; :func:`recover_output_dir` (called by the
next run, safe for readers) renames it back, so the previous tables are always
readable. Staging folders of killed runs are removed under the lock.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

try:  # POSIX; elsewhere runs are simply not serialised
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]


def sibling(out_dir: Path, suffix: str) -> Path:
    return out_dir.with_name(f".{out_dir.name}.{suffix}")


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir`` (a ``.<name>.lock`` file beside it).

    The kernel drops the lock when the process dies, even by SIGKILL, so a
    stale lock never blocks the next run.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(sibling(out_dir, "lock"), "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def recover_output_dir(out_dir: Path) -> None:
    """Finish or undo a swap that a killed run left half done.

    After the first rename only ``.<name>.old`` exists: it is renamed back.
    After the second, a leftover ``.<name>.old`` is deleted. Safe to call from
    readers at any time (it waits for a running extract's swap).
    """
    out_dir = Path(out_dir)
    if sibling(out_dir, "old").exists():
        with output_lock(out_dir):
            recover(out_dir)


def recover(out_dir: Path) -> None:
    old = sibling(out_dir, "old")
    if not old.exists():
        return
    if out_dir.exists():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.rename(out_dir)
        fsync_dir(out_dir.parent)


def new_staging(out_dir: Path) -> Path:
    """Return a new empty staging folder beside ``out_dir`` (with the umask's permissions)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    staging.chmod(0o777 & ~umask())  # mkdtemp makes it private; the output is not
    return staging


def discard_staging(staging: Path) -> None:
    """Delete an abandoned staging folder, even while tasks may still write into it.

    A task cancelled on a cluster (or a thread) can keep running for a while and
    create files under the staging folder while :func:`shutil.rmtree` walks it,
    which then leaves a non-empty folder behind. Renaming the folder first closes
    that race: every later path under the old name fails, since tasks never
    re-create the staging root, and only files already open keep writing (into
    unlinked inodes).
    """
    trash = staging.with_name(staging.name.replace(".staging-", ".trash-", 1))
    try:
        os.rename(staging, trash)
    except FileNotFoundError:
        return
    except OSError:  # another file system quirk: delete in place, as before
        trash = staging
    shutil.rmtree(trash, ignore_errors=True)


def remove_stale_staging(out_dir: Path) -> None:
    """Delete staging folders of runs that were killed (only call under the lock)."""
    for pattern in (f".{out_dir.name}.staging-*", f".{out_dir.name}.trash-*"):
        for stale in out_dir.parent.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``staging`` with two renames (see :func:`recover_output_dir`)."""
    for path in staging.iterdir():
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    fsync_dir(staging)
    old = sibling(out_dir, "old")
    if old.exists():
        shutil.rmtree(old)
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    fsync_dir(out_dir.parent)
    shutil.rmtree(old, ignore_errors=True)


def carry_other_files(out_dir: Path, staging: Path, *, ours: Collection[str]) -> None:
    """Copy what is not one of the tables ``ours`` (e.g. a report) into the new output folder."""
    if not out_dir.is_dir():
        return
    ours = {f"{n}.parquet" for n in ours}
    for path in out_dir.iterdir():
        target = staging / path.name
        if path.name in ours or target.exists():
            continue
        if path.is_dir():
            shutil.copytree(path, target)
        elif path.is_file():
            shutil.copy2(path, target)
