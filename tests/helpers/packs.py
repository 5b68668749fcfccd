"""Small packs written into temporary directories, and how to check them."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
from pathlib import Path

from loader import CORE_PACK_DIR
from loader.packs.pipeline import CheckResult, check_packs
from loader.report.diagnostics import Diagnostic

MANIFEST = "ref: demo\nlabel: Demo\nversion: 1.0.0\n"
SCRIPT = "#!/bin/sh\necho hello\n"


def write_pack(root: Path, files: Mapping[str, str | bytes], manifest: bool = True) -> Path:
    """Write ``files`` (path -> text, dedented, or bytes) under ``root``; a pack.yaml is
    added unless given or ``manifest`` is false."""
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
