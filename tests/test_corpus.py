"""Input readers: decoding, headers, manifests and corpora, each problem recorded (no model)."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.corpus import (
    RawDoc,
    decode_text,
    iter_inputs,
    parse_iso_date,
    split_header,
    url_date,
)
from pipeline.records import Reject

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw" / "seeds"
TEXT = "Qatar said talks on a truce would resume in Cairo on Thursday."


def read(*paths: Path, max_bytes: int = 5_000_000) -> tuple[list[RawDoc], list[Reject]]:
    items = list(iter_inputs(paths, max_bytes=max_bytes))
    return [i for i in items if isinstance(i, RawDoc)], [i for i in items if isinstance(i, Reject)]


def reasons(rejects: list[Reject], *, kept: bool | None = None) -> list[str]:
    return [r.reason for r in rejects if kept is None or r.kept == kept]


# -- decoding ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "text", "problem"),
    [
        (TEXT.encode(), TEXT, None),
        (codecs.BOM_UTF8 + TEXT.encode(), TEXT, None),
        (TEXT.encode("utf-16"), TEXT, "utf16_bom"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), TEXT, "utf16_bom"),
        (TEXT.encode("utf-16-le"), TEXT, "utf16_no_bom"),
        ("Gaza – 1,200 “killed”".encode(), "Gaza – 1,200 “killed”", None),
        (b"Hamas \xff said", "Hamas \ufffd said", "invalid_utf8"),
        (b"caf\xe9 talks in Doha", "caf\ufffd talks in Doha", "invalid_utf8"),
        (b"\x00\x01\x02\x03binary" * 50, None, "binary"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, None, "binary"),
        (bytes(range(128, 256)) * 20, None, "binary"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16-le-bom",
        "utf16-be-bom",
        "utf16-no-bom",
        "unicode",
        "bad-byte",
        "latin1",
        "nul-bytes",
        "png",
        "high-bytes",
    ],
)
def test_decode_text(data: bytes, text: str | None, problem: str | None) -> None:
    assert decode_text(data) == (text, problem)


# -- the date header --------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "body", "value"),
    [
        (" date 2023-12-29 Gaza talks resumed.", "Gaza talks resumed.", "2023-12-29"),
        ("date 2023-12-29\nGaza talks resumed.", "Gaza talks resumed.", "2023-12-29"),
        ("date 2023-12-29\r\nGaza talks resumed.", "Gaza talks resumed.", "2023-12-29"),
        ("\ufeffdate 2023-12-29\nGaza.", "Gaza.", "2023-12-29"),
        ("date: 8 February 2024\nGaza.", "Gaza.", "8 February 2024"),
        ("date yesterday\nGaza.", "Gaza.", "yesterday"),
        ("date:\nGaza.", "Gaza.", ""),
        ("date 12/29/2023 Gaza.", "Gaza.", "12/29/2023"),
        ("date palms grow in Gaza.", "date palms grow in Gaza.", None),
        ("dates were agreed\nGaza.", "dates were agreed\nGaza.", None),
        ("dated 2024\nGaza.", "dated 2024\nGaza.", None),
        ("Date 2024-01-01\nGaza.", "Date 2024-01-01\nGaza.", None),
        ("Gaza.\ndate 2024-01-01\n", "Gaza.\ndate 2024-01-01\n", None),
    ],
)
def test_split_header(text: str, body: str, value: str | None) -> None:
    assert split_header(text) == (body, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-08", dt.date(2024, 2, 8)),
        (" 2024-02-08T10:00:00Z ", dt.date(2024, 2, 8)),
        ("2024-02-08 10:00", dt.date(2024, 2, 8)),
        (dt.datetime(2024, 2, 8, 9), dt.date(2024, 2, 8)),
        (dt.date(2024, 2, 8), dt.date(2024, 2, 8)),
        (None, None),
        ("", None),
        ("NaN", None),
    ],
)
def test_parse_iso_date(value: object, expected: dt.date | None) -> None:
    assert parse_iso_date(value) == expected


@pytest.mark.parametrize(
    "value", ["2024-13-01", "2024-02-30", "08/02/2024", "yesterday", "2024-02-081"]
)
def test_parse_iso_date_rejects_non_dates(value: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_iso_date(value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/news/2024/02/08/gaza-truce", dt.date(2024, 2, 8)),
        ("https://example.org/2023-12-29/story", dt.date(2023, 12, 29)),
        ("https://example.org/2024/02/31/story", None),
        ("https://example.org/story-20240208", None),
        (None, None),
    ],
)
def test_url_date(url: str | None, expected: dt.date | None) -> None:
    assert url_date(url) == expected


# -- text folders -----------------------------------------------------------------
def test_seeds_read_with_manifest_dates_and_header_stripped() -> None:
    docs, rejects = read(SEEDS)
    assert [d.doc_id for d in docs] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert rejects == []
    by_id = {d.doc_id: d for d in docs}
    assert by_id["001_39cec6ba0aeac842"].published == dt.date(2023, 12, 29)
    assert not by_id["001_39cec6ba0aeac842"].text.lstrip().startswith("date")
    assert by_id["000_4f7200585c4c9f70"].published_source == "inferred"


@pytest.mark.parametrize(
    ("data", "reason", "kept"),
    [
        (b"", "empty", False),
        (b" \n\t \r\n", "empty", False),
        (b"\x00\x01binary\x00" * 100, "binary", False),
        (b"Hamas said \xff\xfe the talks stalled.", "invalid_utf8", True),
        (TEXT.encode("utf-16"), "utf16_bom", True),
        (b"date 2024-13-45\n" + TEXT.encode(), "bad_date_header", True),
        (b"date tomorrow\n" + TEXT.encode(), "bad_date_header", True),
        (b"date 2024-02-08\n  \n", "empty", False),
        (TEXT.encode(), "no_published", True),
    ],
)
def test_bad_text_file_is_recorded(tmp_path: Path, data: bytes, reason: str, kept: bool) -> None:
    (tmp_path / "bad.txt").write_bytes(data)
    (tmp_path / "good.txt").write_bytes(b"date 2024-02-08\n" + TEXT.encode())
    docs, rejects = read(tmp_path)
    assert reason in reasons(rejects, kept=kept)
    assert all(r.source == str(tmp_path / "bad.txt") for r in rejects)
    assert ("bad" in [d.doc_id for d in docs]) == kept
    assert docs[-1].doc_id == "good" and docs[-1].published == dt.date(2024, 2, 8)


def test_header_date_is_the_publication_date_unless_the_manifest_has_one(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("date 2024-02-08\n" + TEXT)
    (tmp_path / "b.txt").write_text("date 2024-02-08\n" + TEXT + " Again.")
    (tmp_path / "manifest.csv").write_text("file,published\nb.txt,2024-03-01\n")
    docs, rejects = read(tmp_path)
    assert [(d.published, d.published_source) for d in docs] == [
        (dt.date(2024, 2, 8), "header"),
        (dt.date(2024, 3, 1), "record"),
    ]
    assert docs[0].text == TEXT and rejects == []


def test_too_large_file_is_rejected_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse: 50 MB of nothing, created instantly
        fh.truncate(50 * 2**20)
    (tmp_path / "small.txt").write_text(TEXT)
    docs, rejects = read(tmp_path)
    assert [d.doc_id for d in docs] == ["small"]
    assert [(r.reason, r.kept) for r in rejects if r.source == str(big)] == [("too_large", False)]
    assert "52.4 MB" in rejects[0].detail and "--max-bytes" in rejects[0].detail


@pytest.mark.parametrize(
    ("manifest", "detail"),
    [
        (b"name,published\na.txt,2024-02-08\n", "no 'file' column"),
        (b"file,published\na.txt,08/02/2024\n", "not an ISO date"),
        (b"file,published\nmissing.txt,2024-02-08\n", "which does not exist"),
        (b"file,published\na.txt,2024-02-08,extra\n", "extra cells"),
        (b"file,published\na.txt,2024-02-08\na.txt,2024-02-09\n", "listed twice"),
        (b"\x00\x01\x02" * 100, "not text"),
        (b'file,published\n"a.txt,2024-02-08\n', "which does not exist"),
    ],
    ids=[
        "no-file-column",
        "bad-date",
        "missing-file",
        "extra-cells",
        "twice",
        "binary",
        "open-quote",
    ],
)
def test_malformed_manifest_is_recorded_and_files_still_read(
    tmp_path: Path, manifest: bytes, detail: str
) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "manifest.csv").write_bytes(manifest)
    docs, rejects = read(tmp_path)
    assert [d.doc_id for d in docs] == ["a"]
    bad = [r for r in rejects if r.reason == "bad_manifest"]
    assert bad and all(r.source == str(tmp_path / "manifest.csv") for r in bad)
    assert any(detail in r.detail for r in bad), bad


def test_manifest_with_quoted_newlines_and_bom(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "manifest.csv").write_bytes(
        codecs.BOM_UTF8 + b'file,outlet,published,notes\r\na.txt,AFP,2024-02-08,"two\r\nlines"\r\n'
    )
    docs, rejects = read(tmp_path)
    assert rejects == []
    assert (docs[0].outlet, docs[0].published) == ("AFP", dt.date(2024, 2, 8))


def test_other_files_hidden_folders_and_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "notes.md").write_text("# notes")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(TEXT)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.TXT").write_text(TEXT + " More.")
    docs, rejects = read(tmp_path, tmp_path / "nope")
    assert [d.doc_id for d in docs] == ["a", "b"]
    assert [(r.reason, Path(r.source).name) for r in rejects if not r.kept] == [
        ("unsupported", "notes.md"),
        ("not_found", "nope"),
    ]


def test_same_id_in_two_inputs_is_made_unique(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "a.txt").write_text(TEXT)
    (tmp_path / "y" / "a.txt").write_text(TEXT + " Changed.")
    docs, _ = read(tmp_path / "x", tmp_path / "y")
    assert docs[0].doc_id == "a"
    assert docs[1].doc_id == f"a~{docs[1].text_sha256[:8]}"


# -- corpora ------------------------------------------------------------------------
def jsonl(*records: object) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode()


def test_jsonl_bad_lines_are_recorded_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(
        jsonl(
            {"id": "a", "text": TEXT, "published": "2024-02-08"},
            "not json at all",
            {"id": "b", "text": None},
            {"id": "c"},
            [1, 2],
            "",
            {"id": "d", "text": 42},
            {"id": "e", "text": "   "},
            {"id": "f", "text": TEXT + " F.", "published": "last week"},
            {"id": "g", "text": TEXT + " G.", "url": "https://example.org/2024/02/09/x"},
            '{"id": "h", "text": "truncated',
        )
    )
    docs, rejects = read(path)
    assert [d.doc_id for d in docs] == ["a", "f", "g"]
    assert [d.source for d in docs] == [f"{path}:1", f"{path}:9", f"{path}:10"]
    assert docs[2].published == dt.date(2024, 2, 9) and docs[2].published_source == "url"
    assert [(r.line, r.reason) for r in rejects if not r.kept] == [
        (2, "bad_json"),
        (3, "no_text"),
        (4, "no_text"),
        (5, "bad_json"),
        (7, "no_text"),
        (8, "empty"),
        (11, "bad_json"),
    ]
    assert [(r.line, r.reason) for r in rejects if r.kept] == [
        (9, "bad_published"),
        (9, "no_published"),
    ]
    assert all(r.source == str(path) for r in rejects)


def test_jsonl_invalid_utf8_line_and_utf16_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "a", "text": "Hamas \xff said"}\n')
    utf16 = tmp_path / "u16.jsonl"
    utf16.write_bytes(jsonl({"id": "b", "text": TEXT}).decode().encode("utf-16"))
    docs, rejects = read(bad, utf16)
    assert [(d.doc_id, d.text) for d in docs] == [("a", "Hamas \ufffd said"), ("b", TEXT)]
    assert {"invalid_utf8", "utf16_bom"} <= set(reasons(rejects, kept=True))


def test_jsonl_record_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(jsonl({"id": "big", "text": "x " * 5000}, {"id": "ok", "text": TEXT}))
    docs, rejects = read(path, max_bytes=2000)
    assert [d.doc_id for d in docs] == ["ok"]
    assert reasons(rejects, kept=False) == ["too_large"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"id,body\n1,x\n", "no_text"),
        (b"\x00\x01\x02" * 10, "no_text"),
    ],
)
def test_csv_without_text_is_recorded(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    docs, rejects = read(path)
    assert docs == [] and reasons(rejects) == [reason]


def test_csv_rows_with_null_text_bad_bytes_and_extra_cells(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(
        b"id,text,published\n"
        b"a,Qatar said talks resume.,2024-02-08\n"
        b"b,,2024-02-08\n"
        b"c,Hamas \xff said.,2024-02-08\n"
        b'd,"Egypt said, in Cairo,\nthat talks resume.",2024-02-08,extra\n'
    )
    docs, rejects = read(path)
    assert [d.doc_id for d in docs] == ["a", "c", "d"]
    assert docs[2].text == "Egypt said, in Cairo,\nthat talks resume."
    assert [(r.line, r.reason, r.kept) for r in rejects] == [
        (3, "empty", False),
        (4, "invalid_utf8", True),
        (6, "bad_csv", True),
    ]


def test_parquet_corpus_with_null_text_and_without_text(tmp_path: Path) -> None:
    good = tmp_path / "c.parquet"
    pq.write_table(
        pa.table(
            {
                "id": [1, 2, 3],
                "text": [TEXT, None, TEXT + " Again."],
                "published": [dt.date(2024, 2, 8), None, dt.date(2024, 2, 9)],
                "other": ["x", "y", "z"],
            }
        ),
        good,
    )
    no_text = tmp_path / "n.parquet"
    pq.write_table(pa.table({"id": [1], "body": ["x"]}), no_text)
    broken = tmp_path / "b.parquet"
    broken.write_bytes(b"PAR1 not really parquet")
    docs, rejects = read(good, no_text, broken)
    assert [(d.doc_id, d.published) for d in docs] == [
        ("1", dt.date(2024, 2, 8)),
        ("3", dt.date(2024, 2, 9)),
    ]
    assert [(Path(r.source).name, r.line, r.reason) for r in rejects] == [
        ("c.parquet", 2, "no_text"),
        ("n.parquet", None, "no_text"),
        ("b.parquet", None, "bad_parquet"),
    ]


def test_unknown_corpus_format(tmp_path: Path) -> None:
    path = tmp_path / "c.xml"
    path.write_text("<doc/>")
    docs, rejects = read(path)
    assert docs == [] and reasons(rejects) == ["unknown_format"]
