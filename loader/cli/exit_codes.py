"""Exit codes of both console scripts; the README table is checked against this enum."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # success; with --detailed-exitcode: nothing to change
    INVALID = 1  # a pack (or migration file) is invalid; nothing was written
    USAGE = 2  # bad command line or settings
    CHANGES_PENDING = 3  # plan/--dry-run with --detailed-exitcode: changes would be made
    DATABASE = 4  # the database refused, failed or could not be reached
    CONFLICT = 5  # a component belongs to another pack or to an operator
    LOCK_TIMEOUT = 6  # another loader or migrator held the lock too long
