"""Every command's JSON output fits docs/report.schema.json, on success and on failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loader import CORE_PACK_DIR
from loader.cli.commands import app
from loader.cli.load_cmds import load_pack_app
from tests.helpers.packs import write_pack
from tests.helpers.report_schema import report_problems

runner = CliRunner()


def _json_of(args: list[str], *, load_pack: bool = False) -> dict[str, object]:
    result = runner.invoke(load_pack_app if load_pack else app, [*args, "--output", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    report: dict[str, object] = json.loads(result.stdout)
    assert report_problems(report) == [], (args, report)
    return report


def test_pack_commands_fit_the_schema(tmp_path: Path, database_url: str) -> None:
    """validate (valid and invalid), plan, load, load-pack and seed."""
    broken = write_pack(tmp_path / "demo", {"triggers/t.yaml": "ref: demo.t\nenabled: maybe\n"})
    url = ["--database-url", database_url]
    assert _json_of(["validate", str(CORE_PACK_DIR)])["ok"] is True
    assert _json_of(["validate", str(CORE_PACK_DIR), str(broken)])["ok"] is False
    assert _json_of(["plan", str(CORE_PACK_DIR), *url])["ok"] is True
    assert _json_of(["load", str(CORE_PACK_DIR), *url])["applied"] is True
    assert _json_of([str(CORE_PACK_DIR), *url], load_pack=True)["applied"] is False
    assert _json_of(["seed", *url])["ok"] is True


def test_migration_commands_fit_the_schema(empty_database_url: str) -> None:
    """migrate --dry-run, migrate, status."""
    url = ["--database-url", empty_database_url]
    assert _json_of(["migrate", "--dry-run", *url])["pending"]
    assert _json_of(["migrate", *url])["applied"]
    assert _json_of(["status", *url])["ok"] is True


@pytest.mark.parametrize("command", ["validate", "load", "plan", "seed", "migrate", "status"])
def test_failures_fit_the_schema(command: str, tmp_path: Path) -> None:
    """A command stopped by a bad URL (or, for validate, a missing path) still prints
    a report of its own shape."""
    args = [command]
    if command in ("validate", "load", "plan"):
        args.append(str(CORE_PACK_DIR))
    if command != "validate":
        args += ["--database-url", "mysql://u@h/d"]
    else:
        args.append(str(tmp_path / "missing"))
    result = runner.invoke(app, [*args, "--output", "json"])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report_problems(report) == [] and report["ok"] is False
    expected = "usage.missing-path" if command == "validate" else "settings.invalid"
    assert report["error"]["code"] == expected
