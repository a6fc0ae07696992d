"""Reading inputs: text folders, JSONL, CSV and Parquet corpora, with every problem recorded.

``iter_inputs(paths)`` yields :class:`RawDoc` for each readable document and
:class:`~pipeline.records.Reject` for each problem (the run carries on). A
folder of ``.txt`` files may carry a ``manifest.csv`` (file, outlet, url,
published, published_source, notes) and each file an optional first line
``date YYYY-MM-DD`` (metadata, not text). The publication date comes, in order,
from the record or manifest, the header line, or a date in the URL; its origin
is kept in ``published_source``. Decoding is strict UTF-8 with a BOM check
(UTF-8/UTF-16); invalid bytes are replaced and the replacement is recorded.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.records import Reject

#: Largest input text accepted, in bytes (one article; corpora files may be larger).
DEFAULT_MAX_BYTES = 5_000_000
CORPUS_SUFFIXES = (".jsonl", ".csv", ".parquet")
TEXT_SUFFIXES = (".txt",)
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "outlet", "url", "published", "published_source", "notes")
RECORD_COLUMNS = ("id", "text", "published", "outlet", "url", "title")

_HEADER = re.compile(r"\A[ \t\ufeff]*date[ \t]+(\S+)[ \t]*(\r?\n|[ \t]+)")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|\b)")


@dataclass(frozen=True)
class RawDoc:
    """One document as read, before any NLP."""

    doc_id: str
    source: str
    text: str
    published: dt.date | None = None
    published_source: str | None = None
    outlet: str | None = None
    url: str | None = None
    title: str | None = None

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def parse_iso_date(value: Any) -> dt.date | None:
    """Return a date from ``YYYY-MM-DD`` text, a date or a datetime; None when empty.

    Raises:
        ValueError: for text that is not a valid ISO date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text or text.lower() in {"nan", "nat", "none", "null"}:
        return None
    if not _ISO.fullmatch(text[:10]):
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {text!r}")
    return dt.date.fromisoformat(text[:10])


def url_date(url: str | None) -> dt.date | None:
    """Return the date written in a URL path (``/2024/02/08/``), if any."""
    if not url:
        return None
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """Return ``(text, problem)``: text is None when the bytes are not text at all.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are decoded; invalid UTF-8
    is decoded with replacement characters and reported as a problem.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf16_bom"
        except UnicodeDecodeError:
            return None, "binary"
    if b"\x00" in data[:65536]:
        return None, "binary"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t")
        if text.count("\ufffd") > len(text) / 10 or controls > 40:
            return None, "binary"
        return text, "invalid_utf8"


def split_header(text: str) -> tuple[str, str | None]:
    """Return ``(text without header, header date string or None)``."""
    match = _HEADER.match(text)
    if not match:
        return text, None
    value = match[1]
    if not re.fullmatch(r"[\d/.\-]+", value):
        return text, None  # "date palms ...": ordinary prose, not a header
    return text[match.end() :], value


def _doc(
    doc_id: str,
    source: str,
    text: str,
    meta: Mapping[str, Any],
    rejects: list[Reject],
    *,
    line: int | None = None,
) -> RawDoc | None:
    """Build a RawDoc from text and metadata, recording problems in ``rejects``."""
    body, header = split_header(text)
    published: dt.date | None = None
    published_source: str | None = None
    try:
        published = parse_iso_date(meta.get("published"))
        if published:
            published_source = str(meta.get("published_source") or "record")
    except ValueError as exc:
        rejects.append(Reject(source, line, "bad_published", str(exc), kept=True))
    if header is not None:
        try:
            header_date = parse_iso_date(header)
        except ValueError as exc:
            header_date = None
            rejects.append(Reject(source, line or 1, "bad_date_header", str(exc), kept=True))
        if published is None and header_date is not None:
            published, published_source = header_date, "header"
    if published is None:
        from_url = url_date(meta.get("url"))
        if from_url:
            published, published_source = from_url, "url"
    if not body.strip():
        rejects.append(Reject(source, line, "empty", "no text after stripping whitespace and header"))
        return None
    return RawDoc(
        doc_id=doc_id,
        source=source,
        text=body,
        published=published,
        published_source=published_source,
        outlet=_clean(meta.get("outlet")),
        url=_clean(meta.get("url")),
        title=_clean(meta.get("title")),
    )


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text if text and text.lower() not in {"nan", "none", "null"} else None


def read_manifest(path: Path, rejects: list[Reject]) -> dict[str, dict[str, str]]:
    """Return manifest rows by file name; malformed rows are recorded and skipped."""
    rows: dict[str, dict[str, str]] = {}
    try:
        text, problem = decode_text(path.read_bytes())
    except OSError as exc:
        rejects.append(Reject(str(path), None, "unreadable", str(exc)))
        return rows
    if text is None:
        rejects.append(Reject(str(path), None, "bad_manifest", "manifest is not text"))
        return rows
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    if "file" not in header:
        rejects.append(
            Reject(str(path), 1, "bad_manifest", f"no 'file' column (columns: {', '.join(MANIFEST_COLUMNS)})")
        )
        return rows
    unknown = sorted(set(header) - set(MANIFEST_COLUMNS))
    if unknown:
        rejects.append(Reject(str(path), 1, "bad_manifest", f"unknown columns {unknown} ignored"))
    for row in reader:
        line = reader.line_num
        name = (row.get("file") or "").strip()
        if not name or None in row:
            rejects.append(Reject(str(path), line, "bad_manifest", "row without a file name or with extra cells"))
            continue
        try:
            parse_iso_date(row.get("published"))
        except ValueError as exc:
            rejects.append(Reject(str(path), line, "bad_manifest", str(exc)))
            row = {**row, "published": ""}
        rows[name] = {k: (v or "").strip() for k, v in row.items() if k}
    return rows


def read_text_file(
    path: Path, meta: Mapping[str, Any], rejects: list[Reject], *, max_bytes: int, doc_id: str
) -> RawDoc | None:
    """Return the document in one ``.txt`` file, or None (with a reject) when unreadable."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            rejects.append(
                Reject(source, None, "too_large", f"{size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit (--max-bytes)")
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        rejects.append(Reject(source, None, "unreadable", str(exc)))
        return None
    if not data.strip():
        rejects.append(Reject(source, None, "empty", "file is empty or whitespace only"))
        return None
    text, problem = decode_text(data)
    if text is None:
        rejects.append(Reject(source, None, "binary", "not a text file (NUL bytes or undecodable)"))
        return None
    if problem:
        detail = {
            "invalid_utf8": "invalid UTF-8 bytes replaced with U+FFFD",
            "utf16_bom": "decoded as UTF-16 (BOM)",
        }[problem]
        rejects.append(Reject(source, None, problem, detail, kept=True))
    return _doc(doc_id, source, text, meta, rejects)


def iter_text_dir(directory: Path, *, max_bytes: int) -> Iterator[RawDoc | Reject]:
    """Yield the documents of every ``.txt`` under ``directory`` (sorted, recursive)."""
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.name.startswith("."):
            continue
        if path.suffix in CORPUS_SUFFIXES and path.name != MANIFEST_NAME:
            yield from iter_corpus_file(path)
            continue
        if path.suffix not in TEXT_SUFFIXES:
            continue
        rejects: list[Reject] = []
        folder = path.parent
        if folder not in manifests:
            manifest = folder / MANIFEST_NAME
            manifests[folder] = read_manifest(manifest, rejects) if manifest.exists() else {}
            listed = set(manifests[folder])
            present = {p.name for p in folder.iterdir()}
            for missing in sorted(listed - present):
                rejects.append(Reject(str(manifest), None, "bad_manifest", f"lists {missing!r}, which does not exist"))
        meta = manifests[folder].get(path.name, {})
        rel = path.relative_to(directory).with_suffix("")
        doc = read_text_file(path, meta, rejects, max_bytes=max_bytes, doc_id=rel.name)
        yield from rejects
        if doc is not None:
            yield doc


def _record_doc(record: Mapping[str, Any], source: str, line: int, rejects: list[Reject]) -> RawDoc | None:
    text = record.get("text")
    if text is None or (isinstance(text, float) and text != text):
        rejects.append(Reject(source, line, "no_text", "record has no text (missing or null)"))
        return None
    if not isinstance(text, str):
        rejects.append(Reject(source, line, "no_text", f"text is a {type(text).__name__}, not a string"))
        return None
    raw_id = _clean(record.get("id"))
    doc_id = raw_id or hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return _doc(doc_id, f"{source}:{line}", text, record, rejects, line=line)


def iter_corpus_file(path: Path) -> Iterator[RawDoc | Reject]:
    """Yield the documents of a ``.jsonl``, ``.csv`` or ``.parquet`` corpus, streaming."""
    source = str(path)
    if path.suffix == ".jsonl":
        yield from _iter_jsonl(path)
    elif path.suffix == ".csv":
        yield from _iter_csv(path)
    elif path.suffix == ".parquet":
        yield from _iter_parquet(path)
    else:
        yield Reject(source, None, "unknown_format", f"expected one of {CORPUS_SUFFIXES} or a folder")


def _iter_jsonl(path: Path) -> Iterator[RawDoc | Reject]:
    source = str(path)
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            text, problem = decode_text(raw)
            if text is None:
                yield Reject(source, line_no, "binary", "line is not text")
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Reject(source, line_no, "bad_json", f"{exc.msg} at column {exc.colno}")
                continue
            if not isinstance(record, dict):
                yield Reject(source, line_no, "bad_json", "line is not a JSON object")
                continue
            rejects: list[Reject] = []
            if problem:
                rejects.append(Reject(source, line_no, problem, "undecodable bytes replaced", kept=True))
            doc = _record_doc(record, source, line_no, rejects)
            yield from rejects
            if doc is not None:
                yield doc


def _iter_csv(path: Path) -> Iterator[RawDoc | Reject]:
    source = str(path)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames or []
        except csv.Error as exc:
            yield Reject(source, 1, "bad_csv", str(exc))
            return
        if "text" not in header:
            yield Reject(source, 1, "no_text", f"no 'text' column (columns: {', '.join(header) or 'none'})")
            return
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Reject(source, reader.line_num, "bad_csv", str(exc))
                return
            rejects: list[Reject] = []
            doc = _record_doc({k: v for k, v in record.items() if k}, source, reader.line_num, rejects)
            yield from rejects
            if doc is not None:
                yield doc


def _iter_parquet(path: Path) -> Iterator[RawDoc | Reject]:
    import pyarrow.parquet as pq

    source = str(path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        yield Reject(source, None, "bad_parquet", str(exc).splitlines()[0][:200])
        return
    names = pf.schema_arrow.names
    if "text" not in names:
        yield Reject(source, None, "no_text", f"no 'text' column (columns: {', '.join(names)})")
        return
    columns = [c for c in RECORD_COLUMNS if c in names]
    row_no = 0
    for batch in pf.iter_batches(batch_size=1000, columns=columns):
        for record in batch.to_pylist():
            row_no += 1
            rejects: list[Reject] = []
            doc = _record_doc(record, source, row_no, rejects)
            yield from rejects
            if doc is not None:
                yield doc


def iter_inputs(paths: Iterable[Path], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDoc | Reject]:
    """Yield documents and rejects from any mix of folders, text files and corpus files.

    Document ids are made unique across inputs: a later document whose id is
    already taken gets ``<id>~<text hash>``.
    """
    seen_ids: set[str] = set()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            items: Iterable[RawDoc | Reject] = iter_text_dir(path, max_bytes=max_bytes)
        elif path.suffix in TEXT_SUFFIXES and path.is_file():
            rejects: list[Reject] = []
            doc = read_text_file(path, {}, rejects, max_bytes=max_bytes, doc_id=path.stem)
            items = [*rejects, *([doc] if doc else [])]
        elif path.is_file():
            items = iter_corpus_file(path)
        else:
            items = [Reject(str(path), None, "not_found", "no such file or folder")]
        for item in items:
            if isinstance(item, RawDoc):
                if item.doc_id in seen_ids:
                    item = replace(item, doc_id=f"{item.doc_id}~{item.text_sha256[:8]}")
                seen_ids.add(item.doc_id)
            yield item
