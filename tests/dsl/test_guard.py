"""The unit guard: the rule table of docs/dsl.md, one test per row."""

from __future__ import annotations

import pytest

from finrag.dsl import guard
from finrag.dsl.units import Kind, Quantity, Scale
from finrag.errors import ProgramError

pytestmark = pytest.mark.unit

K = Kind
USD = "USD"


def q(
    value: float, kind: Kind = K.NONE, scale: Scale = Scale.UNITS, cur: str | None = None
) -> Quantity:
    return Quantity(value, kind, scale, cur)


def money(value: float, scale: Scale = Scale.UNITS, cur: str | None = USD) -> Quantity:
    return Quantity(value, K.MONEY, scale, cur)


def test_bare_numbers_are_plain_arithmetic() -> None:
    assert guard.sum_or_difference(q(1.5), q(2.25), subtract=False)[2] == q(3.75)
    assert guard.quotient(q(1.0), q(3.0))[2] == q(1 / 3)
    assert guard.product(q(2.0), q(3.0))[2] == q(6.0)


def test_bare_number_adopts_the_other_operands_kind_and_scale() -> None:
    a, b, out = guard.sum_or_difference(money(5.0, Scale.MILLIONS), q(1.0), subtract=False)
    assert out == money(6.0, Scale.MILLIONS) and a.scale is Scale.MILLIONS and b == q(1.0)
    assert guard.product(q(2.0), money(3.0, Scale.MILLIONS))[2] == money(6.0, Scale.MILLIONS)


def test_add_in_different_scales_rescales_to_the_finer_scale() -> None:
    a, b, out = guard.sum_or_difference(
        money(60.3, Scale.MILLIONS), money(32137.0, Scale.THOUSANDS), subtract=False
    )
    assert a == money(60300.0, Scale.THOUSANDS) and b.scale is Scale.THOUSANDS
    assert out == money(92437.0, Scale.THOUSANDS)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (money(1.0), q(0.1, K.PERCENT), "cannot add money and percent"),
        (money(1.0), q(3.0, K.COUNT), "cannot add money and count"),
        (q(1.0, K.SHARES), q(1.0, K.YEARS), "cannot add shares and years"),
        (money(1.0, cur="USD"), money(1.0, cur="EUR"), "USD and EUR"),
        (q(1.0, K.BOOLEAN), q(1.0), "yes/no result"),
    ],
)
def test_additive_errors(a: Quantity, b: Quantity, message: str) -> None:
    with pytest.raises(ProgramError, match=message):
        guard.sum_or_difference(a, b, subtract=False)


def test_percent_and_ratio_add_as_ratios() -> None:
    out = guard.sum_or_difference(q(0.1, K.PERCENT), q(0.05, K.RATIO), subtract=True)[2]
    assert out.kind is K.PERCENT and out.value == pytest.approx(0.05)


def test_money_with_unknown_currency_combines_with_known() -> None:
    out = guard.sum_or_difference(money(1.0, cur=None), money(2.0), subtract=False)[2]
    assert out == money(3.0)


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        (money(10.0), money(4.0), K.RATIO),
        (money(10.0, Scale.MILLIONS), q(2.0, K.SHARES, Scale.MILLIONS), K.PER_SHARE),
        (money(10.0, Scale.MILLIONS), q(2.0, K.PER_SHARE, cur=USD), K.SHARES),
        (money(10.0), q(4.0, K.COUNT), K.MONEY),
        (money(10.0), q(2.0, K.YEARS), K.MONEY),
        (money(10.0), q(0.25, K.PERCENT), K.MONEY),
        (q(0.3, K.PERCENT), q(3.0, K.COUNT), K.PERCENT),
        (q(0.3, K.PERCENT), q(0.1, K.PERCENT), K.RATIO),
        (q(6.0, K.COUNT), q(3.0, K.COUNT), K.RATIO),
        (q(6.0, K.SHARES), q(3.0, K.COUNT), K.SHARES),
        (q(6.0), money(3.0), K.NONE),
        (money(6.0), q(3.0), K.MONEY),
    ],
)
def test_division_derives_kinds(a: Quantity, b: Quantity, kind: Kind) -> None:
    assert guard.quotient(a, b)[2].kind is kind


def test_division_scales() -> None:
    # like by like: scales cancel (rescaled to the finer one first)
    a, b, out = guard.quotient(money(1.0, Scale.MILLIONS), money(500.0, Scale.THOUSANDS))
    assert out == Quantity(2.0, K.RATIO) and a.scale is Scale.THOUSANDS
    # amount by a count in thousands: the count loses its scale, the amount keeps its own
    a, b, out = guard.quotient(money(10.0, Scale.MILLIONS), q(2.0, K.COUNT, Scale.THOUSANDS))
    assert b == q(2000.0, K.COUNT) and out == money(0.005, Scale.MILLIONS)
    assert guard.quotient(money(10.0, Scale.MILLIONS), q(4.0, K.SHARES, Scale.MILLIONS))[2] == (
        Quantity(2.5, K.PER_SHARE, Scale.UNITS, USD)
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (q(0.2, K.PERCENT), money(3.0)),
        (q(1.0, K.COUNT), q(1.0, K.SHARES)),
        (q(1.0, K.YEARS), money(1.0)),
    ],
)
def test_meaningless_divisions_are_errors(a: Quantity, b: Quantity) -> None:
    with pytest.raises(ProgramError, match="cannot divide"):
        guard.quotient(a, b)


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        (q(0.1, K.RATIO), money(5.0), K.MONEY),
        (money(5.0), q(0.1, K.PERCENT), K.MONEY),
        (q(3.0, K.PER_SHARE, cur=USD), q(2.0, K.SHARES, Scale.MILLIONS), K.MONEY),
        (q(12.0, K.COUNT), money(5.0), K.MONEY),
        (q(0.1, K.PERCENT), q(0.5, K.RATIO), K.RATIO),
        (q(2000.0), q(0.1, K.PERCENT), K.NONE),
        (q(0.1, K.PERCENT), q(2000.0), K.NONE),
        (q(2.0), money(3.0), K.MONEY),
        (q(0.1, K.RATIO), q(0.1, K.PERCENT), K.RATIO),
        (q(2.0, K.COUNT), q(3.0, K.YEARS), K.COUNT),
    ],
)
def test_multiplication_derives_kinds(a: Quantity, b: Quantity, kind: Kind) -> None:
    assert guard.product(a, b)[2].kind is kind


def test_multiplication_scales_and_errors() -> None:
    out = guard.product(q(3.0, K.PER_SHARE, cur=USD), q(2.0, K.SHARES, Scale.MILLIONS))[2]
    assert out == money(6.0, Scale.MILLIONS)
    both = guard.product(money(2.0, Scale.MILLIONS), q(3.0, K.COUNT, Scale.THOUSANDS))
    assert both[1] == q(3000.0, K.COUNT) and both[2] == money(6000.0, Scale.MILLIONS)
    with pytest.raises(ProgramError, match="cannot multiply money by money"):
        guard.product(money(1.0), money(2.0))


def test_power_needs_dimensionless_operands() -> None:
    assert guard.power(q(1.1, K.RATIO), q(2.0))[2].kind is K.RATIO
    assert guard.power(q(2.0), q(3.0))[2] == q(8.0)
    with pytest.raises(ProgramError, match="exp needs a dimensionless base"):
        guard.power(money(2.0), q(2.0))
    with pytest.raises(ProgramError, match="dimensionless exponent"):
        guard.power(q(2.0), q(2.0, K.NONE, Scale.MILLIONS))


def test_compare_rescales_and_checks_kinds() -> None:
    _a, _b, out = guard.compare(money(1.0, Scale.MILLIONS), money(999.0, Scale.THOUSANDS))
    assert out == Quantity(1.0, K.BOOLEAN)
    with pytest.raises(ProgramError, match="cannot compare money and percent"):
        guard.compare(money(1.0), q(0.1, K.PERCENT))


def test_align_all_and_rescale() -> None:
    values, scale = guard.align_all(
        (money(1.0, Scale.BILLIONS), q(2.0), money(3.0, Scale.MILLIONS))
    )
    assert scale is Scale.MILLIONS and values[0].value == 1000.0 and values[1] == q(2.0)
    assert guard.rescale(money(1.5, Scale.MILLIONS), Scale.THOUSANDS).value == 1500.0
