"""``load-pack``'s plain command lines (loader/cli/plain.py): read without typer, they
must mean exactly what typer makes of them; everything else is left to typer."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from loader.cli import loading
from loader.cli.load_cmds import load_pack_app
from loader.cli.plain import plain_load_args
from tests.helpers.cli import modules_imported_by

WORDS = [
    "packs/core", "./my-pack", "a.tar.gz", "", "-", "--", "--help", "-h",
    "--database-url", "--database-url=postgresql://db/x", "--database-url=", "postgresql://db/y",
    "--dry-run", "--no-dry-run", "--detailed-exitcode", "--no-cache", "--strict",
    "--absent", "--absent=disable", "retain", "REMOVE", "keep",
    "--lock-timeout", "--lock-timeout=2.5", "5", "1e3", "nan", "-1", "x1",
    "--output", "-o", "--output=JSON", "-ojson", "-o=json", "json", "GitHub", "text", "xml",
    "-v", "-vv", "--verbose", "--verbose=2", "--bogus", "-x",
]  # fmt: skip


def typer_reading(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str] | None:
    """The arguments typer's ``load-pack`` hands to ``loading.load`` for ``argv``, or
    None when it refuses the command line (or shows help)."""
    seen: list[dict[str, str]] = []

    def record(*args: Any, **kwargs: Any) -> None:
        seen.append(bound(*args, **kwargs))

    with monkeypatch.context() as patch:
        patch.setattr(loading, "load", record)
        CliRunner().invoke(load_pack_app, argv)
    return seen[0] if seen else None


LOAD = inspect.signature(loading.load)  # taken before any test replaces the function


def bound(*args: Any, **kwargs: Any) -> dict[str, str]:
    """Every parameter of ``loading.load``, defaults filled in, by its repr (so that
    NaN, which ``--lock-timeout nan`` gives both readers, equals itself)."""
    call = LOAD.bind(*args, **kwargs)
    call.apply_defaults()
    return {name: repr(value) for name, value in call.arguments.items()}


VALUES = st.sampled_from(["json", "TEXT", "disable", "Retain", "5", "1e3", "nan", "", "x"])
# Command lines shaped like real ones: paths, and options with a value each or none.
CHUNKS = st.one_of(
    st.sampled_from(["packs/core", "./my-pack", "a.tar.gz"]).map(lambda w: [w]),
    st.sampled_from(["--dry-run", "--no-cache", "--strict", "--detailed-exitcode", "-v"]).map(
        lambda w: [w]
    ),
    st.tuples(st.sampled_from(["--output", "-o", "--absent", "--lock-timeout"]), VALUES).map(list),
    st.tuples(st.sampled_from(["--output=", "--absent=", "--lock-timeout="]), VALUES).map(
        lambda pair: ["".join(pair)]
    ),
)
COMMAND_LINES = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=7),
    st.lists(CHUNKS, max_size=6).map(lambda chunks: [w for chunk in chunks for w in chunk]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(COMMAND_LINES)
def test_a_plain_reading_is_typers(argv: list[str]) -> None:
    plain = plain_load_args(argv, {})
    if plain is None:
        return
    with pytest.MonkeyPatch.context() as patch:
        assert bound(**plain) == typer_reading(argv, patch)


@pytest.mark.parametrize(
    "argv",
    [
        ["packs/core"],
        ["packs/core", "./my-pack", "--dry-run", "-v"],
        ["a.tar.gz", "--output", "json", "--database-url", "postgresql://db/attune"],
        ["--output=GitHub", "-v", "--verbose", "x", "--absent=DISABLE", "--lock-timeout", "1e3"],
        ["x", "--strict", "--no-cache", "--detailed-exitcode", "-o", "text", "--database-url="],
    ],
)
def test_the_usual_command_lines_are_read_plainly(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = plain_load_args(argv, {})
    assert plain is not None
    assert bound(**plain) == typer_reading(argv, monkeypatch)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["x", "--"],
        ["x", "-vv"],
        ["x", "-ojson"],
        ["x", "--output", "xml"],
        ["x", "--lock-timeout", "soon"],
        ["x", "--database-url"],
        ["x", "--no-dry-run"],
        ["-"],
    ],
)
def test_anything_else_is_left_to_typer(argv: list[str]) -> None:
    assert plain_load_args(argv, {}) is None


def test_a_completion_request_is_left_to_typer() -> None:
    assert plain_load_args(["x"], {"_LOAD_PACK_COMPLETE": "bash_complete"}) is None


def test_every_option_of_load_pack_is_read_plainly() -> None:
    """An option added to typer's ``load`` but not here would send every command line
    that uses it through typer: correct, but the slow way."""
    command = typer.main.get_command(load_pack_app)
    for param in command.params:
        if param.name == "paths":
            continue
        takes_none = getattr(param, "is_flag", False) or getattr(param, "count", False)
        value = [] if takes_none else [str(param.default or "postgresql://db/x")]
        for option in [*param.opts, *param.secondary_opts]:
            assert plain_load_args(["x", option, *value], {}) is not None, option


def test_a_plain_command_line_never_imports_typer(tmp_path: Path) -> None:
    modules = modules_imported_by(
        "import sys\n"
        f"sys.argv = ['load-pack', {str(tmp_path / 'nope')!r}]\n"
        "from loader.cli import load_pack_main\n"
        "try:\n"
        "    load_pack_main()\n"
        "except SystemExit as done:\n"
        "    assert done.code == 2, done.code\n"
    )
    assert "loader.cli.loading" in modules
    assert not modules & {"typer", "click"}
