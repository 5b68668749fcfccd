"""What ``schemas`` prints: the kinds with their folder, schema file and ``$id``, or
one schema's text; and what ``schemas export`` writes: each kind's schema bundled
into one file that resolves offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

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


def bundled_schema(file_name: str) -> dict[str, Any]:
    """The schema ``file_name`` of schemas/ as one self-contained document: every
    ``$ref`` into a sibling file (``defs.schema.json#/$defs/tags``) becomes a local
    ``#/$defs/tags``, with that file's ``$defs`` copied in, so no validator or editor
    has to retrieve the ``$id`` URLs. The ``$id`` goes: the bundle is not the document
    published under it."""
    schema: dict[str, Any] = json.loads((SCHEMAS_DIR / file_name).read_text())
    original_id = schema.pop("$id", file_name)
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    pending, merged = _sibling_refs(schema), {file_name}
    while pending:
        sibling = pending.pop()
        if sibling in merged:
            continue
        merged.add(sibling)
        for name, definition in json.loads((SCHEMAS_DIR / sibling).read_text())["$defs"].items():
            if name in defs:
                raise ValueError(f"{file_name}: $defs/{name} is also defined in {sibling}")
            defs[name] = definition
            pending |= _sibling_refs(definition)
    if not defs:
        del schema["$defs"]
    schema["$comment"] = f"{original_id}, bundled by attune-loader schemas export"
    return schema


def _sibling_refs(node: Any) -> set[str]:
    """Rewrite, in place, the refs of ``node`` into sibling files to local ones; return
    the files they named."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            target, _, fragment = ref.partition("#")
            if (SCHEMAS_DIR / target).is_file():
                if not fragment.startswith("/$defs/"):
                    raise ValueError(f"$ref {ref}: only $defs of a sibling can be bundled")
                node["$ref"] = f"#{fragment}"
                found.add(target)
        for value in node.values():
            found |= _sibling_refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _sibling_refs(item)
    return found


def export_schemas(directory: Path) -> list[Path]:
    """Write every kind's schema, bundled, into ``directory`` (made if missing), named
    as in schemas/; the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        target = directory / kind.schema
        target.write_text(json.dumps(bundled_schema(kind.schema), indent=2) + "\n")
        written.append(target)
    return written
