"""Failures that stop a run (settings, connection, lock, ledger, embedded cluster), and
the exit codes of both console scripts. Problems inside a pack are not exceptions:
they are :class:`loader.report.diagnostics.Diagnostic` values.

Every message a failure carries may end up on a terminal, in a CI log or in a JSON
report, so no message may hold a password: :func:`redact` is applied where messages
are built from a connection string, and once more where they are printed.
"""

from __future__ import annotations

import os
import re
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
    INTERNAL = 70  # a bug in the loader (sysexits' EX_SOFTWARE); reported without a traceback
    INTERRUPTED = 130  # SIGINT or SIGTERM; the interrupted transaction rolled back


class LoaderError(Exception):
    """Base of every error the CLI turns into a message, its :attr:`code` (stable, in
    the JSON report's ``error`` object) and its :attr:`exit_code`."""

    exit_code: ClassVar[ExitCode] = ExitCode.DATABASE
    code: str = "database.failed"

    def __init__(self, message: str, hint: str | None = None, *, code: str | None = None) -> None:
        super().__init__(redact(message))
        self.hint = redact(hint) if hint else None
        if code:
            self.code = code


class SettingsError(LoaderError):
    """The settings name no usable database (a malformed or foreign URL)."""

    exit_code = ExitCode.USAGE
    code = "settings.invalid"


class DatabaseError(LoaderError):
    """The database could not be reached, or refused or failed a statement."""


class LockTimeout(LoaderError):
    """Another loader or migrator held the lock for longer than the timeout."""

    exit_code = ExitCode.LOCK_TIMEOUT
    code = "lock.timeout"


class MigrationError(LoaderError):
    """The ledger and the migration files disagree, or a migration failed."""

    code = "migration.failed"


class EmbeddedError(LoaderError):
    """The embedded PostgreSQL cluster could not be created or started."""

    code = "embedded.failed"


MASK = "****"
# user:password@ in a URL (up to the last @ before the host), and password=... or
# password: ... in a key/value connection string or a query parameter.
_PASSWORDS = (
    re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)(?P<secret>[^\s]*)(?=@)", re.I),
    re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^\s&'\"]+)", re.I),
)


def passwords_in(text: str) -> list[str]:
    """The passwords written in ``text``: of URLs, and of ``password=`` settings."""
    return [m["secret"] for pattern in _PASSWORDS for m in pattern.finditer(text)]


def redact(text: str) -> str:
    """``text`` with every password it may hold replaced by ``****``: the password of
    any URL or ``password=`` setting in it, and the value of ``PGPASSWORD``."""
    for pattern in _PASSWORDS:
        text = pattern.sub(lambda m: m["head"] + MASK, text)
    secret = os.environ.get("PGPASSWORD")
    if secret and len(secret) >= 4:
        text = text.replace(secret, MASK)
    return text
