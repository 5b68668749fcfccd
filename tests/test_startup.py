"""Start-up stays light: ``--help`` and the other commands that need no database or
YAML must not import what only loads need (docs/performance.md, start-up)."""

from __future__ import annotations

from pathlib import Path

import pytest

import loader
from bench import packgen
from loader import CORE_PACK_DIR
from loader.packs import jsontext
from loader.packs.read import fast
from loader.packs.schema.registry import ACCELERATOR
from tests.helpers.cli import modules_imported_by

HEAVY = ("psycopg", "jsonschema", "jsonschema_rs", "referencing", "ruamel", "yaml_rs")


def test_importing_the_cli_imports_nothing_heavy() -> None:
    modules = modules_imported_by("import loader.cli")
    assert not modules & {*HEAVY, "loader.api", "loader.packs", "loader.database"}


def test_the_public_names_are_there_when_asked_for() -> None:
    modules = modules_imported_by("import loader")
    assert "loader.api" not in modules
    for name in loader.__all__:
        assert getattr(loader, name) is not None
    assert set(loader.__all__) <= set(dir(loader))


@pytest.mark.skipif(ACCELERATOR is None, reason="jsonschema-rs is not installed")
def test_checking_valid_packs_leaves_python_jsonschema_unimported() -> None:
    """Only a file jsonschema-rs does not accept needs the authority (authority.py)."""
    modules = modules_imported_by(
        "from loader import CORE_PACK_DIR\n"
        "from loader.packs.pipeline import check_packs\n"
        "assert check_packs([CORE_PACK_DIR]).ok"
    )
    assert not modules & {"jsonschema", "referencing", "loader.packs.schema.authority"}


@pytest.mark.skipif(not fast.SWITCH.enabled, reason="yaml-rs is not installed")
def test_a_plain_file_is_read_without_ruamel() -> None:
    """A reload of plain files takes the fast path only, and never pays ruamel.yaml's
    import (resolve.py); a file it declines, or a place asked for, needs it."""
    read = "from loader.packs.read import parse_text\nfound = parse_text({!r}, 'a.yaml')\n"
    assert "ruamel" not in modules_imported_by(read.format("a: 1\nb: [x, 'y']\n"))
    assert "ruamel" in modules_imported_by(read.format("a: &x 1\nb: *x\n"))
    placed = read.format("a: 1\nb: [x, y]\n") + "assert found.position(('b', 1)) == (2, 8)"
    assert "ruamel" in modules_imported_by(placed)


def test_only_a_check_of_large_packs_imports_orjson(tmp_path: Path) -> None:
    """Its import (4 ms) is repaid only by a pack's worth of rows (jsontext.MANY)."""
    check = (
        "from pathlib import Path\nfrom loader.packs.pipeline import check_packs\n"
        "assert check_packs([Path({!r})]).ok\n"
    )
    assert "orjson" not in modules_imported_by(check.format(str(CORE_PACK_DIR)))
    (large,) = packgen.generate(tmp_path, packs=1, components=2 * jsontext.MANY)
    assert "orjson" in modules_imported_by(check.format(str(large)))
