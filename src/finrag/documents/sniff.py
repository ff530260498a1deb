"""Content sniffing: which format a file is, from its bytes rather than its name.

The file name is only a tie-breaker for plain text (``.csv``). Magic bytes decide PDF
(``%PDF-`` in the first kilobyte), XLSX (a ZIP holding ``xl/workbook.xml``) and legacy
Office files (refused with a hint); text is HTML when it opens with markup, JSON when it
parses to a FinQA or TAT-QA record list, and CSV when a delimiter sniffer finds a consistent
column structure.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Any

from finrag.documents.datasets import is_finqa, is_tatqa
from finrag.errors import EmptyDocumentError, UnsupportedFormatError

__all__ = ["SUPPORTED_FORMATS", "sniff_format"]

SUPPORTED_FORMATS = ("pdf", "html", "xlsx", "csv", "finqa", "tatqa")
_SUPPORTED_TEXT = "PDF, HTML (SEC EDGAR/iXBRL), XLSX, CSV, FinQA JSON, TAT-QA JSON"
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|div|p|document|xbrl)\b",
    re.I | re.S,
)


def _unsupported(name: str, what: str) -> UnsupportedFormatError:
    return UnsupportedFormatError(f"{name}: {what}; supported formats are {_SUPPORTED_TEXT}")


def sniff_format(data: bytes, name: str = "<upload>") -> str:
    """The format name of ``data`` (one of :data:`SUPPORTED_FORMATS`).

    Raises EmptyDocumentError for zero bytes (or only whitespace) and UnsupportedFormatError,
    naming the supported formats, for anything else unrecognised.
    """
    if not data.strip():
        raise EmptyDocumentError(f"{name} is empty (0 bytes of content); nothing to ingest")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        return _sniff_zip(data, name)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _unsupported(
            name, "legacy Office (OLE2, e.g. .xls/.doc) files are not read; save as XLSX"
        )
    text_head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(text_head) or b"<html" in text_head.lower():
        return "html"
    if text_head.lstrip()[:1] in (b"[", b"{"):
        return _sniff_json(data, name)
    if _looks_binary(head):
        raise _unsupported(name, "binary content of an unknown type")
    if _looks_csv(data):
        return "csv"
    raise _unsupported(name, "plain text without a table structure")


def _sniff_zip(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise _unsupported(name, f"a damaged ZIP container ({exc})") from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        raise _unsupported(name, "Word documents (DOCX) are not read; export the filing as PDF")
    raise _unsupported(name, "a ZIP archive that is not an XLSX workbook")


def _sniff_json(data: bytes, name: str) -> str:
    try:
        parsed: Any = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _unsupported(name, f"JSON that does not parse ({exc})") from exc
    if is_finqa(parsed):
        return "finqa"
    if is_tatqa(parsed):
        return "tatqa"
    raise _unsupported(name, "JSON that is neither a FinQA record list nor a TAT-QA context list")


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    sample = head[:512]
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control > len(sample) // 20


def _looks_csv(data: bytes) -> bool:
    text = data[:16384].decode("utf-8-sig", errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()][:20]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|")
    except csv.Error:
        return False
    widths = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), dialect)]
    return max(widths) >= 2 and sum(1 for w in widths if w >= 2) >= 0.8 * len(widths)
