"""``finrag dsl ...`` commands and ``finrag demo``.

* ``finrag dsl check FILES... [--json]``: reproduce FinQA gold programs and TAT-QA arithmetic
  derivations (files sniffed by content) and report counts and failures.
* ``finrag dsl run PROGRAM``: parse (string or JSON form), execute and explain one program.
* ``finrag dsl schema``: print the JSON Schema of the JSON form.
* ``finrag demo``: parse and run two programs, one showing the unit guard.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from finrag.dsl.context import ExecutionContext, SourcedQuantity
from finrag.dsl.executor import Result, execute
from finrag.dsl.format import explain, format_result
from finrag.dsl.jsonform import parse_json, program_json_schema, to_json_text
from finrag.dsl.parser import parse_program
from finrag.dsl.printer import to_string
from finrag.dsl.units import Kind, Quantity, Scale
from finrag.errors import DSLError, EvaluationError

__all__ = ["demo", "dsl_app"]

dsl_app = typer.Typer(
    help="The arithmetic DSL: check datasets, run programs.", no_args_is_help=True
)


@dsl_app.command("check")
def check(
    files: list[Path] = typer.Argument(..., help="FinQA and/or TAT-QA JSON files."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Reproduce gold answers: FinQA gold programs and TAT-QA arithmetic derivations."""
    from finrag.dsl.check import check_paths

    try:
        report = check_paths(files)
    except EvaluationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(report.as_json(), default=str))
        return
    console = Console()
    for dataset in ("finqa", "tatqa"):
        total = report.total(dataset)
        if total:
            done = report.reproduced(dataset)
            console.print(f"{dataset}: {done}/{total} reproduced ({100 * done / total:.1f}%)")
    if report.failures:
        table = Table(title="Failures", show_lines=False)
        for column in ("dataset", "id", "program", "expected", "got", "reason"):
            table.add_column(column, overflow="fold")
        for o in report.failures:
            cells = (o.dataset, o.item_id, o.program, str(o.expected), str(o.got), o.reason)
            table.add_row(*(escape(c) for c in cells))
        console.print(table)


@dsl_app.command("run")
def run(
    program: str = typer.Argument(..., help="A program in the string or JSON form."),
) -> None:
    """Parse, execute and explain one program (no references: literals and constants)."""
    try:
        parsed = parse_json(program) if program.lstrip().startswith("{") else parse_program(program)
        result = execute(parsed)
    except DSLError as exc:
        typer.echo(f"{type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from None
    _show(Console(highlight=False), to_string(parsed), result)


@dsl_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the JSON form."""
    typer.echo(json.dumps(program_json_schema(), indent=2))


def _show(console: Console, program: str, result: Result) -> None:
    lines = (
        f"  program:     {program}",
        f"  value:       {result.value!r} ({result.answer_kind.value})",
        f"  display:     {format_result(result)}",
        f"  calculation: {explain(result)}",
    )
    for line in lines:
        console.print(escape(line), soft_wrap=True)


def _demo_context() -> ExecutionContext:
    revenue = Quantity(4.2, Kind.MONEY, Scale.MILLIONS, "USD")
    cost = Quantity(1_350.0, Kind.MONEY, Scale.THOUSANDS, "USD")
    return ExecutionContext(
        refs={
            "d0demo:t0:r1:c1": SourcedQuantity(revenue, "d0demo:t0:r1:c1", "4.2", "revenue 2023"),
            "d0demo:t1:r4:c1": SourcedQuantity(cost, "d0demo:t1:r4:c1", "1,350", "cost 2023"),
        }
    )


_DEMO_JSON = {
    "steps": [
        {"op": "subtract", "args": [{"ref": "d0demo:t0:r1:c1"}, {"ref": "d0demo:t1:r4:c1"}]},
        {"op": "divide", "args": [{"step": 0}, {"ref": "d0demo:t0:r1:c1"}]},
    ],
    "answer_kind": "percent",
}


def demo() -> None:
    """Parse and run two programs: FinQA's string form, and the JSON form with references."""
    console = Console(highlight=False)
    text = "subtract(5829, 5735), divide(#0, 5735)"
    console.print("[bold]1. FinQA string form[/bold] (percent change)")
    _show(console, text, execute(parse_program(text, Kind.PERCENT)))
    console.print()
    console.print("[bold]2. JSON form with evidence references[/bold] (operating margin)")
    console.print("  revenue is stated in millions, cost in thousands: the unit guard rescales")
    program = parse_json(_DEMO_JSON)
    result = execute(program, _demo_context())
    _show(console, to_json_text(program), result)
    for operand in result.trace[0].operands:
        source = operand.source
        if source is not None and operand.rescaled_from is not None:
            console.print(
                f"  rescaled:    @{source.source_id} ({source.label}) "
                f"{operand.rescaled_from.word} -> {operand.quantity.scale.word}",
                soft_wrap=True,
            )
