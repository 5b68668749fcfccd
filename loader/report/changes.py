"""The plan's vocabulary: what happens to one component row, and to rows a pack no
longer declares. The plan is built of these, and the report shows them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class AbsentPolicy(StrEnum):
    """What happens to rows a pack owns but no longer declares."""

    REMOVE = "remove"
    DISABLE = "disable"
    RETAIN = "retain"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REMOVE = "remove"
    DISABLE = "disable"
    RETAIN = "retain"


@dataclass(frozen=True, slots=True)
class Change:
    """One planned (or applied) change to one component row: the plan's items, the
    report's changes and the reload cache's memory are all made of these."""

    kind: str
    ref: str
    pack: str
    action: Action
    fields: tuple[str, ...] = ()  # the changed columns, for updates

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "pack": self.pack,
            "action": self.action.value,
            "fields": list(self.fields),
        }
