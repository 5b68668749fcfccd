"""The floor: the least work that puts the same rows into the same tables.

Two parts, timed one after the other: parse every file with libyaml (PyYAML's
``CSafeLoader`` when PyYAML is installed, else ruamel.yaml's C safe loader), then
``COPY`` the rows into the tables, kind by kind, reading back the new ids once per
kind so that later kinds can fill in their references. Nothing is validated,
compared or upserted, so no real loader can be faster on a first load; the loader's
distance to this figure is what validation, planning and set-based upserts cost.

The rows are the loader's own normalised components (built before the clock starts),
so the floor writes exactly what the loader and the baseline write. PyYAML is a
benchmark-only dependency.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from bench.baseline import SCHEMA, StepResult, columns, timed_run
from loader.kinds import KINDS, Kind
from loader.packs.model import Component, Pack


def libyaml_parser() -> tuple[str, Callable[[bytes], Any]]:
    """The fastest C parser at hand: (its name, a function parsing one file's bytes)."""
    try:
        # Imported by name: PyYAML is optional and ships no type information.
        pyyaml = importlib.import_module("yaml")
        loader = pyyaml.CSafeLoader
    except (ImportError, AttributeError):
        from ruamel.yaml import YAML

        ruamel = YAML(typ="safe", pure=False)
        return "ruamel.yaml C safe loader", ruamel.load

    def parse(data: bytes) -> Any:
        return pyyaml.load(data, Loader=loader)

    return "PyYAML CSafeLoader", parse


def parse_files(files: Sequence[Path]) -> int:
    _, parse = libyaml_parser()
    for path in files:
        parse(path.read_bytes())
    return len(files)


def _copy_values(component: Component, ids: dict[str, dict[str, int]]) -> list[Any]:
    kind = component.kind
    json_columns = kind.json_columns
    values: list[Any] = [component.ref]
    if kind.has_pack_column:
        values += [ids["pack"].get(component.pack_ref), component.pack_ref]
    for f in kind.fields:
        value = component.values.get(f.column)
        values.append(Jsonb(value) if f.column in json_columns and value is not None else value)
    for link in kind.links:
        target = component.links.get(link.column)
        values.append(ids[link.target].get(target) if target is not None else None)
        if link.ref_column:
            values.append(target)
    return values


def _read_ids(conn: psycopg.Connection[Any], kind: Kind) -> dict[str, int]:
    query = sql.SQL("SELECT ref, id FROM {}.{}").format(
        sql.Identifier(SCHEMA), sql.Identifier(kind.sql_table)
    )
    return {str(ref): int(id_) for ref, id_ in conn.execute(query)}


def copy_rows(conninfo: str, components: Sequence[Component]) -> None:
    """COPY each kind's rows into its table; one transaction, committed at the end."""
    by_kind: dict[str, list[Component]] = {k.name: [] for k in KINDS}
    for component in components:
        by_kind[component.kind.name].append(component)
    ids: dict[str, dict[str, int]] = {k.name: {} for k in KINDS}
    with psycopg.connect(conninfo) as conn:
        # Kinds are written in apply order, so a reference's target is already there.
        for kind in KINDS:
            rows = by_kind[kind.name]
            if rows:
                statement = sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
                    sql.Identifier(SCHEMA),
                    sql.Identifier(kind.sql_table),
                    sql.SQL(", ").join(sql.Identifier(c) for c in columns(kind)),
                )
                with conn.cursor() as cur, cur.copy(statement) as copy:
                    for component in rows:
                        copy.write_row(_copy_values(component, ids))
            ids[kind.name] = _read_ids(conn, kind)
        conn.commit()


def run(conninfo: str, packs: Sequence[Pack]) -> StepResult:
    return timed_run("floor (libyaml + COPY)", conninfo, packs, parse_files, copy_rows)
