"""Read the database state the loader tests compare before and after a run."""

from __future__ import annotations

from typing import Any

from loader.database.conn import Conn
from loader.kinds import KINDS


def row_versions(conn: Conn) -> dict[tuple[str, str], tuple[str, Any]]:
    """(table, ref) -> (xmin, updated) for every row of every managed table."""
    out: dict[tuple[str, str], tuple[str, Any]] = {}
    for kind in KINDS:
        rows = conn.execute(
            f"SELECT ref, xmin::text, updated FROM attune.{kind.sql_table}"
        ).fetchall()
        for ref, xmin, updated in rows:
            out[(kind.sql_table, ref)] = (xmin, updated)
    return out


def sequence_values(conn: Conn) -> dict[str, Any]:
    rows = conn.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'attune'"
    ).fetchall()
    return dict(rows)


def refs(conn: Conn, table: str) -> list[str]:
    return [r[0] for r in conn.execute(f"SELECT ref FROM attune.{table} ORDER BY ref")]


def count_rows(conn: Conn) -> int:
    return sum(
        conn.execute(f"SELECT count(*) FROM attune.{k.sql_table}").fetchone()[0]  # type: ignore[index]
        for k in KINDS
    )
