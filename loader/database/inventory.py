"""Which packs the database holds: their version, their components per kind and when
a load last changed one of their rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from loader.database import statements
from loader.database.conn import Conn
from loader.kinds import KINDS


class LoadedPack(NamedTuple):
    ref: str
    label: str
    version: str
    created: datetime
    # The latest ``updated`` of the pack's rows: a load that changes nothing writes
    # nothing, so this is the last load that changed something (a removal leaves no row
    # to date it).
    last_loaded: datetime
    components: dict[str, int]  # kind -> rows the pack owns

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "label": self.label,
            "version": self.version,
            "created": self.created.isoformat(),
            "last_loaded": self.last_loaded.isoformat(),
            "components": self.components,
        }


def loaded_packs(conn: Conn) -> list[LoadedPack]:
    """Every pack row, by ref, with what it owns."""
    owning = [kind for kind in KINDS if kind.has_pack_column]
    owned: dict[str, dict[str, int]] = {}
    latest: dict[str, datetime] = {}
    for kind in owning:
        for pack, count, updated in conn.execute(statements.owned_summary(kind)):
            owned.setdefault(pack, {})[kind.name] = count
            latest[pack] = max(latest.get(pack, updated), updated)
    query = "SELECT ref, label, version, created, updated FROM attune.pack ORDER BY ref"
    packs = []
    for ref, label, version, created, updated in conn.execute(query):
        counts = {kind.name: owned.get(ref, {}).get(kind.name, 0) for kind in owning}
        last = max(updated, latest.get(ref, updated))
        packs.append(LoadedPack(ref, label, version, created, last, counts))
    return packs
