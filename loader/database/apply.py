"""Write a plan: a constant number of statements per kind.

The created (or updated) rows of a kind reach the server through ``COPY`` into a
temporary staging table, one JSON row per component, which one ``INSERT ... SELECT``
(or ``UPDATE ... FROM``) turns into table rows (see :mod:`loader.database.statements`):
four statements per kind and action (create, copy, write, drop), whatever the number of
rows; a few rows go as one parameter of the write alone. Everything runs in the
caller's transaction; the caller commits or rolls back, and a staging table left by a
failed write goes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg import sql

from loader.database import statements
from loader.database.conn import Conn
from loader.database.plan import Groups, Plan
from loader.errors import DatabaseError
from loader.kinds import KINDS, Kind
from loader.report import Action, Change


def apply_plan(conn: Conn, plan: Plan, progress: Callable[[str], None] = lambda _: None) -> None:
    """Create and update in load order, then remove and disable in reverse order."""
    try:
        groups = plan.grouped()
        for kind in KINDS:
            _write_kind(conn, plan, groups, kind, progress)
        for kind in reversed(KINDS):
            _retire_kind(conn, plan, groups, kind)
    except psycopg.Error as exc:
        raise DatabaseError(
            f"the database refused the load, nothing was written: {_describe(exc)}"
        ) from exc


def _write_kind(
    conn: Conn, plan: Plan, groups: Groups, kind: Kind, progress: Callable[[str], None]
) -> None:
    creates = groups.get((kind.name, Action.CREATE), [])
    updates = groups.get((kind.name, Action.UPDATE), [])
    if creates:
        progress(f"creating {len(creates)} {kind.label}")
        inserted = _write(conn, statements.insert, kind, plan, creates)
        if inserted != len(creates):
            raise DatabaseError(
                f"{len(creates) - inserted} {kind.label} appeared while loading "
                "(created by someone else); nothing was written",
                hint="run the load again to see the conflict",
            )
    if updates:
        progress(f"updating {len(updates)} {kind.label}")
        _write(conn, statements.update, kind, plan, updates)


def _write(
    conn: Conn,
    statement: Callable[[Kind, bool], sql.Composed],
    kind: Kind,
    plan: Plan,
    changes: Sequence[Change],
) -> int:
    """Run the ``statement`` of ``kind`` over the changed components' rows and return
    its row count: the rows staged, or, when few, sent with it."""
    if len(changes) > statements.SENT_IN_LINE:
        return _write_staged(conn, statement(kind, True), plan, changes)
    rows = "[" + ",".join(plan.component(c).row_json() for c in changes) + "]"
    return conn.execute(statement(kind, False), {"rows": rows}).rowcount


def _write_staged(
    conn: Conn, statement: sql.Composed, plan: Plan, changes: Sequence[Change]
) -> int:
    """Stage the changed components' rows, run ``statement`` over them and return its
    row count. The table is dropped at once, so the next kind can stage under the
    same name."""
    conn.execute(statements.create_stage())
    with conn.cursor() as cur:
        # write_row escapes for COPY's text format (backslashes, newlines, tabs).
        with cur.copy(statements.copy_stage()) as copy:
            for change in changes:
                copy.write_row((plan.component(change).row_json(),))
        cur.execute(statement)
        count = cur.rowcount
    conn.execute(statements.drop_stage())
    return count


def _retire_kind(conn: Conn, plan: Plan, groups: Groups, kind: Kind) -> None:
    removes = [plan.row_id(c) for c in groups.get((kind.name, Action.REMOVE), [])]
    if removes:
        conn.execute(statements.delete(kind), {"ids": removes})
    disables = [plan.row_id(c) for c in groups.get((kind.name, Action.DISABLE), [])]
    if disables:
        conn.execute(statements.disable(kind), {"ids": disables})


def _describe(exc: psycopg.Error) -> str:
    diag: Any = exc.diag
    parts = [diag.message_primary or str(exc).strip()]
    if diag.message_detail:
        parts.append(diag.message_detail)
    return " - ".join(parts)
