"""What every command does at the boundary: messages to stderr, errors to exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from loader.cli.exit_codes import ExitCode
from loader.errors import LoaderError


def say(message: str) -> None:
    """Progress for people, on stderr, so stdout stays machine-readable."""
    typer.echo(message, err=True)


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


def exit_with(code: ExitCode) -> None:
    sys.stdout.flush()
    raise typer.Exit(int(code))
