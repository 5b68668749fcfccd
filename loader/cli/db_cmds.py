"""``attune-loader db status|stop|url``: manage the embedded default database."""

import sys

import typer

from loader.cli.common import guarded
from loader.cli.root import app

db_app = typer.Typer(rich_markup_mode=None, no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.callback()
def db() -> None:
    """Manage the embedded default database (a local cluster in a state directory).

    With no database configured, every command uses this cluster, created, started
    and migrated on first use.

    Examples:

      attune-loader db status

      psql "$(attune-loader db url)"

      attune-loader db stop
    """


@db_app.command("status")
def db_status() -> None:
    """Say where the embedded cluster lives and whether it runs.

    It starts nothing: a stopped cluster stays stopped.

    Example:

      ATTUNE_LOADER_STATE_DIR=/srv/attune-loader attune-loader db status
    """
    from loader import api  # here, not at start-up: see loader/__init__.py
    from loader.report.database import write_cluster_state

    with guarded("db status"):
        write_cluster_state(api.embedded_status(), sys.stdout)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded cluster (its data stays; the next command starts it again).

    Say "not running" when there is nothing to stop.

    Example:

      attune-loader db stop
    """
    from loader import api  # here, not at start-up: see loader/__init__.py

    with guarded("db stop"):
        typer.echo("stopped" if api.stop_embedded() else "not running")


@db_app.command("url")
def db_url() -> None:
    """Print the embedded database's URL, starting the cluster if needed.

    The cluster listens only on a Unix socket inside its state directory.

    Example:

      psql "$(attune-loader db url)"
    """
    from loader import api  # here, not at start-up: see loader/__init__.py

    with guarded("db url"):
        typer.echo(api.embedded_url())
