"""``attune-loader db status|stop|url``: manage the embedded default database."""

from __future__ import annotations

import typer

from loader.cli import app
from loader.cli.common import guarded
from loader.database.embedded import Cluster

db_app = typer.Typer(
    help="Manage the embedded default database (a local cluster in a state directory).",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


@db_app.command("status")
def db_status() -> None:
    """Say where the embedded cluster lives and whether it runs."""
    with guarded():
        state = Cluster().status()
    typer.echo(f"state directory: {state.root}")
    typer.echo(f"initialised: {'yes' if state.initialised else 'no'}")
    typer.echo(f"running: {'yes' if state.running else 'no'}")
    if state.url:
        typer.echo(f"url: {state.url}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded cluster (its data stays; the next command starts it again)."""
    with guarded():
        stopped = Cluster().stop()
    typer.echo("stopped" if stopped else "not running")


@db_app.command("url")
def db_url() -> None:
    """Print the embedded database's URL, starting the cluster if needed.

    Example:

      psql "$(attune-loader db url)"
    """
    with guarded():
        typer.echo(Cluster().ensure_started())
