"""Database fixtures: every test runs against a real PostgreSQL.

The server is ``ATTUNE_TEST_DATABASE_URL`` when set (a superuser URL; databases are
created on it), else a testcontainers PostgreSQL when a Docker engine answers, else
an ephemeral cluster from :mod:`loader.database.embedded`. Migrations are applied once into a
template database; every test gets its own copy.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from loader.database.embedded import Cluster
from loader.database.migrate import runner

Connect = Callable[[], psycopg.Connection[tuple[object, ...]]]


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        return bool(docker.from_env(timeout=3).ping())
    except Exception:  # any failure means: no usable engine here
        return False


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A superuser connection string to a PostgreSQL server for this test session."""
    explicit = os.environ.get("ATTUNE_TEST_DATABASE_URL")
    if explicit:
        yield explicit
        return
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:15", driver=None) as container:
            yield container.get_connection_url()
        return
    # A directory of its own under /tmp: the server's OS user must be able to enter it.
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="attune-test-pg-")), fast=True)
    cluster.ensure_started()
    try:
        yield cluster.url("postgres")
    finally:
        cluster.destroy()


def _admin(pg_server: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(pg_server, autocommit=True)


def _create_database(pg_server: str, name: str, template: str | None = None) -> str:
    query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _admin(pg_server) as conn:
        conn.execute(query)
    return make_conninfo(pg_server, dbname=name)


def _drop_database(pg_server: str, name: str) -> None:
    with _admin(pg_server) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@contextmanager
def _scratch_database(pg_server: str, prefix: str, template: str | None = None) -> Iterator[str]:
    """A database of a unique name, dropped afterwards; yields its connection string."""
    name = _unique(prefix)
    url = _create_database(pg_server, name, template)
    try:
        yield url
    finally:
        _drop_database(pg_server, name)


@pytest.fixture(scope="session")
def template_database(pg_server: str) -> Iterator[str]:
    """Name of a database holding the migrated schema, copied for each test."""
    with _scratch_database(pg_server, "attune_template") as url:
        runner.migrate(url)
        yield str(psycopg.conninfo.conninfo_to_dict(url)["dbname"])


@pytest.fixture
def database_url(pg_server: str, template_database: str) -> Iterator[str]:
    """A fresh, migrated database of this test's own."""
    with _scratch_database(pg_server, "attune_test", template_database) as url:
        yield url


@pytest.fixture
def empty_database_url(pg_server: str) -> Iterator[str]:
    """A fresh database with no schema at all (for migration runner tests)."""
    with _scratch_database(pg_server, "attune_empty") as url:
        yield url


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
