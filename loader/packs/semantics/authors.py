"""Authors' JSON Schemas: parameter, output and config schemas are valid JSON Schema,
and the defaults and the pack's config fit them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from loader.kinds import convert
from loader.packs.model import Component, DocPath
from loader.packs.normalise import first_value
from loader.packs.schema.registry import certainly_fits, certainly_valid, plain_schema
from loader.packs.schema.validate import dotted
from loader.packs.semantics.located import at, data_of
from loader.report import codes
from loader.report.diagnostics import Diagnostic

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_SCHEMA_COLUMNS = ("param_schema", "out_schema", "conf_schema")


def schema_problems(component: Component) -> list[Diagnostic]:
    """Parameter, output and config schemas are valid JSON Schema, and defaults (and the
    pack's config) fit them."""
    found: list[Diagnostic] = []
    data = data_of(component)
    for field in component.kind.fields:
        if field.column not in _SCHEMA_COLUMNS:
            continue
        located = first_value(data, field.sources)
        schema = component.values.get(field.column)
        if located is None or not isinstance(schema, dict | bool):
            continue
        key = located[0].key
        flat = isinstance(data[key], dict) and convert.is_flat_schema(data[key])
        plain = plain_schema(schema)  # valid too, so one walk usually does for both
        problems = [] if plain else list(_invalid_schema(component, key, flat, schema))
        found += problems
        if not problems and isinstance(schema, dict):
            found += _bad_defaults(component, key, flat, schema, plain)
    if component.kind.config_checked and not found:
        found += _config_problems(component)
    return found


def _in_file(key: str, flat: bool, path: Iterable[str | int]) -> DocPath:
    """Where a path inside a normalised schema is in the file (a flat-dialect map keeps
    each parameter's schema directly under its name)."""
    steps = tuple(path)
    if not flat:
        return (key, *steps)
    if len(steps) >= 2 and steps[0] == "properties":
        return (key, *steps[1:])
    return (key,)


def _invalid_schema(
    component: Component, key: str, flat: bool, schema: Any
) -> Iterator[Diagnostic]:
    if certainly_valid(schema):
        return  # no $ref either: the walk accepts none
    from loader.packs.schema.authority import metaschema_errors, unresolvable_refs

    for error in metaschema_errors(schema):
        path = _in_file(key, flat, error.absolute_path)
        yield at(
            component,
            path,
            isinstance(error.instance, dict | list),
            codes.PARAMS_SCHEMA,
            f"'{dotted(path)}' is not valid JSON Schema: {error.message}",
            "see https://json-schema.org/understanding-json-schema/",
        )
    for path, ref in unresolvable_refs(schema):
        place = _in_file(key, flat, path)
        yield at(
            component,
            place,
            False,
            codes.PARAMS_SCHEMA,
            f"'$ref: {ref}' points nowhere in this schema",
            "only references inside the schema itself resolve (no network)",
        )


def _bad_defaults(
    component: Component, key: str, flat: bool, schema: dict[str, Any], plain: bool
) -> list[Diagnostic]:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return []
    defaults = {
        name: prop["default"]
        for name, prop in properties.items()
        if isinstance(prop, dict) and "default" in prop
    }
    if not defaults:
        return []
    # A required parameter without a default is not a defaults problem: 'required'
    # errors are about the whole object, so leaving it out changes no other error.
    optional = {k: v for k, v in schema.items() if k != "required"}
    found = []
    for error in errors_against(optional, defaults, plain):  # still plain without 'required'
        steps = tuple(error.absolute_path)
        if not steps:
            continue  # the object as a whole (minProperties, ...): not one default's
        path = _in_file(key, flat, ("properties", steps[0], "default", *steps[1:]))
        found.append(
            at(
                component,
                path,
                False,
                codes.PARAMS_DEFAULT,
                f"the default of '{steps[0]}' does not fit its schema: {error.message}",
                "change the default or the schema",
            )
        )
    return found


def errors_against(schema: Any, instance: Any, plain: bool | None = None) -> list[ValidationError]:
    if certainly_fits(schema, instance, plain):
        return []
    from referencing.exceptions import Unresolvable

    from loader.packs.schema.authority import instance_validator

    try:
        return sorted(instance_validator(schema).iter_errors(instance), key=lambda e: e.path)
    except Unresolvable:
        return []  # reported as an unresolvable $ref of the schema itself


def _config_problems(component: Component) -> list[Diagnostic]:
    data = data_of(component)
    schema, config = component.values.get("conf_schema"), component.values.get("config")
    if "config" not in data or not isinstance(schema, dict) or not schema:
        return []
    return [
        at(
            component,
            ("config", *e.absolute_path),
            False,
            codes.PARAMS_VALUES,
            f"'{dotted(('config', *e.absolute_path))}' does not fit conf_schema: {e.message}",
            "make config agree with conf_schema",
        )
        for e in errors_against(schema, config)
    ]
