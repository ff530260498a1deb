"""HTML, XLSX, CSV and dataset-record parsing, and content sniffing."""

from __future__ import annotations

from pathlib import Path

import pytest

from finrag.documents.datasets import finqa_document, record_doc_id, tatqa_document
from finrag.documents.registry import parse_bytes, parse_path
from finrag.documents.sniff import sniff_format
from finrag.dsl.units import Kind, Scale

pytestmark = pytest.mark.unit


def _values(row: tuple) -> list[float | None]:
    return [c.number.value if c.number else None for c in row[1:] if c.text]


def test_html_edgar_table(html_file: Path) -> None:
    (doc,) = parse_path(html_file)
    assert doc.format == "html" and doc.title == "ACME 10-K"
    (table,) = doc.tables
    assert table.scale is Scale.MILLIONS and table.currency == "USD"
    assert table.column_periods[1:] == (
        "Year Ended December 31, 2023",
        "Year Ended December 31, 2022",
    )
    assert table.row_labels == ("Net sales", "Net loss", "Impairment", "Margin")
    body = table.rows[table.header_rows :]
    assert _values(body[0]) == [2310.0, 2148.0]
    assert _values(body[1]) == [-45.0, 12.0]  # "(45" and ")" in separate cells
    assert body[2][1].number is not None and body[2][1].number.is_dash
    assert body[3][1].number is not None and body[3][1].number.kind is Kind.PERCENT


def test_html_hidden_content_skipped_and_pages_split(html_file: Path) -> None:
    (doc,) = parse_path(html_file)
    text = "\n".join(p.text for p in doc.pages)
    assert "HIDDEN FACT" not in text and "Hidden row" not in text
    assert len(doc.pages) == 2 and doc.tables[0].pages == (2,)
    assert doc.tables[0].section == "Results of Operations"


def test_xlsx_sheets_are_pages(xlsx_file: Path) -> None:
    (doc,) = parse_path(xlsx_file)
    assert doc.format == "xlsx" and len(doc.pages) == 2
    income = doc.tables[0]
    assert income.scale is Scale.THOUSANDS and "Acme Corp" in income.caption
    assert income.column_periods[1:] == ("2023", "2022")
    assert [_values(r) for r in income.rows[1:]] == [[1500.5, 1200.0], [-45.0, -30.0], [12.5, 10.0]]
    assert income.rows[3][1].number is not None and income.rows[3][1].number.kind is Kind.PERCENT
    assert doc.tables[1].pages == (2,)


def test_csv_table(csv_file: Path) -> None:
    (doc,) = parse_path(csv_file)
    (table,) = doc.tables
    assert doc.format == "csv" and table.currency == "USD"
    assert table.column_periods == (None, "FY2023", "FY2022")
    assert [_values(r) for r in table.rows[1:]] == [[1234.0, 1100.0], [0.0, -12.0]]


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\n  <!DOCTYPE html><html><body></body></html>", "html"),
        (b"<?xml version='1.0'?><html xmlns:ix='x'><body/></html>", "html"),
        (b"a,b,c\n1,2,3\n4,5,6\n", "csv"),
        (b'[{"pre_text": [], "post_text": [], "table": [], "id": "x"}]', "finqa"),
        (b'[{"table": {"uid": "u", "table": []}, "paragraphs": [], "questions": []}]', "tatqa"),
    ],
)
def test_sniff_by_content(data: bytes, fmt: str) -> None:
    assert sniff_format(data, "misnamed.txt") == fmt


def test_sniff_ignores_the_file_name(statement_pdf: Path) -> None:
    (doc,) = parse_bytes(statement_pdf.read_bytes(), name="report.csv")
    assert doc.format == "pdf"


FINQA = {
    "id": "ABC/2019/page_1.pdf-2",
    "filename": "ABC/2019/page_1.pdf",
    "pre_text": ["net revenue rose .", "( a ) see note ."],
    "post_text": ["the end ."],
    "table": [
        ["( in millions )", "2019", "2018"],
        ["net revenue", "$ 5829", "$ 5735"],
        ["other", "-12 ( 12 )", "2014"],
    ],
}


def test_finqa_record_alignment() -> None:
    doc = finqa_document(FINQA)
    assert doc.id == record_doc_id("finqa", FINQA["id"]) == finqa_document(FINQA).id
    assert doc.metadata["record_id"] == FINQA["id"]
    sentences = [s for b in doc.pages[0].blocks for s in b.sentences]
    assert sentences == ["net revenue rose .", "( a ) see note .", "the end ."]
    table = doc.tables[0]
    assert table.header_rows == 1 and table.scale is Scale.MILLIONS
    # "2014" is FinQA's flattened em dash (U+2014): a nil cell, not the number 2014
    assert _values(table.rows[2]) == [-12.0, 0.0]
    assert table.rows[2][-1].text == "\u2014"


def test_finqa_flattened_unicode_is_restored() -> None:
    record = {
        **FINQA,
        "pre_text": ["the company 2019s 201cnet revenue 201d rose in 2014 ; 2014including x ."],
        "table": [
            ["", "2014", "2013"],
            ["debt", "$ 2014", "( 2014 )"],
            ["benefit 2014december 31 2008", "5", "6"],
            ["o 2019reilly automotive inc . ( we don 2019t )", "7", "8"],
        ],
    }
    doc = finqa_document(record)
    assert doc.pages[0].blocks[0].text == (
        'the company\u2019s "net revenue" rose in 2014 ; \u2014 including x .'
    )
    assert doc.tables[0].rows[2][0].text == "benefit \u2014 december 31 2008"
    assert doc.tables[0].rows[3][0].text == "o\u2019reilly automotive inc . ( we don\u2019t )"
    table = doc.tables[0]
    assert [c.text for c in table.rows[0]][1:] == ["2014", "2013"]  # the header is a year
    assert all(c.number is not None and c.number.is_dash for c in table.rows[1][1:])


def test_finqa_days_glued_to_years_are_parted() -> None:
    """FinQA wrote "december 312012" for "December 31, 2012": the column had no period."""
    record = {
        **FINQA,
        "pre_text": ["as of dec . 282013 , the balance was $ 5 ."],
        "table": [["", "december 31 2013", "december 312012"], ["debt", "5", "6"]],
    }
    doc = finqa_document(record)
    assert doc.pages[0].blocks[0].text == "as of dec . 28 2013 , the balance was $ 5 ."
    table = doc.tables[0]
    assert [c.text for c in table.rows[0]][1:] == ["december 31 2013", "december 31 2012"]
    assert list(table.column_periods)[1:] == ["december 31 2013", "december 31 2012"]


def test_tatqa_context() -> None:
    context = {
        "table": {
            "uid": "t-1",
            "table": [
                ["", "2019", "2018"],
                ["Revenue", "$ 1,452.4", "$ 1,146.2"],
                ["Other", "44.1", "(5.0)"],
            ],
        },
        "paragraphs": [
            {"uid": "p2", "order": 2, "text": "Second. Third one here."},
            {"uid": "p1", "order": 1, "text": "First."},
        ],
        "questions": [],
    }
    doc = tatqa_document(context)
    assert doc.id == record_doc_id("tatqa", "t-1") and doc.format == "tatqa"
    assert [b.text for b in doc.pages[0].blocks] == ["First.", "Second. Third one here."]
    assert _values(doc.tables[0].rows[2]) == [44.1, -5.0]
