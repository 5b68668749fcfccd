"""Loading packs into a real PostgreSQL: first load, reloads, plans and policies."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from psycopg.types.json import Jsonb

from loader import CORE_PACK_DIR
from loader.api import load_packs, plan_packs
from loader.database import plan
from loader.database.conn import Conn
from loader.report import Action, Report
from tests.helpers.db import count_rows, refs, row_versions, sequence_values
from tests.helpers.packs import DEMO_COUNTS, DEMO_FILES, demo_pack

OLD_RUNTIME_ROWS = Path(__file__).parent.parent / "data" / "runtime_rows_old_migrations.json"


def _counts(report: Report, action: Action) -> dict[str, int]:
    return {kind: row[action.value] for kind, row in report.counts().items() if row[action.value]}


def test_first_load_of_core_reproduces_old_runtime_rows(database_url: str, conn: Conn) -> None:
    """The four runtime rows equal what the old migrations inserted, now owned by core."""
    report = load_packs([CORE_PACK_DIR], database_url=database_url)
    assert report.ok and report.applied, report.diagnostics
    expected = json.loads(OLD_RUNTIME_ROWS.read_text())
    columns = [
        "ref",
        "pack_ref",
        "name",
        "description",
        "distributions",
        "installation",
        "installers",
    ]
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(
            f"SELECT {', '.join(columns)}, pack FROM attune.runtime "
            "WHERE ref = ANY(%s) ORDER BY ref",
            ([r["ref"] for r in expected],),
        )
        rows = cur.fetchall()
    core_id = conn.execute("SELECT id FROM attune.pack WHERE ref = 'core'").fetchone()
    assert core_id is not None
    assert [r.pop("pack") for r in rows] == [core_id[0]] * len(expected)
    assert rows == sorted(({c: r[c] for c in columns} for r in expected), key=lambda r: r["ref"])


def test_core_reload_changes_nothing(database_url: str, conn: Conn) -> None:
    """A second load reports 0 changes and touches no row: xmin and sequences stay."""
    first = load_packs([CORE_PACK_DIR], database_url=database_url)
    assert first.applied
    before, seqs = row_versions(conn), sequence_values(conn)
    second = load_packs([CORE_PACK_DIR], database_url=database_url)
    assert second.ok and not second.applied
    assert second.pending == []
    assert row_versions(conn) == before
    assert sequence_values(conn) == seqs


def test_every_kind_is_created_then_unchanged(tmp_path: Path, database_url: str) -> None:
    """The demo pack creates one row per component of every kind, then reloads clean."""
    demo = demo_pack(tmp_path)
    first = load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    assert first.ok, first.diagnostics
    created: dict[str, int] = {}
    for change in first.changes:
        if change.pack == "demo":
            assert change.action is Action.CREATE
            created[change.kind] = created.get(change.kind, 0) + 1
    assert created == DEMO_COUNTS
    second = load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    assert second.pending == [] and not second.applied


def test_one_field_change_updates_exactly_that_row(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """Editing one description updates that row alone, naming the field."""
    demo = demo_pack(tmp_path)
    load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    before = row_versions(conn)
    edited = DEMO_FILES["actions/hello.yaml"].replace("Says hello", "Says hello loudly")
    demo_pack(tmp_path, {"actions/hello.yaml": edited})
    report = load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    assert [(c.kind, c.ref, c.action, c.fields) for c in report.pending] == [
        ("action", "demo.hello", Action.UPDATE, ("description",))
    ]
    after = row_versions(conn)
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {("action", "demo.hello")}
    assert after[("action", "demo.hello")][1] > before[("action", "demo.hello")][1]


def test_plan_and_dry_run_write_nothing(tmp_path: Path, database_url: str, conn: Conn) -> None:
    """plan and --dry-run show the changes but move no xmin and no sequence."""
    load_packs([CORE_PACK_DIR], database_url=database_url)
    demo = demo_pack(tmp_path)
    before, seqs = row_versions(conn), sequence_values(conn)
    planned = plan_packs([CORE_PACK_DIR, demo], database_url=database_url)
    dry = load_packs([CORE_PACK_DIR, demo], database_url=database_url, dry_run=True)
    for report in (planned, dry):
        assert report.ok and not report.applied
        assert _counts(report, Action.CREATE)["action"] == 2
    assert row_versions(conn) == before
    assert sequence_values(conn) == seqs


@pytest.mark.parametrize(
    ("policy", "sensor_left", "rule_enabled"),
    [("remove", False, None), ("disable", True, False), ("retain", True, True)],
)
def test_absent_components_follow_the_policy(
    tmp_path: Path,
    database_url: str,
    conn: Conn,
    policy: str,
    sensor_left: bool,
    rule_enabled: bool | None,
) -> None:
    """Components dropped from the files are removed, disabled or kept."""
    demo = demo_pack(tmp_path)
    load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    # rules/ stays (a pack without the folder would keep its rules whatever the policy)
    gone = {"rules/greet.yaml": None, "rules/README.md": "none\n", "sensors/watcher.yaml": None}
    demo_pack(tmp_path, gone)
    report = load_packs([CORE_PACK_DIR, demo], database_url=database_url, absent=policy)
    assert report.ok, report.diagnostics
    assert ("demo.watcher" in refs(conn, "sensor")) is sensor_left
    row = conn.execute("SELECT enabled FROM attune.rule WHERE ref = 'demo.greet'").fetchone()
    assert (row[0] if row else None) is rule_enabled
    again = load_packs([CORE_PACK_DIR, demo], database_url=database_url, absent=policy)
    assert again.pending == []


def test_removal_refused_while_another_pack_references(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """A component another pack's rule uses cannot be removed; the referrer is named."""
    demo = demo_pack(tmp_path)
    other = demo_pack(
        tmp_path,
        {
            "pack.yaml": "ref: other\nlabel: Other\nversion: 1.0.0\n",
            "triggers/ping.yaml": None,
            "actions/hello.yaml": None,
            "actions/hello.sh": None,
            "actions/flow.yaml": None,
            "actions/workflows/flow.yaml": None,
            "sensors/watcher.yaml": None,
            "sensors/watcher.py": None,
            "permission_sets/operators.yaml": None,
            "rules/greet.yaml": DEMO_FILES["rules/greet.yaml"].replace("demo.greet", "other.greet"),
        },
        name="other",
    )
    assert load_packs([CORE_PACK_DIR, demo, other], database_url=database_url).applied
    before = row_versions(conn)
    demo_pack(
        tmp_path,
        {
            "actions/hello.yaml": None,
            "actions/flow.yaml": None,
            "actions/workflows/flow.yaml": None,
            "rules/greet.yaml": None,
        },
    )
    report = load_packs([demo], database_url=database_url)
    assert not report.ok and not report.applied
    messages = [d.message for d in report.errors if d.code == "conflict.referenced"]
    assert any("demo.hello" in m and "other.greet" in m for m in messages), messages
    assert row_versions(conn) == before


def test_rows_of_other_owners_are_conflicts(tmp_path: Path, database_url: str, conn: Conn) -> None:
    """An ad-hoc row and another pack's row are reported; nothing is written."""
    conn.execute("INSERT INTO attune.pack (ref, label, version) VALUES ('other', 'O', '1.0.0')")
    conn.execute(
        "INSERT INTO attune.trigger (ref, pack, pack_ref, label, is_adhoc) "
        "VALUES ('demo.ping', NULL, 'demo', 'Ping', true)"
    )
    conn.execute(
        "INSERT INTO attune.permission_set (ref, pack, pack_ref, label) "
        "SELECT 'demo.operators', id, 'other', 'Ops' FROM attune.pack WHERE ref = 'other'"
    )
    before = row_versions(conn)
    report = load_packs([CORE_PACK_DIR, demo_pack(tmp_path)], database_url=database_url)
    codes = sorted(d.code for d in report.errors)
    assert codes == ["conflict.adhoc", "conflict.other-pack"]
    assert not report.applied
    assert row_versions(conn) == before


def test_error_in_last_file_writes_nothing(tmp_path: Path, database_url: str, conn: Conn) -> None:
    """One bad file, sorted last, stops the whole load before any write."""
    demo = demo_pack(tmp_path, {"permission_sets/zz_last.yaml": "ref: demo.zz\ngrants: 7\n"})
    report = load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    assert not report.ok and not report.applied
    assert report.errors[0].file.endswith("zz_last.yaml")
    assert count_rows(conn) == 0


def test_webhook_settings_and_ids_survive_reloads(
    tmp_path: Path, database_url: str, conn: Conn
) -> None:
    """Operator-set webhook key and config stay; ids stay; *_ref columns agree with ids."""
    demo = demo_pack(tmp_path)
    load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    ids = dict(conn.execute("SELECT ref, id FROM attune.trigger").fetchall())
    conn.execute(
        'SELECT attune.enable_trigger_webhook(%s, \'{"secret": "s"}\'::jsonb)',
        (ids["demo.ping"],),
    )
    webhook = conn.execute(
        "SELECT webhook_enabled, webhook_key, webhook_config FROM attune.trigger "
        "WHERE ref = 'demo.ping'"
    ).fetchone()
    edited = DEMO_FILES["triggers/ping.yaml"].replace("Fired by", "Emitted by")
    demo_pack(tmp_path, {"triggers/ping.yaml": edited})
    assert load_packs([CORE_PACK_DIR, demo], database_url=database_url).applied
    assert (
        conn.execute(
            "SELECT webhook_enabled, webhook_key, webhook_config FROM attune.trigger "
            "WHERE ref = 'demo.ping'"
        ).fetchone()
        == webhook
    )
    assert dict(conn.execute("SELECT ref, id FROM attune.trigger").fetchall()) == ids
    mismatched = conn.execute(
        """
        SELECT s.ref FROM attune.sensor s
          JOIN attune.runtime r ON r.id = s.runtime JOIN attune.trigger t ON t.id = s.trigger
         WHERE s.runtime_ref <> r.ref OR s.trigger_ref <> t.ref
        UNION ALL
        SELECT u.ref FROM attune.rule u
          JOIN attune.action a ON a.id = u.action JOIN attune.trigger t ON t.id = u.trigger
         WHERE u.action_ref <> a.ref OR u.trigger_ref <> t.ref
        """
    ).fetchall()
    assert mismatched == []


def test_legacy_runtime_rows_are_adopted(database_url: str, conn: Conn) -> None:
    """Runtime rows left by the old migrations (pack NULL) keep their ids and join core."""
    expected = json.loads(OLD_RUNTIME_ROWS.read_text())
    for row in expected:
        conn.execute(
            "INSERT INTO attune.runtime (ref, pack_ref, name, description, distributions, "
            "installation, installers) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                row["ref"],
                row["pack_ref"],
                row["name"],
                row["description"],
                Jsonb(row["distributions"]),
                Jsonb(row["installation"]),
                Jsonb(row["installers"]),
            ],
        )
    ids = dict(conn.execute("SELECT ref, id FROM attune.runtime").fetchall())
    report = load_packs([CORE_PACK_DIR], database_url=database_url)
    updates = [c for c in report.pending if c.kind == "runtime" and c.action is Action.UPDATE]
    assert {c.ref for c in updates} == set(ids) and all(c.fields == ("pack",) for c in updates)
    after = dict(
        conn.execute(
            "SELECT ref, id FROM attune.runtime WHERE ref = ANY(%s)", (list(ids),)
        ).fetchall()
    )
    assert after == ids


def test_current_rows_compared_batch_by_batch(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows read back a few at a time plan exactly as when read at once: one update,
    the absent rows, and everything else unchanged."""
    monkeypatch.setattr(plan, "_FIRST", 1)
    monkeypatch.setattr(plan, "_BATCH", 2)
    demo = demo_pack(tmp_path)
    first = load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    edited = DEMO_FILES["actions/hello.yaml"].replace("Says hello", "Says hello loudly")
    gone = {"actions/hello.yaml": edited, "rules/greet.yaml": None, "rules/README.md": "none\n"}
    demo_pack(tmp_path, gone)
    report = load_packs([CORE_PACK_DIR, demo], database_url=database_url, use_cache=False)
    assert sorted((c.kind, c.ref, c.action, c.fields) for c in report.pending) == [
        ("action", "demo.hello", Action.UPDATE, ("description",)),
        ("rule", "demo.greet", Action.REMOVE, ()),
    ]
    unchanged = [c for c in report.changes if c.action is Action.UNCHANGED]
    assert len(unchanged) == len(first.changes) - 2


@pytest.mark.parametrize(
    ("pack_column", "removed"),
    [("(SELECT id FROM attune.pack WHERE ref = 'core')", False), ("NULL", True)],
    ids=["pack-column-names-core", "no-pack-column"],
)
def test_a_row_is_owned_by_the_pack_both_its_columns_name(
    tmp_path: Path, database_url: str, conn: Conn, pack_column: str, removed: bool
) -> None:
    """An undeclared row whose pack_ref names demo is demo's to remove unless its pack
    column names another pack: the foreign key gives it to core, and neither load
    removes it. With no pack column, pack_ref decides (rows of the old migrations)."""
    demo = demo_pack(tmp_path)
    load_packs([CORE_PACK_DIR, demo], database_url=database_url)
    conn.execute(
        "INSERT INTO attune.trigger (ref, pack, pack_ref, label) "
        f"VALUES ('demo.stray', {pack_column}, 'demo', 'Stray')"
    )
    report = load_packs([CORE_PACK_DIR, demo], database_url=database_url, use_cache=False)
    assert report.ok, report.diagnostics
    expected = [("trigger", "demo.stray", Action.REMOVE)] if removed else []
    assert [(c.kind, c.ref, c.action) for c in report.pending] == expected
    assert ("demo.stray" in refs(conn, "trigger")) is not removed
