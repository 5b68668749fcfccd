"""Core packs in the shape of each era of upstream Attune's pack format.

Written for these tests, after the format history: each era starts from the one before
and changes what upstream changed at that commit (one era per boundary of the history),
so the packs together use every key upstream's pack files and loaders have used. They
are not upstream's files: names, texts and values are made up.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.helpers.packs import write_pack

Docs = dict[str, Any]  # path in the pack -> document (or the text of a script)

SH = "#!/bin/sh\necho ok\n"
PY = "#!/usr/bin/env python3\nprint('ok')\n"
JS = "console.log('ok')\n"


@dataclass(frozen=True)
class Era:
    commit: str
    what: str
    change: Callable[[Docs], None]


def _json_params(**props: dict[str, Any]) -> dict[str, Any]:
    required = [name for name, spec in props.items() if spec.pop("required", False)]
    return {"type": "object", "properties": props, "required": required}


def _flat(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema object in the flat form of the later eras."""
    required = set(schema.get("required", []))
    return {
        name: {**spec, **({"required": True} if name in required else {})}
        for name, spec in schema["properties"].items()
    }


def _timer_output(kind: str, **extra: dict[str, Any]) -> dict[str, Any]:
    """A timer's payload schema: its first property is named ``type``."""
    return _json_params(
        type={"type": "string", "const": kind, "description": "Timer kind", "required": True},
        fired_at={"type": "string", "format": "date-time", "required": True},
        **extra,
    )


def _seed(docs: Docs) -> None:
    """3b14c65: JSON Schema everywhere, name and ref, a standalone sensor, no runtimes/."""
    docs["pack.yaml"] = {
        "ref": "core",
        "label": "Core",
        "description": "Timers and small actions",
        "version": "1.0.0",
        "author": "Someone",
        "email": "someone@example.org",
        "system": True,
        "enabled": True,
        "conf_schema": _json_params(
            max_timeout={"type": "integer", "minimum": 1, "maximum": 600, "default": 60}
        ),
        "config": {"max_timeout": 60},
        "meta": {
            "category": "system",
            "keywords": ["timers"],
            "python_dependencies": ["requests>=2.0"],
            "documentation_url": "https://example.org/docs",
            "repository_url": "https://example.org/repo",
        },
        "tags": ["core", "timers"],
        "runtime_deps": ["shell", "python3"],
        "testing": {
            "enabled": True,
            "discovery": {"method": "directory", "path": "tests"},
            "runners": {
                "shell": {
                    "type": "script",
                    "entry_point": "tests/run.sh",
                    "timeout": 60,
                    "result_format": "simple",
                }
            },
            "result_path": "tests/results/",
            "min_pass_rate": 1.0,
            "on_failure": "block",
        },
    }
    for name, kind, params in (
        ("everyminute", "interval", _json_params(seconds={"type": "integer", "default": 60})),
        ("crontab", "cron", _json_params(expression={"type": "string", "required": True})),
        ("attime", "one_shot", _json_params(at={"type": "string", "format": "date-time"})),
    ):
        docs[f"triggers/{name}.yaml"] = {
            "name": name,
            "ref": f"core.{name}",
            "description": f"A {kind} timer",
            "enabled": True,
            "type": kind,
            "parameters": params,
            "output": _timer_output(kind, count={"type": "integer"}),
            "tags": ["timer"],
            "examples": [{"description": "often", "parameters": {}}],
        }
    docs["actions/say.yaml"] = {
        "name": "say",
        "ref": "core.say",
        "description": "Print a message",
        "enabled": True,
        "runner_type": "shell",
        "entry_point": "say.sh",
        "parameters": _json_params(text={"type": "string", "default": "hi"}),
        "output_schema": _json_params(printed={"type": "string"}),
        "tags": ["text"],
    }
    docs["actions/say.sh"] = SH
    docs["actions/fetch.yaml"] = {
        "name": "fetch",
        "ref": "core.fetch",
        "description": "Fetch a URL",
        "enabled": True,
        "runner_type": "python",
        "entry_point": "fetch.py",
        "parameters": _json_params(
            url={"type": "string", "required": True},
            token={"type": "string", "secret": True},
        ),
        "output_schema": _json_params(status={"type": "integer"}),
    }
    docs["actions/fetch.py"] = PY
    docs["sensors/clock.yaml"] = {
        "name": "clock",
        "ref": "core.clock",
        "description": "Fires the timers",
        "enabled": True,
        "runner_type": "standalone",
        "entry_point": "core-clock",  # a binary built with the service
        "trigger_types": ["core.everyminute", "core.crontab", "core.attime"],
        "parameters": _json_params(tick={"type": "integer", "minimum": 1, "default": 1}),
        "poll_interval": 1,
        "tags": ["timer"],
        "meta": {"builtin": True, "system": True, "description": "The clock"},
        "examples": [
            {"description": "a minute", "trigger_type": "core.everyminute", "trigger_config": {}}
        ],
    }


def _runtime(ref: str, name: str, binary: str | None) -> dict[str, Any]:
    check = [{"binary": binary, "args": ["--version"], "exit_code": 0, "priority": 1}]
    return {
        "ref": ref,
        "pack_ref": "core",
        "name": name,
        "description": f"The {name} runtime",
        "distributions": {"verification": {"commands": check} if binary else {}},
        "installation": {"portable": True},
    }


def _runtimes(docs: Docs) -> None:
    """343488b: runtimes/ (with core.sensor.builtin); an action's ``output``."""
    docs["runtimes/shell.yaml"] = _runtime("core.shell", "Shell", "sh")
    docs["runtimes/python.yaml"] = _runtime("core.python", "Python", "python3")
    docs["runtimes/native.yaml"] = _runtime("core.native", "Native", None)
    docs["runtimes/builtin.yaml"] = _runtime("core.sensor.builtin", "Builtin", None)
    docs["pack.yaml"]["runtime_deps"] = ["shell", "native"]
    fetch = docs["actions/fetch.yaml"]
    fetch["output"] = fetch.pop("output_schema")


def _delivery(docs: Docs) -> None:
    """a74e13f: parameter_delivery and parameter_format."""
    for path in ("actions/say.yaml", "actions/fetch.yaml"):
        docs[path].update(parameter_delivery="stdin", parameter_format="dotenv")
    docs["actions/fetch.yaml"]["parameter_format"] = "json"


def _labels(docs: Docs) -> None:
    """588b319: label in, name out; output_format; an array output schema."""
    for path, doc in docs.items():
        if isinstance(doc, dict) and path.startswith(("triggers/", "actions/", "sensors/")):
            name = doc.pop("name")
            doc["label"] = name.capitalize()
    docs["actions/say.yaml"]["output_format"] = "text"
    docs["actions/fetch.yaml"]["output_format"] = "json"
    docs["actions/lines.yaml"] = {
        "ref": "core.lines",
        "label": "Lines",
        "description": "Print lines",
        "runner_type": "shell",
        "entry_point": "lines.sh",
        "parameters": {},
        "output_schema": {"type": "array", "items": {"type": "string"}},
        "parameter_delivery": "stdin",
        "parameter_format": "dotenv",
        "output_format": "jsonl",
    }
    docs["actions/lines.sh"] = SH


def _refs_honoured(docs: Docs) -> None:
    """e31ecb7: the loader honours ``ref`` (the files already had it)."""


def _execution_config(docs: Docs) -> None:
    """904ede0: execution_config; core.sensor.builtin renamed core.builtin."""
    for path in [p for p in docs if p.startswith("runtimes/")]:
        docs[path]["execution_config"] = {
            "interpreter": {"binary": "/bin/sh", "args": [], "file_extension": ".sh"}
        }
    docs["runtimes/native.yaml"]["execution_config"] = {}
    docs["runtimes/builtin.yaml"]["ref"] = "core.builtin"


def _native(docs: Docs) -> None:
    """f9cfcf8: the builtin runtime gone; sensors run natively."""
    del docs["runtimes/builtin.yaml"]
    docs["sensors/clock.yaml"]["runner_type"] = "native"


def _flat_schemas(docs: Docs) -> None:
    """53a3fbb: flat parameters, outputs and conf_schema."""
    pack = docs["pack.yaml"]
    pack["conf_schema"] = _flat(pack["conf_schema"])
    for path, doc in docs.items():
        if not isinstance(doc, dict) or path == "pack.yaml":
            continue
        for key in ("parameters", "output", "output_schema"):
            value = doc.get(key)
            if isinstance(value, dict) and "properties" in value:
                doc[key] = _flat(value)
    docs["actions/lines.yaml"]["output_schema"] = {
        "line": {"type": "string", "description": "One line"}
    }


def _versions(docs: Docs) -> None:
    """495b812: runtime versions."""
    docs["runtimes/python.yaml"]["versions"] = [
        {"version": "3.11", "distributions": {}, "execution_config": {}, "meta": {"eol": "2027"}},
        {"version": "3.12", "is_default": True},
    ]


def _workflow_file(docs: Docs) -> None:
    """7438f92: an action runs a workflow file (written in this project's shape)."""
    docs["actions/twice.yaml"] = {
        "ref": "core.twice",
        "label": "Twice",
        "description": "Say it twice",
        "workflow_file": "workflows/twice.yaml",
    }
    docs["actions/workflows/twice.yaml"] = {
        "version": "1.0.0",
        "tasks": {
            "one": {"action": "core.say", "on-success": ["two"]},
            "two": {"action": "core.say"},
        },
    }


def _permission_sets(docs: Docs) -> None:
    """5b45b17: permission_sets/."""
    docs["permission_sets/reader.yaml"] = {
        "ref": "core.reader",
        "label": "Reader",
        "description": "Read everything",
        "grants": [{"resource": "packs", "actions": ["read"]}],
    }


def _aliases(docs: Docs) -> None:
    """8ba7e3b / 8af8c1a: more runtimes, and their aliases."""
    docs["runtimes/ruby.yaml"] = _runtime("core.ruby", "Ruby", "ruby")
    for path, aliases in (
        ("runtimes/shell.yaml", ["shell", "bash", "sh"]),
        ("runtimes/python.yaml", ["python", "python3"]),
        ("runtimes/native.yaml", ["native", "builtin", "standalone"]),
        ("runtimes/ruby.yaml", ["ruby"]),
    ):
        docs[path]["aliases"] = aliases


def _queues(docs: Docs) -> None:
    """673e039: queues/ (read by upstream's later loader only)."""
    docs["queues/jobs.yaml"] = {
        "ref": "core.jobs",
        "label": "Jobs",
        "description": "Work to do",
        "enabled": True,
        "accepting_new_items": True,
        "dispatch_action": "core.say",
        "default_priority": 0,
        "allow_pending_update": False,
        "update_strategy": "merge_patch",
        "batch_mode": "batch",
        "item_schema": {"type": "object"},
        "action_params": {"text": "job"},
        "permission_set_refs": ["core.reader"],
        "config": {"dispatch": {"concurrency": 1, "batch_size": 5}, "ack_contract": {"version": 1}},
    }


def _worker_runtimes(docs: Docs) -> None:
    """54b2b63: required_worker_runtimes, accesses_mcp, out_schema, a flat ``output``,
    a versioned runtime dependency."""
    docs["pack.yaml"]["runtime_deps"] = ["shell", "nodejs>=22"]
    docs["actions/prompt.yaml"] = {
        "ref": "core.prompt",
        "label": "Prompt",
        "description": "Ask a model",
        "runner_type": "python",
        "entry_point": "prompt.py",
        "parameters": {"question": {"type": "string", "required": True}},
        "out_schema": {"answer": {"type": "string", "required": True}},
        "required_worker_runtimes": {"node": ">=20"},
        "accesses_mcp": True,
        "parameter_delivery": "stdin",
        "parameter_format": "json",
        "output_format": "json",
    }
    docs["actions/prompt.py"] = PY
    docs["actions/fetch.yaml"]["output"] = {"status": {"type": "integer", "required": True}}


def _rrule(docs: Docs) -> None:
    """fc712f0: an rrule timer, served by the clock too."""
    docs["triggers/recurring.yaml"] = {
        "ref": "core.recurring",
        "label": "Recurring",
        "description": "An rrule timer",
        "enabled": True,
        "type": "rrule",
        "parameters": {"rule": {"type": "string", "required": True}},
        "output": _flat(_timer_output("rrule")),
        "tags": ["timer"],
    }
    docs["sensors/clock.yaml"]["trigger_types"].append("core.recurring")


def _sensor_renamed(docs: Docs) -> None:
    """9ce7331: the sensor's ref changes (the old row is no longer declared)."""
    clock = docs.pop("sensors/clock.yaml")
    clock["ref"] = "core.timers"
    docs["sensors/timers.yaml"] = clock


def _native_action(docs: Docs) -> None:
    """5fa6314: a native action whose binary is built outside the pack; a node action."""
    docs["actions/ask.yaml"] = {
        "ref": "core.ask",
        "label": "Ask",
        "description": "Ask a person",
        "runner_type": "native",
        "entry_point": "ask",
        "parameters": {"question": {"type": "string"}},
        "output": {"response": {"type": "string"}},
        "parameter_delivery": "stdin",
        "parameter_format": "json",
        "output_format": "json",
    }
    docs["runtimes/nodejs.yaml"] = _runtime("core.nodejs", "Node.js", "node")
    docs["actions/hello_js.yaml"] = {
        "ref": "core.hello_js",
        "label": "Hello Js",
        "description": "Say hello in JavaScript",
        "runner_type": "node",
        "entry_point": "hello.js",
        "parameters": {},
    }
    docs["actions/hello.js"] = JS


def _rules(docs: Docs) -> None:
    """865a7e4: rules/, as upstream's loaders read them (short refs, *_ref keys)."""
    docs["rules/nightly.yaml"] = {
        "ref": "nightly",
        "label": "Nightly",
        "description": "Say something every night",
        "enabled": True,
        "trigger_ref": "crontab",
        "trigger_params": {"expression": "0 0 * * *"},
        "action_ref": "core.say",
        "action_params": {"text": "night"},
        "permission_set_refs": ["core.reader"],
    }


def _system_triggers(docs: Docs) -> None:
    """3dcc3a9: system triggers with empty parameters."""
    docs["triggers/started.yaml"] = {
        "ref": "core.started",
        "label": "Started",
        "description": "The service started",
        "enabled": True,
        "type": "system",
        "parameters": {},
        "output": {"at": {"type": "string", "format": "date-time"}},
    }


ERAS: tuple[Era, ...] = (
    Era("3b14c65", "the first format", _seed),
    Era("343488b", "runtimes/", _runtimes),
    Era("a74e13f", "parameter delivery", _delivery),
    Era("588b319", "labels, output_format", _labels),
    Era("e31ecb7", "refs honoured", _refs_honoured),
    Era("904ede0", "execution_config, core.builtin", _execution_config),
    Era("f9cfcf8", "native sensors", _native),
    Era("53a3fbb", "flat schemas", _flat_schemas),
    Era("495b812", "runtime versions", _versions),
    Era("7438f92", "workflow_file", _workflow_file),
    Era("5b45b17", "permission sets", _permission_sets),
    Era("8af8c1a", "runtime aliases", _aliases),
    Era("673e039", "queues", _queues),
    Era("54b2b63", "worker runtimes, out_schema", _worker_runtimes),
    Era("fc712f0", "rrule", _rrule),
    Era("9ce7331", "the sensor renamed", _sensor_renamed),
    Era("5fa6314", "native and node actions", _native_action),
    Era("865a7e4", "rules", _rules),
    Era("3dcc3a9", "system triggers", _system_triggers),
)


def era_docs(commit: str) -> Docs:
    """The documents of the core pack at ``commit`` (one of :data:`ERAS`)."""
    docs: Docs = {}
    for era in ERAS:
        era.change(docs)
        if era.commit == commit:
            return copy.deepcopy(docs)
    raise KeyError(commit)


def to_yaml(doc: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.representer.sort_base_mapping_type_on_output = False  # keys in the order written
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def write_era(root: Path, commit: str) -> Path:
    """The core pack of era ``commit``, written under ``root``."""
    docs = era_docs(commit)
    files = {path: doc if isinstance(doc, str) else to_yaml(doc) for path, doc in docs.items()}
    return write_pack(root, files, fresh=True)
