"""The migrated schema equals the committed snapshot; it holds no data; roles and grants."""

from __future__ import annotations

import json

import psycopg
import pytest
from psycopg import sql

from loader import MIGRATIONS_DIR
from loader.database.conn import Conn
from tests.helpers.catalog import Catalog, diff_catalogs, read_catalog
from tests.helpers.snapshot import SNAPSHOT
from tests.helpers.sql import one


def test_catalog_matches_snapshot(conn: Conn) -> None:
    """Tables, columns, constraints, indexes, enums, functions, triggers, views, grants match."""
    expected: Catalog = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    differences = diff_catalogs(expected, read_catalog(conn))
    assert not differences, "catalog differs from expected_catalog.json:\n" + "\n".join(differences)


def test_every_table_is_empty(conn: Conn) -> None:
    """Migrating writes no rows: every table of schema attune counts zero rows."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT relname FROM pg_class"
            " WHERE relnamespace = 'attune'::regnamespace AND relkind = 'r' ORDER BY relname"
        )
    ]
    counts = {
        table: conn.execute(
            sql.SQL("SELECT count(*) FROM attune.{}").format(sql.Identifier(table))
        ).fetchone()
        for table in tables
    }
    assert len(counts) == 26
    assert {table: count for table, count in counts.items() if count != (0,)} == {}


def test_no_sequence_was_used(conn: Conn) -> None:
    """No id was ever drawn: rows inserted then deleted would have advanced a sequence."""
    used = conn.execute(
        "SELECT sequencename FROM pg_sequences"
        " WHERE schemaname = 'attune' AND last_value IS NOT NULL"
    ).fetchall()
    assert used == []


def test_every_function_pins_its_search_path(conn: Conn) -> None:
    """Each schema function carries SET search_path starting with attune and ending with pg_temp."""
    rows = conn.execute(
        """
        SELECT p.proname, coalesce(array_to_string(p.proconfig, ';'), '')
          FROM pg_proc p
         WHERE p.pronamespace = 'attune'::regnamespace
           AND NOT EXISTS (SELECT FROM pg_depend d
                            WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                              AND d.deptype = 'e')
        """
    ).fetchall()
    assert len(rows) == 20
    unpinned = [
        name
        for name, config in rows
        if not (config.startswith("search_path=attune") and config.endswith("pg_temp"))
    ]
    assert unpinned == []


@pytest.mark.parametrize(
    ("function", "volatility"),
    [("get_pack_environment_path", "s"), ("runtime_requires_environment", "s")],
)
def test_table_reading_helpers_are_stable(conn: Conn, function: str, volatility: str) -> None:
    """Functions that read tables are STABLE, not IMMUTABLE."""
    row = one(
        conn,
        "SELECT provolatile FROM pg_proc WHERE pronamespace = 'attune'::regnamespace"
        " AND proname = %s",
        [function],
    )
    assert row == (volatility,)


@pytest.mark.parametrize(("role", "can_login"), [("svc_attune", True), ("attune_api", False)])
def test_service_roles_exist_and_use_the_schema(conn: Conn, role: str, can_login: bool) -> None:
    """Both roles exist with the intended LOGIN attribute and USAGE on schema attune."""
    row = one(
        conn,
        "SELECT rolcanlogin, has_schema_privilege(rolname, 'attune', 'USAGE')"
        " FROM pg_roles WHERE rolname = %s",
        [role],
    )
    assert row == (can_login, True)


@pytest.mark.parametrize(("role", "count"), [("svc_attune", 20), ("attune_api", 2)])
def test_sequence_grants(conn: Conn, role: str, count: int) -> None:
    """Each role may draw ids (USAGE, SELECT) from the sequences of exactly its tables."""
    rows = conn.execute(
        """
        SELECT c.relname
          FROM pg_class c
         CROSS JOIN LATERAL aclexplode(c.relacl) a
          JOIN pg_roles r ON r.oid = a.grantee
         WHERE c.relnamespace = 'attune'::regnamespace AND c.relkind = 'S' AND r.rolname = %s
         GROUP BY c.relname
        HAVING array_agg(a.privilege_type ORDER BY a.privilege_type) = '{SELECT,USAGE}'
        """,
        [role],
    ).fetchall()
    granted = {name for (name,) in rows}
    assert len(granted) == count
    table_grants = conn.execute(
        "SELECT table_name || '_id_seq' FROM information_schema.role_table_grants"
        " WHERE table_schema = 'attune' AND grantee = %s AND privilege_type = 'INSERT'",
        [role],
    ).fetchall()
    assert granted == {name for (name,) in table_grants} - {"queue_stats_id_seq"}


def test_migrating_without_createrole_skips_roles_and_grants(empty_database_url: str) -> None:
    """A database owner without CREATEROLE migrates; missing roles and their grants are skipped."""
    notices: list[str] = []
    with psycopg.connect(empty_database_url) as conn:
        conn.add_notice_handler(lambda diag: notices.append(str(diag.message_primary)))
        # Everything below is rolled back: the renames only hide the roles from this transaction.
        conn.execute("ALTER ROLE svc_attune RENAME TO svc_attune_hidden")
        conn.execute("ALTER ROLE attune_api RENAME TO attune_api_hidden")
        conn.execute("CREATE ROLE plain_owner NOCREATEROLE")
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO plain_owner").format(
                sql.Identifier(conn.info.dbname)
            )
        )
        conn.execute("SET ROLE plain_owner")
        for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
            conn.execute(path.read_bytes())
        tables, granted, roles = one(
            conn,
            "SELECT count(*) FILTER (WHERE relkind = 'r'),"
            " count(*) FILTER (WHERE relacl IS NOT NULL),"
            " (SELECT count(*) FROM pg_roles WHERE rolname IN ('svc_attune', 'attune_api'))"
            " FROM pg_class WHERE relnamespace = 'attune'::regnamespace",
        )
        conn.rollback()
    assert (tables, granted, roles) == (26, 0, 0)
    assert [n for n in notices if "lacks CREATEROLE" in n] == [
        "role svc_attune does not exist and plain_owner lacks CREATEROLE:"
        " not created, its grants are skipped",
        "role attune_api does not exist and plain_owner lacks CREATEROLE:"
        " not created, its grants are skipped",
    ]
    assert sum("does not exist" in n for n in notices) == 10
