"""The connection every database stage takes, named once, and where it comes from."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import psycopg

Conn = psycopg.Connection[Any]

ConnectionSource = Callable[[], AbstractContextManager[Conn]]
"""Gives a connection for the length of a ``with`` block that commits on success and
rolls back on error: a fresh connection (:func:`loader.database.connect.direct`) or
one lent by a pool (``psycopg_pool.ConnectionPool.connection``)."""
