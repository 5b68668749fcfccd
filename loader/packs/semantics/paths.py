"""Files named by components: an ``entry_point`` names a regular file inside the pack
(a binary of a runtime that builds it outside the pack may be absent: a note); and lists
of refs of which the table keeps only the first."""

from __future__ import annotations

from loader.packs.discover import PackPaths, PathProblem
from loader.packs.model import Component, DocPath
from loader.packs.semantics.located import at, data_of
from loader.report import codes
from loader.report.diagnostics import Diagnostic, Severity

_PATH_KEYS = ("entry_point",)


def path_problems(component: Component, paths: PackPaths) -> list[Diagnostic]:
    """``entry_point`` names a regular file inside the pack."""
    data = data_of(component)
    found = []
    for key in _PATH_KEYS:
        value = data.get(key)
        if isinstance(value, str):
            located = paths.locate(component.source.path.parent, value)
            if isinstance(located, PathProblem):
                runtime = _built_outside(component)
                if located.code == codes.PATH_MISSING and runtime:
                    found.append(_binary_note(component, key, value, runtime))
                else:
                    found.append(path_diagnostic(component, (key,), located))
    return found


def _built_outside(component: Component) -> str | None:
    """The runtime that builds the component's entry point outside the pack, if any."""
    for link in component.kind.links:
        target = component.links.get(link.column)
        if target in link.built_outside:
            return target
    return None


def _binary_note(component: Component, key: str, value: str, runtime: str) -> Diagnostic:
    return at(
        component,
        (key,),
        False,
        codes.PATH_BUILT_OUTSIDE,
        f"{key}: '{value}' is not in the pack; the {runtime} runtime "
        "runs a binary built outside it",
        "nothing to do if the binary is installed with the service",
        Severity.NOTE,
    )


def path_diagnostic(component: Component, path: DocPath, problem: PathProblem) -> Diagnostic:
    return at(component, path, False, problem.code, f"{path[-1]}: {problem.message}", problem.hint)


def extra_targets(component: Component) -> list[Diagnostic]:
    """A note for lists of refs of which the table keeps only the first (a sensor's
    ``trigger_types``: KINDS declares them as a link's ``also_checked``): expected, so
    not a warning on every run."""
    found = []
    for link in component.kind.links:
        listed = component.checked_refs.get(link.column, [])
        for key in link.also_checked:
            if len(listed) > 1 and isinstance(data_of(component).get(key), list):
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
                        Severity.NOTE,
                    )
                )
    return found
