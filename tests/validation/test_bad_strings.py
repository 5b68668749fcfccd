"""Strings PostgreSQL cannot store, and identifiers with a trailing newline, are input
errors located in their file, never database failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loader import CORE_PACK_DIR
from loader.api import load_packs, validate_packs
from loader.database.conn import Conn
from tests.helpers.cli import run_cli
from tests.helpers.db import count_rows
from tests.helpers.packs import write_pack

TRIGGER = "ref: demo.ping\nlabel: Ping\ndescription: {value}\n"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ('"abc\\0def"', "yaml.bad-character"),
        ('"abc\\x00def"', "yaml.bad-character"),
        ('"abc\\u0000def"', "yaml.bad-character"),
        ('"lone \\ud800 half"', "yaml.syntax"),  # libyaml refuses the escape itself
    ],
)
def test_unstorable_characters_are_located_errors(
    tmp_path: Path, value: str, code: str, database_url: str, conn: Conn
) -> None:
    """An escaped NUL or a lone surrogate: an input error at its line; a load writes
    nothing and exits 1, not 4."""
    pack = write_pack(tmp_path / "demo", {"triggers/ping.yaml": TRIGGER.format(value=value)})
    (error,) = validate_packs([pack]).errors
    assert (error.code, error.line) == (code, 3)
    assert error.file.endswith("triggers/ping.yaml")
    report = load_packs([CORE_PACK_DIR, pack], database_url=database_url)
    assert [e.code for e in report.errors] == [code]
    assert count_rows(conn) == 0
    done = run_cli("load", str(CORE_PACK_DIR), str(pack), "--database-url", database_url)
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_a_nul_in_a_key_is_refused(tmp_path: Path) -> None:
    """Keys are texts too."""
    pack = write_pack(tmp_path / "demo", {"triggers/ping.yaml": 'ref: demo.ping\n"a\\0": 1\n'})
    assert [e.code for e in validate_packs([pack]).errors] == ["yaml.bad-character"]


@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("pack.yaml", 'ref: "demo\\n"\nlabel: Demo\nversion: 1.0.0\n'),
        ("triggers/ping.yaml", 'ref: "demo.ping\\n"\nlabel: Ping\n'),
        ("triggers/ping.yaml", 'name: "ping\\n"\nlabel: Ping\n'),
        ("pack.yaml", 'ref: demo\nlabel: Demo\nversion: "1.0.0\\n"\n'),
    ],
)
def test_identifiers_are_matched_in_full(tmp_path: Path, file: str, text: str) -> None:
    """A ref, a name or a version with a trailing newline fails its pattern."""
    pack = write_pack(tmp_path / "demo", {file: text})
    done = run_cli("validate", str(pack), "--output", "json")
    assert done.returncode == 1, done.stdout
    errors = [d for d in json.loads(done.stdout)["diagnostics"] if d["severity"] == "error"]
    assert errors and all(d["file"].endswith(file) for d in errors), errors
