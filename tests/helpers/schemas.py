"""Helpers shared by the schema tests: the schemas, a local registry, YAML loading.

The registry is built here from ``schemas/*.json`` on purpose, independently of the
loader's own validator, so the tests prove the schemas work on their own and that
no ``$ref`` needs the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from ruamel.yaml import YAML

from loader.kinds import FOLDER_KINDS, KINDS_BY_NAME

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS_DIR = ROOT / "schemas"
CORE_PACK = ROOT / "packs" / "core"
ID_BASE = "https://schemas.attune.dev/pack/v1/"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _no_network(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@cache
def load_schemas() -> dict[str, dict[str, Any]]:
    """File name -> parsed schema, for every ``schemas/*.json``."""
    return {p.name: json.loads(p.read_text()) for p in sorted(SCHEMAS_DIR.glob("*.json"))}


@cache
def registry() -> Registry[Any]:
    """A registry of all schemas by ``$id``; any other URI is an error, never a fetch."""
    resources = [(s["$id"], Resource.from_contents(s)) for s in load_schemas().values()]
    return Registry(retrieve=_no_network).with_resources(resources)  # type: ignore[call-arg]


@cache
def validator(schema_file: str) -> Draft202012Validator:
    return Draft202012Validator(load_schemas()[schema_file], registry=registry())


def kind_validator(kind: str) -> Draft202012Validator:
    return validator(KINDS_BY_NAME[kind].schema)


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path)


def pack_files(pack_root: Path) -> Iterator[tuple[Path, str]]:
    """(file, kind name) for pack.yaml and every YAML file in a kind's folder."""
    yield pack_root / "pack.yaml", "pack"
    for kind in FOLDER_KINDS:
        for folder in (pack_root / f for f in kind.folders):
            for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
                yield path, kind.name


def error_texts(doc: Any, kind: str) -> list[str]:
    """Every error for ``doc`` (with nested ``anyOf``/``oneOf`` causes) as path + message."""
    texts: list[str] = []

    def collect(errors: Any) -> None:
        for error in errors:
            texts.append(f"{error.json_path}: {error.message}")
            collect(error.context or [])

    collect(kind_validator(kind).iter_errors(doc))
    return texts
