"""The execution context: where references and table rows get their values.

The DSL does not read documents (stage boundary). Whoever builds the context converts evidence
into :class:`SourcedQuantity` values keyed by evidence id, and table rows into sequences of
:class:`~finrag.dsl.units.Quantity` keyed by row name (or by row id, for ``@id`` table args).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from finrag.dsl.units import Quantity
from finrag.errors import ProgramError

__all__ = ["EMPTY_CONTEXT", "ExecutionContext", "SourcedQuantity", "normalize_row_name"]

_NON_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class SourcedQuantity:
    """A value taken from evidence: the quantity, the evidence id, its text and label.

    ``text`` is what the evidence says ("$ 5,829"), ``label`` what it is ("net revenue, 2019").
    """

    quantity: Quantity
    source_id: str
    text: str = ""
    label: str = ""


def normalize_row_name(name: str) -> str:
    """Case-, whitespace- and punctuation-insensitive key for row names."""
    return _NON_WORD.sub(" ", name.lower()).strip()


class ExecutionContext:
    """References by id and table rows by name, with tolerant row matching."""

    __slots__ = ("_normalized", "_refs", "_rows")

    def __init__(
        self,
        refs: Mapping[str, SourcedQuantity] | None = None,
        rows: Mapping[str, Sequence[Quantity]] | None = None,
    ) -> None:
        self._refs: dict[str, SourcedQuantity] = dict(refs or {})
        self._rows: dict[str, tuple[Quantity, ...]] = {k: tuple(v) for k, v in (rows or {}).items()}
        self._normalized: dict[str, str] = {}
        for name in self._rows:
            self._normalized.setdefault(normalize_row_name(name), name)

    @property
    def ref_ids(self) -> tuple[str, ...]:
        """Every reference id the context can resolve."""
        return tuple(self._refs)

    @property
    def row_names(self) -> tuple[str, ...]:
        """Every row name (or row id) the context holds."""
        return tuple(self._rows)

    def resolve(self, ref_id: str) -> SourcedQuantity:
        """The value behind ``@ref_id``; an unknown id is a ProgramError listing close ids."""
        found = self._refs.get(ref_id)
        if found is None:
            raise ProgramError(
                f"unknown reference @{ref_id}; {_suggest(ref_id, self._refs, 'ids')}"
            )
        return found

    def row(self, name: str) -> tuple[str, tuple[Quantity, ...]]:
        """The row called ``name`` (tolerant of case, spacing, punctuation) and its values."""
        values = self._rows.get(name)
        if values is not None:
            return name, values
        key = normalize_row_name(name)
        actual = self._normalized.get(key)
        if actual is None:
            close = difflib.get_close_matches(key, list(self._normalized), n=3, cutoff=0.6)
            hint = (
                "close rows: " + ", ".join(repr(self._normalized[c]) for c in close)
                if close
                else _suggest(name, self._rows, "rows")
            )
            raise ProgramError(f"unknown table row {name!r}; {hint}")
        return actual, self._rows[actual]


def _suggest(wanted: str, known: Iterable[str], what: str) -> str:
    names = list(known)
    if not names:
        return f"the evidence has no {what}"
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
    shown = close or names[:8]
    more = "" if close or len(names) <= 8 else f" (and {len(names) - 8} more)"
    label = "close " + what if close else "known " + what
    return f"{label}: " + ", ".join(repr(n) for n in shown) + more


EMPTY_CONTEXT = ExecutionContext()
