"""The JSON Schemas of the pack format, and JSON Schema checks of pack content.

Every ``schemas/*.json`` goes into one local ``referencing.Registry``; a ``$ref`` to
any other URI is an error, never a fetch. One compiled Draft 2020-12 validator per
kind is built on first use and kept.

:func:`schema_errors` says whether a schema written by a pack author (``parameters``,
``output``, ``conf_schema``) is itself valid JSON Schema. Validating against the
Draft 2020-12 metaschema costs about 1 ms per schema with python-jsonschema (its
``$dynamicRef`` handling dominates), which would cap the validator near 1,000 files
per second. :func:`certainly_valid` is a plain-Python walk that accepts only schemas
built from keywords whose values it checks exactly as the metaschema does; anything
else, and every invalid schema, goes to the metaschema validator, which stays the
authority and words the errors. A property test holds the walk to that contract.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend, validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from loader.kinds import Kind
from loader.resources import SCHEMAS_DIR

# Formats checked everywhere, whatever optional packages are installed, so that a pack
# validates the same on every machine (``uri`` needs one: it is not checked).
FORMAT_CHECKER = FormatChecker(
    formats=("date", "email", "idn-email", "ipv4", "ipv6", "regex", "uuid")
)


_AUTHOR_URI = "urn:attune:author-schema"


@lru_cache(maxsize=512)
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` as JSON Schema means it (ECMA-262): ``$`` outside a character class
    matches only at the very end, where Python's ``$`` also matches before a final
    newline, so ``"core.echo\\n"`` would pass ``^...$``. It becomes ``\\Z``."""
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = "\\Z"
        out.append(char)
    return re.compile("".join(out))


def _full_pattern(
    validator: Validator, pattern: str, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def ecma(cls: type[Validator]) -> type[Validator]:
    """``cls`` with ``pattern`` read as JSON Schema defines it (see :func:`ecma_pattern`),
    as jsonschema-rs, the quick path, reads it too."""
    extended: type[Validator] = extend(cls, {"pattern": _full_pattern})  # type: ignore[no-untyped-call]
    return extended


def _no_network(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


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
    registry: Registry[Any]
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
        resources = [(s["$id"], s) for s in self.schemas.values()]
        try:
            validator = ACCELERATOR.Draft202012Validator(
                self.schemas[name],
                registry=ACCELERATOR.Registry(resources),
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

    def validator(self, kind: Kind) -> Validator | str:
        """The compiled validator of ``kind``, or why there is none."""
        found = self._validators.get(kind.schema)
        if found is None:
            found = self._validators[kind.schema] = self._compile(kind.schema)
        return found

    def _compile(self, name: str) -> Validator | str:
        if name not in self.schemas:
            return self.problems.get(name, f"schemas/{name} does not exist")
        root = self.schemas[name]
        try:
            inlined = _inline(root, self.registry.resolver(root["$id"]), {})
        except Unresolvable as exc:
            return f"schemas/{name} has a $ref that resolves nowhere: {exc}"
        return ecma(Draft202012Validator)(
            inlined, registry=self.registry, format_checker=FORMAT_CHECKER
        )

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


# Keywords that only describe: beside a $ref they change nothing, so the $ref's target
# can stand for the whole node (the target carries its own title and description).
_ANNOTATIONS = frozenset(
    (
        "title",
        "description",
        "examples",
        "$comment",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
    )
)
# Keywords whose values are data, not subschemas: never rewritten.
_DATA_KEYWORDS = frozenset(("const", "default", "enum", "examples", "required", "$comment"))


def _inline(node: Any, resolver: Any, done: dict[int, Any]) -> Any:
    """``node`` with every ``$ref`` replaced by the subschema it names.

    Validating then costs no reference lookups (about half the time of validating a
    file, measured). A recursive definition becomes a cycle of dicts, which validation
    follows only as deep as the instance goes. Keywords that assert something beside a
    ``$ref`` stay, with the target moved into ``allOf``: the same meaning in Draft
    2020-12; annotations beside it are dropped.
    """
    if isinstance(node, list):
        return [_inline(item, resolver, done) for item in node]
    if not isinstance(node, dict):
        return node
    if id(node) in done:
        return done[id(node)]
    ref = node.get("$ref")
    if isinstance(ref, str) and _ANNOTATIONS.issuperset(node.keys() - {"$ref"}):
        resolved = resolver.lookup(ref)
        target = resolved.contents
        if id(target) not in done:
            _inline(target, resolved.resolver, done)
        done[id(node)] = done[id(target)]
        return done[id(node)]
    out: dict[str, Any] = {}
    done[id(node)] = out  # before the children: a cycle comes back to this dict
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            resolved = resolver.lookup(value)
            out.setdefault("allOf", []).append(_inline(resolved.contents, resolved.resolver, done))
        elif key in _DATA_KEYWORDS:
            out[key] = value
        elif key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
            out[key] = {n: _inline(v, resolver, done) for n, v in value.items()}
        else:
            out[key] = _inline(value, resolver, done)
    return out


@cache
def load_schemas(directory: Path = SCHEMAS_DIR, fast: bool = True) -> SchemaSet:
    """Read every ``*.json`` of ``directory`` into a registry keyed by ``$id``."""
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
    resources = [(s["$id"], DRAFT202012.create_resource(s)) for s in schemas.values()]
    registry: Registry[Any] = Registry(retrieve=_no_network).with_resources(resources)  # type: ignore[call-arg]
    return SchemaSet(schemas, problems, registry, fast)


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
_ONE_SCHEMA = frozenset(
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
_SCHEMA_LISTS = frozenset(("allOf", "anyOf", "oneOf", "prefixItems"))
_SCHEMA_MAPS = frozenset(("properties", "$defs", "dependentSchemas"))


def certainly_valid(schema: Any, refuse: frozenset[str] = frozenset()) -> bool:
    """True only if ``schema`` is a valid Draft 2020-12 schema that uses none of the
    keywords in ``refuse``; False means "ask the metaschema", not "invalid"."""
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            return False
        for key, value in node.items():
            if key in refuse:
                return False
            subschemas = _subschemas(key, value)
            if subschemas is None:
                return False
            pending.extend(subschemas)
    return True


def _subschemas(key: str, value: Any) -> list[Any] | None:
    """The subschemas held by ``key: value``, or None if it is not certainly valid."""
    check = _VALUE_CHECKS.get(key)
    if check is not None:
        return [] if check(value) else None
    if key in _ONE_SCHEMA:
        return [value]
    if key in _SCHEMA_LISTS:
        return list(value) if isinstance(value, list) and value else None
    if key in _SCHEMA_MAPS:
        return list(value.values()) if isinstance(value, dict) else None
    if key == "patternProperties" and isinstance(value, dict):
        return list(value.values()) if all(_compiles(k) for k in value) else None
    return None


def _dialect(schema: Any) -> type[Validator]:
    cls: type[Validator] = validator_for(schema, default=Draft202012Validator)
    return cls


@cache
def _metaschema_validator(cls: type[Validator]) -> Validator:
    return cls(cls.META_SCHEMA, format_checker=FORMAT_CHECKER)


def metaschema_errors(schema: Any) -> list[ValidationError]:
    """Why ``schema`` is not a valid JSON Schema of its dialect (2020-12 by default).
    Slow: call it when :func:`certainly_valid` says no."""
    return list(_metaschema_validator(_dialect(schema)).iter_errors(schema))


def unresolvable_refs(schema: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """``$ref`` values of an author's schema that point nowhere: with no network, only
    references inside the schema itself can resolve."""
    resource = DRAFT202012.create_resource(schema)
    registry: Registry[Any] = Registry(retrieve=_no_network)  # type: ignore[call-arg]
    resolver = registry.with_resource(_AUTHOR_URI, resource).resolver(_AUTHOR_URI)
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(schema, ())]
    while pending:
        node, path = pending.pop()
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            try:
                resolver.lookup(ref)
            except Unresolvable:
                yield (*path, "$ref"), ref
        for key, value in node.items():
            pending.extend((sub, (*path, key, *step)) for step, sub in _children(key, value))


def _children(key: str, value: Any) -> list[tuple[tuple[str | int, ...], Any]]:
    """The subschemas under ``key: value``, each with its path below the key."""
    if key in _ONE_SCHEMA:
        return [((), value)]
    if key in _SCHEMA_LISTS and isinstance(value, list):
        return [((i,), sub) for i, sub in enumerate(value)]
    if (key in _SCHEMA_MAPS or key == "patternProperties") and isinstance(value, dict):
        return [((name,), sub) for name, sub in value.items()]
    return []


# Keywords whose verdicts hang on a library's own formats or regular expressions.
_LIBRARY_DEPENDENT = frozenset(("format", "pattern", "patternProperties"))


def plain_schema(schema: Any) -> bool:
    """A valid schema (as :func:`certainly_valid`) whose every keyword python-jsonschema
    and jsonschema-rs read alike: no ``$ref``, formats or regular expressions."""
    return certainly_valid(schema, _LIBRARY_DEPENDENT)


def certainly_fits(schema: Any, instance: Any, plain: bool | None = None) -> bool:
    """A quick yes: jsonschema-rs finds ``instance`` valid against an author's
    ``schema``, asked only when the schema is :func:`plain_schema` (``plain`` when the
    caller knows). False means "ask :func:`instance_validator`", which also explains
    what is wrong."""
    if ACCELERATOR is None or not (plain_schema(schema) if plain is None else plain):
        return False
    try:
        return bool(ACCELERATOR.Draft202012Validator(schema).is_valid(instance))
    except Exception:  # any refusal of the accelerator: python-jsonschema decides
        return False


@lru_cache(maxsize=1024)
def _compiled(canonical: str) -> Validator:
    schema = json.loads(canonical)
    cls = ecma(_dialect(schema))
    return cls(schema, registry=Registry(retrieve=_no_network), format_checker=FORMAT_CHECKER)  # type: ignore[call-arg]


def instance_validator(schema: Any) -> Validator:
    """A compiled validator for an author's schema (param_schema, conf_schema), shared
    by every instance checked against an equal schema."""
    return _compiled(json.dumps(schema, sort_keys=True, separators=(",", ":")))
