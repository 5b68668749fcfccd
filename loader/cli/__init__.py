"""Console scripts: ``attune-loader`` (all commands) and ``load-pack`` (the main job).

Each command parses its options, calls one library function and turns the result
into output and an exit code; no SQL or YAML handling lives here.

The modules of this package evaluate their annotations (no ``from __future__ import
annotations``): typer reads every command's signature on every start, and resolving
them from strings took twice as long, 10 ms of a 0.25 s no-op load
(docs/performance.md).
"""

from typing import Annotated

import typer

from loader import __version__

app = typer.Typer(
    rich_markup_mode=None,
    name="attune-loader",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"attune-loader {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Migrate the Attune schema and validate, plan and load packs.

    Every command's --help has examples; --install-completion adds shell completion.

    Examples:

      attune-loader validate packs/core ./my-pack

      attune-loader seed --database-url postgresql://ci@localhost/attune

      attune-loader --install-completion
    """


# Command modules register themselves on ``app`` when imported.
from loader.cli import (  # noqa: E402,F401
    db_cmds,
    load_cmds,
    migrate_cmds,
    pack_cmds,
    schemas_cmds,
    serve_cmds,
)
from loader.cli.common import interrupt_on_sigterm  # noqa: E402


def main() -> None:
    interrupt_on_sigterm()
    # The same name in usage lines whether run as attune-loader or python -m loader.
    app(prog_name="attune-loader")


def load_pack_main() -> None:
    from loader.cli.load_cmds import load_pack_app

    interrupt_on_sigterm()
    load_pack_app()
