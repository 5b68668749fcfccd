"""References: every ref a component names resolves within the load, through
:class:`ExternalRefs` (the database), or, for core components of kinds that no pack of
the load manages, in the packaged core pack; and values checked against a target's
parameters fit them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Protocol

from loader.kinds import KINDS_BY_NAME, Link
from loader.packs.model import Component, DocPath, Pack, Reference
from loader.packs.normalise import TEMPLATE
from loader.packs.schema.validate import closest, dotted
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


Wanted = tuple[Component, Reference]
SchemaOf = Callable[[str, str], Any]  # (kind, ref) -> its param_schema, or None
# The packaged core pack's components by kind and ref, checked when first needed.
Packaged = Callable[[], Mapping[str, Mapping[str, Component]]]

CORE = "core"  # the pack whose packaged copy stands in for what a load leaves to it


class References:
    """Resolve every reference of the load, then check the parameters of rules
    against the schemas of targets in other packs (those in a rule's own pack were
    checked with the pack, by :func:`local_link_params`)."""

    def __init__(
        self,
        components: Sequence[Component],
        unusable: Mapping[str, set[str]],
        external: ExternalRefs | None,
        packs: Sequence[Pack] = (),
        packaged: Packaged | None = None,
    ) -> None:
        self.components = components
        self.external = external
        self.declared: dict[str, dict[str, Component]] = {}
        for component in components:
            self.declared.setdefault(component.kind.name, {}).setdefault(component.ref, component)
        self.unusable = unusable
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}
        self.schemas: dict[tuple[str, str], Any] = {}
        self.core = next((p for p in packs if p.ref == CORE), None)
        self.packaged = packaged
        # Components of the packaged core pack that references resolved to, in order.
        self.supplied: dict[tuple[str, str], Component] = {}

    def problems(self) -> list[Diagnostic]:
        """Every unresolved reference; a note per reference that resolved to a later name
        of its target, and one for those resolved in the packaged core pack."""
        wanted = [(c, r) for c in self.components for r in c.references]
        self._ask_external(wanted)
        found = []
        for component, reference in wanted:
            ref = self._resolve(reference)
            if ref is None:
                found.append(self._unresolved(component, reference))
            elif ref != reference.ref:
                found.append(_renamed(component, reference, ref))
                component.retarget(reference, ref)
        for component in self.components:
            if component.kind.param_links:
                found += link_params(component, partial(self._foreign, component))
        return found + self._packaged_note()

    def _resolve(self, reference: Reference) -> str | None:
        """The first of the reference's refs found in the load, else in the database,
        else in the packaged core pack."""
        refs = (reference.ref, *reference.alternatives)
        for where in (self._in_load, self._in_database, self._in_packaged):
            for ref in refs:
                if where(reference.target, ref):
                    return ref
        return None

    def _in_load(self, kind: str, ref: str) -> bool:
        return ref in self.declared.get(kind, {}) or ref in self.unusable.get(kind, set())

    def _in_database(self, kind: str, ref: str) -> bool:
        return ref in self.rows.get(kind, {})

    def _in_packaged(self, kind: str, ref: str) -> bool:
        """Whether the packaged core pack stands in for ``ref``: a core component of a
        kind the load's core pack has no folder for (or that no core pack is given
        for, when nothing is written: a load can only add rows to a core pack it loads)."""
        if self.packaged is None or not ref.startswith(CORE + "."):
            return False
        if self.core is not None and self.core.manages(KINDS_BY_NAME[kind]):
            return False
        if self.core is None and self.external is not None:
            return False
        component = self.packaged().get(kind, {}).get(ref)
        if component is not None:
            self.supplied[(kind, ref)] = component
        return component is not None

    def _ask_external(self, wanted: list[Wanted]) -> None:
        if self.external is None:
            return
        missing: dict[str, set[str]] = {}
        for _, reference in wanted:
            named = (reference.ref, *reference.alternatives)
            if not any(self._in_load(reference.target, ref) for ref in named):
                missing.setdefault(reference.target, set()).update(named)
        for kind, refs in sorted(missing.items()):
            self.rows[kind] = self.external.find(kind, refs)

    def _packaged_note(self) -> list[Diagnostic]:
        """One note naming what the packaged core pack stood in for."""
        if not self.supplied:
            return []
        named = ", ".join(f"{kind} {ref}" for kind, ref in sorted(self.supplied))
        if self.core is None:
            first = next(iter(self.supplied.values())).source.display
            where = str(PurePosixPath(first).parent.parent)  # the packaged pack's folder
            message = f"core refs resolved from the packaged core pack: {named}"
            hint = "give a core pack to check against that one instead"
        else:
            where = self.core.manifest.source.display
            message = (
                "pack core has no folder for these kinds, so the packaged core pack's "
                f"components stand in (and are loaded where missing): {named}"
            )
            hint = "a pack manages only the kinds it has a folder for (docs/pack-format.md)"
        note = Diagnostic(where, None, None, codes.REF_PACKAGED_CORE, message, hint, Severity.NOTE)
        return [note]

    def _unresolved(self, component: Component, reference: Reference) -> Diagnostic:
        target = reference.target
        known = set(self.declared.get(target, {})) | self.unusable.get(target, set())
        close = closest(reference.ref, known)
        near = f" - did you mean '{close}'?" if close else ""
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
        component = self.declared.get(kind, {}).get(ref) or self.supplied.get((kind, ref))
        if component is not None and component.pack_ref == rule.pack_ref:
            return None
        if (kind, ref) not in self.schemas:  # frozen values decode on each use
            source = component.values if component else self.rows.get(kind, {}).get(ref, {})
            self.schemas[(kind, ref)] = source.get("param_schema")
        return self.schemas[(kind, ref)]


def _renamed(component: Component, reference: Reference, ref: str) -> Diagnostic:
    return at(
        component,
        reference.path,
        False,
        codes.REF_RENAMED,
        f"{reference.target} '{reference.ref}' is known here by its later name '{ref}'",
        f"write '{ref}' to say so",
        Severity.NOTE,
    )


def local_link_params(
    components: Sequence[Component], among: Callable[[Component], bool] | None = None
) -> list[Diagnostic]:
    """The parameters of rules against the schemas of targets in the same pack (of the
    rules ``among`` accepts, when given)."""
    own = {(c.kind.name, c.ref): c for c in components}

    def schema_of(kind: str, ref: str) -> Any:
        target = own.get((kind, ref))
        return target.values.get("param_schema") if target else None

    found = []
    for component in components:
        if component.kind.param_links and (among is None or among(component)):
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
