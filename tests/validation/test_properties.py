"""Generated packs validate clean, and one mutation of them is caught with its code."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from loader.packs.pipeline import check_packs
from loader.report import codes

NAME = st.from_regex(r"[a-z][a-z0-9_]{1,8}", fullmatch=True)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@st.composite
def packs(draw: st.DrawFn) -> dict[str, Any]:
    """A pack as path -> document: a runtime, triggers, actions, a sensor and rules."""
    ref = draw(NAME)
    names = draw(st.lists(NAME, min_size=2, max_size=6, unique=True))
    triggers, actions = names[: len(names) // 2], names[len(names) // 2 :]
    files: dict[str, Any] = {
        "pack.yaml": {"ref": ref, "label": draw(TEXT) or "P", "version": "1.0.0"},
        "runtimes/lua.yaml": {
            "ref": f"{ref}.lua",
            "name": "Lua",
            "distributions": {"verification": {"always_available": True}},
        },
    }
    for name in triggers:
        files[f"triggers/{name}.yaml"] = {
            "ref": f"{ref}.{name}",
            "description": draw(TEXT),
            "enabled": draw(st.booleans()),
            "parameters": {"type": "object", "properties": {"n": {"type": "integer"}}},
        }
    for name in actions:
        files[f"actions/{name}.yaml"] = {
            "name": name,
            "entry_point": f"{name}.sh",
            "description": draw(TEXT),
        }
        files[f"actions/{name}.sh"] = "#!/bin/sh\n"
    files["sensors/watch.yaml"] = {
        "ref": f"{ref}.watch",
        "runtime": f"{ref}.lua",
        "entry_point": "watch.lua",
        "trigger_types": triggers[:1],
    }
    files["sensors/watch.lua"] = "print(1)\n"
    for i, name in enumerate(actions):
        files[f"rules/r{i}.yaml"] = {
            "ref": f"{ref}.r{i}",
            "trigger": draw(st.sampled_from(triggers)),
            "trigger_params": {"n": draw(st.integers(0, 9))},
            "action": name,
        }
    return files


def _component(files: dict[str, Any], folder: str) -> str:
    return sorted(p for p in files if p.startswith(folder) and p.endswith(".yaml"))[0]


def _drop_required(files: dict[str, Any]) -> str:
    del files[_component(files, "actions/")]["entry_point"]
    return codes.SCHEMA_REQUIRED


def _misspell(files: dict[str, Any]) -> str:
    doc = files[_component(files, "triggers/")]
    doc["descripton"] = doc.pop("description")
    return codes.SCHEMA_UNKNOWN_KEY


def _break_ref(files: dict[str, Any]) -> str:
    files[_component(files, "rules/")]["action"] = "no_such_action"
    return codes.REF_UNRESOLVED


def _wrong_type(files: dict[str, Any]) -> str:
    files["pack.yaml"]["version"] = 1.0
    return codes.SCHEMA_TYPE


def _write(root: Path, files: dict[str, Any]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            content
            if isinstance(content, str)
            else json.dumps(content, indent=2, ensure_ascii=False)
        )


@settings(max_examples=25, deadline=None)
@given(packs())
def test_generated_packs_are_valid(files: dict[str, Any]) -> None:
    """A generated pack has no error or warning (only notes: an action without a
    runner runs in the shell, which the packaged core pack provides)."""
    with tempfile.TemporaryDirectory() as scratch:
        _write(Path(scratch), files)
        result = check_packs([Path(scratch)])
    assert [d for d in result.diagnostics if not d.is_note] == []
    assert len(result.packs[0].components) == len([p for p in files if p.endswith(".yaml")]) - 1


@settings(max_examples=40, deadline=None)
@given(packs(), st.sampled_from([_drop_required, _misspell, _break_ref, _wrong_type]))
def test_one_mutation_is_caught(files: dict[str, Any], mutate: Any) -> None:
    """Dropping a required key, misspelling one, breaking a ref or giving a wrong type
    is reported with its code, and is the only error."""
    code = mutate(files)
    with tempfile.TemporaryDirectory() as scratch:
        _write(Path(scratch), files)
        result = check_packs([Path(scratch)])
    errors = [d.code for d in result.diagnostics if d.is_error]
    assert errors == [code]
