"""``attune-loader schemas``: the JSON Schemas of the pack format, for editors and CI."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from loader.cli.root import app
from loader.errors import ExitCode
from loader.report.schemas import SCHEMA_NAMES, export_schemas, schema_text, write_schema_list

schemas_app = typer.Typer(
    rich_markup_mode=None,
)
app.add_typer(schemas_app, name="schemas")


@schemas_app.callback(invoke_without_command=True)
def schemas_list(ctx: typer.Context) -> None:
    """List or print the JSON Schemas packs are validated against.

    With no command: list each kind with its folder, schema file and $id.

    Examples:

      attune-loader schemas

      attune-loader schemas show action > action.schema.json
    """
    if ctx.invoked_subcommand is not None:
        return
    write_schema_list(sys.stdout)


@schemas_app.command("show")
def schemas_show(
    kind: Annotated[
        str, typer.Argument(help="A kind name, e.g. action, or 'defs'.", metavar="KIND")
    ],
) -> None:
    """Print one schema as JSON.

    KIND is a kind as listed by `attune-loader schemas`, or defs for the shared
    definitions.

    Examples:

      attune-loader schemas show action

      attune-loader schemas show defs > defs.schema.json
    """
    text = schema_text(kind)
    if text is None:
        choices = ", ".join(SCHEMA_NAMES)
        typer.echo(f"error: unknown kind '{kind}' (choose from {choices})", err=True)
        raise typer.Exit(ExitCode.USAGE)
    typer.echo(text, nl=False)


@schemas_app.command("export")
def schemas_export(
    directory: Annotated[
        Path, typer.Argument(help="Where to write the schemas (made if missing).", metavar="DIR")
    ],
) -> None:
    """Write every kind's schema into DIR, each one file whose $refs resolve offline.

    The shared definitions are copied into each schema, so editors and validators
    such as check-jsonschema need neither the network nor a --base-uri
    (docs/editor-setup.md).

    Examples:

      attune-loader schemas export .schemas

      check-jsonschema --schemafile .schemas/action.schema.json my-pack/actions/*.yaml
    """
    for path in export_schemas(directory):
        typer.echo(str(path))
