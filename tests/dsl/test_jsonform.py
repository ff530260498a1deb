"""JSON form: parsing, schema, printing, path-named errors."""

from __future__ import annotations

import json

import pytest

from finrag.dsl import (
    Const,
    Kind,
    Literal,
    Op,
    Program,
    Ref,
    RowName,
    Scale,
    Step,
    StepRef,
    parse_json,
    program_json_schema,
    to_json,
    to_json_text,
)
from finrag.errors import ProgramError

pytestmark = pytest.mark.unit

PLANNER_OUTPUT = {
    "steps": [
        {"op": "subtract", "args": [{"ref": "d1a2b3:t0:r3:c1"}, {"ref": "d1a2b3:t0:r3:c2"}]},
        {"op": "divide", "args": [{"step": 0}, {"ref": "d1a2b3:t0:r3:c2"}]},
    ],
    "answer_kind": "percent",
}


def test_planner_output_parses() -> None:
    program = parse_json(PLANNER_OUTPUT)
    assert program == Program(
        (
            Step(Op.SUBTRACT, (Ref("d1a2b3:t0:r3:c1"), Ref("d1a2b3:t0:r3:c2"))),
            Step(Op.DIVIDE, (StepRef(0), Ref("d1a2b3:t0:r3:c2"))),
        ),
        Kind.PERCENT,
    )
    assert to_json(program) == PLANNER_OUTPUT
    assert parse_json(json.dumps(PLANNER_OUTPUT)) == program


def test_every_argument_variant() -> None:
    data = {
        "steps": [
            {"op": "add", "args": [5829, {"const": "const_100"}]},
            {
                "op": "multiply",
                "args": [
                    {"step": 0},
                    {"value": 5, "kind": "money", "scale": "millions", "currency": "USD"},
                ],
            },
            {"op": "table_sum", "args": [{"row": "net revenue"}]},
            {"op": "greater", "args": [{"value": 23.6, "percent": True}, 1.5]},
        ]
    }
    program = parse_json(data)
    assert program.steps[0].args == (Literal(5829.0), Const("const_100"))
    assert program.steps[1].args[1] == Literal(5.0, False, Kind.MONEY, Scale.MILLIONS, "USD")
    assert program.steps[2].args == (RowName("net revenue"),)
    assert program.steps[3].args[0] == Literal(23.6, percent=True)
    assert to_json(program) == data


def test_tolerated_spellings() -> None:
    """kind percent means written in percent; strings and a trailing none are accepted."""
    program = parse_json(
        [
            {"op": "Subtract", "args": ["5829", "const_100"]},
            {"op": "table_max", "args": ["net revenue", "none"]},
            {"op": "add", "args": [{"value": 12.5, "kind": "percent"}, "#0"]},
            {"op": "add", "args": [{"value": 1, "scale": "million"}, 2]},
        ]
    )
    assert program.steps[0].args == (Literal(5829.0), Const("const_100"))
    assert program.steps[1].args == (RowName("net revenue"),)
    assert program.steps[2].args == (Literal(12.5, percent=True), StepRef(0))
    assert program.steps[3].args[0] == Literal(1.0, scale=Scale.MILLIONS)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not valid JSON"),
        ("42", "expected a JSON object"),
        ({"steps": []}, "steps: expected a non-empty list"),
        ({"steps": [{"op": "add"}]}, "steps\\[0\\].args: expected a list"),
        ({"steps": [{"op": 3, "args": []}]}, "steps\\[0\\].op: expected an operation name"),
        ({"steps": [{"op": "sum", "args": [1, 2]}]}, "steps\\[0\\].op: unknown operation 'sum'"),
        ({"steps": [{"op": "add", "args": [1]}]}, "steps\\[0\\]: add takes 2 argument"),
        ({"steps": [{"op": "add", "args": [1, True]}]}, "args\\[1\\]: true/false is not"),
        ({"steps": [{"op": "add", "args": [1, None]}]}, "args\\[1\\]: expected one of"),
        ({"steps": [{"op": "add", "args": [1, {"step": 0}]}]}, "refers to #0"),
        ({"steps": [{"op": "add", "args": [1, {"step": "0"}]}]}, "must be an integer"),
        ({"steps": [{"op": "add", "args": [1, {"ref": 7}]}]}, "ref must be a string"),
        ({"steps": [{"op": "add", "args": [1, {"step": 0, "ref": "x"}]}]}, "exactly one of"),
        ({"steps": [{"op": "add", "args": [1, {"value": 1, "unit": "x"}]}]}, "unknown literal"),
        ({"steps": [{"op": "add", "args": [1, {"value": "1"}]}]}, "value must be a number"),
        ({"steps": [{"op": "add", "args": [1, {"value": 1, "kind": "apples"}]}]}, "kind:"),
        ({"steps": [{"op": "add", "args": [1, {"value": 1, "scale": "dozens"}]}]}, "scale:"),
        ({"steps": [{"op": "add", "args": [1, 10**400]}]}, "too large"),
        ({"steps": [{"op": "add", "args": [1, 2]}], "answer_kind": "cm"}, "answer_kind"),
        ({"steps": [{"op": "add", "args": [1, 2]}], "extra": 1}, "unknown top-level"),
        ({"steps": [{"op": "add", "args": [1, "x)"]}]}, "expected a number"),
        ({"steps": [{"op": "add", "args": [1, 2]}] * 33}, "at most 32"),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_json_errors_name_the_path(data: object, message: str) -> None:
    with pytest.raises(ProgramError, match=message):
        parse_json(data)  # type: ignore[arg-type]


def test_schema_lists_ops_kinds_and_arg_variants() -> None:
    schema = program_json_schema()
    assert schema["required"] == ["steps"]
    assert schema["$defs"]["step"]["properties"]["op"]["enum"] == [op.value for op in Op]
    assert schema["properties"]["answer_kind"]["enum"] == [k.value for k in Kind]
    variants = schema["$defs"]["arg"]["anyOf"]
    keys = [next(iter(v.get("properties", {"number": 0}))) for v in variants]
    assert keys == ["number", "step", "const", "value", "ref", "row"]
    json.dumps(schema)  # serialisable as is


def _conforms(value: object, schema: dict[str, object], defs: dict[str, object]) -> bool:
    """A tiny validator for the subset of JSON Schema the program schema uses."""
    if "$ref" in schema:
        return _conforms(value, defs[str(schema["$ref"]).rsplit("/", 1)[1]], defs)  # type: ignore[arg-type]
    if "anyOf" in schema:
        return any(_conforms(value, s, defs) for s in schema["anyOf"])  # type: ignore[attr-defined]
    if "enum" in schema:
        return value in schema["enum"]  # type: ignore[operator]
    kind = schema.get("type")
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind in ("integer", "string", "boolean"):
        return isinstance(value, {"integer": int, "string": str, "boolean": bool}[kind])
    if kind == "array":
        return isinstance(value, list) and all(_conforms(v, schema["items"], defs) for v in value)  # type: ignore[arg-type]
    if kind == "object":
        props: dict[str, dict[str, object]] = schema["properties"]  # type: ignore[assignment]
        return (
            isinstance(value, dict)
            and set(schema["required"]) <= set(value)  # type: ignore[arg-type]
            and set(value) <= set(props)
            and all(_conforms(v, props[k], defs) for k, v in value.items())
        )
    return False


def test_printed_json_conforms_to_the_schema() -> None:
    schema = program_json_schema()
    program = parse_json(PLANNER_OUTPUT)
    assert _conforms(to_json(program), schema, schema["$defs"])
    text = "table_sum(x, none), multiply(23.6%, 5[money millions USD]), exp(const_m1, #0)"
    from finrag.dsl import parse_program

    assert _conforms(json.loads(to_json_text(parse_program(text))), schema, schema["$defs"])
