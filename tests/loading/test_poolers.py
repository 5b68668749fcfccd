"""Through a real PgBouncer: loads work in transaction and session pooling, and
concurrent migrations through transaction pooling apply every file exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from bench import packgen
from loader import CORE_PACK_DIR, MIGRATIONS_DIR, PROJECT_ROOT
from loader.database.conn import Conn
from tests.fix_pgbouncer import PoolerUrl
from tests.helpers.db import count_rows

_CONCURRENT = 4


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "loader", *args],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _all_succeed(procs: list[subprocess.Popen[str]]) -> list[str]:
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), [err for _, err in results]
    return [out for out, _ in results]


def test_concurrent_migrates_through_transaction_pooling(
    empty_database_url: str, transaction_pooler: PoolerUrl
) -> None:
    """Four migrators at once through PgBouncer in transaction mode: all succeed, each
    file is applied once, and the schema is complete."""
    url = transaction_pooler(empty_database_url)
    outs = _all_succeed([_start("migrate", "--database-url", url) for _ in range(_CONCURRENT)])
    assert outs
    files = sorted(MIGRATIONS_DIR.glob("*.sql"))
    with psycopg.connect(empty_database_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM _sqlx_migrations")]
        assert sorted(versions) == [int(f.name.split("_", 1)[0]) for f in files]
        locks = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert locks.fetchone() == (0,)  # nothing left held on a pooled server session
        status = _start("status", "--database-url", url, "--output", "json")
        (out,) = _all_succeed([status])
        assert {m["state"] for m in json.loads(out)["migrations"]} == {"applied"}


@pytest.mark.parametrize("mode", ["transaction", "session"])
def test_concurrent_loads_through_pgbouncer(
    mode: str,
    tmp_path: Path,
    database_url: str,
    conn: Conn,
    request: pytest.FixtureRequest,
) -> None:
    """Four loaders of the same packs at once, then repeated reloads, through PgBouncer:
    every run succeeds, each row is written by exactly one of them, and no statement
    fails for a prepared statement made on another server session."""
    pooler: PoolerUrl = request.getfixturevalue(f"{mode}_pooler")
    url = pooler(database_url)
    # Six packs: the pack-lock query runs six times per load, past psycopg's default
    # threshold (5) for preparing a statement on the server.
    packs = [str(p) for p in packgen.generate(tmp_path, packs=5, components=10)]
    load = ["load", str(CORE_PACK_DIR), *packs, "--database-url", url]
    load += ["--output", "json", "--no-cache"]
    outs = _all_succeed([_start(*load) for _ in range(_CONCURRENT)])
    written = sum(json.loads(out)["summary"]["changes"] for out in outs)
    assert written == count_rows(conn) > 0
    again = _all_succeed([_start(*load) for _ in range(_CONCURRENT)])
    assert [json.loads(out)["summary"]["changes"] for out in again] == [0] * _CONCURRENT
