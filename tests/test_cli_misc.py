"""Smaller commands through the real CLI: schemas, db, and the terminal progress bar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loader.cli.commands import app
from loader.cli.common import TerminalProgress
from loader.kinds import KINDS

runner = CliRunner()


def test_schemas_lists_every_kind() -> None:
    """`attune-loader schemas` names each kind with its schema file and $id."""
    result = runner.invoke(app, ["schemas"])
    assert result.exit_code == 0
    for kind in KINDS:
        assert kind.schema in result.stdout
    assert "https://schemas.attune.dev/pack/v1/action.schema.json" in result.stdout


def test_schemas_show_prints_the_schema_and_refuses_unknown_kinds() -> None:
    """`schemas show action` prints JSON; an unknown kind is a usage error."""
    shown = runner.invoke(app, ["schemas", "show", "action"])
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["$id"].endswith("/action.schema.json")
    unknown = runner.invoke(app, ["schemas", "show", "nope"])
    assert unknown.exit_code == 2
    assert "unknown kind 'nope'" in unknown.output


def test_db_status_of_an_absent_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`db status` reports a state directory that holds no cluster yet, and starts nothing."""
    monkeypatch.setenv("ATTUNE_LOADER_STATE_DIR", str(tmp_path / "state"))
    result = runner.invoke(app, ["db", "status"])
    assert result.exit_code == 0
    assert f"state directory: {tmp_path / 'state'}" in result.stdout
    assert "initialised: no" in result.stdout and "running: no" in result.stdout
    assert runner.invoke(app, ["db", "stop"]).stdout.strip() == "not running"


def test_terminal_progress_redraws_counts(capsys: pytest.CaptureFixture[str]) -> None:
    """Counted messages of one stage redraw their line; a new stage starts a new one."""
    bar = TerminalProgress()
    bar("validating [#.] 1/2 packs")
    bar("validating [##] 2/2 packs")
    bar("planning")
    bar.close()
    err = capsys.readouterr().err
    assert err == (
        "validating [#.] 1/2 packs\x1b[K\rvalidating [##] 2/2 packs\x1b[K\nplanning\x1b[K\n"
    )
