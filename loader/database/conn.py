"""The connection every database stage takes, named once, and where it comes from."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import psycopg

Conn = psycopg.Connection[Any]

ConnectionSource = Callable[[], AbstractContextManager[Conn]]
"""Gives a connection for the length of a ``with`` block that commits on success and
rolls back on error: a fresh connection (:func:`direct`) or one lent by a pool
(``psycopg_pool.ConnectionPool.connection``)."""


def direct(conninfo: str) -> ConnectionSource:
    """A new connection for each block, closed at its end."""
    # No server-side prepared statements: a pooler in transaction mode may sit in
    # between, and a statement prepared on one server session is unknown on another.
    return lambda: psycopg.connect(conninfo, prepare_threshold=None)
