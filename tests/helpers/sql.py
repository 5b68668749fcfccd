"""Small query helpers shared by the schema tests."""

from __future__ import annotations

from typing import Any

import psycopg

from loader.database.conn import Conn


def one(
    conn: Conn, query: str, params: list[Any] | dict[str, Any] | None = None
) -> tuple[Any, ...]:
    """The single row a query returns."""
    row: tuple[Any, ...] | None = conn.execute(query, params).fetchone()
    assert row is not None, f"no row from {query}"
    return row


def error_message(conn: Conn, query: str, params: list[Any] | dict[str, Any] | None = None) -> str:
    """The primary message of the database error a query raises (fails if it succeeds)."""
    try:
        conn.execute(query, params)
    except psycopg.Error as error:
        return str(error.diag.message_primary)
    raise AssertionError(f"no error from {query} {params}")
