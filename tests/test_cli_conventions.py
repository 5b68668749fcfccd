"""The CLI's conventions: --version, shell completion, examples and readable metavars in
every command's help, one exit code for a path that does not exist, and
``seed --packs`` taking several directories."""

from __future__ import annotations

import json
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from loader import CORE_PACK_DIR
from loader.cli.commands import app
from loader.errors import ExitCode
from tests.helpers.cli import run_argv, run_cli, run_python
from tests.helpers.packs import demo_pack

runner = CliRunner()


def _command_paths(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and group below the root, as the words that name it."""
    yield path
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _command_paths(sub, (*path, name))


COMMANDS = list(_command_paths(typer.main.get_command(app)))


def test_version_is_the_package_version() -> None:
    from importlib.metadata import version

    result = run_cli("--version")
    assert (result.returncode, result.stdout) == (0, f"attune-loader {version('attune-loader')}\n")


def test_shell_completion_is_offered() -> None:
    """--show-completion prints a script for the shell it runs in, which typer finds
    among the parent processes: so it runs from bash here (``exit`` after it, or bash
    would exec it and be no parent), not from whatever started the tests. The root
    help lists both completion options."""
    command = f"{shlex.quote(sys.executable)} -m loader --show-completion; exit $?"
    result = run_argv(["bash", "-c", command])
    assert result.returncode == 0, result.stderr
    assert "_ATTUNE_LOADER_COMPLETE" in result.stdout
    help_text = runner.invoke(app, ["--help"]).output
    assert "--install-completion" in help_text and "--show-completion" in help_text


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "(root)")
def test_every_help_has_examples_and_plain_metavars(words: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert re.search(r"^ *Examples?: *$", result.output, re.MULTILINE), result.output
    # Indented below the heading, as written in the docstring.
    assert re.search(
        r"^ {3,}(attune-loader|psql|load-pack|\w+=\S+ attune-loader) ", result.output, re.MULTILINE
    )
    assert "<bool>" not in result.output and "{" not in result.output.split("\n\n")[0]


def test_paths_read_as_path_in_usage() -> None:
    for command in ("load", "plan", "validate"):
        usage = runner.invoke(app, [command, "--help"], env={"COLUMNS": "100"}).output
        assert f"Usage: attune-loader {command} [OPTIONS] PATH..." in usage


@pytest.mark.parametrize(
    "argv",
    [
        ("load", "{missing}"),
        ("plan", "{missing}"),
        ("validate", "{missing}"),
        ("seed", "--packs", "{core}", "{missing}"),
    ],
    ids=lambda argv: argv[0],
)
def test_a_missing_path_is_a_usage_error_everywhere(argv: tuple[str, ...], tmp_path: Path) -> None:
    """The same mistake, the same exit code: 2, before any database is asked."""
    missing = str(tmp_path / "nope")
    args = [a.format(missing=missing, core=CORE_PACK_DIR) for a in argv]
    if argv[0] != "validate":  # an unreachable database: the path check comes first
        args += ["--database-url", "postgresql://nobody@127.0.0.1:1/none"]
    result = run_cli(*args)
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert f"{missing}: no such file or directory" in result.stderr


def test_load_pack_with_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run_python(
        "-c", "from loader.cli import load_pack_main; load_pack_main()", str(tmp_path / "nope")
    )
    assert result.returncode == ExitCode.USAGE, result.stderr


def test_seed_takes_several_pack_directories(database_url: str, tmp_path: Path) -> None:
    """`seed --packs A B` as the README writes it, and `--packs A --packs B`."""
    demo = demo_pack(tmp_path)
    for argv in (["--packs", str(CORE_PACK_DIR), str(demo)],
                 ["--packs", str(CORE_PACK_DIR), "--packs", str(demo)]):  # fmt: skip
        result = run_cli("seed", *argv, "--database-url", database_url, "--output", "json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["packs"] == ["core", "demo"]
