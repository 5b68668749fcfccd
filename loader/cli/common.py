"""What every command does at the boundary: messages to stderr, errors to exit codes."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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
