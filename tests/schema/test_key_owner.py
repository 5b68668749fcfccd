"""validate_key_owner: the owner column matching owner_type, and the derived owner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from loader.database.conn import Conn
from tests.helpers import rows
from tests.helpers.sql import error_message, one

OWNER_COLUMNS: dict[str, Callable[[Conn], int]] = {
    "identity": rows.identity,
    "pack": rows.pack,
    "action": rows.action,
    "sensor": rows.sensor,
}

INSERT_KEY = (
    "INSERT INTO attune.key (ref, owner_type, name, encrypted, value, owner,"
    " owner_identity, owner_pack, owner_action, owner_sensor)"
    " VALUES (%(ref)s, %(type)s, 'name', false, 'v', %(owner)s,"
    " %(identity)s, %(pack)s, %(action)s, %(sensor)s) RETURNING owner"
)


def key_params(
    conn: Conn, owner_type: str, *set_columns: str, owner: str | None = None
) -> dict[str, Any]:
    """Parameters of INSERT_KEY with a new owner row for each named owner column."""
    params: dict[str, Any] = {"ref": rows.unique("key"), "type": owner_type, "owner": owner}
    for column, make in OWNER_COLUMNS.items():
        params[column] = make(conn) if column in set_columns else None
    return params


def test_system_key_owner_is_system(conn: Conn) -> None:
    """Rule 2: a system key has no owner column set and its owner is forced to 'system'."""
    assert one(conn, INSERT_KEY, key_params(conn, "system", owner="zzz")) == ("system",)


@pytest.mark.parametrize("column", list(OWNER_COLUMNS))
def test_system_key_refuses_owner_columns(conn: Conn, column: str) -> None:
    """Rule 2: any owner column set on a system key is an error."""
    message = error_message(conn, INSERT_KEY, key_params(conn, "system", column))
    assert message == "System owner cannot have specific owner fields set"


@pytest.mark.parametrize("owner_type", list(OWNER_COLUMNS))
def test_other_types_need_exactly_one_owner_column(conn: Conn, owner_type: str) -> None:
    """Rules 1 and 3: none or two owner columns are refused for a non-system type."""
    expected = f"Exactly one owner field must be set for owner_type {owner_type}"
    other = next(column for column in OWNER_COLUMNS if column != owner_type)
    assert error_message(conn, INSERT_KEY, key_params(conn, owner_type)) == expected
    assert (
        error_message(conn, INSERT_KEY, key_params(conn, owner_type, owner_type, other)) == expected
    )


@pytest.mark.parametrize("owner_type", list(OWNER_COLUMNS))
def test_owner_column_must_match_type(conn: Conn, owner_type: str) -> None:
    """Rule 4: the one column set must be the one named by owner_type."""
    other = next(column for column in OWNER_COLUMNS if column != owner_type)
    message = error_message(conn, INSERT_KEY, key_params(conn, owner_type, other))
    assert message == f"owner_{owner_type} must be set for owner_type {owner_type}"


@pytest.mark.parametrize("owner_type", list(OWNER_COLUMNS))
def test_owner_is_the_owner_id_as_text(conn: Conn, owner_type: str) -> None:
    """Rule 5: owner becomes the id of the owner row, as text, whatever the client sent."""
    params = key_params(conn, owner_type, owner_type, owner="zzz")
    assert one(conn, INSERT_KEY, params) == (str(params[owner_type]),)


def test_update_recomputes_owner(conn: Conn) -> None:
    """An UPDATE of owner is overridden: the trigger runs on updates too."""
    key_id = rows.key(conn)
    identity_id = rows.identity(conn)
    conn.execute("UPDATE attune.key SET owner = 'hack' WHERE id = %s", [key_id])
    assert one(conn, "SELECT owner FROM attune.key WHERE id = %s", [key_id]) == ("system",)
    conn.execute(
        "UPDATE attune.key SET owner_type = 'identity', owner_identity = %s WHERE id = %s",
        [identity_id, key_id],
    )
    assert one(conn, "SELECT owner FROM attune.key WHERE id = %s", [key_id]) == (str(identity_id),)


def test_update_is_validated(conn: Conn) -> None:
    """An UPDATE that breaks the rules is refused like an insert."""
    key_id = rows.key(conn)
    pack_id = rows.pack(conn)
    message = error_message(
        conn, "UPDATE attune.key SET owner_pack = %s WHERE id = %s", [pack_id, key_id]
    )
    assert message == "System owner cannot have specific owner fields set"


def test_key_name_is_unique_per_owner(conn: Conn) -> None:
    """Because owner is derived, two keys of one owner cannot share a name; other owners can."""
    first, second = rows.identity(conn), rows.identity(conn)
    rows.key(conn, owner_type="identity", owner_identity=first, name="token")
    rows.key(conn, owner_type="identity", owner_identity=second, name="token")
    with pytest.raises(psycopg.errors.UniqueViolation):
        rows.key(conn, owner_type="identity", owner_identity=first, name="token")
