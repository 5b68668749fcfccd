"""Packs in the shape of each era of upstream Attune: every key of the format history is
known, each format difference is accepted, and keys without a column warn once per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from loader.api import validate_packs
from loader.packs.pipeline import check_packs
from loader.report import codes
from loader.report.diagnostics import Diagnostic
from tests.helpers.eras import ERAS, era_docs, to_yaml, write_era
from tests.helpers.packs import SCRIPT, write_pack

# The keys of the format history, by kind (pack-format-upstream-history.md, section 1):
# what shipped files used and what upstream's loaders read. Workflow files aside.
REFERENCE_KEYS: dict[str, set[str]] = {
    "pack": {
        "ref", "label", "name", "description", "version", "author", "email", "system",
        "is_standard", "enabled", "conf_schema", "config", "meta", "tags", "runtime_deps",
        "testing", "config_schema", "metadata", "keywords", "dependencies", "python", "nodejs",
    },
    "runtime": {
        "ref", "pack_ref", "name", "description", "distributions", "installation",
        "execution_config", "aliases", "versions",
    },
    "trigger": {
        "ref", "name", "label", "description", "enabled", "type", "parameters", "output",
        "tags", "examples",
    },
    "action": {
        "ref", "name", "label", "description", "enabled", "runner_type", "entry_point",
        "parameters", "output_schema", "output", "out_schema", "parameter_delivery",
        "parameter_format", "output_format", "tags", "workflow_file",
        "required_worker_runtimes", "accesses_mcp", "runtime_version", "worker_selector",
        "worker_tolerations", "worker_affinity", "default_execution_permission_set_refs",
        "log_retention_policy", "log_retention_limit", "artifact_retention_policy",
        "artifact_retention_limit",
    },
    "sensor": {
        "ref", "name", "label", "description", "enabled", "runner_type", "entry_point",
        "trigger_types", "trigger_type", "parameters", "config", "poll_interval", "tags",
        "meta", "examples", "runtime_version", "worker_selector", "worker_tolerations",
        "worker_affinity", "log_retention_policy", "log_retention_limit",
        "artifact_retention_policy", "artifact_retention_limit",
    },
    "rule": {
        "ref", "trigger_ref", "action_ref", "label", "description", "enabled", "conditions",
        "action_params", "trigger_params", "permission_set_refs", "permission_set_ref",
    },
    "permission_set": {"ref", "label", "description", "grants"},
    "queue": {
        "ref", "label", "description", "enabled", "accepting_new_items", "dispatch_action",
        "default_priority", "allow_pending_update", "update_strategy", "batch_mode",
        "item_schema", "action_params", "permission_set_refs", "config",
    },
}  # fmt: skip

# Keys a later Attune stores and this schema has no column for: each file using some of
# them gets one key.not-stored warning (decided per key from the history's Loaders column).
NOT_STORED: dict[str, set[str]] = {
    "pack": {"python", "nodejs"},
    "runtime": {"execution_config", "aliases", "versions"},
    "action": {
        "parameter_delivery", "parameter_format", "output_format", "required_worker_runtimes",
        "accesses_mcp", "runtime_version", "worker_selector", "worker_tolerations",
        "worker_affinity", "default_execution_permission_set_refs", "log_retention_policy",
        "log_retention_limit", "artifact_retention_policy", "artifact_retention_limit",
    },
    "sensor": {
        "runtime_version", "worker_selector", "worker_tolerations", "worker_affinity",
        "log_retention_policy", "log_retention_limit", "artifact_retention_policy",
        "artifact_retention_limit",
    },
    "rule": {"permission_set_refs", "permission_set_ref"},
}  # fmt: skip

FOLDERS = {
    "runtimes": "runtime",
    "triggers": "trigger",
    "actions": "action",
    "sensors": "sensor",
    "rules": "rule",
    "permission_sets": "permission_set",
    "queues": "queue",
}

# Keys no shipped file used, only upstream's loaders: in one pack of their own.
LATER_LOADERS: dict[str, Any] = {
    "pack.yaml": {
        "ref": "later",
        "name": "Later",
        "version": "1.0.0",
        "config_schema": {"level": {"type": "integer", "default": 1}},
        "metadata": {"category": "demo"},
        "keywords": ["demo"],
        "dependencies": ["python3>=3.11"],
        "python": ">=3.11",
        "nodejs": ">=20",
        "is_standard": False,
    },
    "triggers/tick.yaml": {"ref": "later.tick", "type": "interval"},
    "actions/run.yaml": {
        "ref": "later.run",
        "entry_point": "run.sh",  # no runner_type: the extension says shell
        "runtime_version": ">=5",
        "worker_selector": {"zone": "a"},
        "worker_tolerations": [{"key": "gpu"}],
        "worker_affinity": {"prefer": "fast"},
        "default_execution_permission_set_refs": "later.ops",
        "log_retention_policy": "days",
        "log_retention_limit": 7,
        "artifact_retention_policy": "versions",
        "artifact_retention_limit": 3,
    },
    "actions/run.sh": SCRIPT,
    "sensors/watch.yaml": {
        "ref": "later.watch",
        "entry_point": "later-watch",  # no runner_type: native, built outside the pack
        "trigger_type": "tick",
        "config": {"every": 5},
        "runtime_version": "1",
        "worker_selector": {},
        "worker_tolerations": [],
        "worker_affinity": {},
        "log_retention_policy": "hours",
        "log_retention_limit": 1,
        "artifact_retention_policy": "minutes",
        "artifact_retention_limit": 30,
    },
    "rules/go.yaml": {
        "ref": "go",
        "trigger_ref": "tick",
        "action_ref": "run",
        "conditions": [],
        "permission_set_ref": None,
    },
}


def write_later(root: Path) -> Path:
    files = {p: d if isinstance(d, str) else to_yaml(d) for p, d in LATER_LOADERS.items()}
    return write_pack(root, files, fresh=True)


def _kind_of(path: str) -> str | None:
    if path == "pack.yaml":
        return "pack"
    folder, _, rest = path.partition("/")
    return FOLDERS.get(folder) if "/" not in rest else None


def _keys_used(docs: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (kind, key)
        for path, doc in docs.items()
        if isinstance(doc, dict) and (kind := _kind_of(path))
        for key in doc
    }


def _own(diagnostics: list[Diagnostic], pack: Path) -> list[Diagnostic]:
    return [d for d in diagnostics if d.file.startswith(str(pack) + "/")]


def test_the_era_packs_use_every_key_of_the_history() -> None:
    """Together, the era packs and the later-loaders pack use every key of the table."""
    used = _keys_used(LATER_LOADERS)
    for era in ERAS:
        used |= _keys_used(era_docs(era.commit))
    wanted = {(kind, key) for kind, keys in REFERENCE_KEYS.items() for key in keys}
    assert wanted - used == set()


@pytest.mark.parametrize("era", ERAS, ids=lambda e: e.commit)
def test_each_era_validates_alone(tmp_path: Path, era: Any) -> None:
    """No error; one key.not-stored warning in each file with such keys, at the first of
    them, naming them all; no other warning."""
    pack = write_era(tmp_path / "core", era.commit)
    result = check_packs([pack])
    found = _own(result.diagnostics, pack)
    assert [d for d in found if d.is_error] == []
    warnings = {d.file[len(str(pack)) + 1 :]: d for d in found if d.is_warning}
    expected = {}
    for path, doc in era_docs(era.commit).items():
        kind = _kind_of(path)
        if not isinstance(doc, dict) or kind is None:
            continue
        keys = [k for k in doc if k in NOT_STORED.get(kind, set())] or (
            ["(file)"] if kind == "queue" else []
        )
        if keys:
            expected[path] = keys
    assert sorted(warnings) == sorted(expected)
    for path, keys in expected.items():
        warning = warnings[path]
        assert warning.code == codes.KEY_NOT_STORED
        assert all(f"'{k}'" in warning.message for k in keys if k != "(file)")
        first = (pack / path).read_text().splitlines()
        if keys != ["(file)"]:
            assert first[warning.line - 1 if warning.line else 0].startswith(keys[0] + ":")


def test_the_first_era_resolves_its_runtimes_from_the_packaged_core(tmp_path: Path) -> None:
    """3b14c65 has no runtimes/: the packaged core pack's stand in, said once in a note."""
    pack = write_era(tmp_path / "core", "3b14c65")
    notes = [d for d in check_packs([pack]).diagnostics if d.code == codes.REF_PACKAGED_CORE]
    assert len(notes) == 1 and notes[0].is_note and notes[0].file == str(pack / "pack.yaml")
    assert "runtime core.python, runtime core.sensor.builtin, runtime core.shell" in (
        notes[0].message
    )


def test_a_renamed_builtin_runtime_resolves_to_its_later_name(tmp_path: Path) -> None:
    """904ede0 calls the builtin runtime core.builtin: standalone finds it (a note)."""
    pack = write_era(tmp_path / "core", "904ede0")
    result = check_packs([pack])
    (renamed,) = [d for d in result.diagnostics if d.code == codes.REF_RENAMED]
    assert renamed.is_note and "'core.builtin'" in renamed.message
    (sensor,) = [c for c in result.packs[0].components if c.kind.name == "sensor"]
    assert sensor.row()["runtime_ref"] == "core.builtin"


def test_keys_only_later_loaders_read(tmp_path: Path) -> None:
    """The keys no shipped file used are known too; the not-stored ones warn."""
    pack = write_later(tmp_path / "later")
    found = _own(check_packs([pack]).diagnostics, pack)
    assert [d for d in found if d.is_error] == []
    warned = sorted(d.file.rsplit("/", 2)[-2:][0] for d in found if d.is_warning)
    assert warned == ["actions", "later", "rules", "sensors"]  # later/pack.yaml
    assert {d.code for d in found if d.is_note} == {codes.PATH_BUILT_OUTSIDE}


def test_a_misspelt_key_is_still_an_error(tmp_path: Path) -> None:
    """A key the format does not know stays an error, with its did-you-mean hint."""
    docs = era_docs("3dcc3a9")
    docs["actions/say.yaml"]["parameter_delivry"] = docs["actions/say.yaml"].pop(
        "parameter_delivery"
    )
    files = {p: d if isinstance(d, str) else to_yaml(d) for p, d in docs.items()}
    pack = write_pack(tmp_path / "core", files, fresh=True)
    errors = [d for d in check_packs([pack]).diagnostics if d.is_error]
    assert [(d.code, d.hint) for d in errors] == [
        (codes.SCHEMA_UNKNOWN_KEY, "rename it to 'parameter_delivery'")
    ]


def test_flat_output_with_a_property_named_type(tmp_path: Path) -> None:
    """A mapping under 'type' is a flat property; the output is stored in JSON Schema
    form, with 'type' among its properties and the required ones listed."""
    pack = write_era(tmp_path / "core", "53a3fbb")
    result = check_packs([pack])
    (trigger,) = [c for c in result.packs[0].components if c.ref == "core.crontab"]
    out = trigger.row()["out_schema"]
    assert out["type"] == "object" and out["required"] == ["type", "fired_at"]
    assert out["properties"]["type"] == {
        "type": "string",
        "const": "cron",
        "description": "Timer kind",
    }


def test_a_flat_property_that_is_not_a_schema_is_located(tmp_path: Path) -> None:
    """Bad input in a flat output still gets a precise error."""
    docs = era_docs("53a3fbb")
    docs["triggers/crontab.yaml"]["output"]["fired_at"]["type"] = "date"
    files = {p: d if isinstance(d, str) else to_yaml(d) for p, d in docs.items()}
    pack = write_pack(tmp_path / "core", files, fresh=True)
    (error,) = [d for d in check_packs([pack]).diagnostics if d.is_error]
    assert error.file.endswith("triggers/crontab.yaml") and "output.fired_at.type" in (
        error.message
    )


def test_strict_fails_on_warnings_not_on_notes(tmp_path: Path) -> None:
    """--strict: the warnings of a later era fail the report; the first era has notes
    only and passes."""
    first = write_era(tmp_path / "first" / "core", "3b14c65")
    later = write_era(tmp_path / "later" / "core", "3dcc3a9")
    assert validate_packs([first], strict=True).ok
    assert validate_packs([later]).ok
    strict = validate_packs([later], strict=True)
    assert not strict.ok and strict.errors == [] and int(strict.exit_code) == 1
