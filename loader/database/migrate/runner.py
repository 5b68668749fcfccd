"""Apply pending migrations under an advisory lock, each with its ledger row.

The lock key is the one sqlx computes for the database, so this runner and Attune's
Rust services never migrate the same database at the same time.

Each file runs in a transaction of its own that first takes the lock as a
*transaction* lock and reads the ledger again: a file another migrator applied
meanwhile is skipped. So every file is applied exactly once even through a pooler in
transaction mode (PgBouncer), where consecutive statements of one connection may run
on different server sessions and a session lock would neither hold nor be released.
A file marked ``-- no-transaction`` cannot work that way: it takes a session lock and
needs a direct connection or session pooling.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

import psycopg

from loader.database.conn import Conn
from loader.database.connect import connect, failure
from loader.database.migrate import files, ledger
from loader.database.migrate.files import MigrationFile
from loader.database.migrate.ledger import AppliedMigration
from loader.errors import LockTimeout, MigrationError
from loader.kinds import KINDS
from loader.resources import MIGRATIONS_DIR

_SQLX_LOCK_SALT = 0x3D32AD9E  # sqlx multiplies the CRC-32 of the database name by this
_POLL_INTERVAL_S = 0.1


class State(StrEnum):
    APPLIED = "applied"
    PENDING = "pending"
    MODIFIED = "modified"
    MISSING = "missing"
    FAILED = "failed"


class MigrationStatus(NamedTuple):
    version: int
    description: str
    state: State
    file: MigrationFile | None
    row: AppliedMigration | None


class MigrateResult(NamedTuple):
    applied: list[MigrationFile]
    pending: list[MigrationFile]  # what a dry run would apply
    elapsed_s: float
    dry_run: bool
    notices: tuple[Notice, ...] = ()


def lock_key(database: str) -> int:
    return _SQLX_LOCK_SALT * zlib.crc32(database.encode("utf-8"))


def compare(
    found: Sequence[MigrationFile], rows: Sequence[AppliedMigration]
) -> list[MigrationStatus]:
    """Pair files with ledger rows by version and name each pair's state."""
    by_version = {f.version: f for f in found}
    applied = {r.version: r for r in rows}
    out: list[MigrationStatus] = []
    for version in sorted(by_version.keys() | applied.keys()):
        file, row = by_version.get(version), applied.get(version)
        if row is None:
            assert file is not None
            out.append(MigrationStatus(version, file.description, State.PENDING, file, None))
        elif not row.success:
            out.append(MigrationStatus(version, row.description, State.FAILED, file, row))
        elif file is None:
            out.append(MigrationStatus(version, row.description, State.MISSING, None, row))
        elif file.checksum != row.checksum:
            out.append(MigrationStatus(version, file.description, State.MODIFIED, file, row))
        else:
            out.append(MigrationStatus(version, file.description, State.APPLIED, file, row))
    return out


def status(conninfo: str, directory: Path = MIGRATIONS_DIR) -> list[MigrationStatus]:
    """Read-only: every migration with its state; writes nothing, creates no ledger."""
    with _session(conninfo, "reading the migration ledger") as conn:
        return status_on(conn, directory)


def status_on(conn: Conn, directory: Path = MIGRATIONS_DIR) -> list[MigrationStatus]:
    """:func:`status` on a connection the caller holds (a pool's)."""
    return compare(files.discover(directory), ledger.applied(conn))


def migrate(
    conninfo: str,
    directory: Path = MIGRATIONS_DIR,
    *,
    dry_run: bool = False,
    target_version: int | None = None,
    ignore_missing: bool = False,
    lock_timeout_s: float = 60.0,
    notify: Callable[[str], None] = lambda _: None,
) -> MigrateResult:
    """Apply every pending migration up to ``target_version`` (all when None)."""
    started = time.monotonic()
    found = files.discover(directory)
    notices: list[Notice] = []
    with _session(conninfo, "the migration") as conn:
        states = compare(found, ledger.applied(conn))
        _refuse_inconsistent(states, ignore_missing)
        pending = [
            s.file
            for s in states
            if s.state is State.PENDING
            and s.file is not None
            and (target_version is None or s.version <= target_version)
        ]
        if dry_run:
            return MigrateResult([], pending, time.monotonic() - started, True)
        lock = _Lock(conn, time.monotonic() + lock_timeout_s, lock_timeout_s)
        applied = []
        for migration in pending:
            with _notices_of(conn, migration, notices):
                if _apply_once(conn, lock, migration, notify):
                    applied.append(migration)
        return MigrateResult(applied, [], time.monotonic() - started, False, tuple(notices))


class Notice(NamedTuple):
    """A NOTICE or WARNING a migration raised (a grant skipped, say)."""

    file: str
    severity: str
    message: str


@contextmanager
def _notices_of(conn: Conn, migration: MigrationFile, into: list[Notice]) -> Iterator[None]:
    def keep(diag: psycopg.errors.Diagnostic) -> None:
        severity = diag.severity_nonlocalized or diag.severity or "NOTICE"
        into.append(Notice(migration.path.name, severity, diag.message_primary or ""))

    conn.add_notice_handler(keep)
    try:
        yield
    finally:
        conn.remove_notice_handler(keep)


@contextmanager
def _session(conninfo: str, doing: str) -> Iterator[Conn]:
    """An autocommit connection; a database failure becomes one error saying so."""
    with connect(conninfo, autocommit=True) as conn:
        try:
            yield conn
        except psycopg.Error as exc:
            raise failure(exc, conn, doing) from exc


def _refuse_inconsistent(states: Sequence[MigrationStatus], ignore_missing: bool) -> None:
    for s in states:
        if s.state is State.FAILED:
            raise MigrationError(
                f"migration {s.version} ({s.description}) is recorded as failed",
                hint="repair the database by hand, then delete its row from _sqlx_migrations",
            )
        if s.state is State.MODIFIED:
            raise MigrationError(_modified_message(s), hint=_modified_hint(s))
        if s.state is State.MISSING and not ignore_missing:
            raise MigrationError(
                f"migration {s.version} ({s.description}) was applied but its file is missing",
                hint="restore the file, or pass --ignore-missing to go on without it",
            )


def _modified_message(s: MigrationStatus) -> str:
    assert s.file is not None and s.row is not None
    message = (
        f"{s.file.path.name} was changed after it was applied: "
        f"ledger checksum {s.row.checksum.hex()}, file checksum {s.file.checksum.hex()}"
    )
    if s.file.only_line_endings_differ(s.row.checksum):
        message += " (only line endings differ)"
    return message


def _modified_hint(s: MigrationStatus) -> str:
    assert s.file is not None and s.row is not None
    if s.file.only_line_endings_differ(s.row.checksum):
        return "restore the file's original line endings (check git's autocrlf setting)"
    return "restore the applied version of the file and put the change in a new migration"


def _apply_once(
    conn: Conn, lock: _Lock, migration: MigrationFile, notify: Callable[[str], None]
) -> bool:
    """Run one file and record it, unless another migrator has meanwhile; in one
    transaction unless the file opts out. Returns whether this call applied it."""
    try:
        if migration.no_transaction:
            with lock.session():
                return _run_unless_recorded(conn, migration, notify)
        with conn.transaction():
            lock.in_transaction()
            return _run_unless_recorded(conn, migration, notify)
    except psycopg.Error as exc:
        raise MigrationError(_failure_message(migration, exc)) from exc


def _run_unless_recorded(
    conn: Conn, migration: MigrationFile, notify: Callable[[str], None]
) -> bool:
    ledger.ensure(conn)
    row = ledger.row(conn, migration.version)
    if row is not None:
        if row.checksum != migration.checksum:
            status = MigrationStatus(
                migration.version, migration.description, State.MODIFIED, migration, row
            )
            raise MigrationError(_modified_message(status), hint=_modified_hint(status))
        return False
    notify(f"applying {migration.path.name}")
    begun = time.perf_counter_ns()
    conn.execute(migration.content)
    ledger.record(conn, migration, time.perf_counter_ns() - begun)
    return True


def _failure_message(migration: MigrationFile, exc: psycopg.Error) -> str:
    diag = exc.diag
    where = migration.path.name
    if diag.statement_position:
        offset = int(diag.statement_position) - 1
        line = migration.sql[:offset].count("\n") + 1
        where += f":{line}"
    detail = diag.message_primary or str(exc).strip()
    return f"{where}: migration failed and was rolled back: {detail}"


def require_current(conn: Conn, directory: Path = MIGRATIONS_DIR) -> None:
    """Refuse to go on unless every shipped migration is applied: a load into a
    half-migrated database would fail on the first missing table instead."""
    shipped = files.discover(directory)
    if not shipped:
        return
    needed = shipped[-1]
    readable = ledger.readable(conn)
    if readable is None:
        raise MigrationError(
            f"the database has no migration ledger: it was never migrated; this loader "
            f"needs migration {needed.version} ({needed.description})",
            hint="run `attune-loader migrate` as the schema owner",
            code="database.not-migrated",
        )
    if readable:
        applied = ledger.versions(conn)
        missing = [f for f in shipped if f.version not in applied]
        if missing:
            at = max(applied, default=None)
            where = f"{at} ({applied[at]})" if at is not None else "no migration"
            raise MigrationError(
                f"the database is at migration {where}; this loader needs "
                f"{needed.version} ({needed.description}): {len(missing)} not applied",
                hint="run `attune-loader migrate` as the schema owner",
                code="database.not-migrated",
            )
        return
    _require_tables(conn)


def _require_tables(conn: Conn) -> None:
    """Without the right to read the ledger, check that the loader's tables exist."""
    tables = [f"attune.{kind.sql_table}" for kind in KINDS]
    rows = conn.execute(
        "SELECT t FROM unnest(%s::text[]) AS t WHERE to_regclass(t) IS NULL", (tables,)
    ).fetchall()
    if rows:
        raise MigrationError(
            f"the database lacks {', '.join(r[0] for r in rows)}: its schema is not fully migrated",
            hint="run `attune-loader migrate` as the schema owner",
            code="database.not-migrated",
        )


class _Lock:
    """The migration lock, taken by polling so that every wait ends by one deadline
    for the whole run."""

    def __init__(self, conn: Conn, deadline: float, timeout_s: float) -> None:
        self.conn = conn
        self.deadline = deadline
        self.timeout_s = timeout_s
        row = conn.execute("SELECT current_database()").fetchone()
        assert row is not None
        self.key = lock_key(str(row[0]))

    def in_transaction(self) -> None:
        """Held until the current transaction ends."""
        self._poll("pg_try_advisory_xact_lock")

    @contextmanager
    def session(self) -> Iterator[None]:
        """Held until released here, also on error."""
        self._poll("pg_try_advisory_lock")
        try:
            yield
        finally:
            if not self.conn.closed:
                self.conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))

    def _poll(self, function: str) -> None:
        query = f"SELECT {function}(%s)"  # function name is ours
        while True:
            got = self.conn.execute(query, (self.key,)).fetchone()
            if got and got[0]:
                return
            if time.monotonic() >= self.deadline:
                raise LockTimeout(
                    f"another migration held the migration lock for more than {self.timeout_s:g} s",
                    hint="wait for it to finish, or raise --lock-timeout",
                )
            time.sleep(_POLL_INTERVAL_S)
