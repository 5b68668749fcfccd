"""Options shared by several commands, declared once."""

from pathlib import Path
from typing import Annotated

import typer

from loader.cli.common import OutputFormat

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="PostgreSQL URL. Default: $DATABASE_URL, else libpq PG* variables, "
        "else the embedded local cluster.",
        show_default=False,
    ),
]

Output = Annotated[
    OutputFormat,
    typer.Option(
        "--output",
        "-o",
        help="text for people, json for programs (stable, versioned), "
        "github for workflow annotations.",
        case_sensitive=False,
    ),
]

Verbose = Annotated[
    int,
    typer.Option("--verbose", "-v", count=True, help="Show details and notes; repeat for more."),
]

Strict = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Fail on warnings too (exit 1, nothing written); notes never fail.",
    ),
]

Paths = Annotated[
    list[Path],
    typer.Argument(
        help="Pack directories or .tar.gz / .zip archives.", metavar="PATH...", show_default=False
    ),
]
