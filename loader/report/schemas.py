"""What ``schemas`` prints: the kinds with their folder, schema file and ``$id``, or
one schema's text."""

from __future__ import annotations

import json
from typing import TextIO

from loader.kinds import KINDS, KINDS_BY_NAME
from loader.resources import SCHEMAS_DIR

DEFS = "defs"  # the shared definitions, shown by this name beside the kinds
SCHEMA_NAMES = (*KINDS_BY_NAME, DEFS)


def write_schema_list(stream: TextIO) -> None:
    for kind in KINDS:
        schema = json.loads((SCHEMAS_DIR / kind.schema).read_text())
        folder = ",".join(f"{f}/" for f in kind.folders) or kind.file or "-"
        stream.write(f"{kind.name:<15} {folder:<30} {kind.schema:<28} {schema.get('$id', '')}\n")


def schema_text(name: str) -> str | None:
    """The schema of the kind ``name`` (or of ``defs``) as written; None for an
    unknown name."""
    if name == DEFS:
        return (SCHEMAS_DIR / "defs.schema.json").read_text()
    kind = KINDS_BY_NAME.get(name)
    return None if kind is None else (SCHEMAS_DIR / kind.schema).read_text()
