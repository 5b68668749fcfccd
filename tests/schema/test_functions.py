"""Pack environment and pack test helper functions."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from loader.database.conn import Conn
from tests.helpers import rows
from tests.helpers.sql import one

TEMPLATE = "/opt/attune/packenvs/{pack_ref}/{runtime_name_lower}"


def as_jsonb(value: Any) -> Jsonb | None:
    """``value`` as a jsonb parameter, None as SQL NULL."""
    return None if value is None else Jsonb(value)


@pytest.mark.parametrize(
    ("name", "installers", "expected"),
    [
        ("Python", {"base_path_template": TEMPLATE}, "/opt/attune/packenvs/mypack/python"),
        ("Node.js", {"base_path_template": TEMPLATE}, "/opt/attune/packenvs/mypack/node.js"),
        ("Shell", {"base_path_template": "/envs/{runtime_ref}/{pack_ref}"}, "/envs/core.rt/mypack"),
        ("Go", None, "/opt/attune/packenvs/mypack/go"),
        ("Rust", [], "/opt/attune/packenvs/mypack/rust"),
    ],
)
def test_pack_environment_path(conn: Conn, name: str, installers: Any, expected: str) -> None:
    """The runtime's template (or the default one) with pack ref, runtime ref and name filled in."""
    rows.runtime(conn, ref="core.rt", name=name, installers=as_jsonb(installers))
    path = one(conn, "SELECT attune.get_pack_environment_path('mypack', 'core.rt')")
    assert path == (expected,)


def test_pack_environment_path_of_unknown_runtime_is_null(conn: Conn) -> None:
    """An unknown runtime gives NULL, not an error."""
    assert one(conn, "SELECT attune.get_pack_environment_path('p', 'core.none')") == (None,)


@pytest.mark.parametrize(
    ("installers", "expected"),
    [
        ({"requires_environment": False}, False),
        ({"requires_environment": True}, True),
        ({"installers": []}, True),
        ([], True),
        (None, True),
    ],
)
def test_runtime_requires_environment(conn: Conn, installers: Any, expected: bool) -> None:
    """installers.requires_environment decides, defaulting to true."""
    rows.runtime(conn, ref="core.rt", installers=as_jsonb(installers))
    assert one(conn, "SELECT attune.runtime_requires_environment('core.rt')") == (expected,)


def test_unknown_runtime_requires_no_environment(conn: Conn) -> None:
    """An unknown runtime needs no environment."""
    assert one(conn, "SELECT attune.runtime_requires_environment('core.none')") == (False,)


def test_environment_helpers_work_with_any_search_path(conn: Conn) -> None:
    """The helpers read attune.runtime even when the caller's path lacks schema attune."""
    rows.runtime(conn, ref="core.python", name="Python")
    conn.execute("SET search_path = public")
    assert one(
        conn,
        "SELECT attune.get_pack_environment_path('p', 'core.python'),"
        " attune.runtime_requires_environment('core.python')",
    ) == ("/opt/attune/packenvs/p/python", True)


def test_pack_test_stats(conn: Conn) -> None:
    """Counts, averages, latest time and whether the latest run passed."""
    pack_id = rows.pack(conn)
    now = datetime.now().astimezone()
    rows.pack_test_execution(
        conn, pack_id=pack_id, execution_time=now - timedelta(hours=2), duration_ms=100
    )
    rows.pack_test_execution(
        conn,
        pack_id=pack_id,
        execution_time=now,
        passed=2,
        failed=2,
        pass_rate=0.5,
        duration_ms=301,
    )
    stats = one(conn, "SELECT * FROM attune.get_pack_test_stats(%s)", [pack_id])
    assert stats == (2, 1, 1, Decimal("0.75"), 201, now, False)


def test_pack_test_stats_without_runs(conn: Conn) -> None:
    """A pack never tested gives zero counts and NULLs."""
    pack_id = rows.pack(conn)
    stats = one(conn, "SELECT * FROM attune.get_pack_test_stats(%s)", [pack_id])
    assert stats == (0, 0, 0, None, None, None, None)


@pytest.mark.parametrize(
    ("hours_ago", "failed", "total", "window", "expected"),
    [
        (1, 0, 4, None, True),
        (30, 0, 4, None, False),
        (30, 0, 4, 48, True),
        (1, 1, 4, None, False),
        (1, 0, 0, None, False),
    ],
)
def test_pack_has_passing_tests(
    conn: Conn, hours_ago: int, failed: int, total: int, window: int | None, expected: bool
) -> None:
    """A recent (default 24 h) run with no failure and at least one test counts as passing."""
    pack_id = rows.pack(conn)
    rows.pack_test_execution(
        conn,
        pack_id=pack_id,
        failed=failed,
        total_tests=total,
        passed=total - failed,
        execution_time=datetime.now().astimezone() - timedelta(hours=hours_ago),
    )
    if window is None:
        result = one(conn, "SELECT attune.pack_has_passing_tests(%s)", [pack_id])
    else:
        result = one(conn, "SELECT attune.pack_has_passing_tests(%s, %s)", [pack_id, window])
    assert result == (expected,)
