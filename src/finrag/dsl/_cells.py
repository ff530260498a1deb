"""A small cleaner for numbers in dataset table cells (FinQA and TAT-QA strings).

Handles currency symbols, thousands separators, percent signs, accounting negatives
``(1,234)``, FinQA's duplicated form ``-26 ( 26 )`` / ``7.8% ( 7.8 % )`` (the part in
parentheses restates the absolute value) and dashes, which mean "no number" here.
Private to the DSL: document parsing has its own, richer number reader.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")
_WRAPPED = re.compile(r"\(\s*([^()]*?)\s*\)")
_DASHES = frozenset({"-", "--", "---", "—", "–", "- -", "n/a", "na", "nm", "*"})
_STRIP = str.maketrans({"$": None, "€": None, "£": None, "¥": None, ",": None})


def clean_cell(text: str) -> tuple[float, bool] | None:
    """``(value, is_percent)`` for a numeric cell, ``None`` for text, blanks and dashes.

    ``"$ 1,234"`` -> (1234.0, False); ``"(1,234)"`` -> (-1234.0, False);
    ``"11.4% ( 11.4 % )"`` -> (11.4, True); ``"—"`` -> None.
    """
    t = text.replace("\u2212", "-").translate(_STRIP).strip()
    if not t or t.lower() in _DASHES:
        return None
    negative = False
    wrapped = _WRAPPED.fullmatch(t)
    if wrapped:
        negative, t = True, wrapped.group(1)
    elif "(" in t:
        t = t.split("(", 1)[0].strip()
    percent = t.endswith("%")
    if percent:
        t = t[:-1].strip()
    if not _NUMBER.fullmatch(t):
        return None
    value = float(t)
    return (-value if negative else value), percent
