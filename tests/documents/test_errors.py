"""Bad input: each error is clear, and the rest of a batch still ingests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from documents.documents_fixtures import make_image_only_pdf, pdf_bytes_truncated
from finrag.documents.base import ParseOptions
from finrag.documents.ingest import JsonlSink, ingest_paths
from finrag.documents.registry import parse_bytes, parse_path
from finrag.errors import (
    CorruptDocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    UnsupportedFormatError,
)

pytestmark = pytest.mark.unit


def _batch_with(bad: Path, good: Path, **kw: object) -> dict[str, object]:
    report = ingest_paths([bad, good], options=ParseOptions(workers=1, **kw))  # type: ignore[arg-type]
    by_name = {Path(f.source).name: f for f in report.files}
    assert by_name[good.name].ok and by_name[good.name].tables >= 1
    assert report.exit_code == 2
    failed = by_name[bad.name]
    assert not failed.ok
    return {"type": failed.error_type, "message": failed.error}


def test_truncated_pdf(tmp_path: Path, statement_pdf: Path, csv_file: Path) -> None:
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"garbage " * 40)
    with pytest.raises(CorruptDocumentError, match=r"truncated\.pdf"):
        parse_path(bad)
    err = _batch_with(bad, csv_file)
    assert err["type"] == "CorruptDocumentError" and "truncated.pdf" in str(err["message"])


def test_cut_off_pdf_keeps_what_it_can_or_says_corrupt(tmp_path: Path, statement_pdf: Path) -> None:
    bad = tmp_path / "cut.pdf"
    bad.write_bytes(pdf_bytes_truncated(statement_pdf))
    try:
        docs = parse_path(bad, ParseOptions(workers=1))
    except (CorruptDocumentError, EmptyDocumentError) as exc:
        assert "cut.pdf" in str(exc)
    else:
        assert docs[0].pages


def test_empty_file(tmp_path: Path, csv_file: Path) -> None:
    bad = tmp_path / "empty.pdf"
    bad.write_bytes(b"")
    with pytest.raises(EmptyDocumentError, match="empty"):
        parse_path(bad)
    assert _batch_with(bad, csv_file)["type"] == "EmptyDocumentError"


def test_unsupported_format_names_supported_ones(tmp_path: Path, csv_file: Path) -> None:
    bad = tmp_path / "photo.pdf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(UnsupportedFormatError, match="supported formats are PDF, HTML"):
        parse_path(bad)
    assert _batch_with(bad, csv_file)["type"] == "UnsupportedFormatError"
    with pytest.raises(UnsupportedFormatError, match="XLSX"):
        parse_bytes(b'{"not": "a dataset"}', name="x.json")


def test_oversized_file(tmp_path: Path, csv_file: Path, statement_pdf: Path) -> None:
    with pytest.raises(DocumentTooLargeError, match="over the 1,000 bytes limit"):
        parse_path(statement_pdf, ParseOptions(max_bytes=1000))
    err = _batch_with(statement_pdf, csv_file, max_bytes=1000)
    assert err["type"] == "DocumentTooLargeError"


def test_image_only_pdf_is_empty_with_ocr_hint(tmp_path: Path, csv_file: Path) -> None:
    bad = make_image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(EmptyDocumentError, match="OCR is not supported"):
        parse_path(bad)
    assert _batch_with(bad, csv_file)["type"] == "EmptyDocumentError"


def test_unreadable_table_keeps_text(monkeypatch: pytest.MonkeyPatch, csv_file: Path) -> None:
    from finrag.documents import layout

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("column clustering failed")

    monkeypatch.setattr("finrag.documents.pdf.find_tables", broken)
    assert layout.find_tables is not broken
    from finrag.documents.layout import Word
    from finrag.documents.pdf import layout_page

    lay = layout_page(1, [Word("Revenue", 10, 50, 10, 20), Word("5", 300, 310, 10, 20)], 600, 800)
    assert lay.tables == [] and lay.lines[0][0] == "Revenue 5"
    assert "a table could not be read" in lay.warnings[0]


def test_all_failed_exit_code_and_jsonl(tmp_path: Path, csv_file: Path) -> None:
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    assert ingest_paths([bad]).exit_code == 1
    out = tmp_path / "out.jsonl"
    with out.open("w") as fh:
        report = ingest_paths([csv_file], sink=JsonlSink(fh), options=ParseOptions(workers=1))
    assert report.exit_code == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0]["type"] == "document" and lines[0]["format"] == "csv"
    assert sum(1 for x in lines if x["type"] == "chunk") == report.files[0].chunks
