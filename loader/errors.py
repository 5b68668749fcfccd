"""Failures that stop a run (connection, lock, ledger, embedded cluster), and the exit
codes of both console scripts. Problems inside a pack are not exceptions: they are
:class:`loader.report.diagnostics.Diagnostic` values."""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """Exit codes of both console scripts (the README lists them)."""

    OK = 0  # success; with --detailed-exitcode: nothing to change
    INVALID = 1  # a pack (or migration file) is invalid; nothing was written
    USAGE = 2  # bad command line or settings
    CHANGES_PENDING = 3  # plan/--dry-run with --detailed-exitcode: changes would be made
    DATABASE = 4  # the database refused, failed or could not be reached
    CONFLICT = 5  # a component belongs to another pack or to an operator
    LOCK_TIMEOUT = 6  # another loader or migrator held the lock too long


class LoaderError(Exception):
    """Base of every error the CLI turns into a message and its :attr:`exit_code`."""

    exit_code: ClassVar[ExitCode] = ExitCode.DATABASE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class DatabaseError(LoaderError):
    """The database could not be reached, or refused or failed a statement."""


class LockTimeout(LoaderError):
    """Another loader or migrator held the lock for longer than the timeout."""

    exit_code = ExitCode.LOCK_TIMEOUT


class MigrationError(LoaderError):
    """The ledger and the migration files disagree, or a migration failed."""


class EmbeddedError(LoaderError):
    """The embedded PostgreSQL cluster could not be created or started."""
