"""Reading inputs: text folders, JSONL, CSV and Parquet corpora, with every problem recorded.

``iter_inputs(paths)`` yields :class:`RawDoc` for each readable document and
:class:`~pipeline.records.Reject` for each problem (the run carries on; a
reject with ``kept=True`` is a warning about a document that is still read). A
folder of ``.txt`` files may carry a ``manifest.csv`` (file, outlet, url,
published, published_source, notes) and each file an optional first line
``date YYYY-MM-DD`` (metadata, not text). The publication date comes, in order,
from the record or manifest, the header line, or a date in the URL; its origin
is kept in ``published_source``. Decoding is UTF-8 with a BOM check (UTF-8 or
UTF-16); invalid bytes are replaced and the replacement is recorded. Sizes are
checked before anything is read, and corpora are streamed record by record.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from pipeline.records import Reject

#: Largest input text accepted, in bytes (one article or one corpus record).
DEFAULT_MAX_BYTES = 5_000_000
CORPUS_SUFFIXES = (".jsonl", ".csv", ".parquet")
TEXT_SUFFIXES = (".txt",)
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "outlet", "url", "published", "published_source", "notes")
RECORD_COLUMNS = ("id", "text", "published", "outlet", "url", "title")
#: Errors after which the rest of a CSV file is given up (the reader is lost).
MAX_CSV_ERRORS = 100

_HEADER = re.compile(
    r"\A[ \t\ufeff]*date(?:(?P<colon>[ \t]*:[ \t]*)|[ \t]+)(?P<value>[^\r\n]*?)[ \t]*(?:\r?\n|\Z)"
)
_HEADER_INLINE = re.compile(r"\A[ \t\ufeff]*date[ \t]+(?P<value>[\d/.\-]+)[ \t]+")
_DATELIKE = re.compile(r"[\d/.\-]+")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|\b)")
_PROBLEMS = {
    "invalid_utf8": "invalid UTF-8 bytes replaced with U+FFFD",
    "utf16_bom": "decoded as UTF-16 (byte order mark)",
    "utf16_no_bom": "decoded as UTF-16 little-endian (no byte order mark)",
}


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

    @cached_property
    def text_sha256(self) -> str:
        """SHA-256 of the text (computed once per document)."""
        return hashlib.sha256(self.text.encode("utf-8", errors="surrogatepass")).hexdigest()


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
    if not _ISO.fullmatch(text[:10]) or (len(text) > 10 and text[10] not in "T "):
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {text[:40]!r}")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ValueError(f"not a valid date: {text[:40]!r} ({exc})") from None


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


def _looks_utf16le(data: bytes) -> bool:
    """Return True when every other byte is NUL, as in BOM-less UTF-16 of Latin text."""
    sample = data[:4096]
    if len(sample) < 8:
        return False
    odd, even = sample[1::2], sample[0::2]
    return odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even)


def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """Return ``(text, problem)``: text is None when the bytes are not text at all.

    UTF-8 (with or without BOM) and UTF-16 (with a BOM, or little-endian Latin
    text without one) are decoded; invalid UTF-8 is decoded with replacement
    characters. ``problem`` names what was unusual (a key of the problem table)
    or is ``"binary"`` when text is None.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf16_bom"
        except UnicodeDecodeError:
            return None, "binary"
    if b"\x00" in data[:65536]:
        if _looks_utf16le(data):
            try:
                return data.decode("utf-16-le"), "utf16_no_bom"
            except UnicodeDecodeError:
                return None, "binary"
        return None, "binary"
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        head = text[:4096]
        controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\r\n\t\f")
        if head.count("\ufffd") > len(head) / 10 or controls > 40:
            return None, "binary"
        return text, "invalid_utf8"


def split_header(text: str) -> tuple[str, str | None]:
    """Return ``(text without header, header value or None)``.

    A header is a first line ``date VALUE`` or ``date: VALUE``; ``date VALUE``
    followed by more text on the same line counts only when VALUE looks like a
    date (digits and separators), so prose such as "date palms grow" is text.
    The value is returned as written; callers check that it is a real date.
    """
    if not text.lstrip(" \t\ufeff").startswith("date"):
        return text, None
    match = _HEADER.match(text)
    if match and (
        match["colon"] or (match["value"] and not any(c in match["value"] for c in " \t"))
    ):
        return text[match.end() :], match["value"]
    inline = _HEADER_INLINE.match(text)
    if inline and _DATELIKE.fullmatch(inline["value"]):
        return text[inline.end() :], inline["value"]
    return text, None


def _doc(
    doc_id: str,
    source: str,
    text: str,
    meta: Mapping[str, Any],
    rejects: list[Reject],
    *,
    line: int | None = None,
    where: str | None = None,
) -> RawDoc | None:
    """Build a RawDoc from text and metadata, recording problems in ``rejects``.

    ``source`` becomes the document's source; rejects name ``where`` (default:
    the source) and ``line``.
    """
    body, header = split_header(text)
    where = where or source
    published: dt.date | None = None
    published_source: str | None = None
    try:
        published = parse_iso_date(meta.get("published"))
        if published:
            published_source = str(meta.get("published_source") or "record")
    except ValueError as exc:
        rejects.append(Reject(where, line, "bad_published", str(exc), kept=True))
    if header is not None:
        try:
            header_date = parse_iso_date(header)
            if header_date is None:
                raise ValueError("empty 'date' header")
        except ValueError as exc:
            header_date = None
            rejects.append(Reject(where, line or 1, "bad_date_header", str(exc), kept=True))
        if published is None and header_date is not None:
            published, published_source = header_date, "header"
    if published is None:
        from_url = url_date(_clean(meta.get("url")))
        if from_url:
            published, published_source = from_url, "url"
    if not body.strip():
        rejects.append(
            Reject(where, line, "empty", "no text after stripping whitespace and header")
        )
        return None
    if published is None:
        rejects.append(
            Reject(
                where,
                line,
                "no_published",
                "no publication date (record, manifest, 'date' header or URL): "
                "relative dates stay unresolved",
                kept=True,
            )
        )
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
    if value is None or isinstance(value, float) and value != value:
        return None
    text = str(value).strip()
    return text if text and text.lower() not in {"nan", "none", "null"} else None


def read_manifest(path: Path, rejects: list[Reject]) -> dict[str, dict[str, str]]:
    """Return manifest rows by file name; malformed rows are recorded and skipped."""
    rows: dict[str, dict[str, str]] = {}
    source = str(path)
    try:
        text, _ = decode_text(path.read_bytes())
    except OSError as exc:
        rejects.append(Reject(source, None, "unreadable", str(exc)))
        return rows
    if text is None:
        rejects.append(Reject(source, None, "bad_manifest", "manifest is not text"))
        return rows
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        rejects.append(Reject(source, 1, "bad_manifest", f"unreadable CSV header: {exc}"))
        return rows
    reader.fieldnames = header
    if "file" not in header:
        rejects.append(
            Reject(
                source,
                1,
                "bad_manifest",
                f"no 'file' column (expected: {', '.join(MANIFEST_COLUMNS)})",
            )
        )
        return rows
    unknown = sorted(set(header) - set(MANIFEST_COLUMNS))
    if unknown:
        rejects.append(
            Reject(source, 1, "bad_manifest", f"unknown columns {unknown} ignored", kept=True)
        )
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rejects.append(
                Reject(source, reader.line_num, "bad_manifest", f"unreadable CSV: {exc}")
            )
            break
        line = reader.line_num
        name = (row.get("file") or "").strip()
        if not name or None in row:
            rejects.append(
                Reject(source, line, "bad_manifest", "row without a file name or with extra cells")
            )
            continue
        try:
            parse_iso_date(row.get("published"))
        except ValueError as exc:
            rejects.append(Reject(source, line, "bad_manifest", f"published: {exc}"))
            row = {**row, "published": ""}
        if name in rows:
            rejects.append(
                Reject(source, line, "bad_manifest", f"{name!r} listed twice; the last row is used")
            )
        rows[name] = {k: (v or "").strip() for k, v in row.items() if k}
    return rows


def read_text_file(
    path: Path, meta: Mapping[str, Any], rejects: list[Reject], *, max_bytes: int, doc_id: str
) -> RawDoc | None:
    """Return the document in one ``.txt`` file, or None (with a reject) when unreadable.

    The size is checked before the file is read, so a huge file costs nothing.
    """
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            rejects.append(Reject(source, None, "too_large", _too_large(size, max_bytes)))
            return None
        data = path.read_bytes()
    except OSError as exc:
        rejects.append(
            Reject(source, None, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}")
        )
        return None
    if not data.strip():
        rejects.append(Reject(source, None, "empty", "file is empty or whitespace only"))
        return None
    text, problem = decode_text(data)
    if text is None:
        rejects.append(Reject(source, None, "binary", "not a text file (NUL bytes or undecodable)"))
        return None
    if problem:
        rejects.append(Reject(source, None, problem, _PROBLEMS[problem], kept=True))
    return _doc(doc_id, source, text, meta, rejects)


def _too_large(size: int, max_bytes: int) -> str:
    return f"{size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit (--max-bytes)"


def _hidden(path: Path, root: Path) -> bool:
    return any(
        part.startswith(".") or part == "__pycache__" for part in path.relative_to(root).parts
    )


def iter_text_dir(directory: Path, *, max_bytes: int) -> Iterator[RawDoc | Reject]:
    """Yield the documents of every ``.txt`` and corpus file under ``directory``, sorted.

    Hidden files and folders (``.x``) are skipped; any other file type is
    recorded as ``unsupported``.
    """
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    for path in sorted(
        p for p in directory.rglob("*") if p.is_file() and not _hidden(p, directory)
    ):
        suffix = path.suffix.lower()
        if path.name == MANIFEST_NAME:
            continue
        if suffix in CORPUS_SUFFIXES:
            yield from iter_corpus_file(path, max_bytes=max_bytes)
            continue
        if suffix not in TEXT_SUFFIXES:
            yield Reject(
                str(path),
                None,
                "unsupported",
                f"not a .txt, {', '.join(CORPUS_SUFFIXES)} file: skipped",
            )
            continue
        rejects: list[Reject] = []
        folder = path.parent
        if folder not in manifests:
            manifests[folder] = _folder_manifest(folder, rejects)
        meta = manifests[folder].get(path.name, {})
        rel = path.relative_to(directory).with_suffix("")
        doc = read_text_file(path, meta, rejects, max_bytes=max_bytes, doc_id=rel.name)
        yield from rejects
        if doc is not None:
            yield doc


def _folder_manifest(folder: Path, rejects: list[Reject]) -> dict[str, dict[str, str]]:
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        return {}
    rows = read_manifest(manifest, rejects)
    present = {p.name for p in folder.iterdir()}
    for missing in sorted(set(rows) - present):
        rejects.append(
            Reject(str(manifest), None, "bad_manifest", f"lists {missing!r}, which does not exist")
        )
    return rows


def _record_doc(
    record: Mapping[str, Any], source: str, line: int, rejects: list[Reject], *, max_bytes: int
) -> RawDoc | None:
    text = record.get("text")
    if text is None or (isinstance(text, float) and text != text):
        rejects.append(Reject(source, line, "no_text", "record has no text (missing or null)"))
        return None
    if isinstance(text, bytes):
        text, problem = decode_text(text)
        if text is None:
            rejects.append(Reject(source, line, "binary", "text is binary data"))
            return None
        if problem:
            rejects.append(Reject(source, line, problem, _PROBLEMS[problem], kept=True))
    if not isinstance(text, str):
        rejects.append(
            Reject(source, line, "no_text", f"text is a {type(text).__name__}, not a string")
        )
        return None
    if len(text) > max_bytes:
        rejects.append(Reject(source, line, "too_large", _too_large(len(text), max_bytes)))
        return None
    raw_id = _clean(record.get("id"))
    doc_id = raw_id or hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]
    return _doc(doc_id, f"{source}:{line}", text, record, rejects, line=line, where=source)


def iter_corpus_file(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDoc | Reject]:
    """Yield the documents of a ``.jsonl``, ``.csv`` or ``.parquet`` corpus, streaming."""
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Reject(source, None, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}")
        return
    if size == 0:
        yield Reject(source, None, "empty", "file is empty")
        return
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            yield from _iter_jsonl(path, max_bytes=max_bytes)
        elif suffix == ".csv":
            yield from _iter_csv(path, max_bytes=max_bytes)
        elif suffix == ".parquet":
            yield from _iter_parquet(path, max_bytes=max_bytes)
        else:
            yield Reject(
                source,
                None,
                "unknown_format",
                f"expected a folder or one of {', '.join(CORPUS_SUFFIXES)}",
            )
    except OSError as exc:  # e.g. the file vanished or a disk error mid-read
        yield Reject(source, None, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}")


def _sniff_encoding(path: Path) -> tuple[str, str | None]:
    """Return ``(python encoding, problem)`` for a line-oriented corpus file."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "utf16_bom"
    if _looks_utf16le(head):
        return "utf-16-le", "utf16_no_bom"
    return "utf-8-sig", None


def _iter_jsonl(path: Path, *, max_bytes: int) -> Iterator[RawDoc | Reject]:
    source = str(path)
    encoding, problem = _sniff_encoding(path)
    if problem:
        yield Reject(source, None, problem, _PROBLEMS[problem], kept=True)
        with open(path, encoding=encoding, errors="replace", newline="") as text_fh:
            yield from _jsonl_records(
                source, ((n, line.encode()) for n, line in enumerate(text_fh, 1)), max_bytes
            )
        return
    with open(path, "rb") as fh:
        yield from _jsonl_records(source, enumerate(fh, start=1), max_bytes)


def _jsonl_records(
    source: str, lines: Iterable[tuple[int, bytes]], max_bytes: int
) -> Iterator[RawDoc | Reject]:
    for line_no, raw in lines:
        if len(raw) > max_bytes + 4096:
            yield Reject(source, line_no, "too_large", _too_large(len(raw), max_bytes))
            continue
        if not raw.strip():
            continue
        text, problem = decode_text(raw)
        if text is None:
            yield Reject(source, line_no, "binary", "line is not text")
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Reject(source, line_no, "bad_json", f"not JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield Reject(source, line_no, "bad_json", "JSON nested too deeply")
            continue
        if not isinstance(record, dict):
            yield Reject(
                source,
                line_no,
                "bad_json",
                f"line is a JSON {type(record).__name__}, not an object",
            )
            continue
        rejects: list[Reject] = []
        if problem:
            rejects.append(
                Reject(source, line_no, problem, _PROBLEMS.get(problem, problem), kept=True)
            )
        doc = _record_doc(record, source, line_no, rejects, max_bytes=max_bytes)
        yield from rejects
        if doc is not None:
            yield doc


def _iter_csv(path: Path, *, max_bytes: int) -> Iterator[RawDoc | Reject]:
    source = str(path)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    encoding, problem = _sniff_encoding(path)
    if problem:
        yield Reject(source, None, problem, _PROBLEMS[problem], kept=True)
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        yield from _csv_records(source, fh, max_bytes=max_bytes)


def _csv_records(source: str, fh: IO[str], *, max_bytes: int) -> Iterator[RawDoc | Reject]:
    reader = csv.DictReader(fh)
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        yield Reject(source, 1, "bad_csv", f"unreadable CSV header: {exc}")
        return
    reader.fieldnames = header
    if "text" not in header:
        yield Reject(
            source, 1, "no_text", f"no 'text' column (columns: {', '.join(header) or 'none'})"
        )
        return
    errors = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors += 1
            yield Reject(source, reader.line_num, "bad_csv", str(exc))
            if errors >= MAX_CSV_ERRORS:
                yield Reject(
                    source, reader.line_num, "bad_csv", f"{errors} errors: rest of file skipped"
                )
                return
            continue
        line = reader.line_num
        rejects: list[Reject] = []
        if None in record:
            rejects.append(
                Reject(
                    source,
                    line,
                    "bad_csv",
                    "more cells than columns; extra cells ignored",
                    kept=True,
                )
            )
        text = record.get("text")
        if isinstance(text, str) and "\ufffd" in text:
            rejects.append(
                Reject(source, line, "invalid_utf8", _PROBLEMS["invalid_utf8"], kept=True)
            )
        doc = _record_doc(
            {k: v for k, v in record.items() if k}, source, line, rejects, max_bytes=max_bytes
        )
        yield from rejects
        if doc is not None:
            yield doc


def _iter_parquet(path: Path, *, max_bytes: int) -> Iterator[RawDoc | Reject]:
    import pyarrow.parquet as pq

    source = str(path)
    try:
        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
    except Exception as exc:  # pyarrow raises several types for a broken file
        yield Reject(
            source, None, "bad_parquet", (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        )
        return
    if "text" not in names:
        yield Reject(source, None, "no_text", f"no 'text' column (columns: {', '.join(names)})")
        return
    columns = [c for c in RECORD_COLUMNS if c in names]
    row_no = 0
    batches = pf.iter_batches(batch_size=256, columns=columns)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except Exception as exc:  # a corrupt row group: the rest of the file is unreadable
            yield Reject(
                source, row_no + 1, "bad_parquet", (str(exc).splitlines() or [""])[0][:200]
            )
            return
        for record in batch.to_pylist():
            row_no += 1
            rejects: list[Reject] = []
            doc = _record_doc(record, source, row_no, rejects, max_bytes=max_bytes)
            yield from rejects
            if doc is not None:
                yield doc


def iter_inputs(
    paths: Iterable[Path], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDoc | Reject]:
    """Yield documents and rejects from any mix of folders, text files and corpus files.

    Document ids are made unique across inputs: a later document whose id is
    already taken gets ``<id>~<text hash>``.
    """
    seen_ids: set[str] = set()
    for path in paths:
        path = Path(path)
        items: Iterable[RawDoc | Reject]
        if path.is_dir():
            items = iter_text_dir(path, max_bytes=max_bytes)
        elif path.suffix.lower() in TEXT_SUFFIXES and path.is_file():
            rejects: list[Reject] = []
            doc = read_text_file(path, {}, rejects, max_bytes=max_bytes, doc_id=path.stem)
            items = [*rejects, *([doc] if doc else [])]
        elif path.is_file():
            items = iter_corpus_file(path, max_bytes=max_bytes)
        else:
            items = [Reject(str(path), None, "not_found", "no such file or folder")]
        for item in items:
            if isinstance(item, RawDoc):
                if item.doc_id in seen_ids:
                    item = replace(item, doc_id=f"{item.doc_id}~{item.text_sha256[:8]}")
                seen_ids.add(item.doc_id)
            yield item
