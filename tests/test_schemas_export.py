"""`schemas export DIR` writes schemas that another validator resolves offline: the real
check-jsonschema, with every proxy pointing nowhere, accepts packs/core against them,
and fails to retrieve the shared definitions from the schemas as written."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from loader import CORE_PACK_DIR, SCHEMAS_DIR
from loader.kinds import KINDS, Kind
from tests.helpers.cli import run_cli

# Any attempt to reach the network fails at once.
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def _check_jsonschema(schema: Path, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["check-jsonschema", "--schemafile", str(schema), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **OFFLINE},
        timeout=120,
    )


def _core_files(kind: Kind) -> list[Path]:
    if kind.file:
        return [CORE_PACK_DIR / kind.file]
    return sorted(f for folder in kind.folders for f in (CORE_PACK_DIR / folder).glob("*.yaml"))


CORE_KINDS = [k for k in KINDS if _core_files(k)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("exported") / "schemas"
    result = run_cli("schemas", "export", str(directory))
    assert result.returncode == 0, result.stderr
    assert sorted(Path(line).name for line in result.stdout.split()) == sorted(
        k.schema for k in KINDS
    )
    return directory


@pytest.mark.parametrize("kind", CORE_KINDS, ids=lambda k: k.name)
def test_check_jsonschema_accepts_core_offline(exported: Path, kind: Kind) -> None:
    result = _check_jsonschema(exported / kind.schema, _core_files(kind))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_schemas_as_written_need_the_network() -> None:
    """The control: without the export, the $ref to defs.schema.json is fetched."""
    action = next(k for k in CORE_KINDS if "actions" in k.folders)
    result = _check_jsonschema(SCHEMAS_DIR / action.schema, _core_files(action))
    assert result.returncode != 0
    assert "defs.schema.json" in result.stdout + result.stderr


def test_an_exported_schema_still_rejects_what_the_original_rejects(
    exported: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ref: core.bad\nlabel: Bad\nrunner_type: shell\ntags: notalist\n")
    action = next(k for k in CORE_KINDS if "actions" in k.folders)
    result = _check_jsonschema(exported / action.schema, [bad])
    assert result.returncode == 1
    assert "tags" in result.stdout


def test_every_ref_of_an_export_is_local(exported: Path) -> None:
    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return own + [r for v in node.values() for r in refs(v)]
        return [r for v in node for r in refs(v)] if isinstance(node, list) else []

    for path in exported.glob("*.json"):
        document = json.loads(path.read_text())
        assert "$id" not in document
        assert all(r.startswith("#/") for r in refs(document)), path
