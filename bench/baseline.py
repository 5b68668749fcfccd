"""The row-by-row baseline: the old loader's method, applied to any number of packs.

The old ``load_core_pack.py`` parsed every file with ``yaml.safe_load``, then wrote
each component with its own ``INSERT ... ON CONFLICT (ref) DO UPDATE SET ...,
updated = now()`` round trip (so every run rewrites every row), remembering the new
ids to fill in later references, and committed once at the end. This module does the
same with psycopg 3. The column values come from the loader's own normalised
components, so the baseline writes exactly the rows the loader writes and the two can
be compared row for row; only the method differs. Building those components is not
part of the timed run.

``yaml.safe_load`` is PyYAML's pure-Python safe loader (PyYAML uses libyaml only when
asked for ``CSafeLoader``), so that is what the baseline parses with; the benchmark
also reports the baseline with the floor's C parser in its place, so that the gap
owed to the parser alone is visible. Without PyYAML, ruamel.yaml's pure-Python safe
loader stands in.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from ruamel.yaml import YAML

from loader.kinds import KINDS, KINDS_BY_NAME, Kind
from loader.packs.model import Component, Pack

SCHEMA = "attune"


@dataclass(frozen=True)
class StepResult:
    """Timings of one writer over the same components: parse, write, and the sum."""

    name: str
    components: int
    files: int
    parse_s: float
    write_s: float

    @property
    def wall_s(self) -> float:
        return self.parse_s + self.write_s

    @property
    def per_second(self) -> float:
        return self.components / self.wall_s if self.wall_s > 0 else 0.0


def yaml_files(packs: Iterable[Pack]) -> list[tuple[Path, Kind]]:
    """The YAML files the components came from, each once, in load order, with the
    kind each was checked as."""
    seen: dict[Path, Kind] = {}
    for pack in packs:
        for component in pack.all_components():
            seen.setdefault(component.source.path, component.kind)
    return list(seen.items())


def in_load_order(packs: Iterable[Pack]) -> list[Component]:
    """All components, kind by kind in apply order, so references point backwards;
    with their values decoded (the check keeps them as row JSON), so that no writer
    decodes them on the clock."""
    components = [_thawed(c) for pack in packs for c in pack.all_components()]
    return sorted(components, key=lambda c: KINDS.index(c.kind))  # stable: keeps file order


def _thawed(c: Component) -> Component:
    return Component(c.kind, c.ref, c.pack_ref, c.values, c.links, c.source, c.checked_refs)


def columns(kind: Kind) -> list[str]:
    """The columns the loader owns for ``kind``, in a fixed order."""
    cols = ["ref"]
    if kind.has_pack_column:
        cols += ["pack", "pack_ref"]
    cols += [f.column for f in kind.fields]
    for link in kind.links:
        cols.append(link.column)
        if link.ref_column:
            cols.append(link.ref_column)
    return cols


class IdMap:
    """ref -> id per kind, filled as rows are written. A ref that this run did not
    write (a component already in the database) is looked up once, as the old loader
    did."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.ids: dict[str, dict[str, int]] = {k.name: {} for k in KINDS}

    def remember(self, kind: str, ref: str, id_: int) -> None:
        self.ids[kind][ref] = id_

    def id_of(self, kind: str, ref: str | None) -> int | None:
        if ref is None:
            return None
        known = self.ids[kind].get(ref)
        if known is not None:
            return known
        query = sql.SQL("SELECT id FROM {}.{} WHERE ref = %s").format(
            sql.Identifier(SCHEMA), sql.Identifier(KINDS_BY_NAME[kind].sql_table)
        )
        row = self.conn.execute(query, (ref,)).fetchone()
        if row is None:
            return None
        self.ids[kind][ref] = int(row[0])
        return self.ids[kind][ref]


def row_values(component: Component, ids: IdMap) -> list[Any]:
    """The values for :func:`columns`, JSON columns wrapped so they travel as jsonb."""
    kind = component.kind
    json_columns = kind.json_columns
    values: list[Any] = [component.ref]
    if kind.has_pack_column:
        values += [ids.id_of("pack", component.pack_ref), component.pack_ref]
    for f in kind.fields:
        value = component.values.get(f.column)
        # None stays SQL NULL, as the loader stores it; anything else is a JSON document.
        values.append(Jsonb(value) if f.column in json_columns and value is not None else value)
    for link in kind.links:
        target = component.links.get(link.column)
        values.append(ids.id_of(link.target, target))
        if link.ref_column:
            values.append(target)
    return values


def upsert_statement(kind: Kind) -> sql.Composed:
    """One row, inserted or overwritten: the old loader's ON CONFLICT (ref) DO UPDATE."""
    cols = columns(kind)
    assignments: list[sql.Composable] = [
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c))
        for c in cols
        if c != "ref"
    ]
    assignments.append(sql.SQL("updated = now()"))
    return sql.SQL(
        "INSERT INTO {}.{} ({}) VALUES ({}) ON CONFLICT (ref) DO UPDATE SET {} RETURNING id"
    ).format(
        sql.Identifier(SCHEMA),
        sql.Identifier(kind.sql_table),
        sql.SQL(", ").join(sql.Identifier(c) for c in cols),
        sql.SQL(", ").join(sql.Placeholder() * len(cols)),
        sql.SQL(", ").join(assignments),
    )


def old_loader_parser() -> tuple[str, Callable[[bytes], Any]]:
    """The old loader's parser: (its name, a function parsing one file's bytes)."""
    try:
        # Imported by name: PyYAML is optional and ships no type information.
        pyyaml = importlib.import_module("yaml")
    except ImportError:
        ruamel = YAML(typ="safe", pure=True)  # one object reused, as for many files
        return "ruamel.yaml pure-Python safe loader", ruamel.load
    return "PyYAML safe_load (pure Python)", pyyaml.safe_load


def parse_files(files: Sequence[tuple[Path, Kind]]) -> int:
    """Parse every file as the old loader did; returns how many were read."""
    _, parse = old_loader_parser()
    for path, _kind in files:
        parse(path.read_bytes())
    return len(files)


def write_row_by_row(conninfo: str, components: Sequence[Component]) -> None:
    """One statement and one round trip per component, one commit at the end."""
    statements = {k.name: upsert_statement(k) for k in KINDS}
    with psycopg.connect(conninfo) as conn:
        ids = IdMap(conn)
        with conn.cursor() as cur:
            for component in components:
                kind = component.kind
                cur.execute(statements[kind.name], row_values(component, ids))
                row = cur.fetchone()
                assert row is not None  # DO UPDATE always returns the row
                ids.remember(kind.name, component.ref, int(row[0]))
        conn.commit()


def timed_run(
    name: str,
    conninfo: str,
    packs: Sequence[Pack],
    parse: Callable[[Sequence[tuple[Path, Kind]]], object],
    write: Callable[[str, Sequence[Component]], None],
) -> StepResult:
    """Parse the packs' files with ``parse``, then write their components with ``write``,
    timing the two apart."""
    files = yaml_files(packs)
    components = in_load_order(packs)
    started = time.perf_counter()
    parse(files)
    parsed = time.perf_counter()
    write(conninfo, components)
    done = time.perf_counter()
    return StepResult(name, len(components), len(files), parsed - started, done - parsed)


def run(conninfo: str, packs: Sequence[Pack]) -> StepResult:
    """Parse the packs' files, then write their components one row at a time."""
    return timed_run("row-by-row baseline", conninfo, packs, parse_files, write_row_by_row)
