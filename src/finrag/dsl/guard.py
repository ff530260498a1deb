"""The unit guard: kind and scale rules for every binary operation.

Each rule takes the two operand quantities and returns ``(left, right, result)`` where
``left``/``right`` are the operands as actually used (rescaled when scales differed) so the
executor can record any rescaling in the trace. The full rule table is in docs/dsl.md.

Principles:

* ``Kind.NONE`` with ``Scale.UNITS`` is a *bare* number (every FinQA literal): dimensionless,
  it combines with anything and adopts the other operand's scale, so bare arithmetic is plain
  float arithmetic and reproduces FinQA's results bit for bit.
* Percent is a ratio inside (``23.6%`` is ``0.236``); the kind only records how to show it.
* Adding, subtracting or comparing values in different scales rescales both to the finer scale
  (60.3 million + 32,137 thousand = 92,437 thousand), so whole numbers stay whole.
* Mixing kinds that cannot be added (money + percent), money in different currencies, and
  arithmetic on booleans are :class:`~finrag.errors.ProgramError`.
"""

from __future__ import annotations

from finrag.dsl.units import Kind, Quantity, Scale
from finrag.errors import ProgramError

__all__ = [
    "additive_kind",
    "align_all",
    "common_scale",
    "compare",
    "power",
    "product",
    "quotient",
    "rescale",
    "sum_or_difference",
]

_NONE = Kind.NONE
_UNITS = Scale.UNITS
_RATIOS = frozenset({Kind.PERCENT, Kind.RATIO})
_PER_ITEM = frozenset({Kind.COUNT, Kind.YEARS})
_DIMENSIONLESS = frozenset({Kind.NONE, Kind.PERCENT, Kind.RATIO, Kind.COUNT, Kind.YEARS})

Triple = tuple[Quantity, Quantity, Quantity]


def _bare(q: Quantity) -> bool:
    return q.kind is _NONE and q.scale is _UNITS


def _no_boolean(a: Quantity, b: Quantity, verb: str) -> None:
    if a.kind is Kind.BOOLEAN or b.kind is Kind.BOOLEAN:
        raise ProgramError(
            f"cannot {verb} a yes/no result; greater() gives a boolean that only ends a program"
        )


def _currency(a: Quantity, b: Quantity, verb: str) -> str | None:
    if a.currency and b.currency and a.currency != b.currency:
        raise ProgramError(
            f"cannot {verb} {a.currency} and {b.currency} amounts; convert one currency first"
        )
    return a.currency or b.currency


def rescale(q: Quantity, scale: Scale) -> Quantity:
    """The same amount stated in ``scale`` (1.5 millions -> 1,500 thousands)."""
    if q.scale is scale:
        return q
    return Quantity(q.value * (q.scale.factor / scale.factor), q.kind, scale, q.currency)


def common_scale(a: Quantity, b: Quantity) -> Scale:
    """The scale two operands meet in: the other's when one is bare, else the finer one."""
    if a.scale is b.scale or _bare(b):
        return a.scale
    if _bare(a):
        return b.scale
    return a.scale if a.scale.factor < b.scale.factor else b.scale


def align_all(values: tuple[Quantity, ...]) -> tuple[list[Quantity], Scale]:
    """State every value in the finest scale among them (bare values adopt it)."""
    scales = {q.scale for q in values if not _bare(q)}
    if len(scales) <= 1:
        return list(values), scales.pop() if scales else _UNITS
    scale = min(scales, key=lambda s: s.factor)
    return [q if _bare(q) else rescale(q, scale) for q in values], scale


def additive_kind(ka: Kind, kb: Kind, verb: str) -> Kind:
    """Kind of ``a + b`` (also ``a - b`` and comparisons); raises when they cannot mix."""
    if ka is kb or kb is _NONE:
        return ka
    if ka is _NONE:
        return kb
    if ka in _RATIOS and kb in _RATIOS:
        return Kind.PERCENT
    raise ProgramError(
        f"cannot {verb} {ka.value} and {kb.value}: the units differ; use values of the same "
        "kind (a percent change is subtract(new, old), divide(#0, old))"
    )


def _align(a: Quantity, b: Quantity, verb: str) -> tuple[Quantity, Quantity, Kind, str | None]:
    _no_boolean(a, b, verb)
    kind = additive_kind(a.kind, b.kind, verb)
    currency = _currency(a, b, verb)
    if a.scale is not b.scale:
        scale = common_scale(a, b)
        a = a if _bare(a) else rescale(a, scale)
        b = b if _bare(b) else rescale(b, scale)
    return a, b, kind, currency


def sum_or_difference(a: Quantity, b: Quantity, subtract: bool) -> Triple:
    """``a + b`` or ``a - b`` after the kind check and rescaling."""
    a, b, kind, currency = _align(a, b, "subtract" if subtract else "add")
    scale = b.scale if _bare(a) else a.scale
    value = a.value - b.value if subtract else a.value + b.value
    return a, b, Quantity(value, kind, scale, currency)


def compare(a: Quantity, b: Quantity) -> Triple:
    """``a > b`` as a boolean quantity (1.0 yes, 0.0 no)."""
    a, b, _, _ = _align(a, b, "compare")
    return a, b, Quantity(1.0 if a.value > b.value else 0.0, Kind.BOOLEAN)


def _product_kind(a: Quantity, b: Quantity) -> tuple[Kind, str | None]:
    ka, kb = a.kind, b.kind
    if ka in _RATIOS and kb in _RATIOS:
        return Kind.RATIO, None
    # a ratio or percent scales the other operand: 23.6% of an amount is an amount
    if kb in _RATIOS:
        return ka, a.currency
    if ka in _RATIOS:
        return kb, b.currency
    if kb is _NONE:
        return ka, a.currency
    if ka is _NONE:
        return kb, b.currency
    if kb in _PER_ITEM:
        return ka, a.currency
    if ka in _PER_ITEM:
        return kb, b.currency
    if {ka, kb} == {Kind.PER_SHARE, Kind.SHARES}:
        return Kind.MONEY, a.currency or b.currency
    raise ProgramError(
        f"cannot multiply {ka.value} by {kb.value}; multiply an amount by a ratio, percent, "
        "count or plain number (or per-share amount by shares)"
    )


def product(a: Quantity, b: Quantity) -> Triple:
    """``a * b``: kinds per the rule table; the result keeps the scaled operand's scale."""
    _no_boolean(a, b, "multiply")
    kind, currency = _product_kind(a, b)
    if a.scale is not _UNITS and b.scale is not _UNITS:
        b = rescale(b, _UNITS)
    scale = a.scale if a.scale is not _UNITS else b.scale
    return a, b, Quantity(a.value * b.value, kind, scale, currency)


def _quotient_kind(a: Quantity, b: Quantity) -> Kind:
    ka, kb = a.kind, b.kind
    if kb is _NONE:
        return ka
    if ka is _NONE:
        return _NONE
    if kb in _RATIOS:
        return Kind.RATIO if ka in _RATIOS else ka
    if ka is kb:
        _currency(a, b, "divide")
        return Kind.RATIO
    if ka is Kind.MONEY and kb is Kind.SHARES:
        return Kind.PER_SHARE
    if ka is Kind.MONEY and kb is Kind.PER_SHARE:
        return Kind.SHARES
    if kb in _PER_ITEM:
        return ka
    raise ProgramError(
        f"cannot divide {ka.value} by {kb.value}; divide like by like (a ratio), an amount by "
        "a count, shares or a plain number"
    )


def quotient(a: Quantity, b: Quantity) -> Triple:
    """``a / b``: like by like gives a ratio (scales cancel); by a scalar keeps a's kind."""
    _no_boolean(a, b, "divide")
    kind = _quotient_kind(a, b)
    if b.value == 0:
        raise ProgramError("division by zero: the divisor is 0; check the reference or step")
    if kind is a.kind and kind is not _NONE and a.kind is not b.kind:
        # amount / scalar: the scalar loses its scale, the result keeps the amount's
        if b.scale is not _UNITS:
            b = rescale(b, _UNITS)
        return a, b, Quantity(a.value / b.value, kind, a.scale, a.currency)
    if a.scale is not b.scale:
        scale = common_scale(a, b)
        a = a if _bare(a) else rescale(a, scale)
        b = b if _bare(b) else rescale(b, scale)
    currency = a.currency if kind is Kind.PER_SHARE else None
    scale = a.scale if kind is Kind.SHARES else _UNITS
    if kind is _NONE and _bare(b):
        scale = a.scale
    return a, b, Quantity(a.value / b.value, kind, scale, currency)


def power(a: Quantity, b: Quantity) -> Triple:
    """``a ** b`` for dimensionless operands (growth factors, compounding)."""
    _no_boolean(a, b, "exp")
    for q, role in ((a, "base"), (b, "exponent")):
        if q.kind not in _DIMENSIONLESS or q.scale is not _UNITS:
            raise ProgramError(
                f"exp needs a dimensionless {role} (plain number, ratio, percent or count), "
                f"got {q.kind.value} in {q.scale.name.lower()}"
            )
    try:
        value = a.value**b.value
    except ZeroDivisionError:
        raise ProgramError("exp: 0 raised to a negative power is a division by zero") from None
    except OverflowError:
        value = float("inf")
    if isinstance(value, complex):
        raise ProgramError(f"exp: {a.value} ** {b.value} is not a real number")
    kind = _NONE if a.kind is _NONE else Kind.RATIO
    return a, b, Quantity(float(value), kind)
