"""References: every ref a component names resolves within the load or through
:class:`ExternalRefs`, and values checked against a target's parameters fit them."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Protocol

from loader.kinds import Link
from loader.packs.model import Component, DocPath, Reference
from loader.packs.normalise import TEMPLATE
from loader.packs.schema.validate import dotted
from loader.packs.semantics.authors import errors_against
from loader.packs.semantics.located import at, data_of, value_at
from loader.report import codes
from loader.report.diagnostics import Diagnostic, Severity


class ExternalRefs(Protocol):
    """Components that exist outside this load (in the database)."""

    def find(self, kind: str, refs: set[str]) -> dict[str, dict[str, Any]]:
        """The rows (column -> value, including ``param_schema``) of those of ``refs``
        that exist, keyed by ref."""
        ...


# The database's CHECKs on refs. Pack refs: pack_ref_format; trigger, action, sensor, rule


Wanted = tuple[Component, Reference]
SchemaOf = Callable[[str, str], Any]  # (kind, ref) -> its param_schema, or None


class References:
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
        raw = value_at(data_of(component), reference.path)
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


def local_link_params(components: Sequence[Component]) -> list[Diagnostic]:
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
        for error in errors_against(schema, params):
            if isinstance(error.instance, str) and TEMPLATE in error.instance:
                continue  # a template: its value is known only when the rule fires
            base: DocPath = (column,) if column in data_of(rule) else (target, "parameters")
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
