"""Generate docs/pack-format.md from the JSON Schemas and the kind declarations.

The schemas (``schemas/*.json``) give each kind's title, description, fields, types,
required fields and example; ``loader/kinds/__init__.py`` gives the folder, the table, the
column each field fills, the alternative spellings and the keys that are not stored;
``docs/fragments/<kind>.md``, when there is one, ends the kind's section, and
``docs/fragments/upstream.md`` is the hand-written part about packs of earlier Attune
versions, followed by tables generated from the same declarations. The output is
deterministic.

Usage::

    python scripts/gen_pack_format.py            # rewrite docs/pack-format.md
    python scripts/gen_pack_format.py --check    # exit 1 if the file is out of date
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML

if TYPE_CHECKING:
    from loader.kinds import Kind

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = ROOT / "schemas"
DOC_PATH = ROOT / "docs" / "pack-format.md"
FRAGMENTS_DIR = ROOT / "docs" / "fragments"  # <kind>.md: prose ending the kind's section
UPSTREAM_PROSE = FRAGMENTS_DIR / "upstream.md"  # packs of earlier Attune versions
DEFS_FILE = "defs.schema.json"
REGENERATE = "python scripts/gen_pack_format.py"

Schema = Mapping[str, Any]


def _kinds() -> tuple[Kind, ...]:
    """Every kind declaration; the project root is put on sys.path when run as a script."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from loader.kinds import ALL_KINDS

    return ALL_KINDS


def _runtime_tables() -> tuple[Mapping[str, str], Mapping[str, tuple[str, ...]]]:
    """Runner names -> runtime refs, and each runtime ref's later names."""
    _kinds()  # puts the project root on sys.path
    from loader.kinds import convert

    return convert.RUNNER_TYPE_RUNTIMES, convert.RUNTIME_RENAMES


def load_schemas(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, Schema]:
    return {p.name: json.loads(p.read_text()) for p in sorted(schemas_dir.glob("*.json"))}


# ---------------------------------------------------------------- small renderers


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _code(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _def_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: Any, defs: Mapping[str, Schema]) -> str:
    """A short human description of a (sub)schema's type."""
    if not isinstance(schema, Mapping):
        return "any" if schema is True else "nothing"
    if "$ref" in schema:
        target = defs.get(_def_name(schema["$ref"]), {})
        return str(target.get("title", _def_name(schema["$ref"])))
    if "type" not in schema:
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                return " or ".join(type_of(alt, defs) for alt in schema[combinator])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join("map" if k == "object" else "list" if k == "array" else k for k in kind)
    if kind == "array":
        items = schema.get("items")
        return f"list of {type_of(items, defs)}" if items is not None else "list"
    if kind == "object":
        return "map"
    return str(kind) if kind else "any"


def _groups(schema: Schema) -> list[list[str]]:
    """Groups "at least one of these keys" from anyOf/oneOf of plain ``required``s."""
    groups: list[list[str]] = []
    alternatives: list[Schema] = []
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            alternatives.append(schema)
    for part in schema.get("allOf", []):
        alternatives.extend(part for c in ("anyOf", "oneOf") if c in part)
    for holder in alternatives:
        for combinator in ("anyOf", "oneOf"):
            options = holder.get(combinator, [])
            keys = [o["required"][0] for o in options if list(o) == ["required"]]
            if keys and len(keys) == len(options):
                groups.append(keys)
    return groups


def _exclusions(schema: Schema) -> list[tuple[str, str]]:
    """(present, forbidden) pairs from ``dependentSchemas`` of the form {not: {}}."""
    pairs: list[tuple[str, str]] = []
    for key, dependent in schema.get("dependentSchemas", {}).items():
        for other, sub in dependent.get("properties", {}).items():
            if sub == {"not": {}}:
                pairs.append((key, other))
    return pairs


# ---------------------------------------------------------------- kinds.py facts


def _targets(kind: Kind) -> dict[str, set[str]]:
    """YAML key -> the columns (and links) it fills."""
    result: dict[str, set[str]] = {}
    for f in kind.fields:
        for source in f.sources:
            result.setdefault(source.key, set()).add(f.column)
    for link in kind.links:
        for source in link.sources:
            result.setdefault(source.key, set()).add("link:" + link.column)
    return result


def _alternatives(kind: Kind) -> dict[str, list[str]]:
    """YAML key -> the other spellings: keys that fill exactly the same columns."""
    targets = _targets(kind)
    return {
        key: [other for other in targets if other != key and targets[other] == filled]
        for key, filled in targets.items()
    }


def _columns(kind: Kind) -> dict[str, list[str]]:
    """YAML key -> what it is stored as."""
    result: dict[str, list[str]] = {"ref": ["`ref`"]}
    for f in kind.fields:
        for source in f.sources:
            note = f"`{f.column}`" + (" (converted)" if source.convert is not None else "")
            result.setdefault(source.key, []).append(note)
    for link in kind.links:
        columns = f"`{link.column}`" + (f" + `{link.ref_column}`" if link.ref_column else "")
        for source in link.sources:
            result.setdefault(source.key, []).append(f"{columns} (link to {link.target})")
    whole = [f for f in kind.fields if f.from_document is not None]
    stored_in = whole[0].column if whole else None
    for key, lost in kind.unstored_keys.items():
        result[key] = [f"not stored, warns (`key.not-stored`): {lost}"]
    if kind.table is None:
        return {key: ["not stored (no table)"] for key in ("ref", *result)}
    for key in kind.ignored_keys:
        if key in result:
            continue
        if stored_in and key not in whole[0].leaves_out:
            result[key] = [f"part of `{stored_in}`"]
        elif key == "name" and kind.name != "pack":
            result[key] = ["`ref` (as `<pack>.<name>`) when `ref` is absent"]
        else:
            result[key] = ["not stored"]
    return result


def _where(kind: Kind) -> str:
    if kind.name == "pack":
        return "`pack.yaml` at the pack root"
    where = " and ".join(f"`{folder}/*.yaml`" for folder in kind.folders) + " (or `.yml`)"
    if kind.has_tasks:  # workflows: also wherever an action's workflow_file points
        return where + ", or the file an action names in `workflow_file`"
    return where


# ---------------------------------------------------------------- document


def _example_yaml(example: Any) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(example, out)
    return out.getvalue()


def _kind_section(kind: Kind, schema: Schema, defs: Mapping[str, Schema]) -> list[str]:
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = list(schema.get("required", []))
    groups = _groups(schema)
    alternatives = _alternatives(kind)
    columns = _columns(kind)

    lines = [f"## {schema['title']}", "", _cell(schema["description"]), ""]
    lines.append(f"- File: {_where(kind)}")
    lines.append(f"- Schema: `schemas/{kind.schema}` (`{schema['$id']}`)")
    table = f"`{kind.table}`" if kind.table else "none: checked, never stored"
    lines.append(f"- Table: {table}")
    unknown = "errors" if kind.unknown_keys_are_errors else "warnings (the file still loads)"
    lines.append(f"- Unknown keys: {unknown}")
    if required:
        lines.append(f"- Required: {_code(required)}")
    for group in groups:
        lines.append(f"- At least one of: {_code(group)}")
    for present, forbidden in _exclusions(schema):
        lines.append(f"- `{present}` and `{forbidden}` exclude each other")
    lines += [
        "",
        "| Field | Type | Required | Alternatives | Stored as | Description |",
        "|---|---|---|---|---|---|",
    ]
    for name, prop in properties.items():
        if name in required:
            req = "yes"
        elif any(name in g for g in groups):
            req = "one of " + "/".join(next(g for g in groups if name in g))
        else:
            req = ""
        lines.append(
            "| "
            + " | ".join(
                [
                    f"`{name}`",
                    _cell(type_of(prop, defs)),
                    req,
                    _code(alternatives.get(name, [])),
                    _cell(", ".join(columns.get(name, ["not stored"]))),
                    _cell(str(prop.get("description", ""))),
                ]
            )
            + " |"
        )
    example = _example_yaml(schema["examples"][0]).rstrip()
    lines += ["", "Example:", "", "```yaml", example, "```", ""]
    fragment = FRAGMENTS_DIR / f"{kind.name}.md"
    if fragment.is_file():  # what a table cannot say (a workflow's stored form)
        lines += [fragment.read_text().rstrip(), ""]
    return lines


def _defs_section(defs_schema: Schema) -> list[str]:
    defs: Mapping[str, Schema] = defs_schema["$defs"]
    lines = [
        f"## {defs_schema['title']}",
        "",
        _cell(defs_schema["description"]),
        "",
        f"Schema: `schemas/{DEFS_FILE}` (`{defs_schema['$id']}`)",
        "",
        "| Definition | Name in the tables above | Rule | Description |",
        "|---|---|---|---|",
    ]
    for name, schema in defs.items():
        rule = f"pattern `{schema['pattern']}`" if "pattern" in schema else ""
        if not rule and "enum" in schema:
            rule = "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
        lines.append(
            f"| `{name}` | {_cell(str(schema.get('title', name)))} | {_cell(rule)} "
            f"| {_cell(str(schema.get('description', '')))} |"
        )
    lines += [
        "",
        "### Parameter schemas",
        "",
        "`parameters` (and the pack's `conf_schema`) may be written in either dialect:",
        "",
        "- **JSON Schema form**: `type: object`, `properties` (parameter name -> property "
        "schema), `required` (a list of names, may be empty).",
        "- **Flat form**: parameter name -> property schema directly, each with its own "
        "boolean `required`. The loader stores it in JSON Schema form.",
        "",
        "Property schemas use the standard keywords (`type`, `description`, `default`, "
        "`enum`, `minimum`, `maximum`, `format`, `items`, ...) and Attune's `secret: true` "
        "for sensitive values. Output schemas (`output`, `output_schema`, `out_schema`) "
        "accept both dialects too and are stored in JSON Schema form as well: every stored "
        "schema has one form. The dialects are told apart by `json_schema_form`: a JSON "
        "Schema's `type` is a string or a list of strings, so a mapping under `type` is a "
        "flat property named `type`.",
        "",
    ]
    return lines


def _dropped(kind: Kind) -> list[str]:
    """The ignored keys that are really dropped: not another key's spelling, not a
    ``name`` that makes the ref, not part of a whole-document column."""
    if any(f.from_document is not None for f in kind.fields):
        return []
    read = _targets(kind)
    return [k for k in kind.ignored_keys if k not in read and k != "name"]


def _upstream_section(kinds: Sequence[Kind]) -> list[str]:
    """The hand-written part about earlier Attune packs, then tables from the kinds."""
    lines = UPSTREAM_PROSE.read_text().rstrip("\n").split("\n")
    runners, renames = _runtime_tables()
    lines += [
        "",
        "### Runner names and runtimes",
        "",
        "| `runner_type` | runtime | tried next when not found |",
        "|---|---|---|",
    ]
    for name, ref in runners.items():
        later = " then ".join(f"`{r}`" for r in renames.get(ref, ()))
        lines.append(f"| `{name}` | `{ref}` | {later} |")
    lines += [
        "",
        "### Keys that are not stored",
        "",
        "| Kind | Warns (`key.not-stored`), with what is lost | Dropped silently |",
        "|---|---|---|",
    ]
    for kind in kinds:
        warned = "; ".join(f"`{k}`: {lost}" for k, lost in kind.unstored_keys.items())
        if kind.table is None:
            warned = "the whole file: the kind has no table"
        silent = _code(_dropped(kind))
        lines.append(f"| {kind.name} | {_cell(warned)} | {silent} |")
    return [*lines, ""]


def render(schemas_dir: Path = SCHEMAS_DIR) -> str:
    """The full text of docs/pack-format.md."""
    schemas = load_schemas(schemas_dir)
    defs_schema = schemas[DEFS_FILE]
    defs: Mapping[str, Schema] = defs_schema["$defs"]
    kinds = _kinds()

    lines = [
        "# Pack format reference",
        "",
        "<!-- Generated by scripts/gen_pack_format.py from schemas/*.json and "
        "loader/kinds/__init__.py. Do not edit by hand: run the script. -->",
        "",
        "A pack is a directory with a `pack.yaml` manifest and one folder per component "
        "kind. Every YAML file is validated against the JSON Schema (Draft 2020-12) of its "
        "kind before anything is written to the database. Component refs are "
        "`<pack>.<name>`, lowercase, with exactly one dot.",
        "",
        "| Kind | Where | Schema | Table |",
        "|---|---|---|---|",
    ]
    for kind in kinds:
        table = f"`{kind.table}`" if kind.table else "none (checked only)"
        lines.append(
            f"| {schemas[kind.schema]['title']} | {_where(kind)} | `schemas/{kind.schema}` "
            f"| {table} |"
        )
    lines += [
        "",
        "In the tables below, *Stored as* names the database column a key fills "
        '("converted" when the value is transformed first, e.g. flat parameters to JSON '
        "Schema form, or a runner name to a runtime ref); *Alternatives* lists other "
        "spellings of the same field, of which the first one present wins. A key that is "
        '"not stored" is accepted and dropped; one that "warns" is a key later Attune '
        "versions store, named in one `key.not-stored` warning per file. Packs of earlier "
        "Attune versions: see [the last section](#packs-of-earlier-attune-versions).",
        "",
    ]
    for kind in kinds:
        schema = schemas[kind.schema]  # its own $defs name its parts (a workflow's tasks)
        lines += _kind_section(kind, schema, {**defs, **schema.get("$defs", {})})
    lines += _defs_section(defs_schema)
    lines += _upstream_section(kinds)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/pack-format.md from the schemas.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    parser.add_argument("--output", type=Path, default=DOC_PATH, help="file to write or check")
    args = parser.parse_args(argv)

    text = render()
    output: Path = args.output
    if args.check:
        current = output.read_text() if output.exists() else None
        if current != text:
            print(f"{output} is out of date; run: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
