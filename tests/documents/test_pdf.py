"""PDF parsing on generated statements: values, headers, merged pages, encryption, images."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from documents.documents_fixtures import SEGMENTS
from finrag.documents.base import ParseOptions
from finrag.documents.chunking import chunk_document
from finrag.documents.model import Document, Table
from finrag.documents.registry import parse_path
from finrag.dsl.units import Kind, Scale

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def statement(statement_pdf: Path) -> Document:
    (doc,) = parse_path(statement_pdf, ParseOptions(workers=1))
    return doc


def _row(table: Table, label: str) -> list[float | None]:
    i = table.row_labels.index(label) + table.header_rows
    return [c.number.value if c.number else None for c in table.rows[i][1:]]


_XS = (470.0, 540.0)  # right edges of a two-year statement's number columns


def _two_year_lines(c: Any, y: float, lines: Sequence[tuple[str, ...]]) -> float:
    """Draw statement lines (label, then right-aligned values: none for a label alone) under
    the header at ``y``; returns the last line's ``y``."""
    for label, *values in lines:
        y -= 12
        c.drawString(50, y, label)
        for x, value in zip(_XS[: len(values)], values, strict=True):
            c.drawRightString(x, y, value)
    return y


def _saved(c: Any, path: Path) -> Document:
    """Finish the drawn page, save the PDF to ``path`` and parse it."""
    c.showPage()
    c.save()
    (doc,) = parse_path(path, ParseOptions(workers=1))
    return doc


def test_statement_table_values(statement: Document) -> None:
    table = statement.tables[0]
    assert table.scale is Scale.MILLIONS
    assert table.currency == "USD"
    assert table.column_periods[1:] == ("2019", "2018")
    assert table.column_headers[0] == "Years ended December 31,"
    assert _row(table, "Net revenue") == [5829.0, 5735.0]
    assert _row(table, "Cost of sales") == [-1234.0, -1100.0]
    assert _row(table, "Restructuring charges") == [0.0, 12.0]
    assert _row(table, "Gross margin %") == [12.5, -3.2]


def test_dash_percent_and_per_share_kinds(statement: Document) -> None:
    table = statement.tables[0]
    by_label = {
        table.row_labels[i]: table.rows[i + table.header_rows] for i in range(len(table.row_labels))
    }
    dash = by_label["Restructuring charges"][1].number
    assert dash is not None and dash.is_dash and dash.value == 0.0
    pct = by_label["Gross margin %"][2].number
    assert pct is not None and pct.kind is Kind.PERCENT and pct.scale is Scale.UNITS
    eps = by_label["Diluted earnings per share"][1].number
    assert eps is not None and eps.kind is Kind.PER_SHARE and eps.scale is Scale.UNITS
    revenue = by_label["Net revenue"][1]
    assert revenue.number is not None and revenue.number.quantity().absolute == 5_829_000_000
    assert revenue.bbox is not None and revenue.page == 1


def test_table_split_across_pages_is_merged(statement: Document) -> None:
    table = statement.tables[1]
    assert table.pages == (1, 2)
    assert table.row_labels == tuple(label for label, _, _ in SEGMENTS)
    assert _row(table, "Segment Z") == [125.0, 115.0]
    last = table.rows[-1]
    assert last[1].page == 2 and table.rows[table.header_rows][1].page == 1
    assert statement.pages[1].table_indices == (1,)


def test_text_blocks_sentences_and_sections(statement: Document) -> None:
    page1 = statement.pages[0]
    sentences = [s for b in page1.blocks for s in b.sentences]
    assert "Net revenue increased $94 million, or 1.6%, to $5,829 million in 2019." in sentences
    # the page is headed by the statement's title, so its later headings carry it in front
    assert statement.tables[1].section == "Consolidated Statements of Operations: Segment Revenue"


def test_image_only_page_is_a_warning(statement: Document) -> None:
    assert len(statement.pages) == 3
    assert statement.pages[2].image_only
    assert "page 3 has no extractable text; OCR is not supported" in statement.warnings


def test_encrypted_pdf_with_empty_user_password(encrypted_pdf: Path) -> None:
    assert b"/Encrypt" in encrypted_pdf.read_bytes()
    (doc,) = parse_path(encrypted_pdf, ParseOptions(workers=1))
    assert _row(doc.tables[0], "Net revenue") == [5829.0, 5735.0]


def test_pdfplumber_engine_gives_the_same_table(statement_pdf: Path, statement: Document) -> None:
    (doc,) = parse_path(statement_pdf, ParseOptions(workers=1, pdf_engine="pdfplumber"))
    assert _row(doc.tables[0], "Cost of sales") == _row(statement.tables[0], "Cost of sales")
    assert doc.tables[1].pages == (1, 2)


def test_process_pool_gives_the_same_document(statement_pdf: Path, statement: Document) -> None:
    (doc,) = parse_path(statement_pdf, ParseOptions(workers=2, pool_min_pages=1))
    assert doc == statement


def test_ids_are_stable(statement_pdf: Path, statement: Document) -> None:
    (again,) = parse_path(statement_pdf, ParseOptions(workers=1))
    assert again.id == statement.id and statement.id.startswith("d") and len(statement.id) == 17


def test_running_headers_are_neither_headings_nor_text() -> None:
    from finrag.documents.layout import PageLayout
    from finrag.documents.pdf import assemble

    def page(n: int, body: list[str]) -> PageLayout:
        lines = [("Table of Contents", (50.0, 20.0, 150.0, 30.0), False)]
        lines += [
            (t, (50.0, 100.0 + 20 * i, 500.0, 112.0 + 20 * i), False) for i, t in enumerate(body)
        ]
        lines.append((f"Page {n}", (280.0, 760.0, 320.0, 770.0), False))
        return PageLayout(number=n, width=612.0, height=792.0, lines=lines, tables=[])

    body = ["Revenue grew in the year.", "Margins held steady.", "Cash flow was strong."]
    pages = [page(n, [body[n - 1]]) for n in (1, 2, 3)]
    pages.append(page(4, ["Item 3. Legal Proceedings", "We are party to several lawsuits."]))
    result = assemble(pages)
    blocks = [b for p in result.pages for b in p.blocks]
    text = " ".join(b.text for b in blocks)
    assert "Table of Contents" not in text and "Page 2" not in text
    assert {b.section for b in blocks} == {"", "Item 3. Legal Proceedings"}
    # a short document keeps every line: too few pages to tell furniture from text
    short = assemble(pages[:3])
    assert "Table of Contents" in " ".join(b.text for p in short.pages for b in p.blocks)


def test_sections_under_a_statement_title_name_the_statement() -> None:
    """On the page a "Consolidated Balance Sheets" title heads, "Assets" is the balance sheet's."""
    from finrag.documents.layout import PageLayout
    from finrag.documents.pdf import assemble

    def line(text: str, i: int) -> tuple[str, tuple[float, float, float, float], bool]:
        return (text, (50.0, 100.0 + 20 * i, 500.0, 112.0 + 20 * i), False)

    statement = PageLayout(
        number=1,
        width=612.0,
        height=792.0,
        lines=[
            line("CONSOLIDATED BALANCE SHEETS", 0),
            line("Assets", 1),
            line("Cash and cash equivalents were reclassified in the year.", 2),
        ],
        tables=[],
    )
    notes = PageLayout(
        number=2,
        width=612.0,
        height=792.0,
        lines=[line("Assets", 0), line("Goodwill is tested for impairment every year.", 1)],
        tables=[],
    )
    result = assemble([statement, notes])
    sections = [
        {b.section for b in p.blocks if b.text[0].islower() or "." in b.text} for p in result.pages
    ]
    assert sections[0] == {"CONSOLIDATED BALANCE SHEETS: Assets"}
    assert sections[1] == {"Assets"}  # the title names its own page only


def _statement_pdf(
    path: Path,
    above: list[str],
    headers: tuple[str, str],
    labels: list[str],
    *,
    centred: bool = False,
) -> Path:
    """One statement page: lines of text (``centred`` on the page, as a statement's title),
    column headers over two number columns, section labels, then three rows."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 9)
    y = letter[1] - 60
    for text in above:
        if centred:
            c.drawCentredString(letter[0] / 2, y, text)
        else:
            c.drawString(50, y, text)
        y -= 14
    y -= 6
    for x, header in zip((430.0, 520.0), headers, strict=True):
        c.drawRightString(x, y, header)
    for label in labels:
        y -= 14
        c.drawString(50, y, label)
    for label, a, b in (
        ("Net income", "8,978", "7,679"),
        ("Depreciation and amortization", "2,763", "2,710"),
        ("Capital spending", "(5,207)", "(4,625)"),
    ):
        y -= 14
        c.drawString(60, y, label)
        c.drawRightString(430.0, y, a)
        c.drawRightString(520.0, y, b)
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize(
    ("headers", "labels"),
    [
        # PepsiCo's cash flow statement
        (("2022", "2021"), ["Operating Activities"]),
        # American Express's income statement: two labels under the years
        (("2022", "2021"), ["Revenues", "Non-interest revenues"]),
        # Boeing's plan assets: dates, not bare years, over a label
        (("December 31, 2022", "December 31, 2021"), ["Fixed income securities:"]),
        # PepsiCo's debt note: years with footnote markers
        (("2022 (a)", "2021 (a)"), ["Short-term debt obligations (b)"]),
    ],
)
def test_section_labels_under_the_header_keep_it_as_the_header(
    tmp_path: Path, headers: tuple[str, str], labels: list[str]
) -> None:
    """Section labels between the column headers and the first row belong to the table, and
    the headers above them stay its header: every cell of PepsiCo's cash flow statement and of
    American Express's income statement had lost its year to the caption."""
    above = ["Consolidated Statement of Cash Flows", "(in millions)"]
    (doc,) = parse_path(
        _statement_pdf(tmp_path / "s.pdf", above, headers, labels), ParseOptions(workers=1)
    )
    (table,) = doc.tables
    assert [re.findall(r"20\d\d", h) for h in table.column_headers[1:]] == [["2022"], ["2021"]]
    assert [re.findall(r"20\d\d", p or "") for p in table.column_periods[1:]] == [
        ["2022"],
        ["2021"],
    ]
    assert _row(table, "Depreciation and amortization") == [2763.0, 2710.0]
    assert _row(table, "Capital spending") == [-5207.0, -4625.0]
    assert set(labels) <= set(table.row_labels)  # the group headings of the rows under them


def test_a_title_above_the_header_is_the_caption_not_a_column_heading(tmp_path: Path) -> None:
    """American Express's income statement: the title centred above "2022 2021", then the
    labels "Revenues" and "Non-interest revenues" before the first number. Where the numbers
    begin was read from the first two lines only, which have none, so every line above counted
    as a header: the columns were headed "CONSOLIDATED STATEMENTS OF INCOME 2022" and the
    statement's section was the heading of an earlier page."""
    above = ["CONSOLIDATED STATEMENTS OF INCOME"]
    labels = ["Revenues", "Non-interest revenues"]
    path = _statement_pdf(tmp_path / "t.pdf", above, ("2022", "2021"), labels, centred=True)
    (doc,) = parse_path(path, ParseOptions(workers=1))
    (table,) = doc.tables
    assert [h.strip() for h in table.column_headers[1:]] == ["2022", "2021"]
    assert "CONSOLIDATED STATEMENTS OF INCOME" in table.caption
    assert _row(table, "Depreciation and amortization") == [2763.0, 2710.0]


def test_prose_above_a_label_is_not_a_header(tmp_path: Path) -> None:
    """A paragraph, a label and rows with no header: the paragraph stays text and the label is
    not pulled into a table with a header it does not have."""
    above = ["The following table shows our cash flows for the last two years, in millions."]
    (doc,) = parse_path(
        _statement_pdf(tmp_path / "p.pdf", above, ("", ""), ["Operating"]), ParseOptions(workers=1)
    )
    (table,) = doc.tables
    assert not any(table.column_periods)
    assert "The following table" not in " ".join(table.column_headers)


def test_a_row_label_wrapped_over_two_lines_keeps_the_table_whole(tmp_path: Path) -> None:
    """American Express's balance sheet: a row label too long for one line ("Card Member
    receivables (includes ... 2021," / "$5,175), less reserves ... | 57,384 | 53,581") had
    ended the table there, and every row below it lost the years."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "balance_sheet.pdf"
    c = canvas.Canvas(str(path), pagesize=letter)
    y = letter[1] - 60
    c.setFont("Helvetica", 9)
    c.drawString(50, y, "Consolidated Balance Sheets (Millions)")
    y -= 20
    for x, year in zip(_XS, ("2022", "2021"), strict=True):
        c.drawRightString(x, y, year)
    y = _two_year_lines(c, y, [("Cash and due from banks", "$ 5,510", "$ 1,292")])
    y -= 12
    c.setFont("Helvetica", 7)
    c.drawString(
        50,
        y,
        "Card Member receivables (includes gross receivables available to settle obligations "
        "of a consolidated entity: 2022, $5,193; 2021,",
    )
    c.setFont("Helvetica", 9)
    _two_year_lines(
        c,
        y,
        [
            ("$5,175), less reserves for credit losses", "57,384", "53,581"),
            ("Investment securities", "4,578", "2,591"),
            ("Total assets", "$ 228,354", "$ 188,548"),
        ],
    )
    (table,) = _saved(c, path).tables
    assert table.column_periods[1:] == ("2022", "2021")
    wrapped = next(label for label in table.row_labels if label.startswith("Card Member"))
    assert wrapped.endswith("less reserves for credit losses")
    assert _row(table, wrapped) == [57384.0, 53581.0]
    assert _row(table, "Total assets") == [228354.0, 188548.0]


@pytest.mark.parametrize(
    ("upper", "lower", "headers", "periods"),
    [
        # PepsiCo's equity statement: a year over "Shares | Amount"
        (
            ("2022", "2021"),
            ("Shares", "Amount", "Shares", "Amount"),
            ("2022 Shares", "2022 Amount", "2021 Shares", "2021 Amount"),
            ("2022", "2022", "2021", "2021"),
        ),
        # PepsiCo's segment table: a measure over three years
        (
            ("Net Revenue", "Operating Profit"),
            ("2022", "2021", "2020", "2022", "2021", "2020"),
            tuple(
                f"{m} {y}" for m in ("Net Revenue", "Operating Profit") for y in (2022, 2021, 2020)
            ),
            ("2022", "2021", "2020", "2022", "2021", "2020"),
        ),
    ],
)
def test_a_heading_centred_over_its_columns_heads_them_all(
    tmp_path: Path,
    upper: tuple[str, str],
    lower: tuple[str, ...],
    headers: tuple[str, ...],
    periods: tuple[str, ...],
) -> None:
    """A heading centred over a group of columns heads every column of the group. By overlap
    it had headed only the columns under its text, and the next column had taken the heading
    of the group before it (PepsiCo's equity statement read "2021 Shares" under 2022; its
    segment table "Net Revenue 2022" over the operating profit of 11,512)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "grouped.pdf"
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 9)
    y = letter[1] - 60
    c.drawString(50, y, "Consolidated Statement (in millions)")
    step = 180.0 / len(lower) * 2
    right = [560.0 - step * (len(lower) - 1 - j) for j in range(len(lower))]
    half = len(lower) // 2
    y -= 20
    for group, heading in enumerate(upper):
        cols = right[group * half : (group + 1) * half]
        c.drawCentredString((cols[0] - 20 + cols[-1]) / 2, y, heading)
    y -= 12
    for x, head in zip(right, lower, strict=True):
        c.drawRightString(x, y, head)
    rows = {
        "Balance, beginning of year": [f"{1380 + j}" for j in range(len(lower))],
        "Balance, end of year": [f"{1377 + 10 * j:,}" for j in range(len(lower))],
    }
    for label, values in rows.items():
        y -= 12
        c.drawString(50, y, label)
        for x, value in zip(right, values, strict=True):
            c.drawRightString(x, y, value)
    (table,) = _saved(c, path).tables
    assert table.column_headers[1:] == headers
    assert table.column_periods[1:] == periods
    assert _row(table, "Balance, end of year") == [1377.0 + 10 * j for j in range(len(lower))]


def test_a_row_whose_text_wraps_keeps_its_numbers_and_the_table_its_header(
    tmp_path: Path,
) -> None:
    """Pfizer's product revenues: a product, its indication in a column of text that wraps
    over two lines, and the numbers on the last line. The table had ended at the wrapped
    text, and "469 | 430" had become a row with no label in a table with no header; a long
    indication had been read into the first number's cell."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "products.pdf"
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 8)
    y = letter[1] - 60
    c.drawString(50, y, "Product revenues (millions)")
    y -= 16
    c.drawString(50, y, "PRODUCT")
    c.drawString(150, y, "PRIMARY INDICATION")
    for x, year in zip((480.0, 540.0), ("2023", "2022"), strict=True):
        c.drawRightString(x, y, year)

    def line(label: str, text: str, numbers: tuple[str, ...] = ()) -> None:
        nonlocal y
        y -= 11
        if label:
            c.drawString(50, y, label)
        if text:
            c.drawString(150, y, text)
        for x, value in zip((480.0, 540.0), numbers, strict=False):
            c.drawRightString(x, y, value)

    line("Paxlovid", "COVID-19 in certain high-risk patients", ("143", "8,115"))
    line("Xeljanz", "RA, PsA, UC, active polyarticular course juvenile arthritis,")
    line("", "ankylosing spondylitis")
    line("", "", ("469", "430"))
    line("Sulperazon", "Bacterial infections", ("177", "210"))
    (table,) = _saved(c, path).tables
    assert table.column_periods[-2:] == ("2023", "2022")
    labels = {label.split()[0]: label for label in table.row_labels}
    assert set(labels) == {"Paxlovid", "Xeljanz", "Sulperazon"}  # no row without a label
    assert _row(table, labels["Xeljanz"])[-2:] == [469.0, 430.0]
    # the indication beside the product is words, not a number's cell (the 143 had been lost)
    assert _row(table, labels["Paxlovid"]) == [143.0, 8115.0]
    assert "high-risk patients" in labels["Paxlovid"]
    assert _row(table, labels["Sulperazon"])[-2:] == [177.0, 210.0]


def test_a_dollar_sign_close_to_the_column_before_opens_the_next_amount(tmp_path: Path) -> None:
    """Ulta's income statement sets the "$" of an amount 7 pt right of the percent-of-sales
    column before it, inside a word gap: "100.0% $" had been one cell (no number) and the
    amount's column lost its "$"; PepsiCo's cash flow had read "(2,430) $" the same way."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "percent_of_sales.pdf"
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 9)
    y = letter[1] - 60
    c.drawString(50, y, "Consolidated Statements of Income (In thousands)")
    amounts, percents = (382.0, 498.0), (443.0, 549.0)
    y -= 20
    for x, head in zip(
        (amounts[0], percents[0], amounts[1], percents[1]), ("2023", "%", "2022", "%"), strict=True
    ):
        c.drawRightString(x, y, head)
    rows = {
        "Net sales": (("3,226,773", "100.0%"), ("2,729,388", "100.0%")),
        "Cost of sales": (("2,014,270", "62.4%"), ("1,702,059", "62.4%")),
        "Gross profit": (("1,212,503", "37.6%"), ("1,027,329", "37.6%")),
    }
    for label, cells in rows.items():
        y -= 12
        c.drawString(50, y, label)
        for k, ((amount, percent), right, pct_right) in enumerate(
            zip(cells, amounts, percents, strict=True)
        ):
            if label == "Net sales":  # "$" 5 pt after the column before it
                c.drawString(336.0 if k == 0 else percents[0] + 5, y, "$")
            c.drawRightString(right, y, amount)
            c.drawRightString(pct_right, y, percent)
    (table,) = _saved(c, path).tables
    assert _row(table, "Net sales") == [3226773.0, 100.0, 2729388.0, 100.0]
    assert _row(table, "Gross profit") == [1212503.0, 37.6, 1027329.0, 37.6]


def test_a_label_carried_on_in_parentheses_is_one_row_label(tmp_path: Path) -> None:
    """Pfizer's reconciliation: "Actuarial valuation and other pension and postretirement plan"
    / "(gains)/losses | — | — | (17)". The first line had been a group heading of its own, and
    every row below it, down to "Non-GAAP Adjusted", had taken it as its group."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "reconciliation.pdf"
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 9)
    y = letter[1] - 60
    c.drawString(50, y, "Reconciliation (MILLIONS)")
    y -= 20
    for x, head in zip(_XS, ("2023", "2022"), strict=True):
        c.drawRightString(x, y, head)
    _two_year_lines(
        c,
        y,
        [
            ("GAAP Reported", "$ 8,122", "$ 18,632"),
            ("Acquisition-related items", "(233)", "8"),
            ("Actuarial valuation and other pension and postretirement plan",),
            ("(gains)/losses", "(17)", "(6)"),
            ("(Gains)/losses on equity securities", "—", "—"),
            ("Non-GAAP Adjusted", "$ 7,818", "$ 18,582"),
        ],
    )
    doc = _saved(c, path)
    (table,) = doc.tables
    label = "Actuarial valuation and other pension and postretirement plan (gains)/losses"
    assert _row(table, label) == [-17.0, -6.0]
    # a capitalised "(Gains)" starts a line of its own
    assert "(Gains)/losses on equity securities" in table.row_labels
    rows = {c.row_label: c.group for c in chunk_document(doc) if c.row_label}
    assert rows["Non-GAAP Adjusted"] == ""


def _ulta_statement(path: Path, span: str = "") -> Table:
    """Ulta's income statement: "January 28, / 2023" and "January 29, / 2022" each centred
    over an amount and its percent of net sales, under ``span`` (a heading centred over all
    four columns) when given."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 9)
    y = letter[1] - 60
    c.drawString(50, y, "Consolidated Statements of Income (In thousands)")
    amounts, percents = (382.0, 498.0), (443.0, 549.0)
    if span:
        y -= 11
        c.drawCentredString((amounts[0] + percents[1]) / 2 + 20, y, span)
    for heading in (("January 28,", "January 29,"), ("2023", "2022")):
        y -= 11
        for text, a, p in zip(heading, amounts, percents, strict=True):
            c.drawCentredString((a - 40 + p) / 2, y, text)
    for label, cells in {
        "Net sales": (("3,226,773", "100.0%"), ("2,729,388", "100.0%")),
        "Gross profit": (("1,212,503", "37.6%"), ("1,027,329", "37.6%")),
    }.items():
        y -= 12
        c.drawString(50, y, label)
        for (amount, percent), a, p in zip(cells, amounts, percents, strict=True):
            c.drawRightString(a, y, amount)
            c.drawRightString(p, y, percent)
    (table,) = _saved(c, path).tables
    return table


def test_a_date_centred_over_an_amount_and_its_percent_heads_both(tmp_path: Path) -> None:
    """Ulta's income statement centres "January 28, / 2023" over an amount and its percent of
    net sales; the year, printed in the gap between them, had headed only the percent column,
    and the amounts had no year."""
    table = _ulta_statement(tmp_path / "centred_dates.pdf")
    assert table.column_periods[1:] == (
        "January 28, 2023",
        "January 28, 2023",
        "January 29, 2022",
        "January 29, 2022",
    )
    assert _row(table, "Net sales") == [3226773.0, 100.0, 2729388.0, 100.0]


def test_a_period_length_over_the_dates_heads_every_column(tmp_path: Path) -> None:
    """Ulta's quarterly statement prints "13 Weeks Ended" once, centred over two years of
    amount and percent columns; by overlap it had headed only the three columns under its
    text, and the quarter's net sales read as "January 28, 2023" alone, the fiscal year's
    label in the next table."""
    table = _ulta_statement(tmp_path / "weeks_ended.pdf", span="13 Weeks Ended")
    assert table.column_periods[1:] == (
        "13 Weeks Ended January 28, 2023",
        "13 Weeks Ended January 28, 2023",
        "13 Weeks Ended January 29, 2022",
        "13 Weeks Ended January 29, 2022",
    )
    assert _row(table, "Net sales") == [3226773.0, 100.0, 2729388.0, 100.0]


def test_a_percent_hanging_past_the_digits_stays_in_its_column(tmp_path: Path) -> None:
    """PepsiCo's MD&A sets "13.3 %" with its digits right-aligned under "$ 86,392" and the "%"
    in the gutter after them: clustered by the "%", the margin had opened a column of its own
    with no heading, and "What was the operating margin in 2022?" found no 2022 cell."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "hanging_percent.pdf"
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 9)
    y = letter[1] - 60
    c.drawString(50, y, "Results of Operations (in millions)")
    digits = (423.0, 501.0, 567.0)  # where the digits of each column end
    y -= 20
    for x, head in zip(digits, ("2022", "2021", "Change"), strict=True):
        c.drawRightString(x, y, head)
    rows = {
        "Net revenue": (("$", "86,392"), ("$", "79,474"), ("", "9")),
        "Operating profit": (("$", "11,512"), ("$", "11,162"), ("", "3")),
        "Operating margin": (("", "13.3"), ("", "14.0"), ("", "(0.7)")),
    }
    for label, cells in rows.items():
        y -= 12
        c.drawString(50, y, label)
        for k, (right, (dollar, number)) in enumerate(zip(digits, cells, strict=True)):
            if dollar:
                c.drawString(right - 58, y, dollar)
            c.drawRightString(right, y, number)
            is_percent = k < 2 if label == "Operating margin" else k == 2
            if is_percent:
                c.drawString(right + 5, y, "%")  # ends 13 pt past the digits
    (table,) = _saved(c, path).tables
    assert table.column_headers[1:] == ("2022", "2021", "Change")
    assert _row(table, "Operating margin") == [13.3, 14.0, -0.7]
    assert _row(table, "Net revenue") == [86392.0, 79474.0, 9.0]


def test_a_table_that_repeats_its_lines_per_year_keeps_its_columns(tmp_path: Path) -> None:
    """American Express's geographic operations: column titles once, then "2022", its lines,
    "2021", its lines, ... with each year alone in the label column. The years had ended the
    table, so the 2021 and 2020 lines lost their column titles ("United States",
    "Consolidated") and "total revenues net of interest expense in 2021" read six unnamed
    cells. Each year now heads its block of rows and dates the cells under it."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path = tmp_path / "year_blocks.pdf"
    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 9)
    y = letter[1] - 60
    c.drawString(50, y, "GEOGRAPHIC OPERATIONS")
    rights = (330.0, 400.0, 470.0)
    y -= 20
    c.drawString(50, y, "(Millions)")
    for x, head in zip(rights, ("United States", "EMEA", "Consolidated"), strict=True):
        c.drawRightString(x, y, head)
    blocks = {
        "2022": (("$ 41,396", "$ 4,871", "$ 52,862"), ("10,383", "550", "9,585")),
        "2021": (("$ 33,103", "$ 3,643", "$ 42,380"), ("10,325", "460", "10,689")),
        "2020": (("$ 28,263", "$ 3,087", "$ 36,087"), ("5,422", "187", "4,296")),
    }
    labels = ("Total revenues net of interest expense", "Pretax income")
    for year, lines in blocks.items():
        y -= 12
        c.drawString(50, y, year)
        for label, cells in zip(labels, lines, strict=True):
            y -= 12
            c.drawString(50, y, label)
            for x, cell in zip(rights, cells, strict=True):
                c.drawRightString(x, y, cell)
    doc = _saved(c, path)
    (table,) = doc.tables
    assert table.column_headers[1:] == ("United States", "EMEA", "Consolidated")
    rows = {
        (chunk.group, chunk.row_label): chunk
        for chunk in chunk_document(doc)
        if chunk.row_label in labels
    }
    assert len(rows) == 6
    revenue_2021 = rows[("2021", "Total revenues net of interest expense")]
    consolidated = revenue_2021.cells[-1]
    assert (consolidated.header, consolidated.period) == ("Consolidated", "2021")
    assert consolidated.number is not None and consolidated.number.value == 42380.0
    # the period lasts past the total line to the next year's heading
    pretax_2020 = rows[("2020", "Pretax income")]
    assert [cell.period for cell in pretax_2020.cells] == ["2020", "2020", "2020"]
