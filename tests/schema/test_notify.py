"""LISTEN/NOTIFY triggers: channels, payload keys and values, large rows.

Notifications are observed on a second, real connection that LISTENs before the write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from loader.database.conn import Conn
from tests.helpers import rows

Connect = Callable[[], Conn]

TOP_KEYS = {"entity_type", "entity_id", "timestamp", "data"}
EXECUTION_KEYS = {
    "id",
    "status",
    "action_id",
    "action_ref",
    "enforcement",
    "rule_ref",
    "trigger_ref",
    "parent",
    "result",
    "created",
    "updated",
}
ENFORCEMENT_KEYS = {
    "id",
    "rule",
    "rule_ref",
    "trigger_ref",
    "event",
    "status",
    "condition",
    "conditions",
    "config",
    "payload",
    "created",
    "updated",
}
EVENT_KEYS = {
    "id",
    "trigger",
    "trigger_ref",
    "rule",
    "rule_ref",
    "source",
    "source_ref",
    "payload",
    "created",
}
BIG = "x" * 9000  # pg_notify refuses payloads of 8000 bytes or more


def listen(connect: Connect, channel: str) -> Conn:
    """A new connection listening on ``channel``."""
    listener = connect()
    listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
    return listener


def received(listener: Conn, expected: int = 1) -> list[str]:
    """Payloads delivered to ``listener``: waits for ``expected`` of them, at most 2 seconds."""
    timeout = 2.0 if expected else 0.5
    return [n.payload for n in listener.notifies(timeout=timeout, stop_after=expected or None)]


def only_payload(listener: Conn) -> dict[str, Any]:
    """The single JSON payload delivered to ``listener``."""
    payloads = received(listener)
    assert len(payloads) == 1
    document: dict[str, Any] = json.loads(payloads[0])
    return document


def test_execution_insert_notifies_with_enforcement_refs(conn: Conn, connect: Connect) -> None:
    """An execution insert sends its data and its enforcement's refs to attune_notifications."""
    enforcement_id = rows.enforcement(conn, rule_ref="core.r1", trigger_ref="core.t1")
    action_id = rows.action(conn)
    listener = listen(connect, "attune_notifications")
    execution_id = rows.execution(
        conn,
        action=action_id,
        action_ref="core.a1",
        enforcement=enforcement_id,
        result=Jsonb({"ok": True}),
    )
    payload = only_payload(listener)
    assert set(payload) == TOP_KEYS
    assert set(payload["data"]) == EXECUTION_KEYS
    assert (payload["entity_type"], payload["entity_id"]) == ("execution", execution_id)
    assert payload["data"] | {"created": None, "updated": None} == {
        "id": execution_id,
        "status": "requested",
        "action_id": action_id,
        "action_ref": "core.a1",
        "enforcement": enforcement_id,
        "rule_ref": "core.r1",
        "trigger_ref": "core.t1",
        "parent": None,
        "result": {"ok": True},
        "created": None,
        "updated": None,
    }
    assert payload["timestamp"] == payload["data"]["created"]


def test_execution_update_notifies_without_operation(conn: Conn, connect: Connect) -> None:
    """An execution update notifies too, with the new status, null refs and no operation key."""
    execution_id = rows.execution(conn)
    listener = listen(connect, "attune_notifications")
    conn.execute("UPDATE attune.execution SET status = 'running' WHERE id = %s", [execution_id])
    payload = only_payload(listener)
    assert "operation" not in payload
    assert (payload["data"]["status"], payload["data"]["rule_ref"]) == ("running", None)


def test_enforcement_notifies_created_then_updated(conn: Conn, connect: Connect) -> None:
    """Enforcement inserts and updates carry operation created/updated and the row's data."""
    listener = listen(connect, "attune_notifications")
    enforcement_id = rows.enforcement(conn, config=Jsonb({"a": 1}))
    conn.execute(
        "UPDATE attune.enforcement SET status = 'processed' WHERE id = %s", [enforcement_id]
    )
    payloads = [json.loads(p) for p in received(listener, 2)]
    assert [p["operation"] for p in payloads] == ["created", "updated"]
    assert all(set(p) == TOP_KEYS | {"operation"} for p in payloads)
    assert all(set(p["data"]) == ENFORCEMENT_KEYS for p in payloads)
    assert [p["data"]["status"] for p in payloads] == ["created", "processed"]
    assert payloads[0]["data"]["config"] == {"a": 1}
    assert payloads[0]["entity_type"] == "enforcement"


def test_event_insert_notifies_event_created(conn: Conn, connect: Connect) -> None:
    """An event insert sends its data to event_created, nulls as JSON null."""
    trigger_id = rows.trigger(conn, ref="core.t1")
    listener = listen(connect, "event_created")
    event_id = rows.event(conn, trigger=trigger_id, trigger_ref="core.t1", payload=Jsonb([1]))
    payload = only_payload(listener)
    assert set(payload) == TOP_KEYS
    assert set(payload["data"]) == EVENT_KEYS
    assert (payload["entity_type"], payload["entity_id"]) == ("event", event_id)
    assert (payload["data"]["trigger"], payload["data"]["payload"]) == (trigger_id, [1])
    assert payload["data"]["rule"] is None


def test_event_update_is_silent(conn: Conn, connect: Connect) -> None:
    """Updating an event sends nothing."""
    event_id = rows.event(conn)
    listener = listen(connect, "event_created")
    conn.execute("UPDATE attune.event SET source_ref = 'x' WHERE id = %s", [event_id])
    assert received(listener, 0) == []


def test_notification_insert_uses_row_channel_and_plain_json(conn: Conn, connect: Connect) -> None:
    """A notification goes to its own channel as plain json with exactly four keys in order."""
    listener = listen(connect, "my_channel")
    notification_id = rows.notification(
        conn, channel="my_channel", entity_type="execution", entity="42", activity="created"
    )
    assert received(listener) == [
        f'{{"id" : {notification_id}, "entity_type" : "execution", "entity" : "42",'
        ' "activity" : "created"}'
    ]


def test_notification_with_empty_channel_is_refused(conn: Conn) -> None:
    """An empty channel name aborts the insert, as pg_notify requires."""
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="channel name cannot be empty"):
        rows.notification(conn, channel="")


def test_delete_is_silent(conn: Conn, connect: Connect) -> None:
    """Deleting an execution sends nothing."""
    execution_id = rows.execution(conn)
    listener = listen(connect, "attune_notifications")
    conn.execute("DELETE FROM attune.execution WHERE id = %s", [execution_id])
    assert received(listener, 0) == []


def test_rolled_back_write_is_silent(conn: Conn, connect: Connect) -> None:
    """Notifications are delivered at commit only."""
    listener = listen(connect, "attune_notifications")
    with pytest.raises(ZeroDivisionError), conn.transaction():
        rows.execution(conn)
        raise ZeroDivisionError
    assert received(listener, 0) == []


@pytest.mark.parametrize(
    ("table", "channel", "column", "bulky"),
    [
        ("execution", "attune_notifications", "result", ["result"]),
        ("enforcement", "attune_notifications", "payload", ["conditions", "config", "payload"]),
        ("enforcement", "attune_notifications", "config", ["conditions", "config", "payload"]),
        ("enforcement", "attune_notifications", "conditions", ["conditions", "config", "payload"]),
        ("event", "event_created", "payload", ["payload"]),
    ],
)
def test_large_json_value_is_trimmed_not_fatal(
    conn: Conn, connect: Connect, table: str, channel: str, column: str, bulky: list[str]
) -> None:
    """A 9000-character JSON value still inserts; the notification nulls the bulky values."""
    listener = listen(connect, channel)
    row_id = rows.BUILDERS[table](conn, **{column: Jsonb([BIG])})
    payload = only_payload(listener)
    assert payload["truncated"] is True
    assert payload["entity_id"] == row_id
    assert {name: payload["data"][name] for name in bulky} == dict.fromkeys(bulky)
    assert payload["data"]["created"] is not None
    stored = conn.execute(
        sql.SQL("SELECT {} FROM attune.{} WHERE id = %s").format(
            sql.Identifier(column), sql.Identifier(table)
        ),
        [row_id],
    ).fetchone()
    assert stored == ([BIG],)


@pytest.mark.parametrize(
    ("table", "channel", "column"),
    [
        ("execution", "attune_notifications", "action_ref"),
        ("enforcement", "attune_notifications", "rule_ref"),
        ("event", "event_created", "trigger_ref"),
    ],
)
def test_large_text_value_reduces_data_to_id(
    conn: Conn, connect: Connect, table: str, channel: str, column: str
) -> None:
    """When nulling JSON values is not enough, data keeps all its keys but only the id's value."""
    listener = listen(connect, channel)
    row_id = rows.BUILDERS[table](conn, **{column: BIG})
    payload = only_payload(listener)
    assert payload["truncated"] is True
    assert payload["data"]["id"] == row_id
    assert [k for k, v in payload["data"].items() if v is not None] == ["id"]


def test_large_notification_falls_back_to_id(conn: Conn, connect: Connect) -> None:
    """A notification with huge text still inserts and announces its id only."""
    listener = listen(connect, "test_channel")
    notification_id = rows.notification(conn, activity=BIG)
    payload = only_payload(listener)
    assert payload == {
        "id": notification_id,
        "entity_type": None,
        "entity": None,
        "activity": None,
        "truncated": True,
    }


def test_payload_below_limit_is_sent_whole(conn: Conn, connect: Connect) -> None:
    """A payload just under the limit is not trimmed."""
    listener = listen(connect, "event_created")
    rows.event(conn, payload=Jsonb(["y" * 7500]))
    payload = only_payload(listener)
    assert "truncated" not in payload
    assert payload["data"]["payload"] == ["y" * 7500]


def test_execution_notify_works_with_any_search_path(conn: Conn, connect: Connect) -> None:
    """The enforcement lookup of the execution notifier does not depend on the caller's path."""
    enforcement_id = rows.enforcement(conn, rule_ref="core.r9")
    listener = listen(connect, "attune_notifications")
    conn.execute("SET search_path = public")
    rows.execution(conn, enforcement=enforcement_id)
    assert only_payload(listener)["data"]["rule_ref"] == "core.r9"
