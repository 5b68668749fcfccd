"""The floor: the least work that reads, parses and checks the files and puts the
same rows into the same tables, on one core.

Two parts, timed one after the other:

1. read every file, parse it with the fastest parser at hand (yaml-rs when
   installed, else libyaml through PyYAML's ``CSafeLoader``, else ruamel.yaml's C
   safe loader) and check it against its kind's schema with the fastest validator
   at hand (jsonschema-rs when installed, else the loader's compiled
   python-jsonschema validator);
2. ``COPY`` the rows into the tables, kind by kind, reading back the new ids once
   per kind so that later kinds can fill in their references, and commit.

Nothing is compared, upserted, explained or checked beyond the schemas, and the
parser keeps no positions, so no real loader doing the same work on one core can be
faster on a first load; the loader's distance to this figure is what exactness,
semantic checks, planning and set-based upserts cost.

The rows are the loader's own normalised components (built before the clock starts),
so the floor writes exactly what the loader and the baseline write. PyYAML is a
benchmark-only dependency.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from bench.baseline import SCHEMA, StepResult, columns, timed_run
from loader.kinds import KINDS, Kind
from loader.packs.model import Component, Pack
from loader.packs.schema.registry import load_schemas

NAME = "floor (read + parse + check + COPY)"

Parse = Callable[[bytes], Any]
Check = Callable[[Kind, Any], bool]


def fastest_parser() -> tuple[str, Parse]:
    """The fastest YAML parser at hand: (its name, a function parsing one file's bytes)."""
    try:
        # Imported by name: yaml-rs and PyYAML are optional and ship no type information.
        yaml_rs = importlib.import_module("yaml_rs")
    except ImportError:
        return _libyaml_parser()

    def parse_rs(data: bytes) -> Any:
        return yaml_rs.loads(data.decode())

    return "yaml-rs", parse_rs


def _libyaml_parser() -> tuple[str, Parse]:
    try:
        pyyaml = importlib.import_module("yaml")
        loader = pyyaml.CSafeLoader
    except (ImportError, AttributeError):
        from ruamel.yaml import YAML

        ruamel = YAML(typ="safe", pure=False)
        return "ruamel.yaml C safe loader", ruamel.load

    def parse(data: bytes) -> Any:
        return pyyaml.load(data, Loader=loader)

    return "PyYAML CSafeLoader", parse


def fastest_checker() -> tuple[str, Check]:
    """The fastest schema check at hand, compiled per kind on first use (outside any
    clock: :func:`warm_checker`)."""
    schemas = load_schemas()
    compiled: dict[str, Callable[[Any], bool]] = {}

    def compile_for(kind: Kind) -> Callable[[Any], bool]:
        quick = schemas.quick_check(kind)
        if quick is not None:
            return quick
        validator = schemas.validator(kind)
        assert not isinstance(validator, str), validator  # the project's schemas compile
        return validator.is_valid

    def check(kind: Kind, data: Any) -> bool:
        found = compiled.get(kind.name)
        if found is None:
            found = compiled[kind.name] = compile_for(kind)
        return found(data)

    name = "jsonschema-rs" if schemas.quick_check(KINDS[0]) is not None else "python-jsonschema"
    return name, check


def warm_checker(check: Check) -> None:
    """Compile every kind's validator before the clock starts."""
    for kind in KINDS:
        check(kind, {})


def prepared_parse() -> Callable[[Sequence[tuple[Path, Kind]]], int]:
    """:func:`parse_files` with the parser and every validator ready, so that no
    clock counts compiling the schemas."""
    _, parse = fastest_parser()
    _, check = fastest_checker()
    warm_checker(check)
    return partial(parse_files, parse=parse, check=check)


def parse_files(files: Sequence[tuple[Path, Kind]], parse: Parse, check: Check) -> int:
    """Read, parse and check every file; returns how many were valid."""
    valid = 0
    for path, kind in files:
        with open(path, "rb") as f:
            valid += check(kind, parse(f.read()))
    return valid


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


def copy_statement(kind: Kind, names: Sequence[str]) -> sql.Composed:
    return sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
        sql.Identifier(SCHEMA),
        sql.Identifier(kind.sql_table),
        sql.SQL(", ").join(sql.Identifier(c) for c in names),
    )


def by_kind(components: Sequence[Component]) -> dict[str, list[Component]]:
    grouped: dict[str, list[Component]] = {k.name: [] for k in KINDS}
    for component in components:
        grouped[component.kind.name].append(component)
    return grouped


def copy_rows(conninfo: str, components: Sequence[Component]) -> None:
    """COPY each kind's rows into its table; one transaction, committed at the end."""
    grouped = by_kind(components)
    ids: dict[str, dict[str, int]] = {k.name: {} for k in KINDS}
    with psycopg.connect(conninfo) as conn:
        # Kinds are written in apply order, so a reference's target is already there.
        for kind in KINDS:
            rows = grouped[kind.name]
            if rows:
                statement = copy_statement(kind, columns(kind))
                with conn.cursor() as cur, cur.copy(statement) as copy:
                    for component in rows:
                        copy.write_row(_copy_values(component, ids))
            ids[kind.name] = _read_ids(conn, kind)
        conn.commit()


def run(conninfo: str, packs: Sequence[Pack]) -> StepResult:
    return timed_run(NAME, conninfo, packs, prepared_parse(), copy_rows)


def tools() -> str:
    """Which parser and checker the floor uses here, for the report."""
    return f"{fastest_parser()[0]} + {fastest_checker()[0]}"
