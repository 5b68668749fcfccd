"""Small packs written into temporary directories, and how to check them; the demo
pack of the loader tests."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Mapping
from pathlib import Path

from loader import CORE_PACK_DIR
from loader.packs.pipeline import CheckResult, check_packs
from loader.report.diagnostics import Diagnostic

MANIFEST = "ref: demo\nlabel: Demo\nversion: 1.0.0\n"
SCRIPT = "#!/bin/sh\necho hello\n"


def write_pack(
    root: Path, files: Mapping[str, str | bytes], manifest: bool = True, fresh: bool = False
) -> Path:
    """Write ``files`` (path -> text, dedented, or bytes) under ``root`` and return it; a
    pack.yaml is added unless given or ``manifest`` is false. With ``fresh``, they are
    the whole content of ``root``: whatever was there before is removed."""
    if fresh:
        shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    contents = dict(files)
    if manifest:
        contents.setdefault("pack.yaml", MANIFEST)
    for rel, content in contents.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"))
        if rel.endswith((".sh", ".py")):
            path.chmod(0o755)
    return root


def check_with_core(*packs: Path) -> CheckResult:
    return check_packs([CORE_PACK_DIR, *packs])


def under(result: CheckResult, root: Path) -> list[Diagnostic]:
    """The diagnostics of files under ``root``."""
    prefix = str(root)
    return [d for d in result.diagnostics if d.file == prefix or d.file.startswith(prefix + os.sep)]


def codes_of(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


DEMO_FILES: dict[str, str] = {
    "pack.yaml": """
        ref: demo
        label: Demo Pack
        description: A pack for the loader tests
        version: 1.0.0
        tags: [demo]
    """,
    "triggers/ping.yaml": """
        ref: demo.ping
        label: Ping
        description: Fired by the watcher
        parameters:
          type: object
          properties:
            host: {type: string}
          required: [host]
    """,
    "actions/hello.yaml": """
        ref: demo.hello
        label: Hello
        description: Says hello
        runner_type: shell
        entry_point: hello.sh
        parameters:
          type: object
          properties:
            name: {type: string, default: world}
    """,
    "actions/hello.sh": "#!/bin/sh\necho hello\n",
    "actions/flow.yaml": """
        ref: demo.flow
        label: Flow
        description: A workflow
        workflow_file: workflows/flow.yaml
    """,
    "actions/workflows/flow.yaml": """
        ref: demo.flow
        label: Flow
        version: 1.0.0
        tasks:
          first:
            action: demo.hello
            input: {name: flow}
    """,
    "sensors/watcher.yaml": """
        ref: demo.watcher
        label: Watcher
        description: Watches
        runner_type: python
        entry_point: watcher.py
        trigger_types: [demo.ping]
    """,
    "sensors/watcher.py": "print('watching')\n",
    "rules/greet.yaml": """
        ref: demo.greet
        label: Greet
        description: Greets on ping
        trigger: demo.ping
        trigger_params: {host: example.org}
        action: demo.hello
        action_params: {name: ping}
    """,
    "permission_sets/operators.yaml": """
        ref: demo.operators
        label: Operators
        description: Run demo actions
        grants:
          - resource: actions
            actions: [execute]
    """,
}

# Components in DEMO_FILES, per kind (the pack row itself included).
DEMO_COUNTS = {
    "pack": 1,
    "trigger": 1,
    "action": 2,
    "workflow": 1,
    "sensor": 1,
    "rule": 1,
    "permission_set": 1,
}


def demo_pack(
    tmp_path: Path, changes: dict[str, str | None] | None = None, name: str = "demo"
) -> Path:
    """The demo pack under ``tmp_path/name``; ``changes`` replace files by relative
    path, and None deletes one."""
    files = dict(DEMO_FILES)
    for rel, text in (changes or {}).items():
        if text is None:
            files.pop(rel, None)
        else:
            files[rel] = text
    return write_pack(tmp_path / name, files, fresh=True)
