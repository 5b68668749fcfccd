"""SQL for reading and writing a kind's rows, composed from its KINDS declaration.

Writes are set-based: the rows of one kind are ``COPY``'d, one JSON object per row,
into a temporary staging table (:func:`create_stage`), then one statement turns them
into typed rows by ``jsonb_populate_record`` against the table's own row type and
inserts (or updates) any number of components. References travel as refs under
``<column>@ref`` keys and are turned into ids by joins. Up to :data:`SENT_IN_LINE`
rows go instead as one JSON array parameter of the same statement: the staging table's
three extra statements (create, copy, drop) cost more than they save for a few hundred
rows and made no difference at a few thousand (bench/bench_write.py), while the
parameter is one text held whole on both sides and took more than twice as long for
60,000 actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import sql

from loader.database.conn import Conn
from loader.kinds import KINDS, KINDS_BY_NAME, Kind, Link

SCHEMA = "attune"
# Qualified with pg_temp, so a table of that name elsewhere on the search path is never
# the one read or dropped.
_STAGE = sql.Identifier("pg_temp", "attune_load_rows")
# Up to this many rows of a kind are sent as a parameter instead of staged.
SENT_IN_LINE = 1000
_IN_LINE = sql.SQL("jsonb_array_elements(%(rows)s::jsonb) AS e(doc)")
# No parallel plans for the rest of the transaction.
SERIAL_PLANS = sql.SQL("SELECT set_config('max_parallel_workers_per_gather', '0', true)")


def _table(name: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name))


def owner_columns(kind: Kind) -> list[str]:
    return ["pack", "pack_ref"] if kind.has_pack_column else []


def plain_columns(kind: Kind) -> list[str]:
    """Columns copied from the row document as they are (not ids found by ref)."""
    cols = [f.column for f in kind.fields]
    cols += [link.ref_column for link in kind.links if link.ref_column]
    return cols


def select_current(kind: Kind) -> sql.Composed:
    """The rows a load of some packs may touch: the refs it declares and every row
    the packs own. Link ids come back as refs, so they compare with the files."""
    items: list[sql.Composable] = [sql.SQL("t.id"), sql.SQL("t.ref")]
    items += [sql.SQL("t.{}").format(sql.Identifier(c)) for c in owner_columns(kind)]
    if kind.has_adhoc:
        items.append(sql.SQL("t.is_adhoc"))
    items += [sql.SQL("t.{}").format(sql.Identifier(c)) for c in plain_columns(kind)]
    for link in kind.links:
        items.append(
            sql.SQL("(SELECT x.ref FROM {} x WHERE x.id = t.{}) AS {}").format(
                _table(_target_table(link)),
                sql.Identifier(link.column),
                sql.Identifier(link.ref_key),
            )
        )
    owned = sql.SQL(" OR {}").format(_owned("t.")) if kind.has_pack_column else sql.SQL("")
    # The refs go in binary: a large load's list is dumped about three times faster.
    return sql.SQL("SELECT {} FROM {} t WHERE t.ref = ANY(%(refs)b){}").format(
        sql.SQL(", ").join(items), _table(kind.sql_table), owned
    )


def owner_params(conn: Conn, packs: Sequence[str]) -> dict[str, list[Any]]:
    """The parameters that find the rows ``packs`` own (:func:`_owned`): their refs,
    and the ids of those that have a row, read in one round trip (none for no pack)."""
    if not packs:
        return {"packs": [], "pack_ids": []}
    found = conn.execute(
        sql.SQL("SELECT id FROM {} WHERE ref = ANY(%s)").format(_table("pack")), [list(packs)]
    )
    return {"packs": list(packs), "pack_ids": [row[0] for row in found]}


def _owned(alias: str) -> sql.SQL:
    """The rows the packs ``%(packs)s`` own: their pack column is one of the packs' ids
    ``%(pack_ids)s``, or it is empty and their pack_ref names one of them (runtimes
    left by the old migrations). The target schema indexes ``pack`` but not
    ``pack_ref``: testing pack_ref alone read every table whole, 35 ms of planning one
    new pack into a database of 100,000 components against 3.5 ms this way. The ids
    are values, not a subquery, so the server plans with them (a subquery's ids left
    three tables read whole). A row whose two columns name different packs is owned by
    neither: the load of a pack does not remove a row the foreign key gives another."""
    return sql.SQL(
        f"({alias}pack = ANY(%(pack_ids)s) OR ({alias}pack IS NULL "
        f"AND {alias}pack_ref = ANY(%(packs)s)))"
    )


def select_refs(kind: Kind) -> sql.Composed:
    """The whole rows of ``kind`` whose ref is one of ``%s`` (references a load does
    not declare itself)."""
    return sql.SQL("SELECT * FROM {} WHERE ref = ANY(%s)").format(_table(kind.sql_table))


def owned_rows_digests() -> sql.Composed:
    """Per kind and owning pack of the packs ``%(packs)s``: the count and a digest of
    the ids and row versions of their rows (for kinds no pack owns: the packs' own
    rows), every kind in one statement, so the reload cache asks once. The digest is
    the exclusive or of each row's 64-bit hash of its id seeded with its xmin (ids
    are unique, so no two rows cancel), which needs no sort nor one long text: the
    ordered md5 of every id and xmin took 120 ms over 100,000 rows against 90 ms, and
    1.7 times as long on their largest table; over 60,000 actions, this takes 20 ms
    beyond reading the rows where a numeric sum of hashes of ``id:xmin`` took 36."""
    parts = []
    for kind in KINDS:
        owner = sql.Identifier("pack_ref" if kind.has_pack_column else "ref")
        owned = _owned("") if kind.has_pack_column else sql.SQL("ref = ANY(%(packs)s)")
        parts.append(
            sql.SQL(
                "SELECT {kind}::text, {owner}::text, count(*), "
                "bit_xor(hashint8extended(id, xmin::text::bigint))::text "
                "FROM {table} WHERE {owned} GROUP BY {owner}"
            ).format(
                kind=sql.Literal(kind.name),
                owner=owner,
                table=_table(kind.sql_table),
                owned=owned,
            )
        )
    return sql.SQL(" UNION ALL ").join(parts)


def owned_summary(kind: Kind) -> sql.Composed:
    """Per pack: how many rows of ``kind`` it owns and when one last changed (a kind
    that has a pack column only)."""
    return sql.SQL(
        "SELECT pack_ref, count(*), max(updated) FROM {} WHERE pack_ref IS NOT NULL "
        "GROUP BY pack_ref"
    ).format(_table(kind.sql_table))


def _target_table(link: Link) -> str:
    return KINDS_BY_NAME[link.target].sql_table


def create_stage() -> sql.Composed:
    """The staging table of one write: a JSON row per component. Being temporary, it
    lives in the session's own schema (the role needs the database's TEMPORARY
    privilege, which PUBLIC has by default) and goes with the transaction at the
    latest."""
    return sql.SQL("CREATE TEMP TABLE {} (doc jsonb NOT NULL) ON COMMIT DROP").format(_STAGE)


def copy_stage() -> sql.Composed:
    return sql.SQL("COPY {} (doc) FROM STDIN").format(_STAGE)


def drop_stage() -> sql.Composed:
    return sql.SQL("DROP TABLE {}").format(_STAGE)


def _source(kind: Kind, staged: bool) -> sql.Composed:
    """FROM items yielding ``e.doc`` (the JSON row: staged, or an element of the
    ``rows`` parameter), ``d`` (typed row) and one join per link (``l_<column>``)
    holding the referenced row's id."""
    rows = sql.SQL("{} AS e").format(_STAGE) if staged else _IN_LINE
    parts = [
        sql.SQL("{} CROSS JOIN LATERAL jsonb_populate_record(NULL::{}, e.doc) AS d").format(
            rows, _table(kind.sql_table)
        )
    ]
    if kind.has_pack_column:
        parts.append(sql.SQL("JOIN {} p ON p.ref = d.pack_ref").format(_table("pack")))
    for link in kind.links:
        parts.append(
            sql.SQL("LEFT JOIN {} {} ON {}.ref = e.doc->>{}").format(
                _table(_target_table(link)),
                sql.Identifier("l_" + link.column),
                sql.Identifier("l_" + link.column),
                sql.Literal(link.ref_key),
            )
        )
    return sql.SQL(" ").join(parts)


def _written(kind: Kind) -> list[tuple[str, sql.Composable]]:
    """(column, value expression) for every column the loader writes."""
    out: list[tuple[str, sql.Composable]] = []
    if kind.has_pack_column:
        out += [("pack", sql.SQL("p.id")), ("pack_ref", sql.SQL("d.pack_ref"))]
    out += [(c, sql.SQL("d.{}").format(sql.Identifier(c))) for c in plain_columns(kind)]
    out += [
        (link.column, sql.SQL("{}.id").format(sql.Identifier("l_" + link.column)))
        for link in kind.links
    ]
    return out


def insert(kind: Kind, staged: bool = True) -> sql.Composed:
    """Insert the staged (or sent) components. ON CONFLICT DO NOTHING: the caller
    compares the row count, so a row that appeared meanwhile is reported, not
    overwritten."""
    written = [("ref", sql.SQL("d.ref")), *_written(kind)]
    return sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT (ref) DO NOTHING").format(
        _table(kind.sql_table),
        sql.SQL(", ").join(sql.Identifier(c) for c, _ in written),
        sql.SQL(", ").join(expr for _, expr in written),
        _source(kind, staged),
    )


def update(kind: Kind, staged: bool = True) -> sql.Composed:
    """Update the staged (or sent) components of the owning pack only; rows whose values are
    all equal are filtered out by IS DISTINCT FROM, so no trigger fires for them."""
    written = _written(kind)
    targets = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c, _ in written)
    values = sql.SQL(", ").join(expr for _, expr in written)
    guards: list[sql.Composable] = []
    if kind.has_pack_column:
        guards.append(sql.SQL(" AND t.pack_ref IS NOT DISTINCT FROM d.pack_ref"))
    if kind.has_adhoc:
        guards.append(sql.SQL(" AND NOT t.is_adhoc"))
    guard = sql.Composed(guards)
    return sql.SQL(
        "UPDATE {} AS t SET ({}) = ROW({}) FROM {} WHERE t.ref = d.ref{} "
        "AND ({}) IS DISTINCT FROM ({})"
    ).format(
        _table(kind.sql_table),
        sql.SQL(", ").join(sql.Identifier(c) for c, _ in written),
        values,
        _source(kind, staged),
        guard,
        targets,
        values,
    )


def delete(kind: Kind) -> sql.Composed:
    return sql.SQL("DELETE FROM {} WHERE id = ANY(%(ids)s)").format(_table(kind.sql_table))


def disable(kind: Kind) -> sql.Composed:
    return sql.SQL("UPDATE {} SET enabled = false WHERE id = ANY(%(ids)s) AND enabled").format(
        _table(kind.sql_table)
    )


def referencing(kind: Kind, link: Link) -> sql.Composed:
    """Rows of ``kind`` whose ``link`` points at one of ``%(ids)s``."""
    owner = sql.SQL("t.pack_ref") if kind.has_pack_column else sql.SQL("t.ref")
    return sql.SQL("SELECT t.ref, {}, t.{} FROM {} t WHERE t.{} = ANY(%(ids)s)").format(
        owner, sql.Identifier(link.column), _table(kind.sql_table), sql.Identifier(link.column)
    )
