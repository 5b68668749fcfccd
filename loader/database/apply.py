"""Write a plan: per-pack advisory locks, then a constant number of statements per kind.

The created (or updated) rows of a kind reach the server through ``COPY`` into a
temporary staging table, one JSON row per component, which one ``INSERT ... SELECT``
(or ``UPDATE ... FROM``) turns into table rows (see :mod:`loader.database.statements`): four
statements per kind and action (create, copy, write, drop), whatever the number of
rows. Everything runs in the caller's transaction; the caller commits or rolls back,
and a staging table left by a failed write goes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import psycopg
from psycopg import errors, sql

from loader.database import statements
from loader.database.plan import Conn, Groups, Item, Plan
from loader.errors import DatabaseError, LockTimeout
from loader.kinds import KINDS, Kind
from loader.report.report import Action

_LOCK_NAMESPACE = "attune.pack:"


def lock_packs(conn: Conn, own: Iterable[str], referenced: Iterable[str], timeout_s: float) -> None:
    """Take transaction-scoped advisory locks: exclusive on the packs being loaded,
    shared on packs whose components they reference (so those cannot be removed
    underneath). One global order, so two loaders never deadlock."""
    own = set(own)
    wanted = sorted(own | set(referenced))
    conn.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(timeout_s * 1000)}ms",))
    try:
        for ref in wanted:
            function = "pg_advisory_xact_lock" if ref in own else "pg_advisory_xact_lock_shared"
            conn.execute(
                f"SELECT {function}(hashtextextended(%s, 0))",  # function name is ours
                (_LOCK_NAMESPACE + ref,),
            )
    except errors.LockNotAvailable as exc:
        raise LockTimeout(
            f"another loader held a lock on pack(s) {', '.join(wanted)} for more than "
            f"{timeout_s:g} s; nothing was written",
            hint="retry when it has finished, or raise --lock-timeout",
        ) from exc


def _ids(items: Iterable[Item]) -> list[int]:
    return [item.row["id"] for item in items if item.row is not None]


def apply_plan(conn: Conn, plan: Plan, progress: Callable[[str], None] = lambda _: None) -> None:
    """Create and update in load order, then remove and disable in reverse order."""
    try:
        groups = plan.grouped()
        for kind in KINDS:
            _write_kind(conn, groups, kind, progress)
        for kind in reversed(KINDS):
            _retire_kind(conn, groups, kind)
    except psycopg.Error as exc:
        raise DatabaseError(
            f"the database refused the load, nothing was written: {_describe(exc)}"
        ) from exc


def _write_kind(conn: Conn, groups: Groups, kind: Kind, progress: Callable[[str], None]) -> None:
    creates = groups.get((kind.name, Action.CREATE), [])
    updates = groups.get((kind.name, Action.UPDATE), [])
    if creates:
        progress(f"creating {len(creates)} {kind.label}")
        inserted = _write_staged(conn, statements.insert(kind), creates)
        if inserted != len(creates):
            raise DatabaseError(
                f"{len(creates) - inserted} {kind.label} appeared while loading "
                "(created by someone else); nothing was written",
                hint="run the load again to see the conflict",
            )
    if updates:
        progress(f"updating {len(updates)} {kind.label}")
        _write_staged(conn, statements.update(kind), updates)


def _write_staged(conn: Conn, statement: sql.Composed, items: Sequence[Item]) -> int:
    """Stage the items' rows, run ``statement`` over them and return its row count.
    The table is dropped at once, so the next kind can stage under the same name."""
    conn.execute(statements.create_stage())
    with conn.cursor() as cur:
        # write_row escapes for COPY's text format (backslashes, newlines, tabs).
        with cur.copy(statements.copy_stage()) as copy:
            for item in items:
                assert item.component is not None
                copy.write_row((item.component.row_json(),))
        cur.execute(statement)
        count = cur.rowcount
    conn.execute(statements.drop_stage())
    return count


def _retire_kind(conn: Conn, groups: Groups, kind: Kind) -> None:
    removes = _ids(groups.get((kind.name, Action.REMOVE), []))
    if removes:
        conn.execute(statements.delete(kind), {"ids": removes})
    disables = _ids(groups.get((kind.name, Action.DISABLE), []))
    if disables:
        conn.execute(statements.disable(kind), {"ids": disables})


def _describe(exc: psycopg.Error) -> str:
    diag: Any = exc.diag
    parts = [diag.message_primary or str(exc).strip()]
    if diag.message_detail:
        parts.append(diag.message_detail)
    return " - ".join(parts)
