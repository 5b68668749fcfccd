"""Workflow files loaded into a real PostgreSQL: their workflow_definition rows, the
companion actions of those found by folder, and a reload that writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from loader import CORE_PACK_DIR
from loader.api import load_packs
from loader.database.conn import Conn
from tests.helpers.db import row_versions
from tests.helpers.packs import write_pack
from tests.helpers.workflows import EXPECTED_DEFINITION, SHAPES

LINKED = """
    ref: demo.linked
    label: Linked flow
    description: Runs the linked workflow
    workflow_file: workflows/linked.workflow.yaml
    parameters:
      target: {type: string, required: true}
"""


def _rows(conn: Conn, sql: str) -> dict[str, dict[str, Any]]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(sql)
        return {row.pop("ref"): row for row in cur.fetchall()}


def test_workflows_load_with_their_companion_actions(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """Each shape stores the same definition; folder workflows get an action linked to
    them, the linked one keeps its own action only; a reload changes nothing."""
    pack = write_pack(
        tmp_path / "demo",
        {
            "workflows/by_map.yaml": SHAPES["task-map"],
            "workflows/by_list.yaml": SHAPES["task-list"],
            "actions/workflows/by_next.workflow.yaml": SHAPES["task-next"],
            "actions/workflows/linked.workflow.yaml": SHAPES["task-next"],
            "actions/linked.yaml": LINKED,
        },
    )
    first = load_packs([CORE_PACK_DIR, pack], database_url=database_url)
    assert first.ok and first.applied, first.diagnostics

    workflows = _rows(
        conn,
        "SELECT ref, id, label, description, version, param_schema, out_schema, "
        "definition, tags, enabled FROM attune.workflow_definition WHERE pack_ref = 'demo'",
    )
    assert sorted(workflows) == ["demo.by_list", "demo.by_map", "demo.by_next", "demo.linked"]
    for ref, row in workflows.items():
        assert row["definition"] == EXPECTED_DEFINITION, ref
        assert (row["description"], row["version"], row["tags"], row["enabled"]) == (
            "Deploy and report",
            "1.0.0",
            [],
            True,
        )
        assert row["param_schema"] is None and row["out_schema"] is None
    assert workflows["demo.by_map"]["label"] == "By Map"
    assert workflows["demo.linked"]["label"] == "Linked flow"

    actions = _rows(
        conn,
        "SELECT ref, label, description, entrypoint, runtime, param_schema, out_schema, "
        "is_workflow, workflow_def FROM attune.action WHERE pack_ref = 'demo'",
    )
    assert sorted(actions) == sorted(workflows)
    assert actions["demo.by_next"] == {
        "label": "By Next",
        "description": "Deploy and report",
        "entrypoint": "workflows/by_next.workflow.yaml",
        "runtime": None,
        "param_schema": None,
        "out_schema": None,
        "is_workflow": True,
        "workflow_def": workflows["demo.by_next"]["id"],
    }
    assert actions["demo.by_list"]["entrypoint"] == "workflows/by_list.yaml"
    linked = actions["demo.linked"]
    assert (linked["label"], linked["description"]) == ("Linked flow", "Runs the linked workflow")
    assert linked["param_schema"]["required"] == ["target"]
    assert linked["workflow_def"] == workflows["demo.linked"]["id"]
    assert all(row["is_workflow"] and row["runtime"] is None for row in actions.values())

    before = row_versions(conn)
    second = load_packs([CORE_PACK_DIR, pack], database_url=database_url)
    assert second.ok and not second.applied and second.pending == []
    assert row_versions(conn) == before


def test_a_removed_workflow_file_takes_its_companion_along(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """The companion action is the pack's like any other: it goes with its workflow."""
    files = {
        "workflows/by_map.yaml": SHAPES["task-map"],
        "workflows/by_list.yaml": SHAPES["task-list"],
    }
    pack = write_pack(tmp_path / "demo", files)
    assert load_packs([CORE_PACK_DIR, pack], database_url=database_url).applied
    write_pack(tmp_path / "demo", {"workflows/by_list.yaml": SHAPES["task-list"]}, fresh=True)
    report = load_packs([CORE_PACK_DIR, pack], database_url=database_url)
    assert report.ok and report.applied, report.diagnostics
    for table in ("workflow_definition", "action"):
        refs = conn.execute(
            f"SELECT ref FROM attune.{table} WHERE pack_ref = 'demo' ORDER BY ref"
        ).fetchall()
        assert refs == [("demo.by_list",)], table
