"""Property tests: printing then parsing is the identity; nothing but DSL errors escape."""

from __future__ import annotations

import contextlib
import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finrag.dsl import (
    Const,
    ExecutionContext,
    Kind,
    Literal,
    Op,
    Program,
    Quantity,
    Ref,
    RowName,
    Scale,
    SourcedQuantity,
    Step,
    StepRef,
    execute,
    parse_json,
    parse_program,
    to_json,
    to_json_text,
    to_string,
)
from finrag.errors import ExecutionError, ProgramError

pytestmark = pytest.mark.unit

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

numbers = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**6), 10**6).map(float)
_ID_START = string.ascii_letters + string.digits + "_"
ref_ids = st.builds(
    str.__add__, st.sampled_from(_ID_START), st.text(_ID_START + ".:/-", max_size=20)
)
row_names = st.text(min_size=1, max_size=20).filter(lambda s: bool(s.strip()))
constants = st.integers(0, 10**7).map(lambda n: f"const_{n}") | st.just("const_m1")


@st.composite
def literals(draw: st.DrawFn) -> Literal:
    value = draw(numbers)
    if draw(st.booleans()):
        return Literal(value, percent=True, scale=draw(st.sampled_from(Scale)))
    kind = draw(st.sampled_from([k for k in Kind if k is not Kind.PERCENT]))
    currency = draw(st.sampled_from([None, "USD", "EUR"])) if kind is Kind.MONEY else None
    return Literal(value, False, kind, draw(st.sampled_from(Scale)), currency)


MAX_STEPS = 6
_PLAIN_ARGS = st.one_of(literals(), constants.map(Const), ref_ids.map(Ref))
# built once: building strategies inside a composite draw is slow
VALUE_ARGS = [_PLAIN_ARGS] + [
    _PLAIN_ARGS | st.integers(0, index - 1).map(StepRef) for index in range(1, MAX_STEPS)
]
TABLE_ARGS = row_names.map(RowName) | ref_ids.map(Ref)


@st.composite
def programs(draw: st.DrawFn) -> Program:
    steps = []
    for index in range(draw(st.integers(1, MAX_STEPS))):
        op = draw(st.sampled_from(Op))
        if op.is_table:
            steps.append(Step(op, (draw(TABLE_ARGS),)))
        else:
            steps.append(Step(op, (draw(VALUE_ARGS[index]), draw(VALUE_ARGS[index]))))
    return Program(tuple(steps), draw(st.none() | st.sampled_from(Kind)))


@FAST
@given(programs())
def test_string_form_round_trips(program: Program) -> None:
    assert parse_program(to_string(program), program.answer_kind) == program


@FAST
@given(programs())
def test_json_form_round_trips(program: Program) -> None:
    assert parse_json(to_json_text(program)) == program
    assert parse_json(json.loads(json.dumps(to_json(program)))) == program


_WORDS = "add divide table_sum greater exp ( ) , #0 #1 none const_100 const_m1 5829 -3.2 23.6%"
TOKENS = st.sampled_from([*_WORDS.split(), "@d1:t0", "EOF", "[money]", "1e999", " ", '"'])
fuzz_text = st.text() | st.lists(TOKENS, max_size=30).map("".join)


@FAST
@given(fuzz_text)
def test_parser_and_executor_raise_only_dsl_errors_on_text(text: str) -> None:
    with contextlib.suppress(ProgramError, ExecutionError):
        execute(parse_program(text))


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["steps", "op", "args", "step", "const", "value", "ref", "row", "kind"])
            | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)


_JSON_STEP = st.fixed_dictionaries(
    {
        "op": st.sampled_from([op.value for op in Op]) | json_values,
        "args": st.lists(json_values | st.integers(-3, 3).map(lambda n: {"step": n}), max_size=3),
    }
)
# mostly well-shaped JSON with random leaves, to reach deep into the parser
JSON_PROGRAMS = st.fixed_dictionaries({"steps": st.lists(_JSON_STEP, max_size=4)}) | json_values


@FAST
@given(JSON_PROGRAMS)
def test_json_parser_and_executor_raise_only_dsl_errors(data: object) -> None:
    with contextlib.suppress(ProgramError, ExecutionError):
        execute(parse_json(data))  # type: ignore[arg-type]
    with contextlib.suppress(ProgramError, ExecutionError):
        execute(parse_json(json.dumps(data)))


@FAST
@given(programs(), st.dictionaries(ref_ids, numbers, max_size=5), st.sampled_from(Kind))
def test_executing_any_program_raises_only_dsl_errors(
    program: Program, refs: dict[str, float], kind: Kind
) -> None:
    context = ExecutionContext(
        refs={k: SourcedQuantity(Quantity(v, kind), k) for k, v in refs.items()},
        rows={name: [Quantity(v) for v in refs.values()] for name in string.ascii_lowercase[:3]},
    )
    with contextlib.suppress(ProgramError, ExecutionError):
        execute(program, context)
