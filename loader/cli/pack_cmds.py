"""``attune-loader validate``: check packs without a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loader import api
from loader.cli import app
from loader.cli.common import exit_with, guarded
from loader.cli.options import Output, OutputFormat, Strict, Verbose
from loader.cli.render import print_report
from loader.errors import ExitCode


@app.command("validate")
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Pack directories or .tar.gz / .zip archives.", show_default=False),
    ],
    strict: Strict = False,
    output: Output = OutputFormat.TEXT,
    verbose: Verbose = 0,
) -> None:
    """Check packs without a database: every file, every problem, each at file:line:col.

    Each YAML file is parsed safely, checked against its kind's JSON Schema, and
    checked for refs, duplicates, references between components, parameter schemas
    and the files that components name. References must resolve among the packs
    given; references to core components of kinds that no given core pack has a
    folder for resolve from the packaged core pack (a note says so, shown with -v).

    Exit status: 0 valid (warnings allowed, unless --strict), 1 invalid, 2 a path does
    not exist.

    Examples:

      attune-loader validate packs/core

      attune-loader validate packs/core ./my-pack

      attune-loader validate ./my-pack --output json > report.json

      attune-loader validate ./my-pack --output github
    """
    missing = [p for p in paths if not p.exists()]
    if missing:
        for path in missing:
            typer.echo(f"error: {path}: no such file or directory", err=True)
        typer.echo(
            "hint: give the path of a pack directory (the folder holding pack.yaml)", err=True
        )
        exit_with(ExitCode.USAGE)
    with guarded("validate", output):
        report = api.validate_packs(paths, strict=strict, pause_gc=True)
        print_report(report, output, verbose)
        exit_with(report.exit_code)
