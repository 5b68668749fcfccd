"""Console scripts: ``attune-loader`` (all commands) and ``load-pack`` (the main job).

Each command parses its options, calls one library function and turns the result
into output and an exit code; no SQL or YAML handling lives here.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="attune-loader",
    help="Migrate the Attune schema and validate, plan and load packs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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
    app()


def load_pack_main() -> None:
    from loader.cli.load_cmds import load_pack_app

    interrupt_on_sigterm()
    load_pack_app()
