"""Chunk ids, FinQA-style linearisation, cells and sentence numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from documents.test_formats import FINQA
from finrag.documents.base import ParseOptions
from finrag.documents.chunking import chunk_document
from finrag.documents.datasets import finqa_document
from finrag.documents.model import ChunkKind
from finrag.documents.registry import parse_path
from finrag.dsl.units import Kind, Scale

pytestmark = pytest.mark.unit


def test_finqa_row_linearisation_matches_gold_style() -> None:
    doc = finqa_document(FINQA)
    chunks = {c.id: c for c in chunk_document(doc)}
    row = chunks[f"{doc.id}:t0:r1"]
    assert row.kind is ChunkKind.TABLE_ROW and row.row_label == "net revenue"
    assert row.text == (
        "( in millions ) the net revenue of 2019 is $ 5829 ; the net revenue of 2018 is $ 5735 ;"
    )
    cell = row.cells[0]
    assert cell.id == f"{row.id}:c1" and cell.period == "2019" and cell.header == "2019"
    assert row.resolve(cell.id) == cell.number
    assert cell.number is not None and cell.number.scale is Scale.MILLIONS
    # "2014" in the record is the em dash FinQA flattened; the row reads it as a dash again
    assert chunks[f"{doc.id}:t0:r2"].text.endswith("the other of 2018 is \u2014 ;")


def test_finqa_text_chunks_keep_dataset_indices() -> None:
    doc = finqa_document(FINQA)
    text = [c for c in chunk_document(doc) if c.kind is ChunkKind.TEXT]
    assert [c.id for c in text] == [f"{doc.id}:p1:s{j}" for j in range(3)]
    assert text[1].text == "( a ) see note ."


def test_pdf_chunks(statement_pdf: Path) -> None:
    (doc,) = parse_path(statement_pdf, ParseOptions(workers=1))
    chunks = chunk_document(doc)
    assert len({c.id for c in chunks}) == len(chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    sentence = next(c for c in chunks if "increased $94 million" in c.text)
    assert sentence.id.startswith(f"{doc.id}:p1:s")
    assert [n.value for n in sentence.numbers][:3] == [94.0, 1.6, 5829.0]
    assert sentence.resolve(sentence.number_id(0)).scale is Scale.MILLIONS
    assert sentence.numbers[1].kind is Kind.PERCENT
    row = next(c for c in chunks if c.row_label == "Net revenue")
    assert row.text == (
        "Years ended December 31, the Net revenue of 2019 is $ 5829 ; "
        "the Net revenue of 2018 is $ 5735 ;"
    )
    assert row.section.startswith("Consolidated Statements of Operations")
    seg_z = next(c for c in chunks if c.row_label == "Segment Z")
    assert seg_z.page == 2 and seg_z.id == f"{doc.id}:t1:r{26}"


def test_short_sentences_are_merged() -> None:
    from finrag.documents.chunking import _merge_short

    assert _merge_short(["Yes.", "It grew 5% in 2019 over the prior year."], 40) == [
        "Yes. It grew 5% in 2019 over the prior year."
    ]
    assert _merge_short(["A long enough sentence about revenue growth.", "Ok."], 40) == [
        "A long enough sentence about revenue growth. Ok."
    ]


def test_spanning_column_headings_reach_every_column_they_cover() -> None:
    from finrag.documents.tables import build_table

    table = build_table(
        [
            ["", "Fiscal Year 2018", "", "Fiscal Year 2017", ""],
            ["", "Net Sales", "% of Total", "Net Sales", "% of Total"],
            ["Americas", "$ 512", "41%", "$ 480", "40%"],
        ],
        index=0,
    )
    assert table.column_headers[1:] == (
        "Fiscal Year 2018 Net Sales",
        "Fiscal Year 2018 % of Total",
        "Fiscal Year 2017 Net Sales",
        "Fiscal Year 2017 % of Total",
    )
    assert table.column_periods[2] == table.column_periods[1] != table.column_periods[3]
    # a single header row is left as it is: nothing below names the empty columns
    single = build_table([["", "2019", ""], ["revenue", "5", "6"]], index=0)
    assert single.column_headers == ("", "2019", "")


def test_rows_carry_their_group_heading() -> None:
    record = {
        "id": "TEST/2019/page_3.pdf-1",
        "pre_text": [],
        "post_text": [],
        "table": [
            ["", "2019", "2018"],
            ["current :", "", ""],
            ["other receivables", "4223", "4082"],
            ["total current", "19738", "15152"],
            ["deferred revenue", "12", "10"],
            ["non-current", "", ""],
            ["other receivables", "118", "601"],
        ],
    }
    rows = {
        c.row_label: c.group
        for c in chunk_document(finqa_document(record))
        if c.kind is ChunkKind.TABLE_ROW and c.cells
    }
    assert rows == {
        "other receivables": "non-current",
        "total current": "current",  # a total row closes its group
        "deferred revenue": "",
    }
    groups = [
        c.group
        for c in chunk_document(finqa_document(record))
        if c.row_label == "other receivables"
    ]
    assert groups == ["current", "non-current"]
    # keyword and vector search see the group: it heads the row's text
    texts = [c.text for c in chunk_document(finqa_document(record)) if c.group == "non-current"]
    assert texts == [
        "non-current : the other receivables of 2019 is 118 ; the other receivables of 2018 is 601 ;"
    ]


_CAPTIONED = """<html><body>
<p>Stock option activity for the year ended December 31, 2022 was as follows:</p>
<table>
<tr><td></td><td>Shares</td><td>Weighted Average Exercise Price</td></tr>
<tr><td>Outstanding at December 31, 2021</td><td>6,310</td><td>$ 152.10</td></tr>
<tr><td>Granted</td><td>1,208</td><td>$ 171.24</td></tr>
<tr><td>Exercised</td><td>(742)</td><td>$ 120.88</td></tr>
</table>
<p>A summary of our 2019 Productivity Plan is as follows:</p>
<table>
<tr><td></td><td>Severance</td><td>Impairments</td></tr>
<tr><td>Total expected</td><td>1,060</td><td>220</td></tr>
</table>
</body></html>"""


def test_a_table_without_column_periods_takes_its_captions(tmp_path: Path) -> None:
    """Boeing's and PepsiCo's stock option tables say their year only in the sentence above."""
    from finrag.documents.tables import caption_period

    path = tmp_path / "options.html"
    path.write_text(_CAPTIONED)
    (doc,) = parse_path(path)
    options, plan = doc.tables
    assert options.column_periods == (None, *["year ended December 31, 2022"] * 2)
    assert plan.column_periods == (None, None, None)  # "2019" names a plan, not a period
    rows = {c.row_label: c for c in chunk_document(doc) if c.kind is ChunkKind.TABLE_ROW}
    granted = rows["Granted"]
    assert [c.period for c in granted.cells] == ["year ended December 31, 2022"] * 2
    assert granted.cells[0].column == "Shares, year ended December 31, 2022"
    assert granted.text.startswith("the Granted of Shares, year ended December 31, 2022 is 1208 ;")
    # a row naming its own date keeps it: the caption's period gives way
    assert [c.period for c in rows["Outstanding at December 31, 2021"].cells] == [None, None]
    assert caption_period("2021") == "2021"  # PepsiCo's reconciliations, one table per year
    assert caption_period("Three Months Ended July 2, 2023") == "Three Months Ended July 2, 2023"
    for several_or_none in (
        "Changes in goodwill for the years ended December 31, 2022 and 2021 were as follows:",
        "Form 10-Q for the quarter ended July 29, 2023 Table of Contents",
        "(in millions)",
    ):
        assert caption_period(several_or_none) is None
    # a running "Table of Contents" header above the caption is not the caption's
    assert caption_period("Table of Contents In 2022, we issued the following notes:") == "2022"


def test_a_table_of_contents_gives_no_chunks() -> None:
    from finrag.documents.tables import build_table, is_contents

    contents = build_table(
        [
            ["", "Page"],
            ["Item 1. Business", "1"],
            ["Item 1A. Risk Factors", "6"],
            ["PART II", ""],
            ["Item 7. Management's Discussion and Analysis", "20"],
            ["Item 8. Financial Statements", "52"],
            ["Item 9. Changes in and Disagreements With Accountants", "1 22"],
        ],
        index=0,
    )
    assert is_contents(contents)
    # figures are no page numbers: a header that is not "Page", a year schedule, a decrease
    for rows in (
        [["", "Stores"], *[[f"Region {k}", str(k)] for k in range(1, 7)]],
        [["", ""], *[[str(2019 + k), str(10 + k)] for k in range(6)]],
        [["", ""], *[[f"Line {k}", str(30 - k)] for k in range(6)]],
        [["", ""], *[[f"Line {k}", f"$ {k}"] for k in range(6)]],
    ):
        assert not is_contents(build_table(rows, index=0)), rows
    doc = finqa_document(
        {"id": "TEST/2019/page_2.pdf-1", "pre_text": [], "post_text": [], "table": []}
    ).model_copy(update={"tables": (contents,)})
    assert chunk_document(doc) == []


def test_a_performance_graph_holds_index_values_not_money() -> None:
    """Every row of a performance graph starts at the $100 invested: its cells are index
    values (no currency, no scale), so (110.57 - 100) / 100 is a return of 10.57%, not $0.11.
    A table with one row that does not start at 100, or with percentages, is left alone."""
    from finrag.documents.tables import build_table

    graph = [
        ["", "12/31/05", "12/31/06", "12/31/07"],
        ["united parcel service inc .", "$ 100.00", "$ 101.76", "$ 110.57"],
        ["s&p 500 index", "$ 100.00", "$ 115.79", "$ 111.99"],
    ]
    table = build_table(graph, index=0, context="(in millions)")
    numbers = [c.number for row in table.rows[1:] for c in row if c.number is not None]
    assert len(numbers) == 6
    assert all(
        n.kind is Kind.NONE and n.currency is None and n.scale is Scale.UNITS for n in numbers
    )
    assert [n.value for n in numbers[:3]] == [100.0, 101.76, 110.57]

    for other in (
        [*graph, ["dividends paid", "$ 1.20", "$ 1.40", "$ 1.60"]],  # not an indexed series
        graph[:2],  # one series alone
        [
            graph[0],
            ["net sales", "100.0%", "100.0%", "100.0%"],
            ["cost of sales", "100", "61", "60"],
        ],
    ):
        kept = build_table(other, index=0)
        kinds = {c.number.kind for row in kept.rows[1:] for c in row if c.number is not None}
        assert kinds != {Kind.NONE}, other
