"""Checks beyond the schemas: refs, duplicates, references, authors' JSON Schemas, paths,
workflow tasks.

Runs on normalised components, so it sees refs and targets the way the database will.
References resolve within the packs being checked first, then through an optional
:class:`ExternalRefs` (the database, when there is one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from loader.packs.discover import PackPaths
from loader.packs.model import Component, Pack
from loader.packs.semantics.authors import schema_problems
from loader.packs.semantics.identity import duplicate_refs, identity_problems
from loader.packs.semantics.paths import extra_targets, path_diagnostic, path_problems
from loader.packs.semantics.references import (
    ExternalRefs,
    Packaged,
    References,
    local_link_params,
)
from loader.packs.semantics.tasks import transition_problems
from loader.report.diagnostics import Diagnostic

__all__ = [
    "ExternalRefs",
    "Packaged",
    "component_problems",
    "cross_pack_problems",
    "identity_problems",
    "local_link_params",
    "path_diagnostic",
]


def component_problems(pack: Pack, components: Sequence[Component]) -> list[Diagnostic]:
    """The problems each component has on its own: identity, author schemas, paths;
    :func:`local_link_params` checks what they need of each other in their pack."""
    paths = PackPaths(pack.root)
    found: list[Diagnostic] = []
    for component in components:
        if component.derived:
            continue  # a companion: what could be wrong with it is its origin's
        found += identity_problems(component, pack)
        found += schema_problems(component)
        found += path_problems(component, paths)
        found += extra_targets(component)
        found += transition_problems(component)
    return found


def cross_pack_problems(
    packs: Sequence[Pack],
    unusable: Mapping[str, set[str]] | None = None,
    external: ExternalRefs | None = None,
    partial: Sequence[Pack] = (),
    packaged: Packaged | None = None,
) -> list[Diagnostic]:
    """The problems that need every pack at once: duplicate refs and references.

    The packaged core pack's components that references resolved to (``packaged``)
    join the core pack of ``packs``, if there is one, to be loaded with it."""
    every = [c for p in packs for c in p.all_components()]
    every += [c for p in partial for c in p.components]
    references = References(every, unusable or {}, external, [*packs, *partial], packaged)
    found = duplicate_refs(every) + references.problems()
    core = references.core
    if core is not None and core in packs:
        core.components += references.supplied.values()
    return found
