"""``attune-loader db status|stop|url``: manage the embedded default database."""

from __future__ import annotations

import sys

import typer

from loader import api
from loader.cli import app
from loader.cli.common import guarded
from loader.report.database import write_cluster_state

db_app = typer.Typer(
    help="Manage the embedded default database (a local cluster in a state directory).",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


@db_app.command("status")
def db_status() -> None:
    """Say where the embedded cluster lives and whether it runs."""
    with guarded("db status"):
        write_cluster_state(api.embedded_status(), sys.stdout)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded cluster (its data stays; the next command starts it again)."""
    with guarded("db stop"):
        typer.echo("stopped" if api.stop_embedded() else "not running")


@db_app.command("url")
def db_url() -> None:
    """Print the embedded database's URL, starting the cluster if needed.

    Example:

      psql "$(attune-loader db url)"
    """
    with guarded("db url"):
        typer.echo(api.embedded_url())
