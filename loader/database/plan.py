"""Compare the components of a load with the rows in the database.

One read per kind; the result is a :class:`Plan` that can be printed, checked, and
handed to :mod:`loader.database.apply`. Building a plan writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from psycopg import Cursor, sql
from psycopg.rows import dict_row

from loader.database import statements
from loader.database.conn import Conn
from loader.kinds import KINDS, PACK, Kind
from loader.packs.model import Component, Pack
from loader.report import AbsentPolicy, Action, Change, Diagnostic, FieldChange, codes

Row = dict[str, Any]
Groups = dict[tuple[str, Action], list[Change]]  # by kind name and action


@dataclass
class Plan:
    """The changes of a load in plan order, and what writing them needs: the declared
    components (to create or update), and the ids of the rows the packs no longer
    declare (to remove or disable), both by kind name and ref."""

    changes: list[Change] = field(default_factory=list)
    conflicts: list[Diagnostic] = field(default_factory=list)
    declared: dict[str, dict[str, Component]] = field(default_factory=dict)
    absent: dict[str, dict[str, int]] = field(default_factory=dict)

    def grouped(self) -> Groups:
        """The changes by kind and action, in plan order (one pass over a large plan)."""
        groups: Groups = {}
        for change in self.changes:
            groups.setdefault((change.kind, change.action), []).append(change)
        return groups

    def component(self, change: Change) -> Component:
        """The declared component a create or update writes."""
        return self.declared[change.kind][change.ref]

    def row_id(self, change: Change) -> int:
        """The id of the absent row a removal or disabling touches."""
        return self.absent[change.kind][change.ref]

    @property
    def has_absent(self) -> bool:
        """Whether some change is about a row the packs no longer declare."""
        return any(self.absent.values())


def changed_fields(
    component: Component, current: Row, pack_id: int | None
) -> tuple[FieldChange, ...]:
    """The columns whose stored value differs from the files, with both values."""
    kind = component.kind
    wanted = component.row()  # keyed like statements.select_current
    changed = [
        FieldChange(f.column, current[f.column], wanted[f.column])
        for f in kind.fields
        if wanted[f.column] != current[f.column]
    ]
    for link in kind.links:
        key = link.ref_key
        # The id may point at the right row while the *_ref text column disagrees.
        stored = current[key] if link.ref_column is None else current[link.ref_column]
        if wanted[key] != current[key] or wanted[key] != stored:
            before = current[key] if wanted[key] != current[key] else stored
            changed.append(FieldChange(link.column, before, wanted[key]))
    # pack_id is None while the pack row itself is still to be created.
    if kind.has_pack_column and (pack_id is None or current["pack"] != pack_id):
        changed.append(FieldChange("pack", current["pack"], pack_id))
    return tuple(changed)


def read_current(
    conn: Conn, declared: Mapping[str, Iterable[str]], packs: Sequence[str]
) -> list[Iterator[Row]]:
    """Per kind of :data:`KINDS`, the rows a load of ``packs`` declaring the refs
    ``declared[kind]`` may touch, a batch at a time, so that each is compared and let
    go before the next. After the packs' ids, every kind's cursor is declared, and its
    first batch fetched, in one round trip: most loads need no other. A kind that can
    touch no row (no ref declared, no pack's rows to read) has no cursor: a reload of
    one changed file reads two kinds."""
    owners = statements.owner_params(conn, packs)
    read = [kind for kind in KINDS if packs or declared[kind.name]]
    names = {kind.name: sql.Identifier(f"current_{kind.name}") for kind in read}
    with conn.pipeline():
        conn.execute(_READ_TO_THE_END)
        for kind in read:
            refs = {"refs": list(declared[kind.name]), **owners}
            conn.execute(_DECLARE.format(names[kind.name]) + statements.select_current(kind), refs)
        firsts = {kind.name: _fetch(conn, names[kind.name], _FIRST) for kind in read}
    return [
        _batches(conn, names[kind.name], firsts[kind.name]) if kind.name in names else iter(())
        for kind in KINDS
    ]


def _fetch(conn: Conn, name: sql.Identifier, size: int) -> Cursor[Row]:
    return conn.cursor(row_factory=dict_row).execute(_FETCH.format(size, name))


def _batches(conn: Conn, name: sql.Identifier, first: Cursor[Row]) -> Iterator[Row]:
    """The first batch, then the next ones until one comes back short; then the cursor
    is closed."""
    batch, size = first.fetchall(), _FIRST
    yield from batch
    while len(batch) == size:
        batch, size = _fetch(conn, name, _BATCH).fetchall(), _BATCH
        yield from batch
    conn.execute(sql.SQL("CLOSE {}").format(name))


_DECLARE = sql.SQL("DECLARE {} NO SCROLL CURSOR FOR ")
# Every cursor is read to its end: planned for all its rows, not for the first tenth
# (such fast-start plans read whole tables: finding a new pack's 500 rows among
# 100,000 components took 26 ms that way, 6 ms this way). For the transaction.
_READ_TO_THE_END = sql.SQL("SELECT set_config('cursor_tuple_fraction', '1', true)")
_FETCH = sql.SQL("FETCH {} FROM {}")
# Rows of every kind fetched at once, held together: small, for memory's sake.
_FIRST = 250
_BATCH = 2000


def build_plan(
    conn: Conn,
    packs: Sequence[Pack],
    absent_policy: AbsentPolicy,
    only: Mapping[str, frozenset[tuple[str, str]]] | None = None,
) -> Plan:
    """Plan every kind of every pack in load order; reads only.

    :param only: for some packs, the kinds and refs of the only components that may
        differ from their rows (the others, and the pack's set of rows, are known to
        be as the files have them): only those and the pack's own row are planned."""
    plan = Plan()
    only = only or {}
    by_ref = {p.ref: p for p in packs}
    by_kind: dict[str, list[Component]] = {k.name: [] for k in KINDS}
    for pack in packs:
        chosen = only.get(pack.ref)
        for component in pack.all_components():
            name = component.kind.name
            if chosen is None or component.kind is PACK or (name, component.ref) in chosen:
                by_kind[name].append(component)
    pack_ids: dict[str, int] = {}
    for kind in KINDS:
        plan.declared[kind.name] = {c.ref: c for c in by_kind[kind.name]}
    # The rows a pack owns are read for all packs but those: theirs are all declared.
    current = read_current(conn, plan.declared, [p.ref for p in packs if p.ref not in only])
    for kind, rows in zip(KINDS, current, strict=True):
        declared = plan.declared[kind.name]
        absent = plan.absent[kind.name] = {}
        existing: dict[str, Change] = {}
        gone: list[Change] = []
        for row in rows:
            if kind is PACK:  # the rows the other kinds' pack column points at
                pack_ids[row["ref"]] = row["id"]
            stated = declared.get(row["ref"])
            if stated is not None:
                existing[row["ref"]] = _plan_one(stated, row, pack_ids, plan)
            elif _owned_absent(kind, row, by_ref, pack_ids):
                # A pack without the kind's folder keeps those rows, whatever the policy.
                managed = by_ref[row["pack_ref"]].manages(kind)
                policy = absent_policy if managed else AbsentPolicy.RETAIN
                gone.append(_plan_absent(kind, row, policy))
                absent[row["ref"]] = row["id"]
        for component in by_kind[kind.name]:  # in file order
            known = existing.get(component.ref)
            plan.changes.append(known or _plan_one(component, None, {}, plan))
        plan.changes += gone
    plan.conflicts += removal_blockers(conn, plan)
    return plan


def removal_blockers(conn: Conn, plan: Plan) -> list[Diagnostic]:
    """Removals that would break a reference from a row that stays: refuse them,
    naming every referencing row."""
    removed = {(c.kind, c.ref): c for c in plan.changes if c.action is Action.REMOVE}
    if not removed:
        return []
    blockers: list[Diagnostic] = []
    for change in plan.changes:  # components of this load that still point at a removal
        component = plan.declared[change.kind].get(change.ref)
        if component is None:
            continue
        for link in component.kind.links:
            target = component.links.get(link.column)
            if target and (link.target, target) in removed:
                blocked = removed[(link.target, target)]
                blockers.append(_blocked(blocked, component.kind, change.ref, change.pack))
    removed_ids = {(c.kind, plan.row_id(c)): c for c in removed.values()}
    for kind in KINDS:
        for link in kind.links:
            ids = [rid for name, rid in removed_ids if name == link.target]
            if not ids:
                continue
            with conn.cursor() as cur:
                cur.execute(statements.referencing(kind, link), {"ids": ids})
                found = cur.fetchall()
            # Rows this load declares are judged by their new links, just above.
            declared = plan.declared[kind.name]
            for ref, owner, target_id in found:
                if (kind.name, ref) not in removed and ref not in declared:
                    gone = removed_ids[(link.target, target_id)]
                    blockers.append(_blocked(gone, kind, ref, owner))
    return blockers


def _blocked(target: Change, kind: Kind, ref: str, owner: str | None) -> Diagnostic:
    return Diagnostic(
        f"pack {target.pack}", None, None, codes.CONFLICT_REFERENCED,
        f"cannot remove {target.kind} '{target.ref}': {kind.name} '{ref}' of pack "
        f"'{owner}' still references it",
        hint="remove or re-point the referencing component first, or load with "
        "--absent retain / --absent disable",
    )  # fmt: skip


def _plan_one(
    component: Component, row: Row | None, pack_ids: dict[str, int], plan: Plan
) -> Change:
    kind = component.kind
    if row is None:
        return Change(kind.name, component.ref, component.pack_ref, Action.CREATE)
    conflict = ownership_conflict(component, row)
    if conflict:
        plan.conflicts.append(conflict)
    fields = changed_fields(component, row, pack_ids.get(component.pack_ref))
    action = Action.UPDATE if fields else Action.UNCHANGED
    return Change(kind.name, component.ref, component.pack_ref, action, fields)


def ownership_conflict(component: Component, row: Row) -> Diagnostic | None:
    """A row the load may not take over: another pack's, or an operator's ad-hoc row."""
    kind = component.kind
    where = component.source.display
    if kind.has_adhoc and row.get("is_adhoc"):
        return Diagnostic(
            where, None, None, codes.CONFLICT_ADHOC,
            f"{kind.name} '{component.ref}' exists as an ad-hoc {kind.name} created by an "
            "operator; the loader will not overwrite it",
            hint="rename the component in the pack, or delete the ad-hoc row first",
        )  # fmt: skip
    owner = row.get("pack_ref")
    if kind.has_pack_column and owner is None:
        return Diagnostic(
            where, None, None, codes.CONFLICT_UNOWNED,
            f"{kind.name} '{component.ref}' exists but belongs to no pack (it was created "
            "outside any pack); the loader will not take it over",
            hint="delete the row, or set its pack_ref if it really belongs to this pack",
        )  # fmt: skip
    if kind.has_pack_column and owner != component.pack_ref:
        return Diagnostic(
            where, None, None, codes.CONFLICT_OTHER_PACK,
            f"{kind.name} '{component.ref}' belongs to pack '{owner}', not to "
            f"'{component.pack_ref}'",
            hint=f"load it with pack '{owner}', or remove it from that pack first",
        )  # fmt: skip
    return None


def _owned_absent(
    kind: Kind, row: Row, loaded: Mapping[str, Pack], pack_ids: Mapping[str, int]
) -> bool:
    """Whether an undeclared row is a loaded pack's: its pack_ref names the pack and
    its pack column, when set, does too (see ``statements._owned``)."""
    if not kind.has_pack_column:  # packs themselves, and kinds no pack owns
        return False
    owner = row["pack_ref"]
    named = row["pack"] is None or row["pack"] == pack_ids.get(owner)
    return owner in loaded and named and not row.get("is_adhoc", False)


def _plan_absent(kind: Kind, row: Row, policy: AbsentPolicy) -> Change:
    if policy is AbsentPolicy.REMOVE:
        return Change(kind.name, row["ref"], row["pack_ref"], Action.REMOVE)
    if policy is AbsentPolicy.DISABLE and kind.has_enabled and row.get("enabled"):
        disabled = (FieldChange("enabled", True, False),)
        return Change(kind.name, row["ref"], row["pack_ref"], Action.DISABLE, disabled)
    return Change(kind.name, row["ref"], row["pack_ref"], Action.RETAIN)
