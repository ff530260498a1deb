"""Running text: sentence splitting, paragraphs from lines, and headings.

Sentence splitting is rule based and tuned for filings: it does not split after common
abbreviations ("U.S.", "Inc.", "No.", "approx."), inside numbers ("5.2%"), or before a
lowercase continuation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from finrag.documents.model import BBox, TextBlock

__all__ = ["blocks_from_lines", "is_heading", "split_sentences"]

_ABBREV = {
    "u.s",
    "inc",
    "corp",
    "co",
    "ltd",
    "no",
    "nos",
    "approx",
    "vs",
    "mr",
    "mrs",
    "ms",
    "dr",
    "e.g",
    "i.e",
    "etc",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "st",
    "fig",
    "u.k",
    "l.p",
    "n.a",
    "s.a",
    "p.m",
    "a.m",
}
_BOUNDARY = re.compile(r"(?<=[.!?;])[\"”')\]]*\s+(?=[\"“(\[]?[A-Z0-9$•])")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)\.$")


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences; whitespace is normalised."""
    text = " ".join(text.split())
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        head = text[start : m.start()].rstrip("\"”')] ")
        wb = _WORD_BEFORE.search(head)
        if head.endswith(".") and wb and wb.group(1).lower().rstrip(".") in _ABBREV:
            continue
        if head.endswith(";") and len(head) < 40:
            continue
        piece = text[start : m.start()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def is_heading(text: str) -> bool:
    """A short title-like line: few words, no final period, starts with a capital letter."""
    t = text.strip()
    if not t or len(t) > 80 or t.endswith((".", ",", ";", ":")) or not t[0].isupper():
        return False
    words = t.split()
    if len(words) > 10 or sum(c.isdigit() for c in t) > len(t) // 3:
        return False
    caps = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return t.isupper() or caps >= max(1, int(0.6 * len(words)))


def blocks_from_lines(
    page: int,
    lines: Sequence[tuple[str, tuple[float, float, float, float]]],
    section: str = "",
) -> tuple[list[TextBlock], str]:
    """Paragraph blocks from a page's text lines (top to bottom), each with its section.

    ``section`` is the heading in force when the page starts; the heading in force at the end
    of the page is returned with the blocks. A new paragraph starts at a vertical gap wider
    than the line height, at a heading, or after a line that ends a sentence well short of
    the right margin.
    """
    blocks: list[TextBlock] = []
    current: list[tuple[str, tuple[float, float, float, float]]] = []
    right = max((b[2] for _, b in lines), default=0.0)
    for text, box in lines:
        heading = is_heading(text)
        if current and (heading or _breaks(current[-1], box, right)):
            blocks.append(_block(page, current, section))
            current = []
        if heading:
            section = text.strip()
            blocks.append(_block(page, [(text, box)], section))
            continue
        current.append((text, box))
    if current:
        blocks.append(_block(page, current, section))
    return blocks, section


def _breaks(
    prev: tuple[str, tuple[float, float, float, float]],
    box: tuple[float, float, float, float],
    right: float,
) -> bool:
    ptext, pbox = prev
    height = max(pbox[3] - pbox[1], 4.0)
    if box[1] - pbox[3] > 0.9 * height:
        return True
    return ptext.rstrip().endswith((".", ":")) and pbox[2] < right - 0.15 * (right - pbox[0])


def _block(
    page: int, lines: Sequence[tuple[str, tuple[float, float, float, float]]], section: str
) -> TextBlock:
    text = " ".join(t.strip() for t, _ in lines)
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text) if "- " in text else text
    box = (
        min(b[0] for _, b in lines),
        min(b[1] for _, b in lines),
        max(b[2] for _, b in lines),
        max(b[3] for _, b in lines),
    )
    return TextBlock(
        page=page,
        text=text,
        sentences=tuple(split_sentences(text)),
        bbox=BBox(x0=box[0], top=box[1], x1=box[2], bottom=box[3]),
        section=section,
    )
