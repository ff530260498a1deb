"""From a grid of cell strings to a :class:`~finrag.documents.model.Table`.

Every format (PDF layout, HTML, XLSX/CSV, FinQA/TAT-QA records) ends up with rows of cell
strings; this module gives them the same treatment:

* **scale and currency** from the caption, then the header rows, then the surrounding text
  ("(in millions, except per share data)"); a "$" in any body cell makes the table USD;
* **header rows**: leading rows whose value cells are text or periods ("2019", "Q3 2023",
  "December 31, 2022"), never a row holding a real amount; at least one body row remains;
* **header column**: column 0 holds the row labels when the table has two or more columns;
* **column periods** from the joined header text of each column; a table whose columns name
  no period takes the one period its caption names ("Stock option activity for the year ended
  December 31, 2022 was as follows:", a reconciliation captioned "2021"), see
  :func:`caption_period`;
* **numbers**: each body cell parsed with the table's scale and currency; a percent column
  ("% change") or percent row ("as a % of revenue") reads plain numbers as percents; a
  per-share row ("Diluted earnings per share") is never scaled by "in millions";
* **the filing's convention** (:func:`apply_stated_scale`): "Unless otherwise noted, tabular
  dollars are presented in millions" (PepsiCo's MD&A and notes) scales the money cells of the
  later tables that state no scale of their own.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from finrag.documents.model import BBox, Cell, ParsedNumber, Table
from finrag.documents.numbers import detect_currency, detect_scale, parse_number
from finrag.dsl.units import Kind, Scale

__all__ = [
    "PER_SHARE",
    "SHARE_COUNT",
    "apply_stated_scale",
    "build_table",
    "caption_period",
    "find_period",
    "is_period_text",
    "is_value_text",
    "names_duration",
    "stated_period",
]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[5-9]\d|20\d\d)"
_PERIOD_RES = (
    re.compile(
        rf"\b(?:three|six|nine|twelve|3|6|9|12)\s+months\s+ended\s+{_MONTH}\s+\d{{1,2}},?\s+{_YEAR}",
        re.I,
    ),
    re.compile(rf"\b(?:three|six|nine|twelve)\s+months\s+ended\b.*?\b{_YEAR}\b", re.I),
    re.compile(
        rf"\b(?:years?|quarters?|(?:\d{{1,2}}[- ])?weeks?)\s+ended\s+{_MONTH}\s+\d{{1,2}},?\s+{_YEAR}",
        re.I,
    ),
    re.compile(
        rf"\b(?:Q[1-4]|[1-4](?:st|nd|rd|th)\s+quarter)\s*(?:of\s+)?(?:fiscal\s+)?'?{_YEAR}", re.I
    ),
    re.compile(rf"\b{_MONTH}\s+\d{{1,2}},?\s+{_YEAR}\b", re.I),
    re.compile(rf"\b(?:fiscal(?:\s+year)?|fy)\s*'?{_YEAR}\b", re.I),
    re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.I),
    re.compile(rf"(?<![\d.,$])\b{_YEAR}\b(?![.,]?\d)"),
)
_PERIOD_ONLY = re.compile(
    rf"^\s*(?:\(?\s*(?:{_YEAR}|fiscal|fy|q[1-4]|as of|at|for the|years?|quarters?|three|six|nine|"
    rf"twelve|months|weeks|ended|ending|{_MONTH}|\d{{1,2}}|,|\(|\)|-|–|—|and|to|through|"
    rf"restated|unaudited|actual|\s)\s*)+$",
    re.I,
)
# A heading that names how long the columns' periods are, with no date: "13 Weeks Ended",
# "Three Months Ended", "Fiscal Year Ended", "Six Months Ending".
_DURATION = re.compile(
    r"^\s*(?:for\s+the\s+)?(?:(?:fiscal\s+)?(?:years?|quarters?)|(?:\d{1,2}|three|six|nine|twelve|"
    r"thirteen|twenty-six|thirty-nine|fifty-two|fifty-three)[- ](?:weeks?|months?))\s+"
    r"end(?:ed|ing)\s*:?\s*$",
    re.I,
)
_BARE_YEAR = re.compile(rf"(?<![\d.,$])\b{_YEAR}\b(?![.,]?\d)")
# A bare year reads as the table's period only after words that make it one ("In 2022, we
# issued", "activity for 2022", "as of 2022"); "our 2019 Productivity Plan" names a plan.
_YEAR_CUE = re.compile(rf"\b(?:in|for|during|as of|at|fiscal|year)\s+{_YEAR}\b", re.I)
_RUNNING_HEAD = re.compile(r"^\s*table of contents\b", re.I)
_CONTENTS = re.compile(r"\btable of contents\b|\bindex to\b", re.I)
# An amount per share ("diluted earnings per share", "EPS"), in a label, heading or question.
PER_SHARE = re.compile(r"per\s+(?:common\s+|diluted\s+|basic\s+|ordinary\s+)?share|\beps\b", re.I)
# A line that counts shares: its numbers are numbers of shares, whatever heading it is under
# ("Weighted-average shares––diluted", "number of common shares", "common-share equivalents");
# "per share" is singular.
SHARE_COUNT = re.compile(r"\bnumber\s+of\b|\bshares\b|\b(?:share|stock)\s+equivalents\b", re.I)
_PERCENT_HEAD = re.compile(r"%|\bpercent(?:age)?\b|\bmargin\b|\brate\b|\bchange\b", re.I)


def find_period(text: str) -> str | None:
    """The fiscal period a header names ("Three Months Ended June 30, 2023", "2019"), if any."""
    for rx in _PERIOD_RES:
        m = rx.search(text)
        if m:
            return " ".join(m.group(0).split())
    return None


def caption_period(caption: str) -> str | None:
    """The one period a table's caption names, for a table whose columns name none.

    "Stock option activity for the year ended December 31, 2022 was as follows:" gives "year
    ended December 31, 2022"; a caption that is only a period ("2021", "Three Months Ended July
    2, 2023") gives it. None when the caption names no year or several ("for the years ended
    December 31, 2022 and 2021": the columns must tell), when its only year is bare and nothing
    makes it a period ("A summary of our 2019 Productivity Plan"), and for contents pages. A
    running "Table of Contents" header at the start is not part of the caption.
    """
    text = _RUNNING_HEAD.sub("", " ".join(caption.split())).strip()
    if not text or _CONTENTS.search(text):
        return None
    if len(set(_BARE_YEAR.findall(text))) != 1:
        return None
    return stated_period(text) or (find_period(text) if is_period_text(text.rstrip(":")) else None)


def stated_period(text: str) -> str | None:
    """The period a phrase states as one: a dated period ("year ended December 31, 2022",
    "Q3 2023", "December 31, 2021") or a year after words that make it a period ("In 2022",
    "as of 2021"); a bare year elsewhere ("Notes due 2033", "our 2019 Plan") is not one."""
    period = find_period(text)
    if period is None:
        return None
    return period if not _BARE_YEAR.fullmatch(period) or _YEAR_CUE.search(text) else None


def is_period_text(text: str) -> bool:
    """Whether a cell is only a period ("2019", "December 31, 2022", "Q3 2023")."""
    return bool(text.strip()) and bool(_PERIOD_ONLY.match(text)) and find_period(text) is not None


def names_duration(text: str) -> bool:
    """Whether a heading is only a period's length ("13 Weeks Ended", "Year Ended")."""
    return bool(_DURATION.match(text))


def is_value_text(text: str) -> bool:
    """A body value: parses as a number and is not a bare period."""
    return parse_number(text) is not None and not is_period_text(text)


def _count_header_rows(grid: Sequence[Sequence[str]], header_cols: int) -> int:
    """Leading rows with no value cells; at least one body row is kept."""
    count = 0
    for row in grid[:-1]:
        values = [c for c in row[header_cols:] if c.strip()]
        if any(is_value_text(c) for c in values):
            break
        if count > 0 and not values:
            break  # a label-only row after the header starts the body ("Revenues:")
        count += 1
    if count == len(grid):
        count = max(0, len(grid) - 1)
    return count


def _lead_labels(rows: list[list[str]], header_rows: int, header_cols: int) -> str:
    """The label-only rows at the top of the body, before its first value: a scale written as
    a row of its own ("(In thousands)" under the years) belongs to the table."""
    out = []
    for r in rows[header_rows:]:
        if any(c for c in r[header_cols:]):
            break
        out.append(" ".join(r[:header_cols]))
    return " ".join(out)


def _groups(rows: list[list[str]], header_rows: int, header_cols: int) -> list[str]:
    """Each row's group heading: the nearest label-only row above it in the body."""
    out, group = [], ""
    for i, r in enumerate(rows):
        label = " ".join(r[:header_cols]).strip()
        out.append(group if i >= header_rows else "")
        if i >= header_rows and label and not any(c for c in r[header_cols:]):
            group = label
    return out


_DURATION_HEAD = re.compile(r"\(\s*(?:in\s+)?(?:years|months|days)\s*\)", re.I)


def _percent_columns(rows: list[list[str]], header_rows: int, header_cols: int) -> set[int]:
    """Columns of a common-size table: some cells written with "%" ("Sales | 100.0 %") and the
    rest plain numbers no larger than 100 ("Gross profit | 40.0"), none with a currency sign.
    Those plain numbers are percents too (an income statement as a percentage of sales, a
    tax-rate reconciliation under "Statutory rate | 21.0%")."""
    out: set[int] = set()
    n_cols = max((len(r) for r in rows), default=0)
    for j in range(header_cols, n_cols):
        cells = [r[j] for r in rows[header_rows:] if j < len(r) and r[j].strip()]
        if not any("%" in c for c in cells) or any(re.search(r"[$€£¥]", c) for c in cells):
            continue  # most columns: decided without parsing a cell
        numbers = [(c, n) for c in cells if (n := parse_number(c)) is not None and not n.is_dash]
        if not any("%" in c for c, _ in numbers):
            continue
        plain = [n for c, n in numbers if "%" not in c]
        if plain and all(n.kind is Kind.NONE and abs(n.value) <= 100 for n in plain):
            out.add(j)
    return out


#: The base of an indexed series: a performance graph's "$100 invested" at its first date.
INDEX_BASE = 100.0


def _index_rows(rows: list[list[str]], header_rows: int, header_cols: int) -> set[int]:
    """Rows of an indexed series, such as a performance graph's cumulative total return
    ("UPS | $ 100.00 | $ 101.76 | $ 98.20 | ..."): every row of at least three numbers starts
    at 100 (at least two such rows). Their cells are index values, not amounts of money: the
    dollar sign is the value of $100 invested, and (110.57 - 100) / 100 is a return of 10.57%,
    not $0.11."""
    series: set[int] = set()
    for i in range(header_rows, len(rows)):
        texts = [c for c in rows[i][header_cols:] if c.strip()]
        numbers = [n for c in texts if (n := parse_number(c)) is not None and not n.is_dash]
        if len(numbers) < 3:
            continue
        if numbers[0].value != INDEX_BASE or any("%" in c for c in texts):
            return set()
        series.add(i)
    return series if len(series) >= 2 else set()


def _scale_currency(
    caption: str, head_text: str, body: str, context: str, lead: str = ""
) -> tuple[Scale, str | None]:
    scale = (
        detect_scale(caption)
        or detect_scale(head_text)
        or detect_scale(lead)
        or detect_scale(context)
    )
    currency = detect_currency(caption) if detect_scale(caption) else None
    currency = currency or (detect_currency(head_text) if detect_scale(head_text) else None)
    currency = currency or (detect_currency(lead) if detect_scale(lead) else None)
    if currency is None and "$" in body:
        currency = "USD"
    return scale or Scale.UNITS, currency


def build_table(
    grid: Sequence[Sequence[str]],
    *,
    index: int,
    pages: Sequence[int] = (),
    caption: str = "",
    context: str = "",
    header_rows: int | None = None,
    max_header_rows: int | None = None,
    boxes: Sequence[Sequence[tuple[float, float, float, float] | None]] | None = None,
    cell_pages: Sequence[int] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> Table:
    """Build a Table from rows of cell strings (ragged rows are padded)."""
    n_cols = max((len(r) for r in grid), default=0)
    rows = [[(c or "").strip() for c in r] + [""] * (n_cols - len(r)) for r in grid]
    header_cols = 1 if n_cols >= 2 else 0
    if header_rows is None:
        header_rows = _count_header_rows(rows, header_cols)
        if max_header_rows is not None:
            header_rows = min(header_rows, max_header_rows)
    head_text = " ".join(c for r in rows[:header_rows] for c in r if c)
    body_text = " ".join(c for r in rows[header_rows:] for c in r[header_cols:])
    lead = _lead_labels(rows, header_rows, header_cols)
    scale, currency = _scale_currency(caption, head_text, body_text, context, lead)
    col_headers = _column_headers(rows, header_rows, n_cols, header_cols)
    groups = _groups(rows, header_rows, header_cols)
    percent_cols = _percent_columns(rows, header_rows, header_cols)
    index_rows = _index_rows(rows, header_rows, header_cols)
    cells = tuple(
        tuple(
            _make_cell(
                rows,
                i,
                j,
                header_rows,
                header_cols,
                scale,
                currency,
                col_headers,
                boxes,
                cell_pages,
                groups[i],
                j in percent_cols,
                i in index_rows,
            )
            for j in range(n_cols)
        )
        for i in range(len(rows))
    )
    return Table(
        index=index,
        pages=tuple(pages),
        caption=caption,
        scale=scale,
        currency=currency,
        header_rows=header_rows,
        header_cols=header_cols,
        rows=cells,
        row_labels=tuple(" ".join(r[:header_cols]).strip() for r in rows[header_rows:]),
        column_headers=tuple(col_headers),
        column_periods=_column_periods(cells, col_headers, header_rows, header_cols, caption),
        bbox=BBox(x0=bbox[0], top=bbox[1], x1=bbox[2], bottom=bbox[3]) if bbox else None,
    )


def _column_periods(
    cells: Sequence[Sequence[Cell]],
    col_headers: Sequence[str],
    header_rows: int,
    header_cols: int,
    caption: str,
) -> tuple[str | None, ...]:
    """Each column's period from its header; when no header names one, the caption's period
    for every column holding a number (:func:`caption_period`)."""
    periods = tuple(find_period(h) for h in col_headers)
    if any(periods):
        return periods
    shared = caption_period(caption) if caption else None
    if shared is None:
        return periods
    numbered = {c.col for row in cells[header_rows:] for c in row if c.number is not None}
    return tuple(
        shared if j >= header_cols and j in numbered else None for j in range(len(col_headers))
    )


def _column_headers(
    rows: list[list[str]], header_rows: int, n_cols: int, header_cols: int = 0
) -> list[str]:
    """Each column's header text, multi-row headers joined top to bottom without repeats.

    A heading over several columns is written once, in the first of them ("Net additions
    (losses)" over "2019 | 2018"); an empty cell of an upper header row takes the heading to its
    left when a header row below names that column, so both columns carry the heading.
    """
    head = [list(r) for r in rows[:header_rows]]
    for a, r in enumerate(head[:-1]):
        for j in range(header_cols + 1, n_cols):
            if not r[j] and r[j - 1] and any(below[j] for below in head[a + 1 :]):
                r[j] = r[j - 1]
    out: list[str] = []
    for j in range(n_cols):
        parts: list[str] = []
        for r in head:
            if r[j] and (not parts or parts[-1] != r[j]):
                parts.append(r[j])
        out.append(" ".join(parts))
    return out


def _make_cell(
    rows: list[list[str]],
    i: int,
    j: int,
    header_rows: int,
    header_cols: int,
    scale: Scale,
    currency: str | None,
    col_headers: list[str],
    boxes: Sequence[Sequence[tuple[float, float, float, float] | None]] | None,
    cell_pages: Sequence[int] | None,
    group: str = "",
    percent_col: bool = False,
    index_row: bool = False,
) -> Cell:
    text = rows[i][j]
    number = None
    if i >= header_rows and j >= header_cols and text:
        label = " ".join(rows[i][:header_cols])
        number = _cell_number(
            text, scale, currency, label, col_headers[j], group, percent_col, index_row
        )
    box = boxes[i][j] if boxes is not None and i < len(boxes) and j < len(boxes[i]) else None
    return Cell(
        row=i,
        col=j,
        text=text,
        number=number,
        bbox=BBox(x0=box[0], top=box[1], x1=box[2], bottom=box[3]) if box else None,
        page=cell_pages[i] if cell_pages is not None and i < len(cell_pages) else None,
    )


def _cell_number(
    text: str,
    scale: Scale,
    currency: str | None,
    label: str,
    header: str,
    group: str = "",
    common_size: bool = False,
    index_value: bool = False,
) -> ParsedNumber | None:
    """Parse a body cell, adjusting kind and scale from its row label, its group heading
    ("Net income per share:" over "Basic") and its column header; a cell of an indexed series
    (``index_value``, :func:`_index_rows`) is a plain number."""
    if index_value:
        return _plain(parse_number(text))
    # a count under a per-share heading ("Earnings per common share––diluted" over
    # "Weighted-average shares––diluted") is a number of shares, not an amount per share, and
    # the terms of the EPS computation ("EPS Numerator––Diluted" over net income, "EPS
    # Denominator" over share counts) are amounts of their own
    per_share_group = (
        PER_SHARE.search(group)
        and not re.search(r"\bexcept\b|\bnumerator\b|\bdenominator\b", group, re.I)
        and not SHARE_COUNT.search(label)
    )
    if PER_SHARE.search(label) or per_share_group:
        parsed = parse_number(text, scale=Scale.UNITS, currency=currency)
        if parsed is not None and parsed.kind in (Kind.MONEY, Kind.NONE) and not parsed.is_dash:
            return parsed.model_copy(update={"kind": Kind.PER_SHARE, "scale": Scale.UNITS})
        return parsed
    # a row that states its own scale ("Gross profit (in thousands)") overrides the table's
    scale = detect_scale(label) or scale
    parsed = parse_number(text, scale=scale, currency=currency)
    if parsed is None or parsed.kind is Kind.PERCENT:
        return parsed
    # a rate inside a name ("tranche a-3 (5.93%) due june 2022") does not make a percent row
    named = re.sub(r"\d[\d.,]*\s*%", "", label)
    percent_row = "%" in named or re.search(r"\bpercent(?:age)?\b", named, re.I)
    percent_col = "%" in header or re.search(r"\bpercent(?:age)?\b", header, re.I)
    if (percent_row or percent_col or common_size) and "$" not in text and parsed.scale is scale:
        return parsed.model_copy(
            update={"kind": Kind.PERCENT, "scale": Scale.UNITS, "currency": None}
        )
    if _DURATION_HEAD.search(header) and "$" not in text:  # "Useful lives (in years)"
        return _plain(parsed)
    return parsed


def _plain(parsed: ParsedNumber | None) -> ParsedNumber | None:
    """``parsed`` as a plain number: no currency, no scale."""
    if parsed is None:
        return None
    return parsed.model_copy(update={"kind": Kind.NONE, "scale": Scale.UNITS, "currency": None})


_UNLESS = r"(?:unless|except)\s+(?:as\s+)?otherwise\s+(?:noted|indicated|stated|specified)"
_DOLLARS = r"\b(?:tabular\s+)?(?:dollars?|dollar\s+amounts|amounts)\b"
_IN_SCALE = r"\bin\s+(thousands|millions|billions)\b"
#: A statement of the scale every later table uses: "Unless otherwise noted, tabular dollars
#: are presented in millions", "All dollar amounts are in thousands unless otherwise stated",
#: "Tabular amounts in millions", the heading of Boeing's notes "(Dollars in millions, except
#: otherwise stated)". One sentence; a table's own caption states no convention.
_CONVENTION = re.compile(
    rf"{_UNLESS}[^.;]{{0,80}}?{_DOLLARS}[^.;]{{0,40}}?{_IN_SCALE}"
    rf"|{_DOLLARS}[^.;]{{0,40}}?{_IN_SCALE}[^.;]{{0,60}}?{_UNLESS}"
    rf"|\btabular\s+(?:dollars?|amounts)\b[^.;]{{0,30}}?{_IN_SCALE}",
    re.IGNORECASE,
)


def stated_scales(page_texts: Sequence[tuple[int, str]]) -> list[tuple[int, Scale]]:
    """(page, scale) of each convention statement, in page order."""
    out: list[tuple[int, Scale]] = []
    for page, text in page_texts:
        for m in _CONVENTION.finditer(text):
            word = next(g for g in m.groups() if g)
            out.append((page, Scale.from_word(word)))
    return out


def apply_stated_scale(
    page_texts: Sequence[tuple[int, str]], tables: Sequence[Table]
) -> list[Table]:
    """``tables`` with the filing's stated scale applied to those that state none.

    A table on or after a convention statement's page (the latest such statement wins) whose
    own scale is units takes that scale for its money cells; per-share rows, percents, counts
    and cells that wrote their own scale ("$5 million") keep theirs.
    """
    conventions = stated_scales(page_texts)
    if not conventions:
        return list(tables)
    out: list[Table] = []
    for table in tables:
        scale = None
        for page, stated in conventions:
            if page <= table.page:
                scale = stated
        if scale is None or table.scale is not Scale.UNITS:
            out.append(table)
            continue
        texts = [[c.text for c in row] for row in table.rows]
        groups = _groups(texts, table.header_rows, table.header_cols)
        rows = tuple(
            tuple(_rescaled(cell, scale, table, groups[i]) for cell in row)
            for i, row in enumerate(table.rows)
        )
        if rows == table.rows:
            out.append(table)
        else:
            out.append(table.model_copy(update={"rows": rows, "scale": scale}))
    return out


# Cells a filing's money convention does not reach: counts ("Number of shares under option:",
# a "Shares" column) unless written with "$", amounts per share, option or unit (by row or by
# column: PepsiCo's "Net income attributable to PepsiCo per common share"), and durations.
_COUNT = re.compile(r"\b(?:number\s+of|shares|units|options)\b", re.I)
_PER_UNIT = re.compile(r"\bper\s+(?:share|option|unit)\b|\bexercise\s+price\b", re.I)


def _rescaled(cell: Cell, scale: Scale, table: Table, group: str) -> Cell:
    number = cell.number
    if number is None or number.kind is not Kind.MONEY or number.scale is not Scale.UNITS:
        return cell
    label_index = cell.row - table.header_rows
    label = table.row_labels[label_index] if 0 <= label_index < len(table.row_labels) else ""
    header = table.column_headers[cell.col] if cell.col < len(table.column_headers) else ""
    if PER_SHARE.search(label) or _PER_UNIT.search(header) or PER_SHARE.search(header):
        return cell
    if _DURATION_HEAD.search(label):  # "Weighted average remaining amortization period (years)"
        return cell
    if "$" not in cell.text and any(_COUNT.search(t) for t in (label, group, header)):
        return cell
    return cell.model_copy(update={"number": number.model_copy(update={"scale": scale})})


_PAGE_NUMBER = re.compile(r"\d(?: ?\d){0,2}")  # "1 1": PDF text may space the digits of 11
_PAGE_HEADER = re.compile(r"^\s*(?:pages?(?:\s*no\.?)?)?\s*$", re.I)
_MIN_CONTENTS_ROWS = 5


def is_contents(table: Table) -> bool:
    """A table of contents: every body row with a value holds one page number, the numbers
    never go down, and the value column is headed "Page" or not at all ("Item 3. Legal
    Proceedings | 18", a plan's "10.8 Legal Action | 38"). Its numbers are places in the
    filing, not figures, and its rows name every section, so they are no evidence: they had
    ranked first for "Has Boeing reported any legal battles?" and "What is PepsiCo's EBITDA
    margin?" (the contents line "CONSOLIDATED STATEMENT OF CASH FLOWS | 62")."""
    if any(not _PAGE_HEADER.match(h) for h in table.column_headers[table.header_cols :]):
        return False
    pages: list[int] = []
    for row in table.rows[table.header_rows :]:
        label = " ".join(c.text for c in row[: table.header_cols]).strip()
        values = [c.text.strip() for c in row[table.header_cols :] if c.text.strip()]
        if not values:
            continue  # a heading line such as "PART II"
        if len(values) != 1 or not _PAGE_NUMBER.fullmatch(values[0]) or not label:
            return False
        if is_period_text(label):
            return False  # a schedule by year ("2019 | 12"), not a contents page
        pages.append(int(values[0].replace(" ", "")))
    return (
        len(pages) >= _MIN_CONTENTS_ROWS
        and pages[-1] > pages[0]
        and all(b >= a for a, b in itertools.pairwise(pages))
    )
