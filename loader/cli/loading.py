"""What ``load``, ``plan`` and ``seed`` do once their options are parsed. Typer's
commands (loader/cli/load_cmds.py) call these, and so does ``load-pack`` for a plain
command line (loader/cli/plain.py), which is why nothing here imports typer."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from loader.cli.common import (
    OutputFormat,
    TerminalProgress,
    exit_with,
    guarded,
    require_paths,
    say,
)
from loader.cli.render import print_report
from loader.errors import ExitCode
from loader.report import AbsentPolicy, Report

if TYPE_CHECKING:
    from loader import api


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


def _run(
    command: str,
    paths: list[Path],
    output: OutputFormat,
    verbose: int,
    detailed: bool,
    call: "Callable[[api.Progress], Report]",
    shown: int | None = None,
) -> None:
    """Check the paths, make the report with ``call`` (given the progress to show),
    print it (at verbosity ``shown``, else ``verbose``) and exit as it says: whatever
    stops the command is one clear error."""
    with guarded(command, output):
        require_paths(paths)
        with _progress(output, verbose) as progress:
            report = call(progress)
        print_report(report, output, verbose if shown is None else shown)
        if not report.ok:
            exit_with(report.exit_code)
        if detailed and not report.applied and report.pending:
            exit_with(ExitCode.CHANGES_PENDING)


def load(
    paths: list[Path],
    database_url: str | None = None,
    dry_run: bool = False,
    absent: AbsentPolicy = AbsentPolicy.REMOVE,
    detailed_exitcode: bool = False,
    lock_timeout: float = 30.0,
    no_cache: bool = False,
    strict: bool = False,
    output: OutputFormat = OutputFormat.TEXT,
    verbose: int = 0,
) -> None:
    from loader import api  # here, not at start-up: see loader/__init__.py

    _run("load", paths, output, verbose, detailed_exitcode, lambda progress: api.load_packs(
        paths, database_url=database_url, dry_run=dry_run, absent=absent,
        lock_timeout_s=lock_timeout, use_cache=not no_cache, strict=strict, progress=progress,
        pause_gc=True,
    ))  # fmt: skip


def plan(
    paths: list[Path],
    database_url: str | None,
    absent: AbsentPolicy,
    detailed_exitcode: bool,
    no_cache: bool,
    strict: bool,
    output: OutputFormat,
    verbose: int,
) -> None:
    from loader import api  # here, not at start-up: see loader/__init__.py

    # A plan lists each changed field (as -v does) even when not asked to.
    _run("plan", paths, output, verbose, detailed_exitcode, lambda progress: api.plan_packs(
        paths, database_url=database_url, absent=absent, use_cache=not no_cache,
        strict=strict, progress=progress, pause_gc=True,
    ), shown=max(verbose, 1))  # fmt: skip


def seed(
    packs: list[Path], database_url: str | None, strict: bool, output: OutputFormat, verbose: int
) -> None:
    from loader import api  # here, not at start-up: see loader/__init__.py

    _run("seed", packs, output, verbose, False, lambda progress: api.seed(
        packs, database_url=database_url, strict=strict, progress=progress, pause_gc=True
    ))  # fmt: skip
