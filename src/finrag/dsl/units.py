"""Value kinds and scales shared by the DSL, the document model and the planners.

A :class:`Quantity` is a number together with what it measures (``Kind``), the scale it is
stated in (``Scale``) and, for money, its currency. Percent quantities store their ratio value
(``23.6%`` is ``0.236``) so that arithmetic never has to special-case them; ``Kind.PERCENT``
only records how the number was written and how it should be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["Kind", "Quantity", "Scale"]


class Kind(str, Enum):  # noqa: UP042 -- str() and format() stay "Kind.X" for existing callers
    """What a value measures."""

    MONEY = "money"
    PERCENT = "percent"
    RATIO = "ratio"
    COUNT = "count"
    SHARES = "shares"
    PER_SHARE = "per_share"
    YEARS = "years"
    BOOLEAN = "boolean"
    NONE = "none"


class Scale(Enum):
    """The multiplier a stated number carries ("in millions")."""

    UNITS = 1
    THOUSANDS = 1_000
    MILLIONS = 1_000_000
    BILLIONS = 1_000_000_000

    @property
    def factor(self) -> int:
        return int(self.value)

    @property
    def word(self) -> str:
        return "" if self is Scale.UNITS else self.name.lower()

    @classmethod
    def from_word(cls, word: str) -> Scale:
        """Map 'thousand', 'thousands', 'million', 'mn', 'bn', 'billion' ... to a Scale."""
        w = word.strip().lower().rstrip("s")
        table = {
            "": cls.UNITS,
            "unit": cls.UNITS,
            "thousand": cls.THOUSANDS,
            "k": cls.THOUSANDS,
            "000": cls.THOUSANDS,
            "million": cls.MILLIONS,
            "mn": cls.MILLIONS,
            "m": cls.MILLIONS,
            "mm": cls.MILLIONS,
            "billion": cls.BILLIONS,
            "bn": cls.BILLIONS,
            "b": cls.BILLIONS,
        }
        if w not in table:
            raise ValueError(f"unknown scale word {word!r}; expected thousand, million or billion")
        return table[w]


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its kind, scale and currency. ``value`` is in units of ``scale``."""

    value: float
    kind: Kind = Kind.NONE
    scale: Scale = Scale.UNITS
    currency: str | None = None

    @property
    def absolute(self) -> float:
        """The value in plain units (scale folded in)."""
        return self.value * self.scale.factor
