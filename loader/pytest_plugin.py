"""pytest fixtures for suites that need an Attune database: a real PostgreSQL, the
schema migrated once into a template, optionally seeded with packs, and a copy of it
for every test.

Installed with the package (the ``pytest11`` entry point), so a downstream suite only
asks for the fixtures:

- ``attune_database_url``: a fresh database of this test's own, migrated and seeded
  with the ``attune_seed_packs`` ini option's packs;
- ``attune_empty_database_url``: a fresh database with no schema at all;
- ``attune_pg_server``: the superuser URL of the server (session);
- ``attune_seed_packs``: the packs the template is seeded with (session; override it
  to choose them in code).

The server is ``ATTUNE_TEST_DATABASE_URL`` when set (a superuser URL; databases are
created on it), else a testcontainers PostgreSQL when the package is installed and a
Docker engine answers, else an ephemeral cluster of the machine's PostgreSQL server
binaries, as for the embedded database.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from loader.resources import CORE_PACK_DIR

# The loader itself is imported by the fixtures, not here: every suite of an
# environment that has the package loads this plugin, most without using it.

SEED_INI = "attune_seed_packs"
CORE = "core"  # in the ini option: the core pack that comes with the loader


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        SEED_INI,
        type="linelist",
        default=[],
        help="Packs loaded into the Attune test template after migrating: directories "
        f"relative to the rootdir, or '{CORE}' for the loader's core pack.",
    )


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        return bool(docker.from_env(timeout=3).ping())
    except Exception:  # no client library, no engine, no permission: none usable here
        return False


@pytest.fixture(scope="session")
def attune_pg_server() -> Iterator[str]:
    """A superuser connection string to a PostgreSQL server for this test session."""
    explicit = os.environ.get("ATTUNE_TEST_DATABASE_URL")
    if explicit:
        yield explicit
        return
    if _docker_answers():
        try:
            from testcontainers.postgres import PostgresContainer
        except ImportError:
            pass
        else:
            with PostgresContainer("postgres:15", driver=None) as container:
                yield container.get_connection_url()
            return
    from loader.database.embedded import Cluster

    # A directory of its own under /tmp: the server's OS user must be able to enter it.
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="attune-test-pg-")), fast=True)
    cluster.ensure_started()
    try:
        yield cluster.url("postgres")
    finally:
        cluster.destroy()


@contextmanager
def scratch_database(server: str, prefix: str, template: str | None = None) -> Iterator[str]:
    """A database of a unique name on ``server`` (a copy of ``template`` if given),
    dropped afterwards; yields its connection string."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(create)
    try:
        yield make_conninfo(server, dbname=name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def attune_seed_packs(pytestconfig: pytest.Config) -> list[Path]:
    """The packs of the ``attune_seed_packs`` ini option, in order."""
    root = pytestconfig.rootpath
    entries: list[str] = pytestconfig.getini(SEED_INI)
    return [CORE_PACK_DIR if entry == CORE else root / entry for entry in entries]


def seed_template(url: str, packs: Sequence[Path]) -> None:
    """Migrate the database at ``url`` and load ``packs`` into it."""
    from loader.api import load_packs
    from loader.database.migrate import runner

    runner.migrate(url)
    if not packs:
        return
    report = load_packs(packs, database_url=url, use_cache=False)
    if not report.ok:
        problems = "\n".join(f"{d.location}: {d.code} {d.message}" for d in report.errors)
        raise pytest.UsageError(f"the Attune seed packs do not load:\n{problems}")


@pytest.fixture(scope="session")
def attune_template_database(attune_pg_server: str, attune_seed_packs: list[Path]) -> Iterator[str]:
    """The name of a database holding the migrated, seeded schema, copied for each test."""
    with scratch_database(attune_pg_server, "attune_template") as url:
        seed_template(url, attune_seed_packs)
        yield str(conninfo_to_dict(url)["dbname"])


@pytest.fixture
def attune_database_url(attune_pg_server: str, attune_template_database: str) -> Iterator[str]:
    """A fresh, migrated and seeded database of this test's own."""
    with scratch_database(attune_pg_server, "attune_test", attune_template_database) as url:
        yield url


@pytest.fixture
def attune_empty_database_url(attune_pg_server: str) -> Iterator[str]:
    """A fresh database with no schema at all."""
    with scratch_database(attune_pg_server, "attune_empty") as url:
        yield url
