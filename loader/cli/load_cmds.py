"""``load-pack`` / ``attune-loader load``, ``plan`` and ``seed``."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loader import CORE_PACK_DIR
from loader.cli.common import TerminalProgress, exit_with, guarded, require_paths, say
from loader.cli.options import DatabaseUrl, Output, OutputFormat, Paths, Strict, Verbose
from loader.cli.render import print_report
from loader.cli.root import app
from loader.errors import ExitCode
from loader.report import AbsentPolicy, Report

if TYPE_CHECKING:
    from loader import api

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


@contextmanager
def _progress(output: OutputFormat, verbose: int) -> "Iterator[api.Progress]":
    """Progress on stderr for people: a redrawn bar at a terminal, plain lines with -v,
    nothing for programs."""
    if output is not OutputFormat.TEXT:
        yield lambda _: None
    elif sys.stderr.isatty():
        bar = TerminalProgress()
        try:
            yield bar
        finally:
            bar.close()
    else:
        yield say if verbose else (lambda _: None)


def _finish(report: Report, output: OutputFormat, verbose: int, detailed: bool) -> None:
    print_report(report, output, verbose)
    if not report.ok:
        exit_with(report.exit_code)
    if detailed and not report.applied and report.pending:
        exit_with(ExitCode.CHANGES_PENDING)


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
    from loader import api  # here, not at start-up: see loader/__init__.py

    with guarded("load", output):
        require_paths(paths)
        with _progress(output, verbose) as progress:
            report = api.load_packs(
                paths, database_url=database_url, dry_run=dry_run, absent=absent,
                lock_timeout_s=lock_timeout, use_cache=not no_cache, strict=strict,
                progress=progress, pause_gc=True,
            )  # fmt: skip
        _finish(report, output, verbose, detailed_exitcode)


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
    from loader import api  # here, not at start-up: see loader/__init__.py

    with guarded("plan", output):
        require_paths(paths)
        with _progress(output, verbose) as progress:
            report = api.plan_packs(
                paths, database_url=database_url, absent=absent, use_cache=not no_cache,
                strict=strict, progress=progress, pause_gc=True,
            )  # fmt: skip
        _finish(report, output, max(verbose, 1), detailed_exitcode)


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
    from loader import api  # here, not at start-up: see loader/__init__.py

    chosen = [*(packs or []), *(more_packs or [])] or [CORE_PACK_DIR]
    with guarded("seed", output):
        require_paths(chosen)
        with _progress(output, verbose) as progress:
            report = api.seed(
                chosen, database_url=database_url, strict=strict, progress=progress,
                pause_gc=True,
            )  # fmt: skip
        _finish(report, output, verbose, False)


load_pack_app = typer.Typer(
    rich_markup_mode=None, add_completion=False, pretty_exceptions_enable=False
)
load_pack_app.command(name="load-pack")(load)
