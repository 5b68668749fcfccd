"""What every command does at the boundary: messages to stderr, errors to exit codes."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import typer

from loader.errors import ExitCode, LoaderError


def say(message: str) -> None:
    """Progress for people, on stderr, so stdout stays machine-readable."""
    typer.echo(message, err=True)


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
def guarded() -> Iterator[None]:
    """Turn a LoaderError into its message, hint and exit code; never a traceback."""
    try:
        yield
    except LoaderError as exc:
        typer.echo(f"error: {exc}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing was committed by the interrupted step", err=True)
        raise typer.Exit(130) from None


def interrupt_on_sigterm() -> None:
    """Make SIGTERM stop a command the way Ctrl-C does, so that its transaction rolls
    back and its scratch directory is removed instead of the process just vanishing."""

    def _interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)


def exit_with(code: ExitCode) -> None:
    sys.stdout.flush()
    raise typer.Exit(int(code))


def require_paths(paths: Iterable[Path]) -> None:
    """A path that does not exist is the same usage error (exit 2) for every command
    that takes packs, before any database is touched."""
    missing = [p for p in paths if not p.exists()]
    if not missing:
        return
    for path in missing:
        typer.echo(f"error: {path}: no such file or directory", err=True)
    typer.echo("hint: give the path of a pack directory (the folder holding pack.yaml)", err=True)
    exit_with(ExitCode.USAGE)
