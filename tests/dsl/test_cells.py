"""The private cell-number cleaner."""

from __future__ import annotations

import pytest

from finrag.dsl._cells import clean_cell

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$ 1,234", (1234.0, False)),
        ("(1,234)", (-1234.0, False)),
        ("$ (12.5)", (-12.5, False)),
        ("11.4% ( 11.4 % )", (11.4, True)),
        ("$ -8683 ( 8683 )", (-8683.0, False)),
        ("-26 ( 26 )", (-26.0, False)),
        ("7.8 %", (7.8, True)),
        ("\u22125", (-5.0, False)),
        ("1,234 (a)", (1234.0, False)),
        ("—", None),
        ("-", None),
        ("n/a", None),
        ("", None),
        ("2019 notes", None),
        ("inf", None),
        ("( )", None),
    ],
)
def test_clean_cell(text: str, expected: tuple[float, bool] | None) -> None:
    assert clean_cell(text) == expected
