"""Insert minimal valid rows for the schema tests.

Each builder fills the NOT NULL columns of its table with defaults, creates the rows it must
reference when the caller does not name them, and returns the new id. Keyword arguments override
or add columns; JSON values must be wrapped in ``psycopg.types.json.Jsonb``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from loader.database.conn import Conn

_serial = itertools.count(1)


def unique(prefix: str) -> str:
    """A lowercase name not used before in this test session."""
    return f"{prefix}{next(_serial)}"


def insert(conn: Conn, table: str, values: dict[str, Any]) -> int:
    """Insert one row into attune.<table> and return its id."""
    query = sql.SQL("INSERT INTO attune.{} ({}) VALUES ({}) RETURNING id").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(sql.Placeholder() * len(values)),
    )
    row = conn.execute(query, list(values.values())).fetchone()
    assert row is not None
    return int(row[0])


def _with_parent(
    conn: Conn, values: dict[str, Any], column: str, make: Callable[[Conn], int]
) -> None:
    if column not in values:
        values[column] = make(conn)


def pack(conn: Conn, **extra: Any) -> int:
    """A pack with a unique ref."""
    return insert(
        conn, "pack", {"ref": unique("pack"), "label": "Pack", "version": "1.0.0"} | extra
    )


def runtime(conn: Conn, **extra: Any) -> int:
    """A runtime with a unique ref and no pack."""
    values = {"ref": unique("test.runtime"), "name": "Runtime", "distributions": Jsonb({})}
    return insert(conn, "runtime", values | extra)


def trigger(conn: Conn, **extra: Any) -> int:
    """A trigger with a unique ref and no pack."""
    return insert(conn, "trigger", {"ref": unique("test.trigger"), "label": "Trigger"} | extra)


def workflow_definition(conn: Conn, **extra: Any) -> int:
    """A workflow definition in a new pack unless ``pack`` is given."""
    values = {
        "ref": unique("test.workflow"),
        "pack_ref": "test",
        "label": "Workflow",
        "version": "1.0.0",
        "definition": Jsonb({}),
    } | extra
    _with_parent(conn, values, "pack", pack)
    return insert(conn, "workflow_definition", values)


def action(conn: Conn, **extra: Any) -> int:
    """An action in a new pack unless ``pack`` is given."""
    values = {
        "ref": unique("test.action"),
        "pack_ref": "test",
        "label": "Action",
        "description": "An action",
        "entrypoint": "run.sh",
    } | extra
    _with_parent(conn, values, "pack", pack)
    return insert(conn, "action", values)


def sensor(conn: Conn, **extra: Any) -> int:
    """A sensor with new runtime and trigger unless given."""
    values = {
        "ref": unique("test.sensor"),
        "label": "Sensor",
        "description": "A sensor",
        "entrypoint": "sensor.py",
        "runtime_ref": "test.runtime",
        "trigger_ref": "test.trigger",
        "enabled": True,
    } | extra
    _with_parent(conn, values, "runtime", runtime)
    _with_parent(conn, values, "trigger", trigger)
    return insert(conn, "sensor", values)


def rule(conn: Conn, **extra: Any) -> int:
    """A rule with new pack, action and trigger unless given."""
    values = {
        "ref": unique("test.rule"),
        "pack_ref": "test",
        "label": "Rule",
        "description": "A rule",
        "action_ref": "test.action",
        "trigger_ref": "test.trigger",
        "enabled": True,
    } | extra
    _with_parent(conn, values, "pack", pack)
    _with_parent(conn, values, "action", action)
    _with_parent(conn, values, "trigger", trigger)
    return insert(conn, "rule", values)


def event(conn: Conn, **extra: Any) -> int:
    """An event of no particular trigger."""
    return insert(conn, "event", {"trigger_ref": "test.trigger"} | extra)


def enforcement(conn: Conn, **extra: Any) -> int:
    """An enforcement of no particular rule."""
    values = {"rule_ref": "test.rule", "trigger_ref": "test.trigger", "payload": Jsonb({})}
    return insert(conn, "enforcement", values | extra)


def execution(conn: Conn, **extra: Any) -> int:
    """An execution of no particular action."""
    return insert(conn, "execution", {"action_ref": "test.action"} | extra)


def identity(conn: Conn, **extra: Any) -> int:
    """An identity with a unique login."""
    return insert(conn, "identity", {"login": unique("user")} | extra)


def inquiry(conn: Conn, **extra: Any) -> int:
    """An inquiry on a new execution unless given."""
    values = {"prompt": "Continue?"} | extra
    _with_parent(conn, values, "execution", execution)
    return insert(conn, "inquiry", values)


def key(conn: Conn, **extra: Any) -> int:
    """A system key with a unique ref."""
    name = unique("key")
    values = {"ref": name, "owner_type": "system", "name": name, "encrypted": False, "value": "v"}
    return insert(conn, "key", values | extra)


def notification(conn: Conn, **extra: Any) -> int:
    """A notification on channel test_channel."""
    values = {
        "channel": "test_channel",
        "entity_type": "execution",
        "entity": "1",
        "activity": "created",
    }
    return insert(conn, "notification", values | extra)


def artifact(conn: Conn, **extra: Any) -> int:
    """A text-file artifact."""
    return insert(conn, "artifact", {"ref": unique("artifact"), "type": "file_text"} | extra)


def pack_environment(conn: Conn, **extra: Any) -> int:
    """An environment of a new pack for a new runtime unless given."""
    values = {"pack_ref": "test", "runtime_ref": "test.runtime", "env_path": "/tmp/env"} | extra
    _with_parent(conn, values, "pack", pack)
    _with_parent(conn, values, "runtime", runtime)
    return insert(conn, "pack_environment", values)


def permission_set(conn: Conn, **extra: Any) -> int:
    """A permission set with a unique ref."""
    return insert(conn, "permission_set", {"ref": unique("test.permset")} | extra)


def policy(conn: Conn, **extra: Any) -> int:
    """A concurrency policy with a unique ref."""
    values = {"ref": unique("test.policy"), "method": "cancel", "threshold": 1, "name": "P"}
    return insert(conn, "policy", values | extra)


def worker(conn: Conn, **extra: Any) -> int:
    """A local worker."""
    return insert(conn, "worker", {"name": unique("worker"), "worker_type": "local"} | extra)


def workflow_execution(conn: Conn, **extra: Any) -> int:
    """A workflow execution with new execution and definition unless given."""
    values = {"task_graph": Jsonb({})} | extra
    _with_parent(conn, values, "execution", execution)
    _with_parent(conn, values, "workflow_def", workflow_definition)
    return insert(conn, "workflow_execution", values)


def pack_installation(conn: Conn, **extra: Any) -> int:
    """An installation record of a new pack unless given."""
    values = {"source_type": "git", "storage_path": "/opt/attune/packs/test"} | extra
    _with_parent(conn, values, "pack_id", pack)
    return insert(conn, "pack_installation", values)


def pack_test_execution(conn: Conn, **extra: Any) -> int:
    """A fully passing run of 4 tests for a new pack unless given."""
    values = {
        "pack_version": "1.0.0",
        "trigger_reason": "manual",
        "total_tests": 4,
        "passed": 4,
        "failed": 0,
        "skipped": 0,
        "pass_rate": 1,
        "duration_ms": 100,
        "result": Jsonb({}),
    } | extra
    _with_parent(conn, values, "pack_id", pack)
    return insert(conn, "pack_test_execution", values)


BUILDERS: dict[str, Callable[..., int]] = {
    builder.__name__: builder
    for builder in (
        pack,
        runtime,
        trigger,
        workflow_definition,
        action,
        sensor,
        rule,
        event,
        enforcement,
        execution,
        identity,
        inquiry,
        key,
        notification,
        artifact,
        pack_environment,
        permission_set,
        policy,
        worker,
        workflow_execution,
        pack_installation,
        pack_test_execution,
    )
}
