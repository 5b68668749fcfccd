"""The six views return the rows behaviour.md section 4 describes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from psycopg.types.json import Jsonb

from loader.database.conn import Conn
from tests.helpers import rows
from tests.helpers.sql import one


def test_workflow_execution_summary(conn: Conn) -> None:
    """One row per workflow execution with its definition; empty task arrays count NULL."""
    definition = rows.workflow_definition(conn, ref="core.deploy", label="Deploy", version="2.0.0")
    workflow_execution = rows.workflow_execution(
        conn,
        workflow_def=definition,
        current_tasks=["a", "b"],
        completed_tasks=["c"],
        error_message="boom",
    )
    summary = conn.execute(
        "SELECT id, workflow_ref, workflow_label, workflow_version, status::text, paused,"
        " current_task_count, completed_task_count, failed_task_count, skipped_task_count,"
        " error_message FROM attune.workflow_execution_summary"
    ).fetchall()
    assert summary == [
        (
            workflow_execution,
            "core.deploy",
            "Deploy",
            "2.0.0",
            "requested",
            False,
            2,
            1,
            None,
            None,
            "boom",
        )
    ]


def test_workflow_action_link(conn: Conn) -> None:
    """Definitions left-joined to actions with is_workflow; other pointing actions are not links."""
    pack_id = rows.pack(conn, ref="core")
    linked = rows.workflow_definition(conn, pack=pack_id, ref="core.linked")
    alone = rows.workflow_definition(conn, pack=pack_id, ref="core.alone")
    action_id = rows.action(
        conn, pack=pack_id, pack_ref="core", ref="core.run", is_workflow=True, workflow_def=linked
    )
    rows.action(conn, pack=pack_id, ref="core.notflagged", workflow_def=alone)
    links = conn.execute(
        "SELECT workflow_def_id, workflow_ref, action_id, action_ref, pack_id, pack_ref"
        " FROM attune.workflow_action_link ORDER BY workflow_def_id"
    ).fetchall()
    assert links == [
        (linked, "core.linked", action_id, "core.run", pack_id, "core"),
        (alone, "core.alone", None, None, None, None),
    ]


def test_webhook_stats(conn: Conn) -> None:
    """Only webhook-enabled triggers, counting events whose config.source is webhook."""
    busy = rows.trigger(conn, webhook_enabled=True, webhook_key="wh_busy")
    idle = rows.trigger(conn, webhook_enabled=True)
    rows.trigger(conn)  # webhook disabled: absent
    first = rows.event(conn, trigger=busy, config=Jsonb({"source": "webhook"}))
    last = rows.event(conn, trigger=busy, config=Jsonb({"source": "webhook"}))
    rows.event(conn, trigger=busy, config=Jsonb({"source": "sensor"}))
    created = dict(conn.execute("SELECT id, created FROM attune.event").fetchall())
    stats = conn.execute(
        "SELECT trigger_id, webhook_key, total_events, first_event_at, last_event_at"
        " FROM attune.webhook_stats ORDER BY trigger_id"
    ).fetchall()
    assert stats == [
        (busy, "wh_busy", 2, created[first], created[last]),
        (idle, None, 0, None, None),
    ]


def test_webhook_stats_created_at_is_trigger_creation(conn: Conn) -> None:
    """webhook_created_at is the trigger's created timestamp."""
    trigger_id = rows.trigger(conn, webhook_enabled=True)
    assert one(
        conn,
        "SELECT s.webhook_created_at = t.created FROM attune.webhook_stats s"
        " JOIN attune.trigger t ON t.id = s.trigger_id WHERE s.trigger_id = %s",
        [trigger_id],
    ) == (True,)


def test_pack_test_summary_and_latest(conn: Conn) -> None:
    """Test runs ranked by recency per pack; the latest view keeps rn = 1; untested packs absent."""
    now = datetime.now().astimezone()
    tested = rows.pack(conn, ref="tested", label="Tested")
    rows.pack(conn, ref="untested")
    old = rows.pack_test_execution(conn, pack_id=tested, execution_time=now - timedelta(days=1))
    new = rows.pack_test_execution(
        conn, pack_id=tested, execution_time=now, passed=3, failed=1, pass_rate=0.75
    )
    summary = conn.execute(
        "SELECT pack_ref, pack_label, test_execution_id, rn FROM attune.pack_test_summary"
        " ORDER BY rn"
    ).fetchall()
    latest = conn.execute(
        "SELECT pack_id, test_execution_id, test_time, passed, failed, pass_rate::text"
        " FROM attune.pack_latest_test"
    ).fetchall()
    assert summary == [("tested", "Tested", new, 1), ("tested", "Tested", old, 2)]
    assert latest == [(tested, new, now, 3, 1, "0.7500")]


@pytest.mark.parametrize(
    ("status", "verified_days_ago", "needs_verification", "health"),
    [
        ("ready", 8, True, "healthy"),
        ("ready", 1, False, "healthy"),
        ("ready", None, False, "healthy"),
        ("failed", 8, False, "unhealthy"),
        ("pending", None, False, "provisioning"),
        ("installing", None, False, "provisioning"),
        ("outdated", 30, False, "needs_update"),
    ],
)
def test_pack_environment_status(
    conn: Conn,
    status: str,
    verified_days_ago: int | None,
    needs_verification: bool,
    health: str,
) -> None:
    """needs_verification only for ready environments unverified for 7 days; health by status."""
    pack_id = rows.pack(conn, ref="envpack", label="Env Pack")
    runtime_id = rows.runtime(conn, ref="core.python", name="Python")
    last_verified = (
        None
        if verified_days_ago is None
        else datetime.now().astimezone() - timedelta(days=verified_days_ago)
    )
    environment = rows.pack_environment(
        conn, pack=pack_id, runtime=runtime_id, status=status, last_verified=last_verified
    )
    assert one(
        conn,
        "SELECT id, pack_ref, pack_name, runtime_ref, runtime_name, needs_verification,"
        " health_status FROM attune.v_pack_environment_status",
    ) == (environment, "envpack", "Env Pack", "core.python", "Python", needs_verification, health)
