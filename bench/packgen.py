"""Synthetic pack generator for benchmarks.

``generate(dest, packs, components, seed)`` writes ``packs`` pack directories under
``dest``, each with ``components`` components in a realistic mix and size:

- about 10 % triggers (parameter and payload schemas),
- about 60 % actions (about 0.9 KB of YAML each: a JSON Schema ``parameters`` object
  with three properties and an ``output_schema``), each with an executable shell or
  Python script; they run on the core pack's runtimes (``runner_type`` shell/python),
- about 10 % sensors (a Python script each, emitting one or two of the pack's triggers),
- about 15 % rules linking the pack's own triggers and actions,
- about 5 % permission sets,

plus two runtimes per pack (not counted in ``components``). Every file validates
against the schemas in ``schemas/``. Output depends only on the arguments.

Command line::

    python -m bench.packgen DEST --packs N --components M [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHARES = {"trigger": 0.10, "sensor": 0.10, "rule": 0.15, "permission_set": 0.05}

VERBS = ("restart", "check", "rotate", "sync", "backup", "scale", "notify", "deploy", "purge")
NOUNS = ("service", "disk", "cache", "queue", "certificate", "database", "bucket", "cluster")
EVENTS = ("threshold", "failure", "change", "expiry", "backlog", "spike", "drift", "outage")
RESOURCES = ("actions", "executions", "rules", "triggers", "keys", "packs", "events")
OPERATIONS = ("read", "create", "update", "delete", "execute")

# Scalars that YAML would read as something other than a plain string.
_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_ .,/()+-]*$")
_RESERVED = frozenset({"yes", "no", "y", "n", "true", "false", "on", "off", "null", "~"})


# ---------------------------------------------------------------- a tiny YAML emitter


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    plain = _PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(" ")
    return text if plain else json.dumps(text)


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return _scalar(value)


def _is_flat(value: Any) -> bool:
    """Short lists of scalars, and empty containers, are written in flow style."""
    if isinstance(value, dict):
        return not value
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value) and len(value) <= 8
    return True


def _block(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if _is_flat(item):
                lines.append(f"{pad}{_scalar(key)}: {_inline(item)}")
            else:
                lines.append(f"{pad}{_scalar(key)}:")
                lines.extend(_block(item, indent + 2))
    else:
        for item in value:
            if _is_flat(item):
                lines.append(f"{pad}- {_inline(item)}")
            else:
                nested = _block(item, indent + 2)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines.extend(nested[1:])
    return lines


def to_yaml(document: dict[str, Any], comment: str = "") -> str:
    header = f"# {comment}\n" if comment else ""
    return header + "\n".join(_block(document, 0)) + "\n"


# ---------------------------------------------------------------- content


@dataclass
class _Pack:
    ref: str
    rng: random.Random
    triggers: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    runtimes: list[str] = field(default_factory=list)


def mix(components: int) -> dict[str, int]:
    """How many components of each kind make up ``components``."""
    counts = {kind: int(components * share) for kind, share in SHARES.items()}
    if counts["trigger"] == 0:  # sensors and rules need a trigger
        counts["sensor"] = counts["rule"] = 0
    counts["action"] = components - sum(counts.values())
    return counts


def _label(name: str) -> str:
    return " ".join(word.capitalize() for word in name.split("_") if not word.isdigit())


def _runtime(pack: _Pack, index: int) -> dict[str, Any]:
    name, binary, display, pattern, versions = [
        ("ruby3", "ruby", "Ruby", "ruby 3\\.", ("3.0", "3.3.0")),
        ("deno", "deno", "Deno", "deno \\d+\\.", ("1.40", "1.46.0")),
        ("lua54", "lua5.4", "Lua", "Lua 5\\.4", ("5.4", "5.4.6")),
    ][index % 3]
    ref = f"{pack.ref}.{name}"
    pack.runtimes.append(ref)
    return {
        "ref": ref,
        "pack_ref": pack.ref,
        "name": f"{display} ({pack.ref})",
        "description": f"{display} interpreter used by the {pack.ref} sensors",
        "distributions": {
            "verification": {
                "commands": [
                    {
                        "binary": binary,
                        "args": ["--version"],
                        "exit_code": 0,
                        "pattern": pattern,
                        "priority": 1,
                    }
                ]
            },
            "min_version": versions[0],
            "recommended_version": versions[1],
        },
        "installation": {"package_managers": [binary], "portable": False},
        "installers": {
            "base_path_template": "/opt/attune/packenvs/{pack_ref}/{runtime_name_lower}",
            "installers": [
                {
                    "name": "install_deps",
                    "description": f"Install {display} dependencies of the pack",
                    "command": binary,
                    "args": ["install", "--prefix", "{env_path}"],
                    "cwd": "{pack_path}",
                    "env": {},
                    "order": 1,
                    "optional": False,
                    "condition": {"file_exists": "{pack_path}/deps.txt"},
                }
            ],
            "executable_templates": {binary: f"{{env_path}}/bin/{binary}"},
            "requires_environment": True,
        },
    }


def _trigger(pack: _Pack, index: int) -> dict[str, Any]:
    rng = pack.rng
    event = EVENTS[index % len(EVENTS)]
    noun = rng.choice(NOUNS)
    name = f"{noun}_{event}_{index:03d}"
    doc: dict[str, Any] = {
        "ref": f"{pack.ref}.{name}",
        "label": _label(name),
        "description": f"Fires when a {noun} reports a {event}",
        "enabled": True,
        "type": "custom",
        "parameters": {
            "type": "object",
            "properties": {
                "threshold": {
                    "type": "integer",
                    "description": f"Level at which a {event} counts",
                    "minimum": 1,
                    "maximum": 1000,
                    "default": rng.randint(10, 90),
                },
                "target": {"type": "string", "description": f"Name of the {noun} to watch"},
            },
            "required": ["target"],
        },
        "output": {
            "type": "object",
            "properties": {
                "target": {"type": "string", "description": f"The {noun} concerned"},
                "value": {"type": "number", "description": "Measured value"},
                "observed_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "Time of the observation",
                },
            },
            "required": ["target", "value"],
        },
        "tags": [noun, event],
    }
    pack.triggers.append(doc)
    return doc


def _action(pack: _Pack, index: int) -> tuple[dict[str, Any], str, str]:
    rng = pack.rng
    verb, noun = VERBS[index % len(VERBS)], rng.choice(NOUNS)
    name = f"{verb}_{noun}_{index:03d}"
    python = index % 3 == 0
    script = f"{name}.py" if python else f"{name}.sh"
    doc: dict[str, Any] = {
        "ref": f"{pack.ref}.{name}",
        "label": _label(name),
        "description": f"{verb.capitalize()} a {noun}, waiting for it to settle when asked",
        "enabled": True,
        "runner_type": "python" if python else "shell",
        "entry_point": script,
        "parameters": {
            "type": "object",
            "properties": {
                "target": {"type": "string", "description": f"Name of the {noun} to {verb}"},
                "timeout": {
                    "type": "integer",
                    "description": "Seconds to wait before giving up",
                    "default": rng.choice([30, 60, 120, 300]),
                    "minimum": 1,
                    "maximum": 3600,
                },
                "dry_run": {
                    "type": "boolean",
                    "description": "Only report what would be done",
                    "default": False,
                },
            },
            "required": ["target"],
        },
        "output_schema": {
            "type": "object",
            "properties": {
                "changed": {"type": "boolean", "description": f"Whether the {noun} changed"},
                "message": {"type": "string", "description": "Summary of what happened"},
                "duration_ms": {"type": "integer", "description": "Time taken"},
            },
        },
        "tags": [verb, noun],
    }
    pack.actions.append(doc)
    if python:
        body = (
            "#!/usr/bin/env python3\n"
            f'"""{doc["description"]}."""\n'
            "import json\nimport os\nimport time\n\n"
            "started = time.monotonic()\n"
            'target = os.environ.get("ATTUNE_ACTION_TARGET", "")\n'
            'dry_run = os.environ.get("ATTUNE_ACTION_DRY_RUN", "false") == "true"\n'
            "result = {\n"
            '    "changed": not dry_run,\n'
            f'    "message": f"{verb} {{target}}",\n'
            '    "duration_ms": round((time.monotonic() - started) * 1000),\n'
            "}\n"
            "print(json.dumps(result))\n"
        )
    else:
        body = (
            "#!/usr/bin/env bash\n"
            f"# {doc['description']}.\n"
            "set -euo pipefail\n"
            'target="${ATTUNE_ACTION_TARGET:?target is required}"\n'
            'dry_run="${ATTUNE_ACTION_DRY_RUN:-false}"\n'
            f'echo "{verb} ${{target}} (dry run: ${{dry_run}})"\n'
        )
    return doc, script, body


def _sensor(pack: _Pack, index: int) -> tuple[dict[str, Any], str, str]:
    rng = pack.rng
    triggers = rng.sample(pack.triggers, k=min(len(pack.triggers), rng.randint(1, 2)))
    noun = rng.choice(NOUNS)
    name = f"{noun}_watch_{index:03d}"
    script = f"{name}.py"
    doc: dict[str, Any] = {
        "ref": f"{pack.ref}.{name}",
        "label": _label(name),
        "description": f"Polls every {noun} and emits events when something changes",
        "enabled": index % 4 != 3,
        "entry_point": script,
        "trigger_types": [t["ref"] for t in triggers],
        "parameters": {
            "type": "object",
            "properties": {
                "interval": {
                    "type": "integer",
                    "description": "Seconds between polls",
                    "default": 30,
                    "minimum": 1,
                }
            },
            "required": [],
        },
        "config": {"interval": rng.choice([10, 30, 60])},
        "poll_interval": 30,
        "tags": [noun, "polling"],
    }
    if pack.runtimes and index % 2:
        doc["runtime"] = pack.runtimes[index % len(pack.runtimes)]
    else:
        doc["runner_type"] = "python"
    body = (
        "#!/usr/bin/env python3\n"
        f'"""{doc["description"]}."""\n'
        "import json\nimport time\n\n"
        "while True:\n"
        f'    print(json.dumps({{"target": "{noun}", "value": 1}}), flush=True)\n'
        "    time.sleep(30)\n"
    )
    return doc, script, body


def _rule(pack: _Pack, index: int) -> dict[str, Any]:
    rng = pack.rng
    trigger, action = rng.choice(pack.triggers), rng.choice(pack.actions)
    name = f"on_{trigger['ref'].split('.', 1)[1]}_{index:03d}"
    return {
        "ref": f"{pack.ref}.{name}",
        "label": f"When {trigger['label']}",
        "description": f"Run {action['ref']} when {trigger['ref']} fires",
        "enabled": index % 5 != 4,
        "trigger": trigger["ref"],
        "trigger_params": {"target": f"{pack.ref}-{index}", "threshold": rng.randint(10, 90)},
        "action": action["ref"],
        "action_params": {
            "target": "{{ event.payload.target }}",
            "dry_run": index % 2 == 0,
        },
        "conditions": [{"field": "value", "operator": "not_equals", "value": 0}],
        "tags": ["generated"],
    }


def _permission_set(pack: _Pack, index: int) -> dict[str, Any]:
    rng = pack.rng
    resources = rng.sample(RESOURCES, k=2)
    return {
        "ref": f"{pack.ref}.role_{index:03d}",
        "label": f"Role {index}",
        "description": f"Generated role {index} of {pack.ref}",
        "grants": [
            {"resource": r, "actions": sorted(rng.sample(OPERATIONS, k=rng.randint(1, 3)))}
            for r in resources
        ],
    }


def _pack_manifest(ref: str, index: int) -> dict[str, Any]:
    return {
        "ref": ref,
        "label": f"Benchmark Pack {index}",
        "description": "Synthetic pack written by bench/packgen.py",
        "version": f"1.{index % 10}.0",
        "author": "bench",
        "system": False,
        "conf_schema": {
            "type": "object",
            "properties": {
                "region": {"type": "string", "description": "Region to operate in"},
                "retries": {"type": "integer", "description": "Retries", "default": 3},
            },
            "required": [],
        },
        "config": {"region": "eu-west", "retries": 3},
        "meta": {"category": "benchmark"},
        "tags": ["bench", "synthetic"],
        "runtime_deps": ["shell", "python"],
    }


# ---------------------------------------------------------------- writing


def _write(path: Path, text: str, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if executable:
        path.chmod(0o755)


def _write_pack(root: Path, ref: str, index: int, components: int, seed: int) -> None:
    pack = _Pack(ref=ref, rng=random.Random(seed * 1_000_003 + index))
    counts = mix(components)
    _write(root / "pack.yaml", to_yaml(_pack_manifest(ref, index), "Generated; do not edit."))
    for i in range(2):
        doc = _runtime(pack, i)
        _write(root / "runtimes" / f"{doc['ref'].split('.', 1)[1]}.yaml", to_yaml(doc))
    for i in range(counts["trigger"]):
        doc = _trigger(pack, i)
        _write(root / "triggers" / f"{doc['ref'].split('.', 1)[1]}.yaml", to_yaml(doc))
    for i in range(counts["action"]):
        doc, script, body = _action(pack, i)
        _write(root / "actions" / f"{doc['ref'].split('.', 1)[1]}.yaml", to_yaml(doc))
        _write(root / "actions" / script, body, executable=True)
    for i in range(counts["sensor"]):
        doc, script, body = _sensor(pack, i)
        _write(root / "sensors" / f"{doc['ref'].split('.', 1)[1]}.yaml", to_yaml(doc))
        _write(root / "sensors" / script, body, executable=True)
    for i in range(counts["rule"]):
        doc = _rule(pack, i)
        _write(root / "rules" / f"{doc['ref'].split('.', 1)[1]}.yaml", to_yaml(doc))
    for i in range(counts["permission_set"]):
        doc = _permission_set(pack, i)
        _write(root / "permission_sets" / f"{doc['ref'].split('.', 1)[1]}.yaml", to_yaml(doc))


def generate(dest: Path, packs: int, components: int, seed: int = 0, first: int = 0) -> list[Path]:
    """Write ``packs`` packs of ``components`` components each under ``dest``.

    :param dest: directory to write into (created if needed); pack directories are
        named after their refs, ``bench_p0000``, ``bench_p0001``, ...
    :param packs: number of packs.
    :param components: components per pack (runtimes not counted).
    :param seed: the same seed gives byte-identical output.
    :param first: the index of the first pack (another ``first`` gives other refs).
    :return: the pack directories, in order.
    """
    if packs < 0 or components < 1:
        raise ValueError("packs must be >= 0 and components >= 1")
    roots: list[Path] = []
    for index in range(first, first + packs):
        ref = f"bench_p{index:04d}"
        root = dest / ref
        _write_pack(root, ref, index, components, seed)
        roots.append(root)
    return roots


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.packgen", description="Write synthetic Attune packs."
    )
    parser.add_argument("dest", type=Path, help="directory to write the packs into")
    parser.add_argument("--packs", type=int, default=1, help="number of packs (default 1)")
    parser.add_argument(
        "--components", type=int, default=100, help="components per pack (default 100)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    try:
        roots = generate(args.dest, args.packs, args.components, args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    files = sum(1 for root in roots for p in root.rglob("*.yaml"))
    counts = ", ".join(f"{n} {kind}" for kind, n in mix(args.components).items())
    print(f"wrote {len(roots)} packs ({counts} + 2 runtimes each; {files} YAML files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
