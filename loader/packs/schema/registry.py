"""The JSON Schemas of the pack format, and the quick checks that spare most files the
authority.

:func:`load_schemas` reads every ``schemas/*.json``. A file is first offered to
jsonschema-rs (when installed), which can only say "certainly valid"; every other file
goes to python-jsonschema (:mod:`~loader.packs.schema.authority`, imported only then),
which stays the authority and words the errors. One compiled validator per kind is
built on first use and kept.

Schemas written by pack authors (``parameters``, ``output``, ``conf_schema``) must
themselves be valid JSON Schema. Validating one against the Draft 2020-12 metaschema
costs about 1 ms with python-jsonschema (its ``$dynamicRef`` handling dominates), which
would cap the validator near 1,000 files per second. :func:`certainly_valid` is a
plain-Python walk that accepts only schemas built from keywords whose values it checks
exactly as the metaschema does; anything else, and every invalid schema, goes to the
metaschema validator. Property tests hold the walk and :func:`certainly_fits` to
that contract.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loader.kinds import Kind
from loader.resources import SCHEMAS_DIR

if TYPE_CHECKING:
    from jsonschema.protocols import Validator
    from referencing import Registry

# Formats checked everywhere, whatever optional packages are installed, so that a pack
# validates the same on every machine (``uri`` needs one: it is not checked). Every
# other format is an annotation only, for python-jsonschema and jsonschema-rs alike.
CHECKED_FORMATS = ("date", "email", "idn-email", "ipv4", "ipv6", "regex", "uuid")


def _accelerator() -> Any:
    """jsonschema-rs, when installed: the same verdicts as python-jsonschema on the
    pack schemas, about 100 times faster (docs/performance.md). Imported by name so
    that the type checker does not need it."""
    try:
        return importlib.import_module("jsonschema_rs")
    except ImportError:
        return None


ACCELERATOR = _accelerator()  # jsonschema_rs, or None


@dataclass
class SchemaSet:
    """The schemas of one directory, by file name, and what could not be read.

    ``fast`` lets a valid file be recognised by jsonschema-rs when it is installed;
    every file it does not accept is validated (and its errors explained) by
    python-jsonschema, which stays the authority.
    """

    schemas: dict[str, dict[str, Any]]
    problems: dict[str, str]
    fast: bool = True
    _validators: dict[str, Validator | str] = field(default_factory=dict)
    _quick: dict[str, Callable[[Any], bool] | None] = field(default_factory=dict)

    def quick_check(self, kind: Kind) -> Callable[[Any], bool] | None:
        """A fast "certainly valid?" for ``kind``, or None without jsonschema-rs."""
        if kind.schema not in self._quick:
            self._quick[kind.schema] = self._compile_quick(kind.schema)
        return self._quick[kind.schema]

    def _compile_quick(self, name: str) -> Callable[[Any], bool] | None:
        if not self.fast or ACCELERATOR is None or name not in self.schemas:
            return None
        try:
            validator = ACCELERATOR.Draft202012Validator(
                self.schemas[name],
                registry=self._quick_registry,
                validate_formats=True,
                offline=True,
            )
        except Exception:  # any refusal of the accelerator: python-jsonschema decides
            return None

        def quick(instance: Any) -> bool:
            try:
                return bool(validator.is_valid(instance))
            except Exception:  # e.g. a number too large for it: let the authority decide
                return False

        return quick

    @cached_property
    def _quick_registry(self) -> Any:
        """Every schema by ``$id``, for jsonschema-rs; built once, not per kind."""
        assert ACCELERATOR is not None
        return ACCELERATOR.Registry([(s["$id"], s) for s in self.schemas.values()])

    def validator(self, kind: Kind) -> Validator | str:
        """The compiled validator of ``kind``, or why there is none."""
        found = self._validators.get(kind.schema)
        if found is None:
            found = self._validators[kind.schema] = self._compile(kind.schema)
        return found

    @cached_property
    def registry(self) -> Registry[Any]:
        """Every schema by ``$id``, for python-jsonschema's ``$ref`` lookups."""
        from loader.packs.schema.authority import local_registry

        return local_registry(self.schemas.values())

    def _compile(self, name: str) -> Validator | str:
        from loader.packs.schema.authority import kind_validator

        if name not in self.schemas:
            return self.problems.get(name, f"schemas/{name} does not exist")
        found = kind_validator(self.schemas[name], self.registry)
        return f"schemas/{name} {found}" if isinstance(found, str) else found

    def top_level_keys(self, kind: Kind) -> frozenset[str]:
        """The keys the kind's schema names at the top of a document."""
        return frozenset(self.schemas.get(kind.schema, {}).get("properties", {}))


def known_keys(schema: Any) -> set[str]:
    """Property names a (compiled) subschema defines, with those of its ``allOf``
    parts: the candidates for "did you mean" when a key is unknown."""
    names: set[str] = set()
    pending = [schema]
    seen: set[int] = set()
    while pending:
        node = pending.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        names.update(node.get("properties", {}))
        pending.extend(node.get("allOf", ()))
    return names


@cache
def load_schemas(directory: Path = SCHEMAS_DIR, fast: bool = True) -> SchemaSet:
    """Read every ``*.json`` of ``directory``, by file name."""
    schemas: dict[str, dict[str, Any]] = {}
    problems: dict[str, str] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            contents = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems[path.name] = f"schemas/{path.name} cannot be read: {exc}"
            continue
        if not isinstance(contents, dict) or not isinstance(contents.get("$id"), str):
            problems[path.name] = f"schemas/{path.name} has no $id"
            continue
        schemas[path.name] = contents
    return SchemaSet(schemas, problems, fast)


# -- Schemas written by pack authors ----------------------------------------------------

_SIMPLE_TYPES = frozenset(("array", "boolean", "integer", "null", "number", "object", "string"))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_unique_strings(value: Any) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(v, str) for v in value)
        and len(set(value)) == len(value)
    )


@lru_cache(maxsize=4096)
def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _is_type(value: Any) -> bool:
    if isinstance(value, str):
        return value in _SIMPLE_TYPES
    return _is_unique_strings(value) and bool(value) and set(value) <= _SIMPLE_TYPES


# Keyword -> how its value must look, exactly as the Draft 2020-12 metaschema says.
# Keywords whose value holds subschemas are listed separately below.
_VALUE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "type": _is_type,
    "title": lambda v: isinstance(v, str),
    "description": lambda v: isinstance(v, str),
    "$comment": lambda v: isinstance(v, str),
    "format": lambda v: isinstance(v, str),
    "default": lambda v: True,
    "const": lambda v: True,
    "examples": lambda v: isinstance(v, list),
    "enum": lambda v: isinstance(v, list),
    "deprecated": lambda v: isinstance(v, bool),
    "readOnly": lambda v: isinstance(v, bool),
    "writeOnly": lambda v: isinstance(v, bool),
    "uniqueItems": lambda v: isinstance(v, bool),
    "secret": lambda v: isinstance(v, bool),  # Attune's own keyword
    "minimum": _is_number,
    "maximum": _is_number,
    "exclusiveMinimum": _is_number,
    "exclusiveMaximum": _is_number,
    "multipleOf": lambda v: _is_number(v) and v > 0,
    "minLength": _is_count,
    "maxLength": _is_count,
    "minItems": _is_count,
    "maxItems": _is_count,
    "minContains": _is_count,
    "maxContains": _is_count,
    "minProperties": _is_count,
    "maxProperties": _is_count,
    "required": _is_unique_strings,
    "pattern": lambda v: isinstance(v, str) and _compiles(v),
    "dependentRequired": lambda v: (
        isinstance(v, dict) and all(_is_unique_strings(x) for x in v.values())
    ),
}
ONE_SCHEMA = frozenset(
    (
        "items",
        "contains",
        "additionalProperties",
        "propertyNames",
        "if",
        "then",
        "else",
        "not",
        "unevaluatedItems",
        "unevaluatedProperties",
    )
)
SCHEMA_LISTS = frozenset(("allOf", "anyOf", "oneOf", "prefixItems"))
SCHEMA_MAPS = frozenset(("properties", "$defs", "dependentSchemas"))


def certainly_valid(schema: Any, plain: bool = False) -> bool:
    """True only if ``schema`` is a valid Draft 2020-12 schema (with ``plain``, one
    whose every keyword python-jsonschema and jsonschema-rs read alike, as
    :func:`plain_schema`); False means "ask the metaschema", not "invalid"."""
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            return False
        for key, value in node.items():
            check = _VALUE_CHECKS.get(key)
            if check is not None:  # most keywords hold no subschema: one call each
                if not check(value) or (plain and _library_dependent(key, value)):
                    return False
                continue
            subschemas = _subschemas(key, value)
            if subschemas is None or (plain and key == "patternProperties"):
                return False
            pending.extend(subschemas)
    return True


def _subschemas(key: str, value: Any) -> list[Any] | None:
    """The subschemas held by ``key: value`` (a keyword with no value check), or None
    if it is not certainly valid."""
    if key in ONE_SCHEMA:
        return [value]
    if key in SCHEMA_LISTS:
        return list(value) if isinstance(value, list) and value else None
    if key in SCHEMA_MAPS:
        return list(value.values()) if isinstance(value, dict) else None
    if key == "patternProperties" and isinstance(value, dict):
        return list(value.values()) if all(_compiles(k) for k in value) else None
    return None


def _library_dependent(key: str, value: Any) -> bool:
    """A keyword (with a value check) whose verdicts hang on a library's own regular
    expressions or format checks: the formats python-jsonschema checks, which
    jsonschema-rs (asked without format checks) would take as annotations. The other,
    ``patternProperties``, holds subschemas."""
    return key == "pattern" or (key == "format" and value in CHECKED_FORMATS)


def plain_schema(schema: Any) -> bool:
    """A valid schema (as :func:`certainly_valid`) whose every keyword python-jsonschema
    and jsonschema-rs read alike: no ``$ref``, checked formats or regular expressions."""
    return certainly_valid(schema, plain=True)


def certainly_fits(schema: Any, instance: Any, plain: bool | None = None) -> bool:
    """A quick yes: jsonschema-rs finds ``instance`` valid against an author's
    ``schema``, asked only when the schema is :func:`plain_schema` (``plain`` when the
    caller knows). False means "ask the authority's
    :func:`~loader.packs.schema.authority.instance_validator`", which also explains
    what is wrong."""
    if ACCELERATOR is None or not (plain_schema(schema) if plain is None else plain):
        return False
    try:
        return bool(ACCELERATOR.Draft202012Validator(schema).is_valid(instance))
    except Exception:  # any refusal of the accelerator: python-jsonschema decides
        return False
