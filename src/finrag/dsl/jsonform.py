"""The JSON form planners emit, its JSON Schema, and the printer back to it.

::

    {"steps": [{"op": "subtract", "args": [{"ref": "d1:t0:r3:c1"}, {"ref": "d1:t0:r3:c2"}]},
               {"op": "divide", "args": [{"step": 0}, {"ref": "d1:t0:r3:c2"}]}],
     "answer_kind": "percent"}

An argument is ``{"step": n}`` | ``{"const": "const_100"}`` | ``{"value": 5829, "percent":
false, "kind": "money", "scale": "millions", "currency": "USD"}`` (all but ``value`` optional)
| a bare JSON number | ``{"ref": "<id>"}`` | ``{"row": "net revenue"}``. ``"kind": "percent"``
on a literal means the number is written in percent (``23.6`` is 23.6%), like
``"percent": true``. Errors raise :class:`~finrag.errors.ProgramError` naming the JSON path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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
from finrag.dsl.parser import parse_value_arg
from finrag.dsl.units import Kind, Scale
from finrag.errors import ProgramError

__all__ = ["MAX_JSON_STEPS", "parse_json", "program_json_schema", "to_json", "to_json_text"]

MAX_JSON_STEPS = 32
_ARG_KEYS = ("step", "const", "value", "ref", "row")
_LITERAL_KEYS = frozenset({"value", "percent", "kind", "scale", "currency"})


def parse_json(data: str | bytes | Mapping[str, Any] | list[Any]) -> Program:
    """Parse the JSON form (text or already-decoded) into a :class:`Program`."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise ProgramError(f"program is not valid JSON: {exc}") from None
    if isinstance(data, list):
        data = {"steps": data}
    if not isinstance(data, Mapping):
        raise ProgramError(f'expected a JSON object {{"steps": [...]}}, got {_show(data)}')
    unknown = set(data) - {"steps", "answer_kind"}
    if unknown:
        raise ProgramError(f"unknown top-level key(s) {sorted(map(str, unknown))}; expected steps")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ProgramError(f"steps: expected a non-empty list of steps, got {_show(steps)}")
    if len(steps) > MAX_JSON_STEPS:
        raise ProgramError(f"steps: {len(steps)} steps; at most {MAX_JSON_STEPS} are allowed")
    parsed = tuple(_step(raw, f"steps[{i}]") for i, raw in enumerate(steps))
    return Program(parsed, _answer_kind(data.get("answer_kind")))


def _answer_kind(raw: object) -> Kind | None:
    if raw is None:
        return None
    if isinstance(raw, str) and raw in Kind._value2member_map_:
        return Kind(raw)
    kinds = ", ".join(k.value for k in Kind)
    raise ProgramError(f"answer_kind: expected one of {kinds}, got {_show(raw)}")


def _step(raw: object, path: str) -> Step:
    if not isinstance(raw, Mapping):
        raise ProgramError(f'{path}: expected {{"op": ..., "args": [...]}}, got {_show(raw)}')
    op_name = raw.get("op")
    if not isinstance(op_name, str):
        raise ProgramError(f"{path}.op: expected an operation name, got {_show(op_name)}")
    try:
        op = Op.parse(op_name)
    except ProgramError as exc:
        raise ProgramError(f"{path}.op: {exc}") from None
    args = raw.get("args")
    if not isinstance(args, list):
        raise ProgramError(f"{path}.args: expected a list of arguments, got {_show(args)}")
    if op.is_table and len(args) == 2 and args[1] in ("none", {"row": "none"}):
        args = args[:1]
    parsed = tuple(_arg(a, op, f"{path}.args[{j}]") for j, a in enumerate(args))
    try:
        return Step(op, parsed)
    except ProgramError as exc:
        raise ProgramError(f"{path}: {exc}") from None


def _arg(raw: object, op: Op, path: str) -> Arg:
    try:
        if isinstance(raw, bool):
            raise ProgramError("true/false is not a number")
        if isinstance(raw, int | float):
            return Literal(_finite(raw))
        if isinstance(raw, str):
            return _string_arg(raw, op)
        if isinstance(raw, Mapping):
            return _object_arg(raw)
    except ProgramError as exc:
        raise ProgramError(f"{path}: {exc}") from None
    raise ProgramError(f"{path}: expected one of {_expected()}, got {_show(raw)}")


def _string_arg(raw: str, op: Op) -> Arg:
    """Tolerate planners that write ``"#0"``, ``"const_100"`` or ``"5829"`` as strings."""
    if op.is_table:
        return RowName(raw.strip())
    return parse_value_arg(raw)


def _object_arg(raw: Mapping[str, Any]) -> Arg:
    keys = [k for k in _ARG_KEYS if k in raw]
    if len(keys) != 1:
        raise ProgramError(f"expected exactly one of {_expected()}, got {_show(raw)}")
    key = keys[0]
    if key == "value":
        return _literal(raw)
    if len(raw) != 1:
        raise ProgramError(f"{{{key!r}: ...}} takes no other keys, got {sorted(map(str, raw))}")
    value = raw[key]
    if key == "step":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ProgramError(f"step reference must be an integer, got {_show(value)}")
        return StepRef(value)
    if not isinstance(value, str):
        raise ProgramError(f"{key} must be a string, got {_show(value)}")
    if key == "const":
        return Const(value)
    if key == "ref":
        return Ref(value)
    return RowName(value)


def _literal(raw: Mapping[str, Any]) -> Literal:
    unknown = set(raw) - _LITERAL_KEYS
    if unknown:
        raise ProgramError(f"unknown literal key(s) {sorted(map(str, unknown))}")
    value = raw["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProgramError(f"value must be a number, got {_show(value)}")
    percent = raw.get("percent", False)
    if not isinstance(percent, bool):
        raise ProgramError(f"percent must be true or false, got {_show(percent)}")
    kind = _kind(raw.get("kind"))
    if kind is Kind.PERCENT:
        kind, percent = Kind.NONE, True
    scale = _scale(raw.get("scale"))
    currency = raw.get("currency")
    if currency is not None and not isinstance(currency, str):
        raise ProgramError(f"currency must be a string like USD, got {_show(currency)}")
    return Literal(_finite(value), percent, kind, scale, currency)


def _kind(raw: object) -> Kind:
    if raw is None:
        return Kind.NONE
    if isinstance(raw, str) and raw in Kind._value2member_map_:
        return Kind(raw)
    raise ProgramError(f"kind: expected one of {', '.join(k.value for k in Kind)}, got {raw!r}")


def _scale(raw: object) -> Scale:
    if raw is None:
        return Scale.UNITS
    if isinstance(raw, str):
        try:
            return Scale.from_word(raw)
        except ValueError as exc:
            raise ProgramError(f"scale: {exc}") from None
    raise ProgramError(f"scale: expected units, thousands, millions or billions, got {raw!r}")


def _finite(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:
        raise ProgramError(f"number {str(value)[:30]}... is too large") from None


def _expected() -> str:
    return (
        '{"step": n}, {"const": "const_100"}, {"value": 5829}, {"ref": "<id>"}, {"row": "<name>"}'
    )


def _show(value: object) -> str:
    try:
        text = json.dumps(value, default=repr) if not isinstance(value, str) else repr(value)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _arg_json(arg: Arg) -> Any:
    if isinstance(arg, Literal):
        plain = not arg.percent and arg.kind is Kind.NONE and arg.scale is Scale.UNITS
        number: float | int = arg.value
        if arg.value.is_integer() and abs(arg.value) < 2**53:
            number = int(arg.value)
        if plain:
            return number
        out: dict[str, Any] = {"value": number}
        if arg.percent:
            out["percent"] = True
        if arg.kind is not Kind.NONE:
            out["kind"] = arg.kind.value
        if arg.scale is not Scale.UNITS:
            out["scale"] = arg.scale.name.lower()
        if arg.currency is not None:
            out["currency"] = arg.currency
        return out
    if isinstance(arg, StepRef):
        return {"step": arg.index}
    if isinstance(arg, Const):
        return {"const": arg.name}
    if isinstance(arg, Ref):
        return {"ref": arg.id}
    return {"row": arg.name}


def to_json(program: Program) -> dict[str, Any]:
    """The JSON form as Python data (``json.dumps`` it to send it)."""
    out: dict[str, Any] = {
        "steps": [{"op": s.op.value, "args": [_arg_json(a) for a in s.args]} for s in program.steps]
    }
    if program.answer_kind is not None:
        out["answer_kind"] = program.answer_kind.value
    return out


def to_json_text(program: Program) -> str:
    """The JSON form as compact text."""
    return json.dumps(to_json(program), separators=(",", ":"))


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def program_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the JSON form, for planners' structured output."""
    kinds = [k.value for k in Kind]
    scales = [s.name.lower() for s in Scale]
    literal = {
        "value": {"type": "number"},
        "percent": {"type": "boolean", "description": "the number is written in percent"},
        "kind": {"enum": kinds},
        "scale": {"enum": scales},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    }
    arg = {
        "anyOf": [
            {"type": "number", "description": "a plain number as written"},
            _object({"step": {"type": "integer", "minimum": 0}}, ["step"]),
            _object({"const": {"type": "string", "pattern": "^const_(m1|[0-9]+)$"}}, ["const"]),
            _object(literal, ["value"]),
            _object({"ref": {"type": "string", "pattern": f"^{REF_ID_PATTERN.pattern}$"}}, ["ref"]),
            _object({"row": {"type": "string", "minLength": 1}}, ["row"]),
        ]
    }
    step = _object(
        {
            "op": {"enum": [op.value for op in Op]},
            "args": {"type": "array", "items": {"$ref": "#/$defs/arg"}, "minItems": 1},
        },
        ["op", "args"],
    )
    schema = _object(
        {
            "steps": {
                "type": "array",
                "items": {"$ref": "#/$defs/step"},
                "minItems": 1,
                "maxItems": MAX_JSON_STEPS,
            },
            "answer_kind": {"enum": kinds},
        },
        ["steps"],
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "FinRAG DSL v2 program",
        **schema,
        "$defs": {"arg": arg, "step": step},
    }
