"""The ledger table ``_sqlx_migrations``, in exactly the layout sqlx creates.

Created unqualified, as sqlx does, so both tools find it through the same search_path.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from psycopg.rows import class_row

from loader.database.conn import Conn
from loader.database.migrate.files import MigrationFile

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
)
"""


class AppliedMigration(NamedTuple):
    version: int
    description: str
    installed_on: datetime
    success: bool
    checksum: bytes
    execution_time: int  # nanoseconds


def ensure(conn: Conn) -> None:
    conn.execute(CREATE_LEDGER)


def exists(conn: Conn) -> bool:
    row = conn.execute("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetchone()
    return bool(row and row[0])


def readable(conn: Conn) -> bool | None:
    """Whether this role may read the ledger; None when there is no ledger. A loader
    role (DML on schema attune only) usually may not: the ledger is the owner's."""
    row = conn.execute(
        "SELECT has_table_privilege(to_regclass('_sqlx_migrations'), 'SELECT')"
    ).fetchone()
    return None if row is None or row[0] is None else bool(row[0])


def versions(conn: Conn) -> dict[int, str]:
    """Version -> description of every migration applied successfully."""
    rows = conn.execute("SELECT version, description FROM _sqlx_migrations WHERE success")
    return {int(v): str(d) for v, d in rows.fetchall()}


def applied(conn: Conn) -> list[AppliedMigration]:
    """Every ledger row, by version; empty when the ledger does not exist yet."""
    if not exists(conn):
        return []
    with conn.cursor(row_factory=class_row(AppliedMigration)) as cur:
        cur.execute(_SELECT + " ORDER BY version")
        return [_plain(r) for r in cur.fetchall()]


_SELECT = (
    "SELECT version, description, installed_on, success, checksum, execution_time "
    "FROM _sqlx_migrations"
)


def _plain(r: AppliedMigration) -> AppliedMigration:
    """The checksum as bytes (psycopg returns BYTEA as a memoryview)."""
    return AppliedMigration(
        r.version, r.description, r.installed_on, r.success, bytes(r.checksum), r.execution_time
    )


def row(conn: Conn, version: int) -> AppliedMigration | None:
    """The ledger row of ``version``, if there is one (the ledger must exist)."""
    with conn.cursor(row_factory=class_row(AppliedMigration)) as cur:
        cur.execute(_SELECT + " WHERE version = %s", (version,))
        found = cur.fetchone()
    return None if found is None else _plain(found)


def record(conn: Conn, migration: MigrationFile, elapsed_ns: int) -> None:
    conn.execute(
        "INSERT INTO _sqlx_migrations "
        "(version, description, success, checksum, execution_time) "
        "VALUES (%s, %s, TRUE, %s, %s)",
        (migration.version, migration.description, migration.checksum, elapsed_ns),
    )
