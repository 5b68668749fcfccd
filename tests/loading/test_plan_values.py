"""A plan shows values: each changed field as before -> after, in the text of plan,
--dry-run and load -v, and as ``before``/``after`` in the JSON report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg

from loader import CORE_PACK_DIR
from loader.api import load_packs
from loader.report import Action, FieldChange
from loader.report.values import MAX_LEAVES, WIDTH, compact, field_lines
from tests.helpers.cli import run_cli

OLD_DESCRIPTION = "Print a message to standard output, optionally in upper case"


def _edited_core(tmp_path: Path) -> Path:
    """packs/core with core.echo's label, description and a parameter's default changed."""
    core = Path(shutil.copytree(CORE_PACK_DIR, tmp_path / "core"))
    echo = core / "actions" / "echo.yaml"
    text = echo.read_text()
    text = text.replace(OLD_DESCRIPTION, "Print a message")
    text = text.replace("default: Hello, World!", "default: Hi")
    echo.write_text(text.replace("label: Echo", "label: Say"))
    return core


def _details(text: str) -> list[str]:
    """The plan's lines about changed components (after any diagnostics)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  update "))
    return lines[start : lines.index("", start)]


def test_plan_dry_run_and_load_show_before_and_after(database_url: str, tmp_path: Path) -> None:
    assert load_packs([CORE_PACK_DIR], database_url=database_url).ok
    core = _edited_core(tmp_path)
    url = ("--database-url", database_url)
    expected = [
        "  update    action         core.echo (label, description, param_schema)",
        '      label: "Echo" -> "Say"',
        f'      description: {compact(OLD_DESCRIPTION)} -> "Print a message"',
        '      param_schema.properties.message.default: "Hello, World!" -> "Hi"',
    ]
    plan = run_cli("plan", str(core), *url)
    dry_run = run_cli("load", str(core), *url, "--dry-run", "-v")
    for result in (plan, dry_run):
        assert result.returncode == 0, result.stderr
        assert _details(result.stdout) == expected, result.stdout

    report = json.loads(run_cli("plan", str(core), *url, "--output", "json").stdout)
    (echo,) = [c for c in report["changes"] if c["action"] == "update"]
    assert echo["fields"] == ["label", "description", "param_schema"]
    assert echo["values"]["description"] == {"before": OLD_DESCRIPTION, "after": "Print a message"}
    assert echo["values"]["label"] == {"before": "Echo", "after": "Say"}
    after = echo["values"]["param_schema"]["after"]
    assert after["properties"]["message"]["default"] == "Hi"

    loaded = run_cli("load", str(core), *url, "-v")
    assert loaded.returncode == 0, loaded.stderr
    assert _details(loaded.stdout) == expected
    assert "loaded core: 1 change(s) written" in loaded.stdout


def test_a_disabling_shows_enabled_true_to_false(database_url: str, tmp_path: Path) -> None:
    assert load_packs([CORE_PACK_DIR], database_url=database_url).ok
    core = Path(shutil.copytree(CORE_PACK_DIR, tmp_path / "core"))
    (core / "sensors" / "interval_timer_sensor.yaml").unlink()
    plan = run_cli("plan", str(core), "--database-url", database_url, "--absent", "disable")
    disabled = "  disable   sensor         core.interval_timer_sensor (enabled)\n"
    assert disabled + "      enabled: true -> false\n" in plan.stdout, plan.stdout


def test_long_documents_show_only_the_leaves_that_differ() -> None:
    before = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(12)}}
    after = {"type": "object", "properties": {f"p{i}": {"type": "integer"} for i in range(12)}}
    lines = field_lines(FieldChange("param_schema", before, after))
    assert lines[0] == 'param_schema.properties.p0.type: "string" -> "integer"'
    assert len(lines) == MAX_LEAVES + 1
    assert lines[-1] == f"... and {12 - MAX_LEAVES} more in param_schema"


def test_long_values_are_cut_and_missing_keys_say_absent() -> None:
    long = "x" * 200
    (line,) = field_lines(FieldChange("description", long, "short"))
    assert line == f'description: "{"x" * (WIDTH - 4)}... -> "short"'
    before = {"a": 1, "b": long}
    lines = field_lines(FieldChange("out_schema", before, {"b": long, "c": 2}))
    assert lines == ["out_schema.a: 1 -> (absent)", "out_schema.c: (absent) -> 2"]


def test_integers_wider_than_64_bits_are_stored_whole_and_reload_unchanged(
    database_url: str, conn: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> None:
    wide = 2**64 * 10**10 + 7  # past every 64-bit integer: a float would lose the 7
    core = Path(shutil.copytree(CORE_PACK_DIR, tmp_path / "core"))
    echo = core / "actions" / "echo.yaml"
    echo.write_text(
        echo.read_text().replace(
            "  required: []",
            f"    repeat:\n      type: integer\n      default: {wide}\n  required: []",
        )
    )
    assert load_packs([core], database_url=database_url).ok
    row = conn.execute(
        "SELECT param_schema #>> '{properties,repeat,default}' FROM attune.action "
        "WHERE ref = 'core.echo'"
    ).fetchone()
    assert row == (str(wide),)
    again = load_packs([core], database_url=database_url, use_cache=False)
    assert again.ok
    assert [c.ref for c in again.changes if c.action is not Action.UNCHANGED] == []
