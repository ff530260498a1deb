"""The filing-wide scale convention ("tabular dollars are presented in millions")."""

from __future__ import annotations

import pytest

from finrag.documents.base import ParseResult
from finrag.documents.model import Page
from finrag.documents.registry import document_from_result
from finrag.documents.tables import apply_stated_scale, build_table, stated_scales
from finrag.dsl.units import Kind, Scale

CONVENTION = (
    "Unless otherwise noted, tabular dollars are presented in millions, except per share amounts."
)


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        (CONVENTION, Scale.MILLIONS),
        ("All dollar amounts are in thousands unless otherwise stated.", Scale.THOUSANDS),
        ("Tabular amounts in billions", Scale.BILLIONS),
        ("(Dollars in millions, except otherwise stated)", Scale.MILLIONS),  # notes heading
        ("(Dollars in millions, except per share data)", None),  # one table's caption
        ("Revenue was $5 million in 2022, unless otherwise noted below.", None),
        ("We had $3.2 billion in cash.", None),
    ],
)
def test_convention_statements(text: str, scale: Scale | None) -> None:
    assert stated_scales([(1, text)]) == ([(1, scale)] if scale else [])


def _table(page: int, caption: str = ""):
    grid = [
        ["", "2022", "2021"],
        ["Net revenue", "$ 86,392", "$ 79,474"],
        ["Net income per common share", "$ 6.42", "$ 5.49"],
        ["Operating margin %", "13.3", "14.0"],
    ]
    return build_table(grid, index=0, pages=[page], caption=caption)


def test_later_tables_without_a_scale_take_the_convention() -> None:
    [table] = apply_stated_scale([(3, CONVENTION)], [_table(5)])
    assert table.scale is Scale.MILLIONS
    revenue, per_share, margin = (row[1].number for row in table.rows[1:])
    assert (revenue.value, revenue.kind, revenue.scale) == (86392.0, Kind.MONEY, Scale.MILLIONS)
    assert (per_share.kind, per_share.scale) == (Kind.PER_SHARE, Scale.UNITS)
    assert (margin.kind, margin.scale) == (Kind.PERCENT, Scale.UNITS)


def test_earlier_tables_and_stated_scales_are_kept() -> None:
    early = _table(2)
    own = _table(5, caption="(in thousands)")
    assert apply_stated_scale([(3, CONVENTION)], [early, own]) == [early, own]
    assert own.rows[1][1].number.scale is Scale.THOUSANDS


def test_the_latest_convention_wins() -> None:
    pages = [(3, CONVENTION), (8, "All dollar amounts are in thousands unless otherwise stated.")]
    first, second = apply_stated_scale(pages, [_table(5), _table(9)])
    assert (first.scale, second.scale) == (Scale.MILLIONS, Scale.THOUSANDS)


def test_counts_per_unit_amounts_and_durations_keep_their_scale() -> None:
    """Boeing's notes are "(Dollars in millions, except otherwise stated)"; its option table
    holds share counts and prices per option, which no dollar convention reaches."""
    options = build_table(
        [
            ["", "Shares", "Weighted Average Exercise Price Per Option", "Aggregate Value"],
            ["Number of shares under option:", "", "", ""],
            ["Outstanding at beginning of year", "1,709,379", "$121.83", ""],
            ["Outstanding at end of year", "1,390,769", "$178.18", "$68"],
            ["Unrecognized compensation cost", "$683", "", ""],
            ["Weighted average remaining amortization period (years)", "2.1", "", ""],
        ],
        index=0,
        pages=[9],
    )
    [table] = apply_stated_scale([(3, "(Dollars in millions, except otherwise stated)")], [options])
    scales = {(c.row, c.col): c.number.scale for row in table.rows for c in row if c.number}
    assert scales[(2, 1)] is scales[(3, 1)] is Scale.UNITS  # counts under "Number of shares"
    assert scales[(2, 2)] is scales[(3, 2)] is Scale.UNITS  # per option
    assert scales[(3, 3)] is scales[(4, 1)] is Scale.MILLIONS  # "$68", "$683": dollars
    assert scales[(5, 1)] is Scale.UNITS  # years


def test_ingestion_applies_it() -> None:
    result = ParseResult(
        pages=[Page(number=1, text=CONVENTION), Page(number=2, text="Net revenue")],
        tables=[_table(2)],
    )
    doc = document_from_result(result, data=b"z", name="pep.pdf", fmt="pdf")
    assert doc.tables[0].rows[1][1].number.scale is Scale.MILLIONS


def test_a_scale_row_under_the_years_scales_the_table() -> None:
    """TAT-QA writes "(In thousands)" as a row of its own between the years and the values."""
    table = build_table(
        [["", "2019", "2018"], ["(In thousands)", "", ""], ["Revenues", "$68,024", "$67,314"]],
        index=0,
    )
    assert table.scale is Scale.THOUSANDS
    assert table.rows[2][1].number.scale is Scale.THOUSANDS


@pytest.mark.parametrize("text", ["All figures in USD ‘000, except TCE rate per day", "($’000)"])
def test_thousands_written_with_any_apostrophe(text: str) -> None:
    from finrag.documents.numbers import detect_scale

    assert detect_scale(text) is Scale.THOUSANDS


def test_rows_under_a_per_share_heading_are_per_share() -> None:
    """ "Basic" under "Net income per share:" is a per-share amount, not millions."""
    table = build_table(
        [
            ["", "2019", "2018"],
            ["Net income", "$ 1,169", "$ 116"],
            ["Net income per share:", "", ""],
            ["Basic", "$ 0.43", "$ 1.75"],
        ],
        index=0,
        caption="(in millions, except per share amounts)",
    )
    basic = table.rows[3][1].number
    assert (basic.kind, basic.scale) == (Kind.PER_SHARE, Scale.UNITS)
    assert table.rows[1][1].number.scale is Scale.MILLIONS
    # a scale row that says "except per share" is no per-share heading
    plain = build_table(
        [["", "2019"], ["(in millions, except per share amounts)", ""], ["Net income", "$ 1,169"]],
        index=0,
    )
    assert plain.rows[2][1].number.kind is Kind.MONEY


def test_a_share_count_under_an_eps_heading_is_no_per_share_amount() -> None:
    """Pfizer's EPS note: "EPS Denominator" over "Weighted-average number of common shares
    outstanding––Diluted | 5,713": a number of shares in millions. Read as per share, it had
    answered "What was the diluted EPS for the six months ended July 2, 2023?" with
    $5,720.00 per share."""
    table = build_table(
        [
            ["(MILLIONS)", "Three Months Ended July 2, 2023"],
            ["EPS Numerator––Diluted", ""],
            ["Net income attributable to Pfizer Inc. common shareholders", "$ 2,327"],
            ["EPS Denominator", ""],
            ["Weighted-average number of common shares outstanding––Diluted", "5,713"],
            ["Common-share equivalents", "67"],
            ["Diluted EPS", "$ 0.41"],
        ],
        index=0,
    )
    diluted_shares, equivalents = table.rows[4][1].number, table.rows[5][1].number
    assert diluted_shares.kind is not Kind.PER_SHARE and diluted_shares.scale is Scale.MILLIONS
    assert equivalents.kind is not Kind.PER_SHARE and equivalents.scale is Scale.MILLIONS
    eps = table.rows[6][1].number
    assert (eps.kind, eps.scale) == (Kind.PER_SHARE, Scale.UNITS)


def test_a_row_that_states_its_own_scale() -> None:
    table = build_table(
        [
            ["Fiscal Year ended", "June 1, 2019", "June 2, 2018"],
            ["Gross profit (in thousands)", "222,859", "361,046"],
            ["Shell eggs sold", "1,361", "1,502"],
        ],
        index=0,
    )
    assert table.rows[1][1].number.scale is Scale.THOUSANDS
    assert table.rows[2][1].number.scale is Scale.UNITS


def test_thousands_written_as_000s() -> None:
    from finrag.documents.numbers import detect_scale

    assert detect_scale("Expressed in US $000's except share and per share amounts") is (
        Scale.THOUSANDS
    )


def test_common_size_columns_are_percents() -> None:
    """ "Sales | 100.0 %" over plain numbers: an income statement as a percentage of sales."""
    table = build_table(
        [
            ["", "2019", "2018"],
            ["Sales", "100.0 %", "100.0 %"],
            ["Gross profit", "40.0", "50.9"],
        ],
        index=0,
    )
    assert [c.number.kind for c in table.rows[2][1:]] == [Kind.PERCENT, Kind.PERCENT]
    mixed = build_table(
        [["", "2019"], ["Revenue", "5,829"], ["Growth", "1.6%"]],
        index=0,
    )
    assert mixed.rows[1][1].number.kind is not Kind.PERCENT  # 5,829 is no percent


def test_a_duration_column_is_not_money() -> None:
    table = build_table(
        [
            ["", "Weighted-Average Useful Lives (in years)", "Fair Value Amount"],
            ["Purchased technology", "4.2", "$232"],
        ],
        index=0,
        caption="(in millions)",
    )
    life, value = (c.number for c in table.rows[1][1:])
    assert (life.kind, life.scale) == (Kind.NONE, Scale.UNITS)
    assert (value.kind, value.scale) == (Kind.MONEY, Scale.MILLIONS)


def test_a_rate_in_a_row_name_is_no_percent_row() -> None:
    """ "tranche a-3 (5.93%) due june 2022 | 114400" is an amount; "Gross margin (%)" is not."""
    table = build_table(
        [
            ["", "amount ( in thousands )"],
            ["tranche a-3 ( 5.93% ( 5.93 % ) ) due june 2022", "114400"],
            ["Gross margin (%)", "41.2"],
        ],
        index=0,
        max_header_rows=1,
    )
    tranche, margin = (row[1].number for row in table.rows[1:])
    assert tranche.value == 114400.0 and tranche.kind is not Kind.PERCENT
    assert tranche.scale is Scale.THOUSANDS
    assert margin.kind is Kind.PERCENT
