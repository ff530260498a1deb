"""The ``finrag`` command.

Each stage keeps its commands in its own ``cli`` module and registers here, so this file stays a
table of contents. Commands import their stage lazily to keep ``finrag --help`` fast.
"""

from __future__ import annotations

import typer

from finrag import __version__

app = typer.Typer(
    name="finrag",
    help="Numeric question answering over financial reports, with auditable programs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"finrag {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """FinRAG command line."""


def _register() -> None:
    from finrag.demo.cli import demo
    from finrag.dsl.cli import demo as dsl_demo
    from finrag.dsl.cli import dsl_app

    dsl_app.command("demo")(dsl_demo)
    app.add_typer(dsl_app, name="dsl")
    app.command("demo")(demo)

    from finrag.documents.cli import ingest

    app.command("ingest")(ingest)

    from finrag.answering.cli import ask, schema

    app.command("ask")(ask)
    app.command("schema")(schema)

    from finrag.evaluation.cli import eval_app
    from finrag.evaluation.qa_cli import qa

    eval_app.command("qa")(qa)
    app.add_typer(eval_app, name="eval")

    from finrag.planning.offline.cli import offline
    from finrag.retrieval.cli import train_app

    train_app.command("offline")(offline)
    app.add_typer(train_app, name="train")

    from finrag.service.cli import audit_app, keys_app, prompts_app, serve, worker

    app.command("serve")(serve)
    app.command("worker")(worker)
    app.add_typer(audit_app, name="audit")
    app.add_typer(prompts_app, name="prompts")
    app.add_typer(keys_app, name="keys")


_register()

if __name__ == "__main__":  # pragma: no cover
    app()
