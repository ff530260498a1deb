"""The FinRAG arithmetic DSL v2.

Two surface forms (the FinQA string form and the JSON form planners emit) parse into one typed
AST (:mod:`finrag.dsl.ast`); a pure executor with a unit guard runs it and returns a traced
:class:`Result`; :mod:`finrag.dsl.format` renders results for people; :mod:`finrag.dsl.metrics`
holds the official FinQA metrics. See docs/dsl.md.
"""

from finrag.dsl.ast import Arg, Const, Literal, Op, Program, Ref, RowName, Step, StepRef
from finrag.dsl.context import ExecutionContext, SourcedQuantity
from finrag.dsl.executor import Limits, Operand, Result, StepTrace, execute
from finrag.dsl.jsonform import parse_json, program_json_schema, to_json, to_json_text
from finrag.dsl.parser import parse_program
from finrag.dsl.printer import to_string
from finrag.dsl.units import Kind, Quantity, Scale

__all__ = [
    "Arg",
    "Const",
    "ExecutionContext",
    "Kind",
    "Limits",
    "Literal",
    "Op",
    "Operand",
    "Program",
    "Quantity",
    "Ref",
    "Result",
    "RowName",
    "Scale",
    "SourcedQuantity",
    "Step",
    "StepRef",
    "StepTrace",
    "execute",
    "parse_json",
    "parse_program",
    "program_json_schema",
    "to_json",
    "to_json_text",
    "to_string",
]
