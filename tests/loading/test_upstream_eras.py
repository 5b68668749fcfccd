"""Each era's core pack loads into a freshly migrated database with the rows upstream's
loader of that era would write (every schema in JSON Schema form), a second load writes
nothing, and older core packs load over newer ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from loader import CORE_PACK_DIR
from loader.api import load_packs, plan_packs
from loader.database.conn import Conn
from loader.report import Action, codes
from tests.helpers.db import row_versions
from tests.helpers.eras import ERAS, Docs, era_docs, write_era

# runner_type -> runtime, as each era's files resolve (history section 2.3 / 2.4).
RUNNERS = {"shell": "core.shell", "python": "core.python", "node": "core.nodejs"}
SENSOR_RUNTIME = {
    "3b14c65": "core.sensor.builtin",  # from the packaged core pack: no runtimes/
    "343488b": "core.sensor.builtin",
    "a74e13f": "core.sensor.builtin",
    "588b319": "core.sensor.builtin",
    "e31ecb7": "core.sensor.builtin",
    "904ede0": "core.builtin",
}


def json_schema(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The JSON Schema form of a schema in either dialect (written here again, after the
    format reference, rather than taken from the loader)."""
    if value is None:
        return None
    if isinstance(value.get("type"), str | list) or ("type" not in value and "properties" in value):
        return value
    properties = {n: {k: v for k, v in p.items() if k != "required"} for n, p in value.items()}
    required = [n for n, p in value.items() if p.get("required") is True]
    return {
        "type": "object",
        "properties": properties,
        **({"required": required} if required else {}),
    }


def _label(doc: dict[str, Any]) -> str:
    """The label given, else the one generated from the name."""
    return str(doc.get("label") or doc["ref"].split(".", 1)[1].capitalize())


def _qualified(ref: str) -> str:
    return ref if "." in ref else f"core.{ref}"


def expected_rows(commit: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(table, ref) -> the columns each file's keys land in."""
    docs: Docs = era_docs(commit)
    pack = docs["pack.yaml"]
    rows: dict[tuple[str, str], dict[str, Any]] = {
        ("pack", "core"): {
            "label": pack["label"],
            "description": pack["description"],
            "version": pack["version"],
            "conf_schema": json_schema(pack["conf_schema"]),
            "config": pack["config"],
            "meta": pack["meta"],
            "tags": pack["tags"],
            "runtime_deps": pack["runtime_deps"],
            "is_standard": pack["system"],
        }
    }
    for path, doc in docs.items():
        if not isinstance(doc, dict) or "/" not in path:
            continue
        folder = path.split("/", 1)[0]
        if folder == "runtimes":
            rows[("runtime", doc["ref"])] = {
                k: doc[k] for k in ("name", "description", "distributions", "installation")
            }
        elif folder == "triggers":
            rows[("trigger", doc["ref"])] = {
                "label": _label(doc),
                "description": doc["description"],
                "enabled": doc.get("enabled", True),
                "param_schema": json_schema(doc["parameters"]),
                "out_schema": json_schema(doc.get("output")),
            }
        elif folder == "actions" and path.count("/") == 1:
            output = next(
                (doc[k] for k in ("output_schema", "output", "out_schema") if k in doc), None
            )
            workflow = "workflow_file" in doc
            rows[("action", doc["ref"])] = {
                "label": _label(doc),
                "description": doc["description"],
                "entrypoint": doc.get("entry_point", doc.get("workflow_file")),
                "param_schema": json_schema(doc.get("parameters")),
                "out_schema": json_schema(output),
                "is_workflow": workflow,
                "runtime_ref": None if workflow else RUNNERS.get(doc["runner_type"], "core.native"),
            }
        elif folder == "sensors":
            rows[("sensor", doc["ref"])] = {
                "label": _label(doc),
                "description": doc["description"],
                "enabled": doc["enabled"],
                "entrypoint": doc["entry_point"],
                "param_schema": json_schema(doc["parameters"]),
                "config": {},
                "runtime_ref": SENSOR_RUNTIME.get(commit, "core.native"),
                "trigger_ref": doc["trigger_types"][0],
            }
        elif folder == "rules":
            rows[("rule", _qualified(doc["ref"]))] = {
                "label": doc["label"],
                "description": doc["description"],
                "enabled": doc["enabled"],
                "trigger_ref": _qualified(doc["trigger_ref"]),
                "action_ref": _qualified(doc["action_ref"]),
                "trigger_params": doc["trigger_params"],
                "action_params": doc["action_params"],
                "conditions": [],
            }
        elif folder == "permission_sets":
            rows[("permission_set", doc["ref"])] = {
                k: doc[k] for k in ("label", "description", "grants")
            }
    return rows


def stored_rows(
    conn: Conn, wanted: dict[tuple[str, str], dict[str, Any]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The same columns, read back (an action's runtime by its ref)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    with conn.cursor(row_factory=dict_row) as cur:
        for (table, ref), columns in wanted.items():
            runtime = "(SELECT r.ref FROM attune.runtime r WHERE r.id = t.runtime) AS runtime_ref"
            extra = f", {runtime}" if table == "action" else ""
            cur.execute(f"SELECT t.*{extra} FROM attune.{table} t WHERE t.ref = %s", (ref,))
            row = cur.fetchone()
            found[(table, ref)] = {c: row[c] for c in columns} if row else {}
    return found


@pytest.mark.parametrize("era", ERAS, ids=lambda e: e.commit)
def test_each_era_loads_with_its_rows_and_reloads_as_a_no_op(
    tmp_path: Path, database_url: str, conn: Conn, era: Any
) -> None:
    pack = write_era(tmp_path / "core", era.commit)
    first = load_packs([pack], database_url=database_url)
    assert first.ok and first.applied, first.errors
    wanted = expected_rows(era.commit)
    assert stored_rows(conn, wanted) == wanted
    before = row_versions(conn)
    second = load_packs([pack], database_url=database_url, use_cache=False)
    assert second.ok and second.pending == [] and not second.applied
    assert row_versions(conn) == before
    queues = [c for c in first.changes if c.kind == "queue"]
    assert queues == []  # checked only


def test_the_first_era_gets_its_runtimes_from_the_packaged_core(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """Into a fresh database, the core pack without runtimes/ loads the packaged core
    pack's runtimes that its actions and sensor need, as upstream's seed data gave them."""
    pack = write_era(tmp_path / "core", "3b14c65")
    report = load_packs([pack], database_url=database_url)
    assert report.ok, report.errors
    created = sorted(c.ref for c in report.changes if c.kind == "runtime")
    assert created == ["core.python", "core.sensor.builtin", "core.shell"]
    assert [d.code for d in report.notes if d.code == codes.REF_PACKAGED_CORE] == [
        codes.REF_PACKAGED_CORE
    ]


def test_an_older_core_loads_over_the_shipped_one(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """The shipped core's runtimes are not the old core's to remove: retained, whatever
    --absent says, and no conflict; the old actions use them."""
    assert load_packs([CORE_PACK_DIR], database_url=database_url).applied
    old = write_era(tmp_path / "core", "3b14c65")
    plan = plan_packs([old], database_url=database_url)
    assert plan.ok, plan.errors
    runtimes = {c.ref: c.action for c in plan.changes if c.kind == "runtime"}
    assert set(runtimes.values()) == {Action.RETAIN} and "core.shell" in runtimes
    report = load_packs([old], database_url=database_url)
    assert report.ok and report.applied, report.errors
    row = conn.execute(
        "SELECT r.ref FROM attune.action a JOIN attune.runtime r ON r.id = a.runtime "
        "WHERE a.ref = 'core.fetch'"
    ).fetchone()
    assert row == ("core.python",)
    assert not [d for d in report.notes if d.code == codes.REF_PACKAGED_CORE]


def test_the_builtin_era_over_the_shipped_core_uses_its_own_runtime(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """904ede0 declares core.builtin and manages runtimes: its sensor uses that one, not
    the shipped core.sensor.builtin, which the load then removes."""
    assert load_packs([CORE_PACK_DIR], database_url=database_url).applied
    report = load_packs([write_era(tmp_path / "core", "904ede0")], database_url=database_url)
    assert report.ok, report.errors
    removed = {c.ref for c in report.changes if c.action is Action.REMOVE}
    assert "core.sensor.builtin" in removed
    row = conn.execute("SELECT runtime_ref FROM attune.sensor WHERE ref = 'core.clock'").fetchone()
    assert row == ("core.builtin",)


def test_the_shipped_core_loads_without_warnings(database_url: str) -> None:
    """Expected facts about the shipped core pack are notes: no warning on any run."""
    report = load_packs([CORE_PACK_DIR], database_url=database_url, strict=True)
    assert report.ok and report.applied and report.warnings == []
    assert {d.code for d in report.notes} == {codes.SENSOR_EXTRA_TRIGGERS}


def test_strict_writes_nothing_when_there_are_warnings(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    pack = write_era(tmp_path / "core", "3dcc3a9")
    report = load_packs([pack], database_url=database_url, strict=True)
    assert not report.ok and not report.applied and report.errors == []
    assert int(report.exit_code) == 1
    with pytest.raises(psycopg.errors.UndefinedTable):
        conn.execute("SELECT 1 FROM attune.queue")
    assert conn.execute("SELECT count(*) FROM attune.action").fetchone() == (0,)
