"""Workflow tasks: names unique among the tasks that may name one another, and every
transition naming one of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from loader.packs.model import Component
from loader.packs.schema.validate import closest
from loader.packs.semantics.located import at, data_of
from loader.report import codes
from loader.report.diagnostics import Diagnostic

if TYPE_CHECKING:
    from loader.kinds import workflows


def transition_problems(component: Component) -> list[Diagnostic]:
    """A task name given twice, and a transition to a task that does not exist, each
    where the file writes the name."""
    if not component.kind.has_tasks:
        return []
    from loader.kinds import workflows  # as loader.kinds imports it: for workflows only

    found: list[Diagnostic] = []
    for group in workflows.scopes(data_of(component)):
        names: set[str] = set()
        for task in group:
            if task.name in names:
                found.append(
                    at(
                        component,
                        task.name_path,
                        task.name_path == task.path,  # a map's key
                        codes.WORKFLOW_DUPLICATE_TASK,
                        f"there is already a task named '{task.name}'",
                        "task names are unique within a workflow (and a parallel task)",
                    )
                )
            names.add(task.name)
        for task in group:
            for transition in task.transitions():
                found += [
                    _unknown(component, task.name, target, path, names)
                    for target, path in transition.targets
                    if target not in names
                ]
    return found


def _unknown(
    component: Component,
    task: str,
    target: str,
    path: workflows.Path,
    names: set[str],
) -> Diagnostic:
    near = closest(target, names)
    return at(
        component,
        path,
        False,
        codes.WORKFLOW_UNKNOWN_TASK,
        f"task '{task}' goes on to '{target}', which is no task of this workflow"
        + (f" - did you mean '{near}'?" if near else ""),
        f"rename it to '{near}'" if near else "tasks here: " + ", ".join(sorted(names)),
    )
