"""The plan's vocabulary: what happens to one component row, and to rows a pack no
longer declares. The plan is built of these, and the report shows them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple


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


KEPT = frozenset({Action.UNCHANGED, Action.RETAIN})  # the actions that write nothing


class FieldChange(NamedTuple):
    """One column of an update or a disabling: its stored value and the one the
    files want, as JSON values (a link as the target's ref)."""

    field: str
    before: Any
    after: Any


class Change(NamedTuple):
    """One planned (or applied) change to one component row: the plan's items, the
    report's changes and the reload cache's memory are all made of these."""

    kind: str
    ref: str
    pack: str
    action: Action
    values: tuple[FieldChange, ...] = ()  # the changed columns, for updates

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the changed columns."""
        return tuple(v.field for v in self.values)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "pack": self.pack,
            "action": self.action.value,
            "fields": list(self.fields),
            "values": {v.field: {"before": v.before, "after": v.after} for v in self.values},
        }
