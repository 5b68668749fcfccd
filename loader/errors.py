"""Failures that stop a run (settings, connection, lock, ledger). Problems inside a
pack are not exceptions: they are :class:`loader.report.diagnostics.Diagnostic` values."""

from __future__ import annotations


class LoaderError(Exception):
    """Base of every error the CLI turns into a message and an exit code."""

    exit_code = 4  # ExitCode.DATABASE unless a subclass says otherwise

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class SettingsError(LoaderError):
    exit_code = 2


class DatabaseError(LoaderError):
    exit_code = 4


class LockTimeout(LoaderError):
    exit_code = 6


class MigrationError(LoaderError):
    """The ledger and the migration files disagree, or a migration failed."""

    exit_code = 4


class EmbeddedError(LoaderError):
    """The embedded PostgreSQL cluster could not be created or started."""

    exit_code = 4
