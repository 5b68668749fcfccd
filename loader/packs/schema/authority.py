"""python-jsonschema, the authority: compiled validators for the pack schemas and for
authors' schemas, the metaschema check, and every error's wording.

Imported only when jsonschema-rs (see :mod:`~loader.packs.schema.registry`) could not
say "certainly valid": python-jsonschema and referencing take about 40 ms to import,
a sixth of a whole first load of packs/core (docs/performance.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend, validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from loader.packs.schema.registry import (
    CHECKED_FORMATS,
    ONE_SCHEMA,
    SCHEMA_LISTS,
    SCHEMA_MAPS,
)

# Formats checked everywhere, whatever optional packages are installed, so that a pack
# validates the same on every machine (``uri`` needs one: it is not checked).
FORMAT_CHECKER = FormatChecker(formats=CHECKED_FORMATS)


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


def local_registry(schemas: Iterable[dict[str, Any]]) -> Registry[Any]:
    """``schemas`` by ``$id``; a ``$ref`` to any other URI is an error, never a fetch."""
    resources = [(s["$id"], DRAFT202012.create_resource(s)) for s in schemas]
    registry: Registry[Any] = Registry(retrieve=_no_network).with_resources(resources)  # type: ignore[call-arg]
    return registry


def kind_validator(root: dict[str, Any], registry: Registry[Any]) -> Validator | str:
    """The compiled validator of a pack schema, or why there is none."""
    try:
        inlined = _inline(root, registry.resolver(root["$id"]), {})
    except Unresolvable as exc:
        return f"has a $ref that resolves nowhere: {exc}"
    return ecma(Draft202012Validator)(inlined, registry=registry, format_checker=FORMAT_CHECKER)


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
    if key in ONE_SCHEMA:
        return [((), value)]
    if key in SCHEMA_LISTS and isinstance(value, list):
        return [((i,), sub) for i, sub in enumerate(value)]
    if (key in SCHEMA_MAPS or key == "patternProperties") and isinstance(value, dict):
        return [((name,), sub) for name, sub in value.items()]
    return []


@lru_cache(maxsize=1024)
def _compiled(canonical: str) -> Validator:
    schema = json.loads(canonical)
    cls = ecma(_dialect(schema))
    return cls(schema, registry=Registry(retrieve=_no_network), format_checker=FORMAT_CHECKER)  # type: ignore[call-arg]


def instance_validator(schema: Any) -> Validator:
    """A compiled validator for an author's schema (param_schema, conf_schema), shared
    by every instance checked against an equal schema."""
    return _compiled(json.dumps(schema, sort_keys=True, separators=(",", ":")))
