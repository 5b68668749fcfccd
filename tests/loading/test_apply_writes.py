"""The write stage: rows staged through COPY or sent in line arrive exactly, the same
either way, and staging leaves nothing behind."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bench.bench_load import table_contents
from bench.packgen import generate
from loader import CORE_PACK_DIR
from loader.api import load_packs
from loader.database import statements
from loader.database.apply import apply_plan
from loader.database.conn import Conn
from loader.database.plan import build_plan
from loader.errors import DatabaseError
from loader.packs.pipeline import check_packs
from loader.report import AbsentPolicy, Action
from tests.helpers.db import count_rows, row_versions
from tests.helpers.packs import DEMO_FILES, demo_pack

# What COPY's text format and JSON both escape, and text beyond ASCII.
TRICKY = "back\\slash \\n \\\\ \"double\" 'single'\nnewline\ttab\r naïve ✓ 日本語 😀 \\N"


WAYS = {"staged": -1, "in line": sys.maxsize}  # statements.SENT_IN_LINE for each


@pytest.fixture(params=list(WAYS))
def write_way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every write of the test staged, or every write sent in line."""
    monkeypatch.setattr(statements, "SENT_IN_LINE", WAYS[request.param])
    return str(request.param)


def _action(description: str, default: str) -> str:
    """A demo action whose description and parameter default are ``description`` and
    ``default``, as JSON strings in YAML (both escape alike)."""
    parameters = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "pattern": "^C:\\\\", "default": default},
        },
    }
    return (
        "ref: demo.hello\nlabel: Hello\nrunner_type: shell\nentry_point: hello.sh\n"
        f"description: {json.dumps(description, ensure_ascii=False)}\n"
        f"parameters: {json.dumps(parameters, ensure_ascii=False)}\n"
    )


def _stored(conn: Conn) -> tuple[str, dict[str, Any]]:
    row = conn.execute(
        "SELECT description, param_schema FROM attune.action WHERE ref = 'demo.hello'"
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_escapes_and_unicode_survive_create_update_and_reload(
    tmp_path: Path, database_url: str, conn: Conn, write_way: str
) -> None:
    """Backslashes, quotes, control characters and non-ASCII text arrive exactly, on
    create and on update; a reload then writes nothing."""
    demo = demo_pack(tmp_path, {"actions/hello.yaml": _action(TRICKY, "C:\\new\\temp\\")})
    assert load_packs([CORE_PACK_DIR, demo], database_url=database_url).applied
    description, params = _stored(conn)
    assert description == TRICKY
    assert params["properties"]["path"] == {
        "type": "string",
        "pattern": "^C:\\\\",
        "default": "C:\\new\\temp\\",
    }

    before = row_versions(conn)
    changed = TRICKY[::-1]
    demo_pack(tmp_path, {"actions/hello.yaml": _action(changed, "C:\\\t€")})
    report = load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    assert [(c.ref, c.action) for c in report.pending] == [("demo.hello", Action.UPDATE)]
    description, params = _stored(conn)
    assert description == changed
    assert params["properties"]["path"]["default"] == "C:\\\t€"
    after = row_versions(conn)
    assert {key for key in after if after[key] != before[key]} == {("action", "demo.hello")}

    again = load_packs([CORE_PACK_DIR, demo], database_url=database_url, use_cache=False)
    assert again.ok and again.pending == [] and not again.applied
    assert row_versions(conn) == after


def _stage_exists(conn: Conn) -> bool:
    row = conn.execute("SELECT to_regclass('pg_temp.attune_load_rows') IS NOT NULL").fetchone()
    return bool(row and row[0])


def _attune_relations(conn: Conn) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'attune'"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_staging_leaves_nothing_after_success_or_failure(
    tmp_path: Path, database_url: str, conn: Conn, write_way: str
) -> None:
    """The staging table never lands in schema attune and is gone after each write,
    also when the database refuses one; the same session can write again."""
    paths = [CORE_PACK_DIR, demo_pack(tmp_path)]
    packs = check_packs(paths).packs
    relations = _attune_relations(conn)
    # Every sensor insert fails, after the earlier kinds were staged and written.
    conn.execute(
        "CREATE FUNCTION public.refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$BEGIN RAISE EXCEPTION 'refused'; END$$"
    )
    conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON attune.sensor "
        "FOR EACH ROW EXECUTE FUNCTION public.refuse()"
    )
    with psycopg.connect(database_url) as writer:
        with pytest.raises(DatabaseError, match="refused"):
            apply_plan(writer, build_plan(writer, packs, AbsentPolicy.REMOVE))
        writer.rollback()
        assert not _stage_exists(writer)
        conn.execute("DROP TRIGGER refuse ON attune.sensor")
        assert count_rows(conn) == 0

        apply_plan(writer, build_plan(writer, packs, AbsentPolicy.REMOVE))
        assert not _stage_exists(writer)
        assert _attune_relations(writer) == relations
        writer.commit()
    assert count_rows(conn) == sum(len(p.all_components()) for p in packs)


def test_update_of_rows_already_equal_writes_nothing(
    tmp_path: Path, database_url: str, connect: Any, write_way: str
) -> None:
    """A planned update whose row became equal meanwhile is filtered out by the
    statement itself: no new row version."""
    paths = [CORE_PACK_DIR, demo_pack(tmp_path)]
    assert load_packs(paths, database_url=database_url).applied
    original = "Says hello"
    assert f"description: {original}\n" in DEMO_FILES["actions/hello.yaml"]
    other: Conn = connect()
    other.execute("UPDATE attune.action SET description = 'drifted' WHERE ref = 'demo.hello'")
    with psycopg.connect(database_url) as writer:
        plan = build_plan(writer, check_packs(paths).packs, AbsentPolicy.REMOVE)
        assert [c.ref for c in plan.changes if c.action is Action.UPDATE] == ["demo.hello"]
        other.execute(
            "UPDATE attune.action SET description = %s WHERE ref = 'demo.hello'", (original,)
        )
        before = row_versions(other)
        apply_plan(writer, plan)
        writer.commit()
    assert row_versions(other) == before


def _loaded_both_times(
    monkeypatch: pytest.MonkeyPatch, way: str, tmp_path: Path, database_url: str
) -> list[dict[str, list[str]]]:
    """The tables after loading a generated pack into an empty schema, then after
    loading it generated with another seed (updates, removals), written ``way``."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("TRUNCATE attune.pack, attune.runtime CASCADE")
    monkeypatch.setattr(statements, "SENT_IN_LINE", WAYS[way])
    seen = []
    for seed in (1, 2):
        packs = generate(tmp_path / way / str(seed), packs=1, components=60, seed=seed)
        report = load_packs([CORE_PACK_DIR, *packs], database_url=database_url, use_cache=False)
        assert report.applied, report.errors
        seen.append(table_contents(database_url))
    return seen


def test_staged_and_in_line_writes_store_the_same_rows(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged = _loaded_both_times(monkeypatch, "staged", tmp_path, database_url)
    in_line = _loaded_both_times(monkeypatch, "in line", tmp_path, database_url)
    assert staged[0] != staged[1]  # the second load updated rows
    assert in_line == staged
