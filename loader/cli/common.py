"""What every command does at the boundary: messages to stderr, errors to exit codes.

Nothing here imports typer: ``load-pack`` runs these without it (loader/cli/plain.py).
"""

import json
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from types import FrameType

from loader.errors import ExitCode, LoaderError, SettingsError, redact
from loader.report.report import Failure


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


def echo(message: str, err: bool = False) -> None:
    """One line on stdout (or stderr), flushed, as typer's echo writes it."""
    stream = sys.stderr if err else sys.stdout
    stream.write(message + "\n")
    stream.flush()


def say(message: str) -> None:
    """Progress for people, on stderr, so stdout stays machine-readable."""
    echo(message, err=True)


class TerminalProgress:
    """Progress on a terminal: a message that repeats the previous one's first word
    (``validating [###...] 3/9 packs``) redraws that line instead of adding one."""

    def __init__(self) -> None:
        self.last_word = ""

    def __call__(self, message: str) -> None:
        word = message.split(" ", 1)[0]
        redraw = word == self.last_word and "/" in message
        prefix = "\r" if redraw else ("\n" if self.last_word else "")
        sys.stderr.write(f"{prefix}{message}\x1b[K")
        sys.stderr.flush()
        self.last_word = word

    def close(self) -> None:
        if self.last_word:
            sys.stderr.write("\n")
            sys.stderr.flush()


@contextmanager
def guarded(command: str, output: OutputFormat = OutputFormat.TEXT) -> Iterator[None]:
    """Whatever stops ``command``, one clear error and its exit code, never a
    traceback: a LoaderError, an interrupt, or a bug (whose traceback
    ``ATTUNE_LOADER_DEBUG=1`` shows). ``--output json`` still prints a report, with
    ``ok: false`` and the ``error``; ``--output github`` an ``::error`` annotation."""
    try:
        yield
    except LoaderError as exc:
        _fail(command, output, Failure(exc.code, str(exc), exc.hint), exc.exit_code)
    except KeyboardInterrupt:
        message = "interrupted: nothing was committed by the interrupted step"
        _fail(command, output, Failure("interrupted", message), ExitCode.INTERRUPTED)
    except Exception as exc:
        if os.environ.get("ATTUNE_LOADER_DEBUG"):
            raise
        bug = Failure(
            "internal",
            f"internal error: {type(exc).__name__}: {exc}",
            "this is a bug in attune-loader: rerun with ATTUNE_LOADER_DEBUG=1 to see where, "
            "and report it",
        )
        _fail(command, output, bug, ExitCode.INTERNAL)


def _fail(command: str, output: OutputFormat, failure: Failure, code: ExitCode) -> None:
    # Only a failure needs its reporters: not imported at start-up.
    from loader.report.database import failure_json
    from loader.report.github import github_failure

    failure = Failure(failure.code, redact(failure.message), redact(failure.hint or "") or None)
    echo(f"error: {failure.message}", err=True)
    if failure.hint:
        echo(f"hint: {failure.hint}", err=True)
    if output is OutputFormat.JSON:
        echo(json.dumps(failure_json(command, failure), indent=2))
    elif output is OutputFormat.GITHUB:
        echo(github_failure(failure))
    raise SystemExit(int(code)) from None


def interrupt_on_sigterm() -> None:
    """Make SIGTERM stop a command the way Ctrl-C does, so that its transaction rolls
    back and its scratch directory is removed instead of the process just vanishing."""

    def _interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)


def exit_with(code: ExitCode) -> None:
    sys.stdout.flush()
    raise SystemExit(int(code))


def require_paths(paths: Iterable[Path]) -> None:
    """A path that does not exist is the same usage error (exit 2) for every command
    that takes packs, before any database is touched (inside :func:`guarded`, which
    prints it as every other failure)."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise SettingsError(
            "; ".join(f"{path}: no such file or directory" for path in missing),
            "give the path of a pack directory (the folder holding pack.yaml) or archive",
            code="usage.missing-path",
        )
