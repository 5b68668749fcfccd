"""``load-pack`` / ``attune-loader load``, ``plan`` and ``seed``: their options and help;
what they do is in :mod:`loader.cli.loading`."""

from pathlib import Path
from typing import Annotated

import typer

from loader import CORE_PACK_DIR
from loader.cli import loading
from loader.cli.common import OutputFormat
from loader.cli.options import DatabaseUrl, Output, Paths, Strict, Verbose
from loader.cli.root import app
from loader.report import AbsentPolicy

Absent = Annotated[
    AbsentPolicy,
    typer.Option(
        "--absent",
        help="What to do with components this pack owns in the database but no longer "
        "declares: remove them, disable them (where the kind has 'enabled'), or retain them. "
        "A pack without a kind's folder keeps its rows of that kind.",
        case_sensitive=False,
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show the plan; write nothing.")]
Detailed = Annotated[
    bool,
    typer.Option(
        "--detailed-exitcode",
        help="With a plan or --dry-run: exit 3 when changes are pending, 0 when none.",
    ),
]
NoCache = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Check every file even when the packs and their rows are unchanged since "
        "the last load (also: ATTUNE_LOADER_NO_CACHE=1).",
    ),
]
LockTimeout = Annotated[
    float, typer.Option("--lock-timeout", help="Seconds to wait for another loader of these packs.")
]


@app.command("load")
def load(
    paths: Paths,
    database_url: DatabaseUrl = None,
    dry_run: DryRun = False,
    absent: Absent = AbsentPolicy.REMOVE,
    detailed_exitcode: Detailed = False,
    lock_timeout: LockTimeout = 30.0,
    no_cache: NoCache = False,
    strict: Strict = False,
    output: Output = OutputFormat.TEXT,
    verbose: Verbose = 0,
) -> None:
    """Validate packs, show what changes, and write it in one transaction.

    Unchanged components are not written at all; a second load of the same packs
    reports 0 changes. Any error (invalid file, conflict) writes nothing.

    Examples:

      load-pack packs/core

      load-pack packs/core ./my-pack --dry-run -v

      load-pack ./my-pack.tar.gz --output json --database-url postgresql://db/attune
    """
    loading.load(
        paths, database_url, dry_run, absent, detailed_exitcode, lock_timeout, no_cache,
        strict, output, verbose,
    )  # fmt: skip


@app.command("plan")
def plan(
    paths: Paths,
    database_url: DatabaseUrl = None,
    absent: Absent = AbsentPolicy.REMOVE,
    detailed_exitcode: Detailed = False,
    no_cache: NoCache = False,
    strict: Strict = False,
    output: Output = OutputFormat.TEXT,
    verbose: Verbose = 0,
) -> None:
    """Show what loading the packs would change; write nothing.

    Each component that changes is listed with each changed field as before -> after.

    Examples:

      attune-loader plan packs/core ./my-pack

      attune-loader plan ./my-pack --detailed-exitcode || echo "changes pending"
    """
    loading.plan(paths, database_url, absent, detailed_exitcode, no_cache, strict, output, verbose)


@app.command("seed")
def seed(
    packs: Annotated[
        list[Path] | None,
        typer.Option(
            "--packs",
            metavar="DIR...",
            help="Packs to load after migrating: --packs a b, or --packs a --packs b.",
            show_default="the core pack",
        ),
    ] = None,
    # click options take one value each: the directories after the first --packs value
    # arrive as arguments, so that `seed --packs a b` works as the README writes it.
    more_packs: Annotated[
        list[Path] | None, typer.Argument(metavar="DIR...", hidden=True, show_default=False)
    ] = None,
    database_url: DatabaseUrl = None,
    strict: Strict = False,
    output: Output = OutputFormat.TEXT,
    verbose: Verbose = 0,
) -> None:
    """Migrate the database, then load the packs: the one post-migration CI step.

    Idempotent: run it after every deploy.

    Example:

      DATABASE_URL=postgresql://ci@localhost/attune attune-loader seed

      attune-loader seed --packs packs/core ./my-pack ./other-pack
    """
    chosen = [*(packs or []), *(more_packs or [])] or [CORE_PACK_DIR]
    loading.seed(chosen, database_url, strict, output, verbose)


load_pack_app = typer.Typer(
    rich_markup_mode=None, add_completion=False, pretty_exceptions_enable=False
)
load_pack_app.command(name="load-pack")(load)
