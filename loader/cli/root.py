"""The ``attune-loader`` group: its options and help. Command modules add their commands
to :data:`app` when imported; :mod:`loader.cli.commands` imports them all."""

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
