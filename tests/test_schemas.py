"""The JSON Schemas in schemas/ and the core pack files they describe.

No database is needed: these tests read files only.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable
from ruamel.yaml import YAML

from loader.kinds import ALL_KINDS, FOLDER_KINDS, KINDS_BY_NAME, Kind, convert
from tests.helpers.schemas import (
    CORE_PACK,
    DRAFT_2020_12,
    ID_BASE,
    ROOT,
    error_texts,
    kind_validator,
    load_schemas,
    load_yaml,
    pack_files,
    registry,
)

SCHEMA_FILES = sorted(load_schemas())
KIND_SCHEMA_FILES = sorted(k.schema for k in ALL_KINDS)
CORE_FILES = list(pack_files(CORE_PACK))
RUNTIME_ROWS = ROOT / "tests" / "data" / "runtime_rows_old_migrations.json"

# Keywords whose value is a subschema (or a list of them) that documents properties;
# `if`, `not` and `dependentSchemas` hold conditions, not documentation.
SUBSCHEMA = frozenset({"items", "additionalProperties", "then", "else", "propertyNames"})
SUBSCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            elif key not in ("examples", "default", "const", "enum"):
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _undocumented(node: Any, path: str) -> Iterator[str]:
    """Paths of declared properties without a description, in a schema and its subschemas."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            for name, sub in value.items():
                if isinstance(sub, dict) and not sub.get("description"):
                    yield f"{path}/properties/{name}"
                yield from _undocumented(sub, f"{path}/properties/{name}")
        elif key == "$defs":
            for name, sub in value.items():
                yield from _undocumented(sub, f"{path}/$defs/{name}")
        elif key in SUBSCHEMA and isinstance(value, dict):
            yield from _undocumented(value, f"{path}/{key}")
        elif key in SUBSCHEMA_LISTS and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from _undocumented(sub, f"{path}/{key}/{i}")


def _accepted_keys(kind: Kind) -> set[str]:
    """The YAML keys kinds.py reads for a kind, plus its ignored and not-stored keys and
    ``ref``."""
    keys = {"ref", *kind.ignored_keys, *kind.unstored_keys}
    for f in kind.fields:
        keys.update(s.key for s in f.sources)
    for link in kind.links:
        keys.update(s.key for s in link.sources)
    return keys


def _example(kind: str) -> dict[str, Any]:
    example: dict[str, Any] = copy.deepcopy(
        load_schemas()[KINDS_BY_NAME[kind].schema]["examples"][0]
    )
    return example


def _yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(StringIO(text))


# ---------------------------------------------------------------- the schemas themselves


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    """Every schema is itself a valid Draft 2020-12 schema."""
    Draft202012Validator.check_schema(load_schemas()[name])


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_declares_dialect_and_id(name: str) -> None:
    """Every schema names Draft 2020-12 and has an $id under the common base, after its file."""
    schema = load_schemas()[name]
    assert schema["$schema"] == DRAFT_2020_12
    assert schema["$id"] == ID_BASE + name


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_has_title_and_description(name: str) -> None:
    """Titles and descriptions feed the generated format reference."""
    schema = load_schemas()[name]
    assert schema["title"].strip()
    assert schema["description"].strip()


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_property_is_described(name: str) -> None:
    """Every declared property, at any depth, has a description."""
    assert list(_undocumented(load_schemas()[name], "")) == []


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_ref_resolves_locally(name: str) -> None:
    """All $refs resolve through the local registry; nothing is fetched."""
    schema = load_schemas()[name]
    resolver = registry().resolver(base_uri=schema["$id"])
    refs = list(_refs(schema))
    for ref in refs:
        resolver.lookup(ref)
    if name != "defs.schema.json":
        assert refs, "kind schemas reach the shared definitions through $ref"


def test_unknown_ref_is_not_fetched() -> None:
    """A $ref outside the registry fails instead of going to the network."""
    resolver = registry().resolver(base_uri=ID_BASE + "action.schema.json")
    with pytest.raises(Unresolvable):
        resolver.lookup("https://example.com/elsewhere.schema.json")


@pytest.mark.parametrize("name", KIND_SCHEMA_FILES)
def test_kind_schema_has_one_valid_example(name: str) -> None:
    """Each kind schema carries one complete example, and it validates."""
    schema = load_schemas()[name]
    assert len(schema["examples"]) == 1
    kind = next(k.name for k in ALL_KINDS if k.schema == name)
    assert error_texts(schema["examples"][0], kind) == []


def test_every_kind_has_its_schema() -> None:
    """kinds.py names a schema file for each kind, and it exists."""
    assert {k.schema for k in ALL_KINDS} <= set(SCHEMA_FILES)
    assert set(SCHEMA_FILES) == {*KIND_SCHEMA_FILES, "defs.schema.json"}


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.name)
def test_schema_accepts_exactly_the_declared_keys(kind: Kind) -> None:
    """Top-level properties are the keys kinds.py reads plus its ignored and not-stored
    keys; a kind with no table reads none (its schema alone says what is accepted)."""
    schema = load_schemas()[kind.schema]
    if kind.table is None:
        assert kind.fields == () and kind.links == ()
    else:
        assert set(schema["properties"]) == _accepted_keys(kind)
    if kind.unknown_keys_are_errors:
        assert schema["additionalProperties"] is False
    else:
        assert "additionalProperties" not in schema


def test_runner_types_match_the_converter() -> None:
    """The runner_type names the schema accepts are the ones convert.py can map."""
    runner = load_schemas()["defs.schema.json"]["$defs"]["runner_type"]
    names = next(alt["enum"] for alt in runner["anyOf"] if "enum" in alt)
    assert set(names) == set(convert.RUNNER_TYPE_RUNTIMES)


def test_parameter_dialects_share_one_keyword_list() -> None:
    """Both parameter dialects and plain schema nodes accept the same keywords.

    The three lists are spelled out (closed with additionalProperties) rather than
    composed, which keeps validation fast; this test keeps them in step.
    """
    defs = load_schemas()["defs.schema.json"]["$defs"]
    node = set(defs["schema_node"]["properties"])
    assert set(defs["flat_parameter"]["properties"]) == node
    assert set(defs["parameters_standard"]["properties"]) == node
    assert {"type", "description", "default", "enum", "secret", "items", "required"} <= node
    for name in ("schema_node", "flat_parameter", "parameters_standard"):
        assert defs[name]["additionalProperties"] is False
    flat_required = defs["flat_parameter"]["properties"]["required"]
    assert flat_required["type"] == "boolean"
    assert defs["schema_node"]["properties"]["required"]["type"] == "array"


# ---------------------------------------------------------------- the core pack


@pytest.mark.parametrize(
    ("path", "kind"), CORE_FILES, ids=[str(p.relative_to(CORE_PACK)) for p, _ in CORE_FILES]
)
def test_core_pack_file_validates(path: Path, kind: str) -> None:
    """Every YAML file of the core pack validates against its kind's schema."""
    doc = load_yaml(path)
    assert error_texts(doc, kind) == []
    json.dumps(doc)  # plain JSON data: no YAML timestamps or other non-JSON values


def test_core_pack_has_the_expected_components() -> None:
    """The core pack declares exactly the components of the upstream pack."""
    refs = {
        (kind, load_yaml(path).get("ref"))
        for path, kind in CORE_FILES
        if kind != "pack"  # the manifest's ref is the pack's
    }
    assert refs == {
        ("runtime", "core.python"),
        ("runtime", "core.nodejs"),
        ("runtime", "core.shell"),
        ("runtime", "core.native"),
        ("runtime", "core.sensor.builtin"),
        ("trigger", "core.crontimer"),
        ("trigger", "core.datetimetimer"),
        ("trigger", "core.intervaltimer"),
        ("action", "core.echo"),
        ("action", "core.http_request"),
        ("action", "core.noop"),
        ("action", "core.sleep"),
        ("sensor", "core.interval_timer_sensor"),
    }
    manifest = load_yaml(CORE_PACK / "pack.yaml")
    assert (manifest["ref"], manifest["label"], manifest["version"]) == (
        "core",
        "Core Pack",
        "1.0.0",
    )
    assert manifest["system"] is True
    assert manifest["runtime_deps"] == ["shell", "native"]


@pytest.mark.parametrize("kind", [k for k in FOLDER_KINDS if k.name in ("action", "sensor")])
def test_core_entry_points_exist_and_are_executable(kind: Kind) -> None:
    """Every entry_point is an executable file next to the component's YAML."""
    for path in sorted((CORE_PACK / kind.folders[0]).glob("*.yaml")):
        entry = load_yaml(path)["entry_point"]
        assert "/" not in entry
        target = path.parent / entry
        assert target.is_file(), target
        assert os.access(target, os.X_OK), target


def test_core_runtime_files_reproduce_the_migration_rows() -> None:
    """python/nodejs/shell/native.yaml equal the rows the old migrations inserted."""
    rows = json.loads(RUNTIME_ROWS.read_text())
    assert len(rows) == 4
    for row in rows:
        name = row["ref"].removeprefix("core.")
        doc = load_yaml(CORE_PACK / "runtimes" / f"{name}.yaml")
        assert doc == row, name


def test_sensor_builtin_runtime_is_consistent_with_the_others() -> None:
    """core.sensor.builtin has the 'nothing to install' installers of core.native."""
    builtin = load_yaml(CORE_PACK / "runtimes" / "sensor_builtin.yaml")
    native = load_yaml(CORE_PACK / "runtimes" / "native.yaml")
    assert builtin["ref"] == "core.sensor.builtin"
    assert builtin["installers"] == native["installers"]
    assert builtin["installers"]["installers"] == []
    assert builtin["installers"]["requires_environment"] is False
    assert builtin["distributions"] == {
        "verification": {"always_available": True, "check_required": False},
        "type": "builtin",
    }
    assert builtin["installation"] == {"method": "builtin", "included_with_service": True}


def test_core_actions_keep_output_schemas_and_secrets() -> None:
    """The upstream fixes: output schemas present, http_request on python with secrets."""
    for path in sorted((CORE_PACK / "actions").glob("*.yaml")):
        assert load_yaml(path)["output_schema"]["type"] == "object", path.name
    http = load_yaml(CORE_PACK / "actions" / "http_request.yaml")
    assert http["runner_type"] == "python"
    props = http["parameters"]["properties"]
    assert {n for n, p in props.items() if p.get("secret")} == {"auth_password", "auth_token"}


# ---------------------------------------------------------------- other real seed-era files

# Reconstructions of the seed-era files outside the core pack, as the format spec
# describes them: the test fixture (flat parameters, entry point from the pack root,
# `name` and `is_standard` in pack.yaml, a workflow) and a packs.dev example.
SEED_ERA_DOCS: list[tuple[str, str, str]] = [
    (
        "fixture pack.yaml",
        "pack",
        """
ref: test_pack
label: Test Pack
name: Test Pack
description: Pack used by the loader tests
version: 1.0.0
author: Attune Team
email: dev@attune.dev
is_standard: false
conf_schema:
  type: object
  properties:
    greeting: {type: string, default: hi}
  required: []
config: {greeting: hi}
meta: {category: testing}
tags: [test]
runtime_deps: [python3]
""",
    ),
    (
        "fixture actions/echo.yaml (flat parameters)",
        "action",
        """
name: echo
description: Echo a message
enabled: true
runner_type: python
entry_point: actions/echo.py
parameters:
  message:
    type: string
    description: Message to echo
    default: hello
    required: true
  count:
    type: integer
    description: Repetitions
    default: 1
    minimum: 1
    maximum: 10
    required: false
output_schema:
  type: object
  properties:
    message: {type: string}
""",
    ),
    (
        "fixture workflows/simple_workflow.yaml",
        "workflow",
        """
name: simple_workflow
description: Two echo tasks
version: "1.0.0"
input: [message]
vars:
  - greeting: hello
tasks:
  first:
    action: test_pack.echo
    input:
      message: "{{ parameters.message }}"
    publish:
      - first_result: "{{ task.first.result }}"
    on-success: [second]
  second:
    action: test_pack.echo
    input:
      message: done
output:
  result: "{{ workflow.first_result }}"
  status: ok
""",
    ),
    (
        "packs.dev basic-pack/pack.yaml",
        "pack",
        """
ref: basic-pack
label: Basic Pack
description: Example pack
version: 0.1.0
author: Example
email: example@example.com
system: false
enabled: true
tags: [example]
""",
    ),
    (
        "packs.dev basic-pack/actions/echo.yaml (output spelling)",
        "action",
        """
ref: basic-pack.echo
name: echo
description: Echo
enabled: true
runner_type: shell
entry_point: echo.sh
parameters:
  type: object
  properties:
    message: {type: string, description: Message}
  required: []
output:
  type: object
  properties:
    stdout: {type: string}
tags: [example]
""",
    ),
]


@pytest.mark.parametrize(
    ("label", "kind", "text"), SEED_ERA_DOCS, ids=[d[0] for d in SEED_ERA_DOCS]
)
def test_seed_era_documents_validate(label: str, kind: str, text: str) -> None:
    """The other seed-era files (test fixture, packs.dev examples) validate too."""
    assert error_texts(_yaml(text), kind) == []


# ---------------------------------------------------------------- alternative spellings

ALTERNATIVES: list[tuple[str, str, dict[str, Any], tuple[str, ...]]] = [
    (
        "pack API spellings",
        "pack",
        {
            "name": "Acme",
            "is_standard": False,
            "config_schema": {"type": "object", "properties": {}},
            "metadata": {"x": 1},
            "keywords": ["a"],
            "dependencies": ["python"],
        },
        ("label", "system", "conf_schema", "meta", "tags", "runtime_deps"),
    ),
    ("pack unknown key (a warning, not a schema error)", "pack", {"homepage_color": "blue"}, ()),
    ("pack flat conf_schema", "pack", {"conf_schema": {"retries": {"type": "integer"}}}, ()),
    ("trigger output_schema", "trigger", {"output_schema": {"type": "object"}}, ("output",)),
    ("trigger name only", "trigger", {"name": "disk_full"}, ("ref",)),
    ("action output", "action", {"output": {"type": "object"}}, ("output_schema",)),
    ("action runtime ref", "action", {"runtime": "core.python"}, ("runner_type",)),
    ("action full ref as runner_type", "action", {"runner_type": "acme_ops.ruby"}, ()),
    (
        "action workflow",
        "action",
        {"workflow_file": "workflows/rotate.workflow.yaml"},
        ("entry_point", "runner_type"),
    ),
    (
        "action flat parameters with secret",
        "action",
        {"parameters": {"token": {"type": "string", "secret": True, "required": True}}},
        (),
    ),
    ("sensor trigger_type", "sensor", {"trigger_type": "disk_full"}, ("trigger_types",)),
    ("sensor runtime", "sensor", {"runtime": "core.sensor.builtin"}, ("runner_type",)),
    (
        "rule object targets",
        "rule",
        {
            "trigger": {"type": "core.intervaltimer", "parameters": {"unit": "seconds"}},
            "action": {"ref": "core.echo", "parameters": {"message": "tick"}},
        },
        ("trigger_params", "action_params"),
    ),
    ("rule short names", "rule", {"trigger": "disk_full", "action": "rotate_logs"}, ()),
    ("permission set name only", "permission_set", {"name": "log_reader"}, ("ref",)),
    ("workflow map vars and publish", "workflow", {"vars": {"attempts": 0}}, ()),
]


@pytest.mark.parametrize(
    ("label", "kind", "changes", "drop"), ALTERNATIVES, ids=[a[0] for a in ALTERNATIVES]
)
def test_alternative_spellings_are_accepted(
    label: str, kind: str, changes: dict[str, Any], drop: tuple[str, ...]
) -> None:
    """Each documented alternative spelling validates in place of the main one."""
    doc = _example(kind)
    for key in drop:
        doc.pop(key, None)
    doc.update(changes)
    assert error_texts(doc, kind) == []


# ---------------------------------------------------------------- negative cases

# (case, kind, keys to set, keys to drop, text expected in some error)
NEGATIVE: list[tuple[str, str, dict[str, Any], tuple[str, ...], str]] = [
    # pack
    ("pack ref uppercase", "pack", {"ref": "Acme"}, (), "$.ref"),
    ("pack ref one char", "pack", {"ref": "a"}, (), "$.ref"),
    ("pack ref with dot", "pack", {"ref": "acme.ops"}, (), "$.ref"),
    ("pack version not semver", "pack", {"version": "1.0"}, (), "$.version"),
    ("pack version with v", "pack", {"version": "v1.0.0"}, (), "$.version"),
    ("pack version float", "pack", {"version": 1.5}, (), "$.version"),
    ("pack without version", "pack", {}, ("version",), "'version' is a required property"),
    ("pack without label or name", "pack", {}, ("label",), "'label' is a required property"),
    ("pack runtime_deps string", "pack", {"runtime_deps": "shell"}, (), "$.runtime_deps"),
    ("pack testing typo", "pack", {"testing": {"enabeld": True}}, (), "enabeld"),
    # runtime
    (
        "runtime float version",
        "runtime",
        {"distributions": {"verification": {}, "min_version": 3.8}},
        (),
        "min_version",
    ),
    ("runtime unknown key", "runtime", {"alias": ["rb"]}, (), "alias"),
    ("runtime ref uppercase", "runtime", {"ref": "Acme_ops.Ruby"}, (), "$.ref"),
    ("runtime ref without pack", "runtime", {"ref": "ruby"}, (), "$.ref"),
    ("runtime without distributions", "runtime", {}, ("distributions",), "distributions"),
    ("runtime without ref", "runtime", {}, ("ref",), "'ref' is a required property"),
    (
        "runtime installer step typo",
        "runtime",
        {"installers": {"installers": [{"name": "x", "command": "y", "ordr": 1}]}},
        (),
        "ordr",
    ),
    (
        "runtime verification without binary",
        "runtime",
        {"distributions": {"verification": {"commands": [{"args": ["-v"]}]}}},
        (),
        "'binary' is a required property",
    ),
    # trigger
    ("trigger unknown key", "trigger", {"paramters": {}}, (), "paramters"),
    ("trigger without ref or name", "trigger", {}, ("ref",), "'name' is a required property"),
    ("trigger ref with two dots", "trigger", {"ref": "acme_ops.disk.full"}, (), "$.ref"),
    ("trigger ref uppercase", "trigger", {"ref": "acme_ops.Disk_Full"}, (), "$.ref"),
    (
        "trigger both output spellings",
        "trigger",
        {"output_schema": {"type": "object"}},
        (),
        "$.output",
    ),
    ("trigger unknown type", "trigger", {"type": "hourly"}, (), "$.type"),
    (
        "trigger parameter of type list",
        "trigger",
        {"parameters": {"type": "object", "properties": {"hosts": {"type": "list"}}}},
        (),
        "list",
    ),
    (
        "trigger flat parameter with required list",
        "trigger",
        {"parameters": {"host": {"type": "string", "required": ["x"]}}},
        (),
        "required",
    ),
    # action
    (
        "action entry_point and workflow_file",
        "action",
        {"workflow_file": "wf.yaml"},
        (),
        "$.entry_point",
    ),
    (
        "action neither entry_point nor workflow_file",
        "action",
        {},
        ("entry_point",),
        "'workflow_file' is a required property",
    ),
    ("action unknown key", "action", {"timeout_seconds": 30}, (), "timeout_seconds"),
    ("action without ref or name", "action", {}, ("ref",), "'ref' is a required property"),
    ("action unknown runner_type", "action", {"runner_type": "perl"}, (), "$.runner_type"),
    ("action runner_type and runtime", "action", {"runtime": "core.shell"}, (), "$.runner_type"),
    (
        "action entry_point escapes",
        "action",
        {"entry_point": "../other/run.sh"},
        (),
        "$.entry_point",
    ),
    (
        "action entry_point absolute",
        "action",
        {"entry_point": "/usr/bin/run.sh"},
        (),
        "$.entry_point",
    ),
    (
        "action workflow_file not yaml",
        "action",
        {"workflow_file": "flow.json"},
        ("entry_point",),
        "$.workflow_file",
    ),
    (
        "action parameter name with hyphen",
        "action",
        {"parameters": {"type": "object", "properties": {"dry-run": {"type": "boolean"}}}},
        (),
        "dry-run",
    ),
    (
        "action parameter keyword typo",
        "action",
        {
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string", "secrte": True}},
            }
        },
        (),
        "secrte",
    ),
    ("action tags not a list", "action", {"tags": "logs"}, (), "$.tags"),
    # sensor
    (
        "sensor without entry_point",
        "sensor",
        {},
        ("entry_point",),
        "'entry_point' is a required property",
    ),
    ("sensor empty trigger_types", "sensor", {"trigger_types": []}, (), "$.trigger_types"),
    (
        "sensor both trigger spellings",
        "sensor",
        {"trigger_type": "acme_ops.disk_full"},
        (),
        "$.trigger_type",
    ),
    (
        "sensor without triggers",
        "sensor",
        {},
        ("trigger_types",),
        "'trigger_type' is a required property",
    ),
    ("sensor unknown key", "sensor", {"interval": 5}, (), "interval"),
    (
        "sensor bad trigger ref",
        "sensor",
        {"trigger_types": ["Acme.Disk"]},
        (),
        "$.trigger_types[0]",
    ),
    # rule
    ("rule without trigger", "rule", {}, ("trigger",), "'trigger' is a required property"),
    ("rule without ref or name", "rule", {}, ("ref",), "'name' is a required property"),
    ("rule ref with two dots", "rule", {"ref": "core.rule.timer_10s_echo"}, (), "$.ref"),
    (
        "rule target with ref and type",
        "rule",
        {"action": {"ref": "a.b", "type": "a.b"}},
        (),
        "$.action",
    ),
    (
        "rule unknown operator",
        "rule",
        {"conditions": [{"field": "x", "operator": "like"}]},
        (),
        "operator",
    ),
    ("rule conditions as map", "rule", {"conditions": {"expression": "true"}}, (), "$.conditions"),
    (
        "rule parameters given twice",
        "rule",
        {"trigger": {"ref": "core.crontimer", "parameters": {}}},
        (),
        "$.trigger",
    ),
    ("rule unknown key", "rule", {"trigger_id": "core.crontimer"}, (), "trigger_id"),
    (
        "rule trigger and trigger_ref",
        "rule",
        {"trigger_ref": "core.crontimer"},
        (),
        "should not be valid",
    ),
    # permission set
    ("permission set unknown key", "permission_set", {"rules": []}, (), "rules"),
    (
        "permission set without ref or name",
        "permission_set",
        {},
        ("ref",),
        "'name' is a required property",
    ),
    (
        "permission set grant without actions",
        "permission_set",
        {"grants": [{"resource": "keys"}]},
        (),
        "'actions' is a required property",
    ),
    (
        "permission set grant typo",
        "permission_set",
        {"grants": [{"resource": "keys", "actions": ["read"], "scope": {}}]},
        (),
        "scope",
    ),
    ("permission set bad ref", "permission_set", {"ref": "log reader"}, (), "$.ref"),
    # workflow
    ("workflow without tasks", "workflow", {}, ("tasks",), "'tasks' is a required property"),
    (
        "workflow task without action",
        "workflow",
        {"tasks": {"a": {"input": {}}}},
        (),
        "'action' is a required property",
    ),
    (
        "workflow task unknown key",
        "workflow",
        {"tasks": {"a": {"action": "core.echo", "retries": 2}}},
        (),
        "retries",
    ),
    ("workflow version float", "workflow", {"version": 1.0}, (), "$.version"),
    ("workflow unknown key", "workflow", {"steps": []}, (), "steps"),
]


@pytest.mark.parametrize(
    ("case", "kind", "changes", "drop", "expected"), NEGATIVE, ids=[n[0] for n in NEGATIVE]
)
def test_invalid_documents_are_rejected(
    case: str, kind: str, changes: dict[str, Any], drop: tuple[str, ...], expected: str
) -> None:
    """Each broken variant of a kind's example fails, for the expected reason."""
    doc = _example(kind)
    for key in drop:
        doc.pop(key)
    doc.update(changes)
    errors = error_texts(doc, kind)
    assert errors, f"{case}: accepted"
    assert any(expected in text for text in errors), errors


def test_yaml_float_runtime_version_is_rejected() -> None:
    """`min_version: 3.8` unquoted is a YAML float and fails; quoted it passes."""
    base = "ref: acme_ops.ruby\nname: Ruby\ndistributions:\n  verification: {}\n"
    assert error_texts(_yaml(base + '  min_version: "3.8"\n'), "runtime") == []
    errors = error_texts(_yaml(base + "  min_version: 3.8\n"), "runtime")
    assert any("min_version" in e and "is not of type 'string'" in e for e in errors), errors


def test_yaml_float_pack_version_is_rejected() -> None:
    """`version: 1.0` unquoted is a YAML float and fails."""
    doc = _yaml("ref: acme\nlabel: Acme\nversion: 1.0\n")
    assert any("$.version" in e for e in error_texts(doc, "pack"))


def test_kind_validator_covers_every_kind() -> None:
    """Each kind's schema compiles into a validator."""
    for kind in ALL_KINDS:
        schema = kind_validator(kind.name).schema
        assert isinstance(schema, dict)
        assert schema["$id"].endswith(kind.schema)
