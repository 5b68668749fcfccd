"""Database fixtures: every test runs against a real PostgreSQL.

The server, the migrated template and the per-test copies are the pytest plugin's
(:mod:`loader.pytest_plugin`, which downstream suites use too); these are the names
the project's tests know them by, and connections to a test's database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg
import pytest

Connect = Callable[[], psycopg.Connection[tuple[object, ...]]]


@pytest.fixture(scope="session")
def pg_server(attune_pg_server: str) -> str:
    """A superuser connection string to a PostgreSQL server for this test session."""
    return attune_pg_server


@pytest.fixture(scope="session")
def template_database(attune_template_database: str) -> str:
    """Name of a database holding the migrated schema, copied for each test."""
    return attune_template_database


@pytest.fixture
def database_url(attune_database_url: str) -> str:
    """A fresh, migrated database of this test's own."""
    return attune_database_url


@pytest.fixture
def empty_database_url(attune_empty_database_url: str) -> str:
    """A fresh database with no schema at all (for migration runner tests)."""
    return attune_empty_database_url


@pytest.fixture
def connect(database_url: str) -> Iterator[Connect]:
    """Open further autocommit connections to the test database; all closed afterwards."""
    opened: list[psycopg.Connection[tuple[object, ...]]] = []

    def _open() -> psycopg.Connection[tuple[object, ...]]:
        conn = psycopg.connect(database_url, autocommit=True)
        opened.append(conn)
        return conn

    yield _open
    for conn in opened:
        conn.close()


@pytest.fixture
def conn(connect: Connect) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection to the test's own migrated database."""
    return connect()
