"""``python -m finrag.service serve|worker|audit|prompts|keys``: the service commands standalone.

The same Typer commands ``finrag`` registers; handy in containers and benchmarks.
"""

from __future__ import annotations

import typer

from finrag.service.cli import audit_app, keys_app, prompts_app, serve, worker

__all__ = ["app"]

app = typer.Typer(name="finrag-service", no_args_is_help=True, add_completion=False)
app.command("serve")(serve)
app.command("worker")(worker)
app.add_typer(audit_app, name="audit")
app.add_typer(prompts_app, name="prompts")
app.add_typer(keys_app, name="keys")

if __name__ == "__main__":
    app()
