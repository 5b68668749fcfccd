"""Update-timestamp triggers and the other non-notify triggers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from psycopg import sql

from loader.database.conn import Conn
from tests.helpers import rows

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)

UPDATED_TRIGGERS = [
    (table, f"update_{table}_updated")
    for table in [
        "action",
        "artifact",
        "enforcement",
        "event",
        "execution",
        "identity",
        "inquiry",
        "key",
        "notification",
        "pack",
        "pack_environment",
        "permission_set",
        "policy",
        "rule",
        "runtime",
        "sensor",
        "trigger",
        "worker",
        "workflow_definition",
        "workflow_execution",
    ]
] + [("pack_installation", "pack_installation_updated_trigger")]


def updated_of(conn: Conn, table: str, row_id: int) -> datetime:
    """The updated column of one row."""
    query = sql.SQL("SELECT updated FROM attune.{} WHERE id = %s").format(sql.Identifier(table))
    row = conn.execute(query, [row_id]).fetchone()
    assert row is not None
    value: datetime = row[0]
    return value


@pytest.mark.parametrize(("table", "trigger_name"), UPDATED_TRIGGERS)
def test_updated_trigger_is_attached(conn: Conn, table: str, trigger_name: str) -> None:
    """The table's only update_updated_column trigger has the expected name."""
    names = conn.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass"
        " AND tgfoid = 'attune.update_updated_column'::regproc",
        [f"attune.{table}"],
    ).fetchall()
    assert names == [(trigger_name,)]


@pytest.mark.parametrize(("table", "trigger_name"), UPDATED_TRIGGERS)
def test_update_moves_updated_and_overrides_client_value(
    conn: Conn, table: str, trigger_name: str
) -> None:
    """An UPDATE sets updated to the transaction time, ignoring the value the client sent."""
    row_id = rows.BUILDERS[table](conn)
    before = updated_of(conn, table, row_id)
    update = sql.SQL("UPDATE attune.{} SET updated = %s WHERE id = %s").format(
        sql.Identifier(table)
    )
    with conn.transaction():
        conn.execute(update, [LONG_AGO, row_id])
        now = conn.execute("SELECT now()").fetchone()
        after = updated_of(conn, table, row_id)
    assert now == (after,)
    assert after > before


@pytest.mark.parametrize("table", ["pack", "execution", "pack_installation"])
def test_insert_keeps_client_updated(conn: Conn, table: str) -> None:
    """The triggers fire on UPDATE only: an inserted updated value is kept."""
    row_id = rows.BUILDERS[table](conn, updated=LONG_AGO)
    assert updated_of(conn, table, row_id) == LONG_AGO


def test_rate_limit_bucket_has_no_updated_trigger(conn: Conn) -> None:
    """webhook_rate_limit has no updated trigger: an UPDATE keeps the client's value."""
    row = conn.execute(
        "INSERT INTO attune.webhook_rate_limit (webhook_key, window_start) VALUES ('k', now())"
        " RETURNING id"
    ).fetchone()
    assert row is not None
    conn.execute(
        "UPDATE attune.webhook_rate_limit SET updated = %s WHERE id = %s", [LONG_AGO, row[0]]
    )
    assert updated_of(conn, "webhook_rate_limit", row[0]) == LONG_AGO


def test_pack_test_metadata_trigger_leaves_row_unchanged(conn: Conn) -> None:
    """The AFTER INSERT hook on pack_test_execution runs and changes nothing."""
    test_id = rows.pack_test_execution(conn, passed=3, failed=1, pass_rate=0.75)
    row = conn.execute(
        "SELECT passed, failed, pass_rate::text FROM attune.pack_test_execution WHERE id = %s",
        [test_id],
    ).fetchone()
    fired = conn.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'attune.pack_test_execution'::regclass"
        " AND tgfoid = 'attune.update_pack_test_metadata'::regproc"
    ).fetchall()
    assert row == (3, 1, "0.7500")
    assert fired == [("trigger_update_pack_test_metadata",)]
