"""References that a load does not declare itself, looked up in the database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from psycopg.rows import dict_row

from loader.database import statements
from loader.database.conn import Conn
from loader.kinds import KINDS_BY_NAME

if TYPE_CHECKING:
    from loader.packs.model import Pack


class DatabaseRefs:
    """The validator's ExternalRefs seam, answered by one query per kind asked."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def find(self, kind: str, refs: set[str]) -> dict[str, dict[str, Any]]:
        if not refs:
            return {}
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(statements.select_refs(KINDS_BY_NAME[kind]), (sorted(refs),))
            return {row["ref"]: row for row in cur.fetchall()}


def external_targets(packs: Iterable[Pack]) -> dict[str, set[str]]:
    """Per target kind, the refs the packs point at but do not declare."""
    packs = list(packs)
    declared = {(c.kind.name, c.ref) for p in packs for c in p.all_components()}
    wanted: dict[str, set[str]] = {}
    for pack in packs:
        for component in pack.components:
            for link in component.kind.links:
                target = component.links.get(link.column)
                if target and (link.target, target) not in declared:
                    wanted.setdefault(link.target, set()).add(target)
    return wanted


def pack_of(ref: str) -> str:
    return ref.split(".", 1)[0]
