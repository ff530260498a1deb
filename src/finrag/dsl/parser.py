"""Parser for the string form (FinQA compatible) into the AST.

Grammar (whitespace is free between tokens)::

    program  := step ("," step)* ["," | ws] ["EOF"]
    step     := OP "(" args ")"
    args     := value "," value                      -- add ... greater
              | row ["," "none"]                     -- table_sum ... table_min
    value    := "#" DIGITS | CONST | "@" REF_ID | number
    number   := ["-" | "+"] DIGITS ["." DIGITS] [exponent] ["%"] ["[" annotation "]"]
    annotation := (KIND | SCALE | CURRENCY)*        -- e.g. [money millions USD]
    row      := QUOTED | "@" REF_ID | bare text up to "," or ")"

Inside the parentheses commas separate arguments, so ``1,234`` is two arguments, never a
thousands separator. Errors raise :class:`~finrag.errors.ProgramError` naming the position
and the offending text.
"""

from __future__ import annotations

import json
import re
from typing import NoReturn

from finrag.dsl.ast import (
    REF_ID_PATTERN,
    Arg,
    Const,
    Literal,
    Op,
    Program,
    Ref,
    RowName,
    Step,
    StepRef,
)
from finrag.dsl.units import Kind, Scale
from finrag.errors import ProgramError

__all__ = ["parse_program", "parse_value_arg"]

_WS = re.compile(r"\s*")
_OP = re.compile(r"[A-Za-z_]+")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_STEP_REF = re.compile(r"#(\d{1,6})")
_CONST = re.compile(r"const_[A-Za-z0-9]+")
_BARE_ROW = re.compile(r"[^,()\"]+")
_ANNOTATION = re.compile(r"\[([^\]]*)\]")
_KINDS = {k.value: k for k in Kind}
_SCALES = {s.name.lower(): s for s in Scale}
_MAX_TEXT = 100_000
_EOF = re.compile("EOF")


class _Scanner:
    """A cursor over the program text with helpers that raise positioned errors."""

    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_ws(self) -> None:
        text, pos = self.text, self.pos
        if pos < len(text) and text[pos].isspace():
            found = _WS.match(text, pos)
            self.pos = found.end() if found else pos

    def at_end(self) -> bool:
        self.skip_ws()
        return self.pos >= len(self.text)

    def peek(self) -> str:
        self.skip_ws()
        return self.text[self.pos : self.pos + 1]

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        self.skip_ws()
        found = pattern.match(self.text, self.pos)
        if found:
            self.pos = found.end()
        return found

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            self.fail(what)
        self.pos += 1

    def fail(self, expected: str) -> NoReturn:
        self.skip_ws()
        snippet = self.text[self.pos : self.pos + 20]
        got = repr(snippet) if snippet else "the end of the program"
        raise ProgramError(f"position {self.pos}: expected {expected}, got {got}")


def parse_program(text: str, answer_kind: Kind | None = None) -> Program:
    """Parse the string form, e.g. ``subtract(5829, 5735), divide(#0, 5735)``."""
    if not isinstance(text, str):
        raise ProgramError(f"a program must be a string, got {type(text).__name__}")
    if len(text) > _MAX_TEXT:
        raise ProgramError(f"program text is {len(text)} characters; the limit is {_MAX_TEXT}")
    scan = _Scanner(text)
    steps: list[Step] = []
    while True:
        steps.append(_step(scan))
        if scan.peek() == ",":
            scan.pos += 1
        if scan.at_end():
            break
        if _eof(scan):
            break
    return Program(tuple(steps), answer_kind)


def parse_value_arg(text: str) -> Arg:
    """Parse one value argument (``#0``, ``const_100``, ``23.6%``, ``@id``) and nothing else."""
    scan = _Scanner(text[:_MAX_TEXT])
    arg = _value(scan)
    if not scan.at_end():
        scan.fail("the end of the argument")
    return arg


def _eof(scan: _Scanner) -> bool:
    """Consume FinQA's trailing ``EOF`` token when it is the last thing in the text."""
    save = scan.pos
    if scan.match(_EOF) and scan.at_end():
        return True
    scan.pos = save
    return False


def _step(scan: _Scanner) -> Step:
    found = scan.match(_OP)
    if found is None:
        scan.fail("an operation such as subtract(")
    start = found.start()
    try:
        op = Op.parse(found.group())
    except ProgramError as exc:
        raise ProgramError(f"position {start}: {exc}") from None
    scan.expect("(", f"'(' after {op.value}")
    args = _table_args(scan, op) if op.is_table else _value_args(scan, op)
    scan.expect(")", f"')' closing {op.value}(")
    return Step(op, args)


def _value_args(scan: _Scanner, op: Op) -> tuple[Arg, ...]:
    first = _value(scan)
    scan.expect(",", f"',' between the two arguments of {op.value}")
    return (first, _value(scan))


def _table_args(scan: _Scanner, op: Op) -> tuple[Arg, ...]:
    row = _row(scan)
    if scan.peek() == ",":
        scan.pos += 1
        save = scan.pos
        none = scan.match(_BARE_ROW)
        if none is None or none.group().strip() != "none":
            scan.pos = save
            scan.fail(f"'none' as the second argument of {op.value}")
    return (row,)


def _value(scan: _Scanner) -> Arg:
    char = scan.peek()
    if char == "#":
        found = scan.match(_STEP_REF)
        if found is None:
            scan.fail("a step reference like #0")
        return StepRef(int(found.group(1)))
    if char == "@":
        return _ref(scan)
    if char in ("c", "C"):
        const = scan.match(_CONST)
        if const is None:
            scan.fail("a constant like const_100")
        try:
            return Const(const.group())
        except ProgramError as exc:
            raise ProgramError(f"position {const.start()}: {exc}") from None
    return _number(scan)


def _ref(scan: _Scanner) -> Ref:
    scan.pos += 1
    found = REF_ID_PATTERN.match(scan.text, scan.pos)
    if found is None:
        scan.fail("a reference id after '@', like @d1a2b3:t0:r3:c1")
    scan.pos = found.end()
    return Ref(found.group())


def _number(scan: _Scanner) -> Literal:
    found = scan.match(_NUMBER)
    if found is None:
        scan.fail("a number, #n, const_* or @ref")
    start = found.start()
    percent = scan.text.startswith("%", scan.pos)
    if percent:
        scan.pos += 1
    kind, scale, currency = Kind.NONE, Scale.UNITS, None
    annotation = _ANNOTATION.match(scan.text, scan.pos)
    if annotation:
        kind, scale, currency = _annotation(annotation.group(1), annotation.start())
        scan.pos = annotation.end()
    try:
        value = float(found.group())
        return Literal(value, percent, kind, scale, currency)
    except (ProgramError, OverflowError) as exc:
        raise ProgramError(f"position {start}: {exc}") from None


def _annotation(body: str, pos: int) -> tuple[Kind, Scale, str | None]:
    kind, scale, currency = Kind.NONE, Scale.UNITS, None
    for word in body.split():
        if word in _KINDS:
            kind = _KINDS[word]
        elif word in _SCALES:
            scale = _SCALES[word]
        elif len(word) == 3 and word.isupper() and word.isalpha():
            currency = word
        else:
            raise ProgramError(
                f"position {pos}: unknown annotation {word!r}; expected a kind "
                f"({', '.join(_KINDS)}), a scale ({', '.join(_SCALES)}) or a currency code"
            )
    return kind, scale, currency


def _row(scan: _Scanner) -> Arg:
    char = scan.peek()
    if char == "@":
        return _ref(scan)
    if char == '"':
        return RowName(_quoted(scan))
    found = scan.match(_BARE_ROW)
    if found is None or not found.group().strip():
        scan.fail("a row name")
    return RowName(found.group().strip())


def _quoted(scan: _Scanner) -> str:
    start = scan.pos
    i = start + 1
    text = scan.text
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            try:
                value = json.loads(text[start : i + 1])
            except ValueError:
                break
            scan.pos = i + 1
            return str(value)
        i += 1
    raise ProgramError(f"position {start}: unterminated or malformed quoted row name")
