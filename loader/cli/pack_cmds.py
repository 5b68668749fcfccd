"""``attune-loader validate``: check packs without a database."""

from typing import Annotated

import typer

from loader.cli.common import OutputFormat, exit_with, guarded, require_paths
from loader.cli.options import Output, Paths, Strict, Verbose
from loader.cli.render import print_report
from loader.cli.root import app
from loader.errors import ExitCode


@app.command("validate")
def validate(
    paths: Paths,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="The PATHs are files a commit changes (as pre-commit passes them): "
            "validate the packs that hold them, with the installed core pack unless "
            "one of them is core.",
        ),
    ] = False,
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

      attune-loader validate --changed $(git diff --name-only --cached)
    """
    from loader import api  # here, not at start-up: see loader/__init__.py

    with guarded("validate", output):
        require_paths(paths)
        if changed:
            paths = api.packs_holding(paths)
            if not paths:  # the commit touches no pack
                exit_with(ExitCode.OK)
        report = api.validate_packs(paths, strict=strict, pause_gc=True)
        print_report(report, output, verbose)
        exit_with(report.exit_code)
