"""What an extract run does with each document: skip, process, merge as a duplicate, keep.

:func:`previous_documents` reads what the existing tables say about each
document (text hash, rules hash, model version, sources). :class:`Run` streams
the inputs and decides, document by document and without holding texts, which
ones the pipeline must see; it also gives each document its final ``sources``
and tells whether a run that processed nothing still changes the tables. The
local engine (:mod:`pipeline.extract`) and the Dask engine share it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow.dataset as ds

from pipeline.corpus import RawDoc
from pipeline.records import Reject
from pipeline.tables import MENTION_TABLES, SCHEMAS


class Previous(NamedTuple):
    """What the existing tables say about one document."""

    text_sha256: str
    rules_hash: str
    model_version: str
    source: str
    sources: tuple[str, ...]


def previous_documents(out_dir: Path) -> dict[str, Previous]:
    """Return ``doc_id -> Previous`` from the existing tables.

    Empty when any table is missing, unreadable or has other columns than this
    code writes (then every document is extracted again and nothing old is kept).
    A table may be one file or a partitioned folder of files.
    """
    out_dir = Path(out_dir)
    path = out_dir / "documents.parquet"
    if not path.exists() or not old_tables_compatible(out_dir):
        return {}
    try:
        table = open_table(path).to_table(
            columns=["doc_id", "text_sha256", "rules_hash", "model_version", "source", "sources"]
        )
    except Exception:  # an unreadable old table is simply rebuilt
        return {}
    columns = [table[name].to_pylist() for name in table.column_names]
    return {
        d: Previous(h or "", r or "", m or "", s or "", tuple(ss or ()))
        for d, h, r, m, s, ss in zip(*columns, strict=True)
        if d is not None
    }


def open_table(path: Path) -> ds.Dataset:
    """Open a table written as one file (this engine) or a partitioned folder (the Dask engine)."""
    return ds.dataset(path, format="parquet")


def old_tables_compatible(out_dir: Path) -> bool:
    for name in ("documents", *MENTION_TABLES):
        path = out_dir / f"{name}.parquet"
        if not path.exists():
            return False
        try:
            schema = open_table(path).schema
        except Exception:
            return False
        if not schema.remove_metadata().equals(SCHEMAS[name].remove_metadata()):
            return False
    return True


def previous_rejects(out_dir: Path) -> list[dict[str, Any]] | None:
    path = Path(out_dir) / "rejects.parquet"
    if not path.exists():
        return None
    try:
        return list(open_table(path).to_table().to_pylist())
    except Exception:
        return None


# -- deciding what to do with each document ---------------------------------------
def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


class Run:
    """The bookkeeping of one run: which documents to process, skip or merge.

    A document is a duplicate when an earlier document of this run has the same
    text; it is then listed in that document's ``sources``. A document with the
    same text as an old document that is not (yet) seen in this run waits until
    the inputs are exhausted: if the old document turned out to be unchanged or
    absent, it is its duplicate, else it is processed after all.
    """

    def __init__(
        self,
        previous: dict[str, Previous],
        *,
        force: bool,
        rules_hash: str,
        model_version: str,
        note: Callable[[Reject], None],
    ) -> None:
        self.previous = previous
        self.force = force
        self.key = (rules_hash, model_version)
        self.note = note
        self.by_sha: dict[str, str] = {}  # text hash -> doc_id kept in this run
        self.current: dict[str, str] = {}  # doc_id kept in this run -> its source
        self.current_sha: dict[str, str] = {}
        self.old_by_sha = {p.text_sha256: d for d, p in previous.items()}
        self.extra: dict[str, list[str]] = {}  # doc_id -> sources of its duplicates
        self.drop: set[str] = set()  # old documents whose rows are not carried over
        self.pending: list[RawDoc] = []
        self.read = self.unchanged = self.duplicates = 0

    def _duplicate(self, raw: RawDoc, keeper: str) -> None:
        self.duplicates += 1
        self.extra.setdefault(keeper, []).append(raw.source)
        if raw.doc_id in self.previous and raw.doc_id != keeper:
            self.drop.add(raw.doc_id)
        self.note(
            Reject(raw.source, None, "duplicate", f"same text as document {keeper!r}", kept=True)
        )

    def _keep(self, raw: RawDoc) -> bool:
        """Record ``raw`` as a document of this run; return True when it must be processed."""
        sha = raw.text_sha256
        self.by_sha[sha] = raw.doc_id
        self.current[raw.doc_id] = raw.source
        self.current_sha[raw.doc_id] = sha
        old = self.previous.get(raw.doc_id)
        if (
            not self.force
            and old is not None
            and (old.text_sha256, old.rules_hash, old.model_version)
            == (
                sha,
                *self.key,
            )
        ):
            self.unchanged += 1
            return False
        self.drop.add(raw.doc_id)
        return True

    def to_process(self, items: Iterable[RawDoc | Reject]) -> Iterator[RawDoc]:
        """Yield the documents to run through the pipeline, noting rejects on the way."""
        for item in items:
            if isinstance(item, Reject):
                self.note(item)
                continue
            self.read += 1
            sha = item.text_sha256
            keeper = self.by_sha.get(sha)
            if keeper is not None and keeper != item.doc_id:
                self._duplicate(item, keeper)
                continue
            old_id = self.old_by_sha.get(sha)
            if old_id is not None and old_id != item.doc_id and old_id not in self.current:
                self.pending.append(item)
                continue
            if self._keep(item):
                yield item
        for item in self.pending:
            sha = item.text_sha256
            keeper = self.by_sha.get(sha)
            old_id = self.old_by_sha[sha]
            if keeper is None and self.current_sha.get(old_id, sha) == sha:
                keeper = old_id  # the old document is unchanged or not in the inputs
            if keeper is not None and keeper != item.doc_id:
                self._duplicate(item, keeper)
            elif self._keep(item):
                yield item
        self.pending = []

    def sources(
        self, doc_id: str, source: str | None, old_sources: Iterable[str]
    ) -> tuple[str, list[str]]:
        """Return the final ``(source, sources)`` of a document."""
        extra = self.extra.get(doc_id, [])
        if doc_id in self.current:
            source = self.current[doc_id]
            return source, _unique([source, *extra])
        return source or "", _unique([*old_sources, *extra])

    def changes_old_rows(self) -> bool:
        """Return True when an old document's rows or sources change (with nothing processed)."""
        if self.drop & self.previous.keys():
            return True
        for doc_id, old in self.previous.items():
            if doc_id in self.current or doc_id in self.extra:
                source, sources = self.sources(doc_id, old.source, old.sources)
                if source != old.source or sources != list(old.sources):
                    return True
        return False


def no_input_reason(inputs: Sequence[Path], rejects: list[Reject]) -> str:
    problems = [r for r in rejects if not r.kept]
    if not problems:
        return f"no documents found in {', '.join(str(p) for p in inputs)}"
    counts = Counter(r.reason for r in problems)
    first = problems[0]
    return (
        "no readable documents: "
        + ", ".join(f"{n} {reason}" for reason, n in counts.most_common())
        + f" (first: {first.source}: {first.detail})"
    )


def row_counts(out_dir: Path) -> dict[str, int]:
    counts = {}
    for path in sorted(Path(out_dir).glob("*.parquet")):
        try:
            counts[path.stem] = open_table(path).count_rows()
        except Exception:
            counts[path.stem] = -1
    return counts
