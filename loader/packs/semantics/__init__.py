"""Checks beyond the schemas: refs, duplicates, references, authors' JSON Schemas, paths.

Runs on normalised components, so it sees refs and targets the way the database will.
References resolve within the packs being checked first, then through an optional
:class:`ExternalRefs` (the database, when there is one).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, Protocol

from jsonschema.exceptions import ValidationError
from referencing.exceptions import Unresolvable

from loader.kinds import Kind, Link, RefForm, convert
from loader.packs.discover import PackPaths, PathProblem
from loader.packs.model import Component, DocPath, Pack, Reference
from loader.packs.normalise import TEMPLATE, first_value
from loader.packs.schema.registry import (
    certainly_fits,
    certainly_valid,
    instance_validator,
    metaschema_errors,
    plain_schema,
    unresolvable_refs,
)
from loader.packs.schema.validate import dotted
from loader.report import codes
from loader.report.diagnostics import Diagnostic, Severity


class ExternalRefs(Protocol):
    """Components that exist outside this load (in the database)."""

    def find(self, kind: str, refs: set[str]) -> dict[str, dict[str, Any]]:
        """The rows (column -> value, including ``param_schema``) of those of ``refs``
        that exist, keyed by ref."""
        ...


# The database's CHECKs on refs. Pack refs: pack_ref_format; trigger, action, sensor, rule
# and permission set refs: *_ref_format and *_ref_lowercase; runtime and workflow refs
# have no CHECK, and keep the three-part form of core.sensor.builtin.
PACK_REF = re.compile(r"^[a-z][a-z0-9_-]+$")
ONE_DOT_REF = re.compile(r"^[^.]+\.[^.]+$")
DOTTED_REF = re.compile(r"^[^.]+(\.[^.]+)+$")
SEMVER = re.compile(
    r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)
MAX_REF_LENGTH = 255  # workflow_definition.ref is VARCHAR(255)
_SCHEMA_COLUMNS = ("param_schema", "out_schema", "conf_schema")
_PATH_KEYS = ("entry_point",)


def pack_problems(pack: Pack, components: Sequence[Component]) -> list[Diagnostic]:
    """The problems each component has on its own: identity, author schemas, paths."""
    paths = PackPaths(pack.root)
    found: list[Diagnostic] = []
    for component in components:
        found += identity_problems(component, pack)
        found += schema_problems(component)
        found += path_problems(component, paths)
        found += _extra_targets(component)
    return found + local_rule_params(components)


def cross_pack_problems(
    packs: Sequence[Pack],
    unusable: Mapping[str, set[str]] | None = None,
    external: ExternalRefs | None = None,
    partial: Sequence[Pack] = (),
) -> list[Diagnostic]:
    """The problems that need every pack at once: duplicate refs and references."""
    every = [c for p in packs for c in p.all_components()]
    every += [c for p in partial for c in p.components]
    return duplicate_refs(every) + _References(every, unusable or {}, external).problems()


def at(
    component: Component,
    path: DocPath,
    key: bool,
    code: str,
    message: str,
    hint: str | None = None,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    """A diagnostic at ``path`` of the component's file."""
    source = component.source
    line, column = source.position(path, key) or (1, 1)
    return Diagnostic(source.display, line, column, code, message, hint, severity)


def _data(component: Component) -> dict[str, Any]:
    data = component.source.data
    return data if isinstance(data, dict) else {}


def _value_at(data: Any, path: DocPath) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _ref_path(component: Component) -> DocPath:
    data = _data(component)
    return ("ref",) if "ref" in data else ("name",) if "name" in data else ()


def _name_is_short_name(kind: Kind) -> bool:
    """``name`` is the short name unless a column reads it (runtime and pack names are
    display names)."""
    return not any(s.key == "name" for f in kind.fields for s in f.sources)


# -- Identity -------------------------------------------------------------------------


def identity_problems(component: Component, pack: Pack) -> list[Diagnostic]:
    """The ref against the database's rules and the pack; ``name`` and ``pack_ref``
    agreeing with it; the pack version."""
    if component.kind.ref_form is RefForm.PACK:
        return _pack_identity(component)
    ref, kind, where = component.ref, component.kind, _ref_path(component)
    found = []
    dotted_ref = kind.ref_form is RefForm.DOTTED
    rule = DOTTED_REF if dotted_ref else ONE_DOT_REF
    form = "<pack>.<name>" + (" (more dots allowed)" if dotted_ref else "")
    if ref != ref.lower() or not rule.match(ref) or len(ref) > MAX_REF_LENGTH:
        found.append(
            at(
                component,
                where,
                False,
                codes.REF_FORMAT,
                f"the {kind.name} ref '{ref}' is not of the form {form}",
                "refs are lowercase, at most 255 characters",
            )
        )
    elif not ref.startswith(pack.ref + "."):
        found.append(
            at(
                component,
                where,
                False,
                codes.REF_PREFIX,
                f"the {kind.name} ref '{ref}' does not start with this pack's ref '{pack.ref}.'",
                f"write '{pack.ref}.{ref.split('.', 1)[-1]}'",
            )
        )
    data = _data(component)
    name = data.get("name")
    short_name = isinstance(name, str) and _name_is_short_name(kind)
    if "ref" in data and short_name and ref.split(".", 1)[-1] != name:
        found.append(
            at(
                component,
                ("name",),
                False,
                codes.REF_NAME_MISMATCH,
                f"name '{name}' disagrees with ref '{ref}'",
                f"the name is the part after '{pack.ref}.'; drop one of them",
            )
        )
    pack_ref = data.get("pack_ref")
    if isinstance(pack_ref, str) and pack_ref != pack.ref:
        found.append(
            at(
                component,
                ("pack_ref",),
                False,
                codes.REF_PACK_MISMATCH,
                f"pack_ref '{pack_ref}' names another pack than '{pack.ref}'",
                f"write pack_ref: {pack.ref}, or move the file to that pack",
            )
        )
    return found


def _pack_identity(component: Component) -> list[Diagnostic]:
    found = []
    ref = component.ref
    if not PACK_REF.match(ref):
        found.append(
            at(
                component,
                ("ref",),
                False,
                codes.REF_FORMAT,
                f"the pack ref '{ref}' is not valid",
                "lowercase letters, digits, '_' and '-', starting with a letter, "
                "at least two characters, no dot",
            )
        )
    version = component.values.get("version")
    if isinstance(version, str) and not SEMVER.match(version):
        found.append(
            at(
                component,
                ("version",),
                False,
                codes.SCHEMA_FORMAT,
                f"'{version}' is not a semantic version",
                "write MAJOR.MINOR.PATCH, e.g. 1.0.0",
            )
        )
    return found


def duplicate_refs(components: Sequence[Component]) -> list[Diagnostic]:
    """A second declaration of a (kind, ref), naming the first."""
    first: dict[tuple[str, str], Component] = {}
    found = []
    for component in components:
        key = (component.kind.name, component.ref)
        seen = first.setdefault(key, component)
        if seen is component:
            continue
        where = seen.source.position(_ref_path(seen), False) or (1, 1)
        is_pack = component.kind.ref_form is RefForm.PACK
        code = codes.PACK_DUPLICATE if is_pack else codes.REF_DUPLICATE
        found.append(
            at(
                component,
                _ref_path(component),
                False,
                code,
                f"{component.kind.name} '{component.ref}' is also declared in "
                f"{seen.source.display}:{where[0]}:{where[1]}",
                "refs are unique; rename or remove one of them",
            )
        )
    return found


# -- Authors' JSON Schemas ------------------------------------------------------------


def schema_problems(component: Component) -> list[Diagnostic]:
    """Parameter, output and config schemas are valid JSON Schema, and defaults (and the
    pack's config) fit them."""
    found: list[Diagnostic] = []
    data = _data(component)
    for field in component.kind.fields:
        if field.column not in _SCHEMA_COLUMNS:
            continue
        located = first_value(data, field.sources)
        schema = component.values.get(field.column)
        if located is None or not isinstance(schema, dict | bool):
            continue
        key = located[0].key
        flat = isinstance(data[key], dict) and convert.is_flat_parameters(data[key])
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
    for error in _errors(optional, defaults, plain):  # still plain without 'required'
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


def _errors(schema: Any, instance: Any, plain: bool | None = None) -> list[ValidationError]:
    if certainly_fits(schema, instance, plain):
        return []
    try:
        return sorted(instance_validator(schema).iter_errors(instance), key=lambda e: e.path)
    except Unresolvable:
        return []  # reported as an unresolvable $ref of the schema itself


def _config_problems(component: Component) -> list[Diagnostic]:
    data = _data(component)
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
        for e in _errors(schema, config)
    ]


# -- Files named by components -------------------------------------------------------


def path_problems(component: Component, paths: PackPaths) -> list[Diagnostic]:
    """``entry_point`` names a regular file inside the pack."""
    data = _data(component)
    found = []
    for key in _PATH_KEYS:
        value = data.get(key)
        if isinstance(value, str):
            located = paths.locate(component.source.path.parent, value)
            if isinstance(located, PathProblem):
                found.append(path_diagnostic(component, (key,), located))
    return found


def path_diagnostic(component: Component, path: DocPath, problem: PathProblem) -> Diagnostic:
    return at(component, path, False, problem.code, f"{path[-1]}: {problem.message}", problem.hint)


def _extra_targets(component: Component) -> list[Diagnostic]:
    """A warning for lists of refs of which the table keeps only the first (a sensor's
    ``trigger_types``: KINDS declares them as a link's ``also_checked``)."""
    found = []
    for link in component.kind.links:
        listed = component.checked_refs.get(link.column, [])
        for key in link.also_checked:
            if len(listed) > 1 and isinstance(_data(component).get(key), list):
                others = len(listed) - 1
                found.append(
                    at(
                        component,
                        (key, 1),
                        False,
                        codes.SENSOR_EXTRA_TRIGGERS,
                        f"only the first of '{key}' ({listed[0]}) is stored as the "
                        f"{component.kind.name}'s {link.target}; the other "
                        f"{others} {'is' if others == 1 else 'are'} checked but not stored",
                        f"the database keeps one {link.target} per {component.kind.name}",
                        Severity.WARNING,
                    )
                )
    return found


# -- References -----------------------------------------------------------------------


Wanted = tuple[Component, Reference]
SchemaOf = Callable[[str, str], Any]  # (kind, ref) -> its param_schema, or None


class _References:
    """Resolve every reference of the load, then check the parameters of rules
    against the schemas of targets in other packs (those in a rule's own pack were
    checked with the pack, by :func:`pack_problems`)."""

    def __init__(
        self,
        components: Sequence[Component],
        unusable: Mapping[str, set[str]],
        external: ExternalRefs | None,
    ) -> None:
        self.components = components
        self.external = external
        self.declared: dict[str, dict[str, Component]] = {}
        for component in components:
            self.declared.setdefault(component.kind.name, {}).setdefault(component.ref, component)
        self.unusable = unusable
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}
        self.schemas: dict[tuple[str, str], Any] = {}

    def problems(self) -> list[Diagnostic]:
        wanted = [(c, r) for c in self.components for r in c.references]
        self._ask_external(wanted)
        found = [self._unresolved(*w) for w in wanted if not self._resolves(w[1])]
        for component in self.components:
            if component.kind.param_links:
                found += link_params(component, partial(self._foreign, component))
        return found

    def _resolves(self, reference: Reference) -> bool:
        return (
            reference.ref in self.declared.get(reference.target, {})
            or reference.ref in self.unusable.get(reference.target, set())
            or reference.ref in self.rows.get(reference.target, {})
        )

    def _ask_external(self, wanted: list[Wanted]) -> None:
        if self.external is None:
            return
        missing: dict[str, set[str]] = {}
        for _, reference in wanted:
            if not self._resolves(reference):
                missing.setdefault(reference.target, set()).add(reference.ref)
        for kind, refs in sorted(missing.items()):
            self.rows[kind] = self.external.find(kind, refs)

    def _unresolved(self, component: Component, reference: Reference) -> Diagnostic:
        target = reference.target
        known = set(self.declared.get(target, {})) | self.unusable.get(target, set())
        close = difflib.get_close_matches(reference.ref, sorted(known), n=1, cutoff=0.6)
        near = f" - did you mean '{close[0]}'?" if close else ""
        where = "in the packs being checked" + ("" if self.external is None else " or the database")
        owner = reference.ref.split(".", 1)[0]
        hint = (
            f"check the ref: pack '{owner}' declares no such {target}"
            if owner == component.pack_ref
            else f"check the ref, or validate together with pack '{owner}' (e.g. packs/{owner})"
        )
        raw = _value_at(_data(component), reference.path)
        if isinstance(raw, str) and raw != reference.ref:
            near = f" ('{raw}' means '{reference.ref}')" + near
        error = reference.severity is Severity.ERROR
        return at(
            component,
            reference.path,
            False,
            codes.REF_UNRESOLVED if error else codes.REF_TASK_ACTION,
            f"{target} '{reference.ref}' is not {where}{near}",
            hint,
            reference.severity,
        )

    def _foreign(self, rule: Component, kind: str, ref: str) -> Any:
        """The schema of a rule's target outside the rule's pack (None inside it)."""
        component = self.declared.get(kind, {}).get(ref)
        if component is not None and component.pack_ref == rule.pack_ref:
            return None
        if (kind, ref) not in self.schemas:  # frozen values decode on each use
            source = component.values if component else self.rows.get(kind, {}).get(ref, {})
            self.schemas[(kind, ref)] = source.get("param_schema")
        return self.schemas[(kind, ref)]


def local_rule_params(components: Sequence[Component]) -> list[Diagnostic]:
    """The parameters of rules against the schemas of targets in the same pack."""
    own = {(c.kind.name, c.ref): c for c in components}

    def schema_of(kind: str, ref: str) -> Any:
        target = own.get((kind, ref))
        return target.values.get("param_schema") if target else None

    found = []
    for component in components:
        if component.kind.param_links:
            found += link_params(component, schema_of)
    return found


def link_params(rule: Component, schema_of: SchemaOf) -> list[Diagnostic]:
    """The values of each :attr:`Link.params_column` (a rule's ``trigger_params`` and
    ``action_params``) fit the parameter schemas ``schema_of`` gives for the targets."""
    checks: list[tuple[Link, str, dict[str, Any]]] = []
    for link in rule.kind.param_links:
        ref = rule.links.get(link.column)
        schema = schema_of(link.target, ref) if ref else None
        if ref and isinstance(schema, dict) and schema:
            checks.append((link, ref, schema))
    if not checks:
        return []
    values = rule.values  # once: a frozen rule decodes its row on each use
    found = []
    for link, ref, schema in checks:
        target, column = link.target, link.params_column
        assert column is not None  # a param link
        params = values.get(column)
        if not isinstance(params, dict):
            continue
        for error in _errors(schema, params):
            if isinstance(error.instance, str) and TEMPLATE in error.instance:
                continue  # a template: its value is known only when the rule fires
            base: DocPath = (column,) if column in _data(rule) else (target, "parameters")
            path = (*base, *error.absolute_path)
            found.append(
                at(
                    rule,
                    path,
                    isinstance(error.instance, dict),
                    codes.PARAMS_VALUES,
                    f"'{dotted(path)}' does not fit the parameters of {target} "
                    f"'{ref}': {error.message}",
                    f"see the 'parameters' of {target} '{ref}'",
                )
            )
    return found
