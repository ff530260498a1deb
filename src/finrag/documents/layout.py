"""Page layout from positioned words: lines, cell segments and borderless tables.

Real 10-K tables have no ruling lines. What they do have is geometry: a row label at the left,
numbers right-aligned in period columns, "$" often a separate token, wide gaps between cells and
narrow gaps between the words of a cell. This module works on that geometry only, so both PDF
engines (pypdfium2 characters and pdfplumber words) feed the same code:

1. words are grouped into lines by vertical overlap, and each line into *segments* at gaps wider
   than a normal word space; a lone "$" joins the segment to its right and a lone ")" or "%"
   the one to its left;
2. a line is *row-like* when it has a numeric segment right of its first segment (or two
   numeric segments); runs of row-like lines, with short label-only lines allowed in between
   (section labels such as "Revenues:"), form a table region;
3. columns are clusters of the numeric segments' right edges; header lines above the region
   (period lines such as "2022 2021 2020", or text sitting over the number columns) are
   assigned to every column they span, so "Three Months Ended" lands on both of its columns.

All coordinates are PDF points with the origin at the top-left.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from finrag.documents.numbers import parse_number
from finrag.documents.tables import find_period, names_duration

__all__ = ["Line", "PageLayout", "RawTable", "Word", "build_lines", "find_tables"]

Box = tuple[float, float, float, float]
# A year as a column heading, with a footnote marker when there is one ("2022 (a)", "2021*").
_YEAR = re.compile(r"^\(?(19[5-9]\d|20\d\d)\)?(?:\s*(?:\([a-z\d]\)|\*{1,3}))?$")
_CONTINUED = re.compile(r"\(?\bcontinued\b\)?", re.I)


@dataclass(slots=True)
class Word:
    """A positioned word (or segment of words)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    # the right edge of a number before the symbols that hang past it ("13.3 %", "(0.7)"):
    # what right-aligned columns align on; None when it is ``x1``
    align: float | None = None

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def right(self) -> float:
        """The edge a right-aligned column lines this segment up by."""
        return self.x1 if self.align is None else self.align


@dataclass(slots=True)
class Line:
    """Words on one visual line, left to right, and the line's cell segments."""

    words: list[Word]
    segments: list[Word] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(slots=True)
class RawTable:
    """A table found on one page, before header/number recognition (``tables.build_table``)."""

    page: int
    grid: list[list[str]]
    boxes: list[list[Box | None]]
    header_rows: int
    caption: str
    col_right: list[float]
    bbox: Box
    text_above: bool = False
    text_below: bool = False


@dataclass(slots=True)
class PageLayout:
    """What one page yields: text lines (flagged when inside a table), tables, and page facts."""

    number: int
    width: float
    height: float
    lines: list[tuple[str, Box, bool]]
    tables: list[RawTable]
    image_only: bool = False
    blank: bool = False
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Lines and segments


def build_lines(words: list[Word]) -> list[Line]:
    """Group words into lines by vertical overlap, each sorted left to right, with segments."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (round(w.top, 1), w.x0)):
        if lines and _same_line(lines[-1], w):
            lines[-1].words.append(w)
        else:
            lines.append(Line(words=[w]))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
        line.segments = _segments(line.words)
        line.numeric = [_is_numeric(s.text) for s in line.segments]
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _same_line(line: Line, w: Word) -> bool:
    last = line.words[-1]
    overlap = min(last.bottom, w.bottom) - max(last.top, w.top)
    return overlap >= 0.5 * max(1.0, min(last.height, w.height))


def _segments(words: list[Word]) -> list[Word]:
    heights = sorted(w.height for w in words)
    gap_limit = max(3.5, 0.8 * heights[len(heights) // 2])
    segs: list[Word] = []
    for w in words:
        # a "$" after a number opens the next amount, however close it sits ("100.0% $
        # 2,729,388": Ulta's percent-of-sales column is 7 pt from the next column's "$")
        after_number = segs and w.text in _CURRENCY and _is_numeric(segs[-1].text.split()[-1])
        if segs and w.x0 - segs[-1].x1 <= gap_limit and not after_number:
            _extend(segs[-1], w)
        else:
            segs.append(Word(w.text, w.x0, w.x1, w.top, w.bottom))
    return _glue_symbols(segs)


# symbols that hang right of a number's digits: typesetters align the digits, not these
_HANGING = frozenset({")", "%", ")%", "%)", "pts", "bps"})


def _extend(seg: Word, w: Word, *, hangs: bool = True) -> None:
    """Append ``w`` to ``seg``. A symbol set close after a number (``hangs``) keeps the
    number's right edge as the segment's alignment edge."""
    seg.align = seg.right if hangs and w.text.strip() in _HANGING else None
    seg.text = f"{seg.text} {w.text}"
    seg.x1 = max(seg.x1, w.x1)
    seg.top = min(seg.top, w.top)
    seg.bottom = max(seg.bottom, w.bottom)


_CURRENCY = frozenset({"$", "($", "$(", "€", "£"})


def _glue_symbols(segs: list[Word]) -> list[Word]:
    """A lone "$" belongs to the number on its right; a lone ")" or "%" to the one on its left."""
    out: list[Word] = []
    pending: Word | None = None
    for s in segs:
        t = s.text.strip()
        if t in _CURRENCY:
            pending = s
            continue
        if pending is not None:
            s = Word(f"{pending.text} {s.text}", pending.x0, s.x1, s.top, s.bottom, s.align)
            pending = None
        if out and t in _HANGING:  # set apart: a header's "%" over its column, not hanging
            _extend(out[-1], s, hangs=False)
            continue
        out.append(s)
    if pending is not None:
        out.append(pending)
    return out


def _is_numeric(text: str) -> bool:
    return parse_number(text) is not None


def _is_period_line(line: Line) -> bool:
    """Only years as numbers ("2022 2021 2020", "Years ended December 31, 2022 2021")."""
    nums = [s.text for s, n in zip(line.segments, line.numeric, strict=True) if n]
    return bool(nums) and all(_YEAR.match(t.strip()) for t in nums)


def _row_like(line: Line) -> bool:
    n_num = sum(line.numeric)
    if n_num == 0 or _is_period_line(line):
        return False
    return n_num >= 2 or (len(line.segments) >= 2 and not line.numeric[0])


# ---------------------------------------------------------------------------------------------
# Table regions


def find_tables(
    lines: list[Line], page: int, width: float, height: float
) -> tuple[list[RawTable], set[int]]:
    """Borderless tables on a page and the indices of the lines they consumed."""
    tables: list[RawTable] = []
    used: set[int] = set()
    i = 0
    while i < len(lines):
        region = _region_from(lines, i)
        if region is None:
            i += 1
            continue
        start, end = region
        start = _label_above(lines, start, used)
        head = _header_lines(lines, start, used)
        if len(head) >= 2 and _opens_year_block(lines[head[-1]], _numbers_x0(lines, start)):
            start = head.pop()  # "2022" under the column titles heads the first block of rows
        table = _grid(lines, head, start, end, page)
        if table is not None:
            table.caption = _caption(lines, head[0] if head else start, used)
            table.text_above = _has_text(lines, 0, head[0] if head else start, used, height)
            table.text_below = _has_text(lines, end, len(lines), used, height)
            tables.append(table)
            used.update(head)
            used.update(range(start, end))
        i = end
    return tables, used


def _region_from(lines: list[Line], i: int) -> tuple[int, int] | None:
    """The table region starting at row-like line ``i``: (start, end) or None."""
    if not _row_like(lines[i]):
        return None
    num_x0 = _numbers_x0(lines, i)
    rows, j, last_row, label_run = 1, i + 1, i, 0
    while j < len(lines):
        line, prev = lines[j], lines[j - 1]
        if line.top - prev.bottom > 2.5 * max(prev.height, 6.0):
            break
        if _row_like(line):
            rows, last_row, label_run = rows + 1, j, 0
        elif label_run == 0 and (wrapped := _wrapped_row(lines, j)) is not None:
            j = wrapped  # the lines of one wrapped row, up to the line with its numbers
            continue
        # a year heading a block continues a table of two rows or more; after one row-like
        # line, that line is a header of numbers (Boeing's "737 747 767 ..." over "2022")
        elif _is_label_line(line, num_x0 if rows >= 2 else None) and label_run < 2:
            label_run += 1
        else:
            break
        j += 1
    if rows < 2:
        return None
    return i, last_row + 1


def _wrapped_row(lines: list[Line], j: int) -> int | None:
    """The row line that completes the wrapped text starting at line ``j`` (its index), or
    None. A row's text may wrap over a few lines with the numbers on the last: a label too
    long for one line (American Express's balance sheet: "Card Member receivables (includes
    gross receivables available to settle obligations of a consolidated variable interest
    entity: 2022, $5,193; 2021," / "$5,175), less reserves for credit losses: ... | 57,384 |
    53,581"), or a label beside a column of text that wraps (Pfizer's "Xeljanz | RA, PsA, UC,
    ... arthritis," / "ankylosing spondylitis" / "469 | 430 | 706 | 802"). Without this the
    table ended there and the rows below lost the header."""
    for k in range(j, min(j + _MAX_WRAP, len(lines) - 1)):
        line, nxt = lines[k], lines[k + 1]
        if any(line.numeric) or line.text.rstrip().endswith("."):
            return None
        if nxt.top - line.bottom > 2.5 * max(line.height, 6.0):
            return None
        if _row_like(nxt):
            return k + 1
    return None


_MAX_WRAP = 3  # lines of wrapped text before the row's numbers


def _label_above(lines: list[Line], start: int, used: set[int]) -> int:
    """``start`` moved up over the section labels that sit between the table's header and its
    first row ("2022 2021 2020" / "Operating Activities" / "Net income ..." in a cash flow
    statement; "2022 2021 2020" / "Revenues" / "Non-interest revenues" / "Discount revenue ..."
    in American Express's income statement; "December 31, 2022" / "Total Level 1 ..." /
    "Fixed income securities:" / "Corporate ..." in Boeing's pension assets): the labels belong
    to the table (the groups of the rows under them), and the header above them is then found
    by :func:`_header_lines`. Without this the header walk stopped at the labels, the header
    went into the caption and the statement's cells had no year. At most :data:`_MAX_LABELS`
    labels; none moves ``start`` unless a header line sits right above them."""
    num_x0 = _numbers_x0(lines, start)
    below, k = lines[start], start - 1
    while k >= 1 and start - k <= _MAX_LABELS and k not in used:
        label = lines[k]
        if not _is_label_line(label, num_x0) or below.top - label.bottom > 2.5 * max(
            label.height, 6.0
        ):
            return start
        above = lines[k - 1]
        if k - 1 in used or label.top - above.bottom > 2.5 * max(above.height, 6.0):
            return start
        if not _row_like(above) and _is_header_line(above, num_x0):
            return k
        below, k = label, k - 1
    return start


_MAX_LABELS = 3


def _is_label_line(line: Line, num_x0: float | None = None) -> bool:
    """A line of one short text segment: a section label inside a table ("Revenues",
    "Fixed income securities:"). With ``num_x0``, where the table's number columns begin,
    also a year alone left of them: the heading of a block of rows, in tables that repeat
    their lines once per year (American Express's geographic operations: "2022" / "Total
    revenues net of interest expense | $ 41,396 | ..." / "2021" / ...)."""
    if len(line.segments) != 1 or len(line.text) >= 90:
        return False
    return not line.numeric[0] or (num_x0 is not None and _opens_year_block(line, num_x0))


def _opens_year_block(line: Line, num_x0: float) -> bool:
    """A year alone in the label column: the heading of the rows under it, not a header."""
    return len(line.segments) == 1 and _year_label(line.segments[0], num_x0)


def _year_label(seg: Word, num_x0: float) -> bool:
    """A year printed in the label column, left of the numbers: a row group's heading."""
    return bool(_YEAR.match(seg.text.strip())) and seg.x1 < num_x0 - 2


def _numbers_x0(lines: list[Line], start: int) -> float:
    """Where the number columns of the region at ``start`` begin: the first row's numbers (the
    region may open with a section label, :func:`_label_above`, or a year heading a block of
    rows, which have none)."""
    for line in lines[start : start + _MAX_LABELS + 2]:
        lone_year = len(line.segments) == 1 and bool(_YEAR.match(line.text.strip()))
        if any(line.numeric) and not lone_year:
            return min(s.x0 for s, n in zip(line.segments, line.numeric, strict=True) if n)
    return 0.0


def _is_header_line(line: Line, num_x0: float) -> bool:
    """A line that can head number columns starting at ``num_x0``: periods only, titles that
    reach over the number columns, or a line that starts above them."""
    right_side = line.segments[-1].x1 > num_x0 and len(line.segments) >= 2
    return _is_period_line(line) or right_side or line.words[0].x0 >= num_x0 - 5


def _header_lines(lines: list[Line], start: int, used: set[int]) -> list[int]:
    """Indices of header lines directly above a region (period lines, column titles)."""
    num_x0 = _numbers_x0(lines, start)
    head: list[int] = []
    k = start - 1
    below = lines[start]
    while k >= 0 and len(head) < 4 and k not in used:
        line = lines[k]
        if below.top - line.bottom > 2.5 * max(line.height, 6.0):
            break
        if not _is_header_line(line, num_x0):
            break
        head.insert(0, k)
        below, k = line, k - 1
    return head


def _caption(lines: list[Line], start: int, used: set[int]) -> str:
    """Short lines right above the table (title, "(in millions)"): the nearest line always,
    then up to three more while they are short title-like lines rather than prose."""
    parts: list[str] = []
    for k in range(start - 1, max(-1, start - 5), -1):
        if k in used or _row_like(lines[k]):
            break
        if parts and (len(lines[k].text) >= 100 or lines[k].text.rstrip().endswith(".")):
            break
        parts.insert(0, lines[k].text)
    return " ".join(parts)


def _has_text(lines: list[Line], lo: int, hi: int, used: set[int], height: float) -> bool:
    """Whether real content (not running headers, page numbers, "continued") lies in lo..hi."""
    for k in range(lo, hi):
        if k in used:
            continue
        text = _CONTINUED.sub("", lines[k].text).strip()
        in_margin = lines[k].top < 0.08 * height or lines[k].bottom > 0.93 * height
        if len(text) >= 25 and not in_margin:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Columns and grid


def _columns(lines: list[Line], start: int, end: int) -> list[tuple[float, float]]:
    """Column spans (x0, x1) from clusters of numeric segments' right edges: the edges of
    their digits, so a "%" or ")" hanging past them does not open a column of its own
    (PepsiCo's "13.3 %" under "2022" beside "$ 86,392": 12.4 pt apart at the "%", aligned
    at the digits)."""
    num_x0 = _numbers_x0(lines, start)
    segs = [
        s
        for line in lines[start:end]
        for idx, (s, n) in enumerate(zip(line.segments, line.numeric, strict=True))
        if n
        and (idx > 0 or len(line.segments) == 1 or line.segments[0].x0 > 150)
        and not _opens_year_block(line, num_x0)
    ]
    segs.sort(key=lambda s: s.right)
    clusters: list[list[Word]] = []
    for s in segs:
        if clusters and s.right - clusters[-1][-1].right <= 12.0:
            clusters[-1].append(s)
        else:
            clusters.append([s])
    return [(min(s.x0 for s in c), max(s.x1 for s in c)) for c in clusters]


def _zones(cols: list[tuple[float, float]], label_right: float) -> list[tuple[float, float]]:
    """Each column's horizontal zone: from the previous column's right edge to its own.

    Numbers are right-aligned, so the space left of a column's right edge up to the previous
    column belongs to it; centred headers are then assigned by overlap with these zones.
    """
    zones: list[tuple[float, float]] = []
    left = min(label_right, cols[0][0])
    for x0, x1 in cols:
        zones.append((min(left, x0), x1))
        left = x1
    return zones


def _column_of(seg: Word, zones: list[tuple[float, float]]) -> int:
    """1-based column of a body segment: the zone it overlaps most, else nearest right edge."""
    best, best_overlap = -1, 0.0
    for j, (x0, x1) in enumerate(zones):
        overlap = min(seg.x1, x1) - max(seg.x0, x0)
        if overlap > best_overlap:
            best, best_overlap = j, overlap
    if best < 0:
        best = min(range(len(zones)), key=lambda j: abs(zones[j][1] - seg.x1))
    return best + 1


def _header_columns(seg: Word, zones: list[tuple[float, float]], first_x0: float) -> list[int]:
    """Every column a header segment spans by at least a quarter of its width; a segment that
    starts in the label area and ends before the first number column is the label header."""
    if seg.x1 <= zones[0][0] + 1 or (seg.x0 < zones[0][0] and seg.x1 < first_x0 - 2):
        return [0]
    width = max(seg.x1 - seg.x0, 1.0)
    hits = [
        j + 1
        for j, (x0, x1) in enumerate(zones)
        if min(seg.x1, x1) - max(seg.x0, x0) >= 0.25 * width
    ]
    return hits or [_column_of(seg, zones)]


def _number_area(segments: list[Word], zones: list[tuple[float, float]]) -> list[Word]:
    """The segments of a line over the number columns (not in the label area)."""
    return [seg for seg in segments if seg.x1 > zones[0][0] + 1]


def _spans(
    segments: list[Word], zones: list[tuple[float, float]], cols: list[tuple[float, float]]
) -> dict[int, list[int]]:
    """The columns each heading of a *spanning* header line heads (a line with fewer headings
    than the header line below it: "2022" over "Shares | Amount", "Net Revenue" and
    "Operating Profit/(Loss)" each over "2022 2021 2020").

    Headings are centred over their group. Between two headings the columns split at the
    midpoint of their centres; an outer heading reaches as far out as it reaches in, so its
    group is symmetric about it. A line with one heading spans every column when it names a
    period (the table's date, "December 31, 2022") or a period's length ("13 Weeks Ended"
    over Ulta's two years of amount and percent columns had headed only the three columns
    under its text, so the quarter's net sales read as "January 28, 2023" alone, the fiscal
    year's label), else it keeps the overlap rule (a "Fair Value" over three of four
    columns). By overlap a centred heading had headed only the
    columns under its text, and the header rows' fill-in had then given the column on its
    left the heading of the group before: PepsiCo's equity statement read "2021 Shares" under
    2022, and its segment table "Net Revenue 2022 (a)" over the operating profit."""
    over = sorted(_number_area(segments, zones), key=lambda seg: seg.x0)
    centres = [(x0 + x1) / 2 for x0, x1 in cols]
    if len(over) == 1:
        every = list(range(1, len(cols) + 1))
        text = over[0].text
        return {id(over[0]): every} if find_period(text) or names_duration(text) else {}
    mids = [(a.x0 + a.x1) / 2 for a in over]
    halves = [(b - a) / 2 for a, b in itertools.pairwise(mids)]  # to the next heading's midpoint
    spans: dict[int, list[int]] = {}
    for i, seg in enumerate(over):
        left = halves[i - 1] if i > 0 else halves[i]  # an outer heading mirrors its inner half
        right = halves[i] if i < len(halves) else halves[i - 1]
        spans[id(seg)] = [j + 1 for j, c in enumerate(centres) if -left <= c - mids[i] < right]
    return spans


def _grouped(
    segments: list[Word], zones: list[tuple[float, float]], cols: list[tuple[float, float]]
) -> dict[int, list[int]]:
    """The columns of each heading of a line with one heading per group of columns, groups of
    equal size, each heading centred over its own group: Ulta's "January 28, 2023" and
    "January 29, 2022" each over "amount | % of net sales". By overlap the year, printed in
    the gap between the two columns, had headed only the percent column. Empty unless every
    heading sits over its group (a "2022 2021" over four columns whose last two compare them
    is left to the overlap rule)."""
    over = sorted(_number_area(segments, zones), key=lambda seg: seg.x0)
    k, n = len(over), len(cols)
    if k < 2 or n <= k or n % k:
        return {}
    m = n // k
    spans: dict[int, list[int]] = {}
    for i, seg in enumerate(over):
        first, last = cols[i * m], cols[(i + 1) * m - 1]
        if not first[0] <= (seg.x0 + seg.x1) / 2 <= last[1]:
            return {}
        spans[id(seg)] = list(range(i * m + 1, (i + 1) * m + 1))
    return spans


def _label_right(lines: list[Line], start: int, end: int, cols: list[tuple[float, float]]) -> float:
    """Right edge of the row-label area (the widest label left of the first column)."""
    edges = [
        ln.segments[0].x1
        for ln in lines[start:end]
        if not ln.numeric[0] and ln.segments[0].x1 < cols[0][0]
    ]
    return max(edges, default=cols[0][0] - 1)


def _grid(lines: list[Line], head: list[int], start: int, end: int, page: int) -> RawTable | None:
    cols = _columns(lines, start, end)
    if not cols:
        return None
    zones = _zones(cols, _label_right(lines, start, end, cols))
    n = len(cols) + 1
    grid: list[list[str]] = []
    boxes: list[list[Box | None]] = []
    widths = [len(_number_area(lines[k].segments, zones)) for k in head]
    for a, k in enumerate(head):
        row = [""] * n
        spanning = widths[a] < max(widths[a + 1 :], default=0)
        segments = lines[k].segments
        spans = _spans(segments, zones, cols) if spanning else _grouped(segments, zones, cols)
        for seg in segments:
            for j in spans.get(id(seg)) or _header_columns(seg, zones, cols[0][0]):
                row[j] = f"{row[j]} {seg.text}".strip()
        grid.append(row)
        boxes.append([None] * n)
    for k in range(start, end):
        _body_row(lines[k], zones, grid, boxes, len(head), cols[0][0])
    used_lines = [lines[k] for k in [*head, *range(start, end)]]
    bbox = (
        min(ln.x0 for ln in used_lines),
        min(ln.top for ln in used_lines),
        max(ln.words[-1].x1 for ln in used_lines),
        max(ln.bottom for ln in used_lines),
    )
    return RawTable(page, grid, boxes, len(head), "", [c[1] for c in cols], bbox)


def _body_row(
    line: Line,
    zones: list[tuple[float, float]],
    grid: list[list[str]],
    boxes: list[list[Box | None]],
    head: int,
    first_x0: float,
) -> None:
    n = len(zones) + 1
    row: list[str] = [""] * n
    row_boxes: list[Box | None] = [None] * n
    # a line of text alone is a label (a section heading or the first line of a wrapped row
    # label) even where it runs on over the number columns; so is text that starts left of
    # the first number column, a column of words beside the label (Pfizer's "Paxlovid |
    # COVID-19 in certain high-risk patients | 143 | ...": the words had been read into the
    # first number's cell, and the 143 lost)
    alone = len(line.segments) == 1 and line.segments[0].x0 < zones[0][0]
    for seg in line.segments:
        is_label = (alone or seg.x1 <= zones[0][0] + 1 or seg.x0 < first_x0 - 2) and (
            not _is_numeric(seg.text) or (alone and _year_label(seg, first_x0))
        )
        j = 0 if is_label else _column_of(seg, zones)
        row[j] = f"{row[j]} {seg.text}".strip()
        old = row_boxes[j]
        new = (seg.x0, seg.top, seg.x1, seg.bottom)
        row_boxes[j] = new if old is None else _union(old, new)
    body = len(grid) > head
    if body and (_continues_label(grid[-1], row) or _completes_row(grid[-1], row)):
        if row[0]:
            grid[-1][0] = f"{grid[-1][0]} {row[0]}"
        grid[-1][1:] = row[1:]
        boxes[-1] = row_boxes
        return
    grid.append(row)
    boxes.append(row_boxes)


def _has_numbers(row: list[str]) -> bool:
    return any(cell and _is_numeric(cell) for cell in row[1:])


def _continues_label(prev: list[str], row: list[str]) -> bool:
    """A wrapped row label: the previous row had a label and no numbers (text beside it, such
    as Pfizer's "Primary indication" column, may wrap too), and this one starts lowercase or
    the previous one broke off mid-phrase ("... entity: 2022, $5,193; 2021," / "$5,175), less
    reserves ...") or "Actuarial valuation and other pension and postretirement plan" /
    "(gains)/losses": an opening parenthesis before a lowercase word carries on too)."""
    if not row[0] or not prev[0] or _has_numbers(prev) or prev[0].endswith(":"):
        return False
    return row[0].lstrip("(")[:1].islower() or bool(_MID_PHRASE.search(prev[0]))


def _completes_row(prev: list[str], row: list[str]) -> bool:
    """A line of numbers alone under a label with none: the row's numbers, printed on the last
    line of its wrapped text (Pfizer's "Xeljanz | RA, PsA, UC, ... arthritis," /
    "ankylosing spondylitis" / "469 | 430 | 706 | 802"). A section label ("Liabilities:")
    keeps its line of its own."""
    return (
        not row[0]
        and _has_numbers(row)
        and bool(prev[0])
        and not _has_numbers(prev)
        and not prev[0].endswith(":")
    )


# A label line that breaks off mid-phrase: the next line carries on with it.
_MID_PHRASE = re.compile(r"(?:[,(\-–]|\b(?:and|or|of|for|to|the|in|on|at|by|from|with))$")


def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
