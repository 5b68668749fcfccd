"""``attune-loader validate`` through its real entry points."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loader import CORE_PACK_DIR
from loader.cli.commands import app
from loader.errors import ExitCode
from tests.helpers.cli import run_cli
from tests.helpers.packs import SCRIPT, write_pack

THREE = Path(__file__).parent / "cases" / "invalid" / "three-mistakes"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return CliRunner()


def test_valid_pack_exits_zero(runner: CliRunner) -> None:
    """A valid pack: exit 0, a one-line verdict (warnings allowed)."""
    result = runner.invoke(app, ["validate", str(CORE_PACK_DIR)])
    assert result.exit_code == ExitCode.OK, result.output
    assert result.output.splitlines()[-1].startswith("ok: ")


def test_invalid_pack_text_grouped_by_file(runner: CliRunner) -> None:
    """Every mistake of every file, grouped by file, exit 1."""
    result = runner.invoke(app, ["validate", str(CORE_PACK_DIR), str(THREE)])
    assert result.exit_code == ExitCode.INVALID
    blocks = result.output.strip().split("\n\n")
    files = [b.split(":", 1)[0] for b in blocks[:-1]]
    assert [f.rsplit("three-mistakes/", 1)[-1] for f in files if "three-mistakes" in f] == [
        "actions/hello.yaml",
        "pack.yaml",
        "rules/greet.yaml",
    ]
    assert "pack.yaml:3:10: error schema.type 'version' must be a string" in result.output
    assert '    hint: quote it: version: "1.0"' in result.output
    assert blocks[-1].startswith("invalid: 3 errors, ")


def test_json_output(runner: CliRunner) -> None:
    """--output json prints the versioned report and nothing else on stdout."""
    result = runner.invoke(app, ["validate", str(CORE_PACK_DIR), str(THREE), "-o", "json"])
    assert result.exit_code == ExitCode.INVALID
    report = json.loads(result.stdout)
    assert report["format_version"] == 1 and report["command"] == "validate"
    assert report["ok"] is False and report["packs"] == ["core"]
    assert report["summary"]["errors"] == 3
    first = report["diagnostics"][0]
    assert set(first) == {"file", "line", "column", "code", "severity", "message", "hint"}


def test_github_output_and_annotations_in_actions(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--output github prints annotations; in GitHub Actions text output adds them too."""
    github = runner.invoke(app, ["validate", str(THREE), "--output", "github"])
    assert github.output.startswith("::error file=")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    text = runner.invoke(app, ["validate", str(THREE)])
    assert ": error schema.type " in text.output and "::error file=" in text.output


def test_missing_path_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """A path that does not exist: exit 2 and a message, no report."""
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == ExitCode.USAGE
    assert "no such file or directory" in result.output


def test_help_has_examples(runner: CliRunner) -> None:
    """--help explains the command and shows examples."""
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    assert "attune-loader validate packs/core ./my-pack" in result.output
    assert "--output" in result.output


def test_python_dash_m(tmp_path: Path) -> None:
    """``python -m loader validate`` in a real process: exit code and output."""
    pack = write_pack(
        tmp_path / "demo",
        {
            "actions/hello.yaml": "ref: demo.hello\nrunner_type: shell\nentry_point: hello.sh\n",
            "actions/hello.sh": SCRIPT,
        },
    )
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    done = run_cli("validate", str(CORE_PACK_DIR), str(pack), env=env, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.splitlines()[-1]
    # core's sensor serves three triggers: an expected fact, a note shown only with -v
    assert last.startswith("ok: ") and last.endswith(" files checked, no problems, 1 note")
    assert "extra-triggers" not in done.stdout
    assert done.stderr == ""


def test_notes_only_with_verbose_and_strict_fails_on_warnings(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Notes appear with -v only; --strict turns a warning into exit 1, never a note."""
    quiet = runner.invoke(app, ["validate", str(CORE_PACK_DIR)])
    loud = runner.invoke(app, ["validate", str(CORE_PACK_DIR), "-v"])
    assert "note sensor.extra-triggers" not in quiet.output
    assert "note sensor.extra-triggers" in loud.output
    assert runner.invoke(app, ["validate", str(CORE_PACK_DIR), "--strict"]).exit_code == 0
    pack = write_pack(
        tmp_path / "demo",
        {
            "actions/hello.yaml": "ref: demo.hello\nentry_point: hello.sh\n"
            "parameter_delivery: stdin\n",
            "actions/hello.sh": SCRIPT,
        },
    )
    assert runner.invoke(app, ["validate", str(pack)]).exit_code == ExitCode.OK
    strict = runner.invoke(app, ["validate", str(pack), "--strict"])
    assert strict.exit_code == ExitCode.INVALID
    assert "warning key.not-stored" in strict.output
    assert strict.output.splitlines()[-1].startswith("invalid (--strict): 0 errors, 1 warning")
