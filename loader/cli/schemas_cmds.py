"""``attune-loader schemas``: the JSON Schemas of the pack format, for editors and CI."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from loader.cli import app
from loader.errors import ExitCode
from loader.kinds import KINDS, KINDS_BY_NAME
from loader.resources import SCHEMAS_DIR

schemas_app = typer.Typer(help="List or print the JSON Schemas packs are validated against.")
app.add_typer(schemas_app, name="schemas")


@schemas_app.callback(invoke_without_command=True)
def schemas_list(ctx: typer.Context) -> None:
    """List each kind with its folder, schema file and $id.

    Examples:

      attune-loader schemas

      attune-loader schemas show action > action.schema.json
    """
    if ctx.invoked_subcommand is not None:
        return
    for kind in KINDS:
        schema = json.loads((SCHEMAS_DIR / kind.schema).read_text())
        folder = f"{kind.folder}/" if kind.folder else "pack.yaml" if kind.name == "pack" else "-"
        typer.echo(f"{kind.name:<15} {folder:<17} {kind.schema:<28} {schema.get('$id', '')}")


@schemas_app.command("show")
def schemas_show(
    kind: Annotated[str, typer.Argument(help="A kind name, e.g. action, or 'defs'.")],
) -> None:
    """Print one schema as JSON."""
    name = "defs.schema.json" if kind == "defs" else None
    if name is None and kind in KINDS_BY_NAME:
        name = KINDS_BY_NAME[kind].schema
    if name is None:
        choices = ", ".join([*KINDS_BY_NAME, "defs"])
        typer.echo(f"error: unknown kind '{kind}' (choose from {choices})", err=True)
        raise typer.Exit(ExitCode.USAGE)
    typer.echo((SCHEMAS_DIR / name).read_text(), nl=False)
