"""Convert TAT-QA ``derivation`` formulas into DSL programs, and TAT-QA's answer rule.

A recursive-descent parser reads formulas such as ``(831.7+1,571.7+93.8)/691.6``,
``-1.9-(-2.2)``, ``[(166+178)/2] - [(57+44)/2]``, ``$3,313/$39,784`` or
``60.3 million + 32,137 thousand`` (thousands separators, percents, ``$``, brackets, unary
minus, scale words) with the usual precedence, and emits steps in evaluation order.

Percent questions (``scale == "percent"``) store the number shown with the ``%`` sign: 13.54
for 13.54%. The formula either computes a ratio of amounts (``(44.1-40.3)/40.3`` = 0.0943, shown
as 9.43) or does arithmetic on percentages written without their sign (``40.0-38.1`` = 1.9
points). :func:`derivation_to_program` tells them apart by dimensional analysis: amounts
divided by amounts cancel; a sum of n terms divided by the literal n is an average and keeps
the dimension; a bare literal added to a ratio (``126 / 67 - 1``) adapts to it. In the
percentage-point case the amounts are written as percent literals, so the program is honest
about its units and every percent answer is the result's ratio value times 100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from finrag.dsl.ast import Arg, Const, Literal, Op, Program, Step, StepRef
from finrag.dsl.executor import Result
from finrag.dsl.units import Kind, Scale
from finrag.errors import ProgramError

__all__ = ["derivation_to_program", "tatqa_match", "tatqa_value"]

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\$?\s*(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)%?)"
    r"(?:\s*(?P<word>thousands?|millions?|billions?)\b)?|(?P<op>[-+*/×÷^()\[\]$]))"
)
_OPS = {"+": Op.ADD, "-": Op.SUBTRACT, "*": Op.MULTIPLY, "×": Op.MULTIPLY, "/": Op.DIVIDE}
_OPS.update({"÷": Op.DIVIDE, "^": Op.EXP})
_CLOSE = {"(": ")", "[": "]"}


@dataclass(slots=True)
class _Num:
    value: float
    percent: bool = False
    money: bool = False
    scale: Scale = Scale.UNITS
    scalar: bool = field(default=False, compare=False)


@dataclass(slots=True)
class _Bin:
    op: Op
    left: _Expr
    right: _Expr


@dataclass(slots=True)
class _Neg:
    inner: _Expr


_Expr = _Num | _Bin | _Neg


class _Formula:
    """Recursive-descent parser: expr := term (+|- term)*; term := unary (*|/ unary)*."""

    def __init__(self, text: str) -> None:
        self.tokens = self._tokenize(text)
        self.pos = 0

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos, text = 0, text.strip()
        while pos < len(text):
            found = _TOKEN.match(text, pos)
            if found is None or found.end() == pos:
                raise ProgramError(f"derivation {text!r}: cannot read {text[pos : pos + 15]!r}")
            pos = found.end()
            if found.group("op"):
                tokens.append(("op", found.group("op")))
            else:
                tokens.append(("num", found.group("num") + "|" + (found.group("word") or "")))
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ProgramError("derivation ends where a number or '(' was expected")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def parse(self) -> _Expr:
        expr = self.expr()
        if self.pos != len(self.tokens):
            raise ProgramError(
                f"derivation has unexpected {self.peek()!r} after a complete formula"
            )
        return expr

    def expr(self) -> _Expr:
        left = self.term()
        while self.peek() in ("+", "-"):
            left = _Bin(_OPS[self.take()[1]], left, self.term())
        return left

    def term(self) -> _Expr:
        left = self.unary()
        while self.peek() in ("*", "×", "/", "÷"):
            left = _Bin(_OPS[self.take()[1]], left, self.unary())
        return left

    def unary(self) -> _Expr:
        if self.peek() in ("-", "+"):
            sign = self.take()[1]
            inner = self.unary()
            return _negate(inner) if sign == "-" else inner
        base = self.atom()
        if self.peek() == "^":
            self.take()
            return _Bin(Op.EXP, base, self.unary())
        return base

    def atom(self) -> _Expr:
        kind, text = self.take()
        if kind == "num":
            return _number(text)
        if text == "$":
            inner = self.atom()
            for leaf in _leaves(inner):
                leaf.money = True
            return inner
        if text in _CLOSE:
            if text == "(" and self._lone_number():
                number = _number(self.take()[1])
                self.take()
                return _negate(number)
            inner = self.expr()
            if self.peek() != _CLOSE[text]:
                raise ProgramError(f"derivation: missing {_CLOSE[text]!r}")
            self.take()
            return inner
        raise ProgramError(f"derivation: expected a number or '(', got {text!r}")

    def _lone_number(self) -> bool:
        """``(71)``: a lone unsigned number in parentheses is a negative, as in the tables."""
        window = self.tokens[self.pos : self.pos + 2]
        return len(window) == 2 and window[0][0] == "num" and window[1][1] == ")"


def _number(text: str) -> _Num:
    number, _, word = text.partition("|")
    money = number.startswith("$")
    number = number.lstrip("$").strip().replace(" ", "")
    percent = number.endswith("%")
    value = float(number.rstrip("%").replace(",", ""))
    scale = Scale.from_word(word) if word.strip() else Scale.UNITS
    return _Num(value, percent, money, scale)


def _negate(inner: _Expr) -> _Expr:
    if isinstance(inner, _Num):
        return _Num(-inner.value, inner.percent, inner.money, inner.scale)
    if isinstance(inner, _Neg):
        return inner.inner
    return _Neg(inner)


def _leaves(e: _Expr) -> list[_Num]:
    if isinstance(e, _Num):
        return [e]
    if isinstance(e, _Neg):
        return _leaves(e.inner)
    return _leaves(e.left) + _leaves(e.right)


def _terms(e: _Expr) -> int:
    return _terms(e.left) + 1 if isinstance(e, _Bin) and e.op is Op.ADD else 1


def _constant(e: _Expr) -> float | None:
    """The value of an expression made only of plain literals (no %, $, scale words)."""
    leaves = _leaves(e)
    if any(n.percent or n.money or n.scale is not Scale.UNITS for n in leaves):
        return None
    if isinstance(e, _Num):
        return e.value
    if isinstance(e, _Neg):
        inner = _constant(e.inner)
        return None if inner is None else -inner
    left, right = _constant(e.left), _constant(e.right)
    if left is None or right is None:
        return None
    if e.op is Op.ADD:
        return left + right
    return left - right if e.op is Op.SUBTRACT else None


def _mark_scalar(e: _Expr) -> None:
    for leaf in _leaves(e):
        leaf.scalar = True


def _dimension(e: _Expr) -> int:
    """1 for an amount, 0 for a ratio; marks averaging counts and adapting constants."""
    if isinstance(e, _Num):
        return 0 if e.percent else 1
    if isinstance(e, _Neg):
        return _dimension(e.inner)
    left, right = _dimension(e.left), _dimension(e.right)
    if e.op in (Op.ADD, Op.SUBTRACT):
        if left != right and isinstance(e.right, _Num):
            _mark_scalar(e.right)
            return left
        if left != right and isinstance(e.left, _Num):
            _mark_scalar(e.left)
            return right
        return max(left, right)
    if e.op is Op.DIVIDE:
        count = _constant(e.right)
        if count is not None and count >= 2 and count == _terms(e.left):
            _mark_scalar(e.right)
            return left
        return left - right
    if e.op is Op.MULTIPLY:
        return left + right
    return left


class _Emitter:
    def __init__(self, as_percent: bool) -> None:
        self.steps: list[Step] = []
        self.as_percent = as_percent

    def arg(self, e: _Expr) -> Arg:
        if isinstance(e, _Num):
            percent = e.percent or (self.as_percent and not e.scalar and not e.money)
            kind = Kind.MONEY if e.money else Kind.NONE
            return Literal(e.value, percent, kind, e.scale, "USD" if e.money else None)
        if isinstance(e, _Neg):
            return self.emit(Op.MULTIPLY, self.arg(e.inner), Const("const_m1"))
        return self.emit(e.op, self.arg(e.left), self.arg(e.right))

    def emit(self, op: Op, left: Arg, right: Arg) -> StepRef:
        self.steps.append(Step(op, (left, right)))
        return StepRef(len(self.steps) - 1)


def derivation_to_program(derivation: str, scale: str = "") -> Program:
    """The DSL program computing a TAT-QA derivation; ``scale`` is the question's scale."""
    if not isinstance(derivation, str) or not derivation.strip():
        raise ProgramError("empty derivation")
    expr = _Formula(derivation).parse()
    percent_question = scale.strip().lower() == "percent"
    points = _dimension(expr) == 1 and percent_question
    emitter = _Emitter(as_percent=points)
    final = emitter.arg(expr)
    if not emitter.steps:
        emitter.emit(Op.MULTIPLY, final, Const("const_1"))
    return Program(tuple(emitter.steps), Kind.PERCENT if percent_question else None)


def tatqa_value(result: Result, scale: str) -> float:
    """The result as TAT-QA states answers: percent as the number before ``%``, amounts in
    the question's scale (results carrying a scale are converted; plain numbers are as
    written)."""
    q = result.quantity
    word = scale.strip().lower()
    if word == "percent":
        return q.value * 100.0
    if q.scale is Scale.UNITS:
        return q.value
    target = Scale.from_word(word) if word else Scale.UNITS
    return q.value * q.scale.factor / target.factor


def tatqa_match(predicted: float, gold: object) -> bool:
    """TAT-QA's numeric exact match: both rounded to 2 decimals."""
    if isinstance(gold, bool) or not isinstance(gold, int | float | str):
        return False
    try:
        gold_value = float(str(gold).replace(",", "").replace("$", "").rstrip("%"))
    except ValueError:
        return False
    return round(predicted, 2) == round(gold_value, 2)
