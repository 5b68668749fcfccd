"""A workflow file's tasks in every shape upstream wrote them, and the one normalised
definition the loader stores.

Three shapes occur: a map of tasks by name with ``on-success`` lists of names; a list of
named tasks whose ``on_success`` / ``on_failure`` is a task name or a list of
``{when, do}`` branches; a list of named tasks with ``next: [{when, publish, do}]``.
All of them become a list of tasks in file order, each with its ``name`` and its
transitions as ``next: [{when?, publish?, do: [names]}]`` (docs/fragments/workflow.md).
The functions here read documents that passed the workflow schema; they never touch
the disk or a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]  # a path into the document: keys and indexes

SUCCEEDED = "succeeded()"
# The legacy transition keys in the order upstream's parser rewrites them, with the
# condition each one stands for (None: on completion, whatever the outcome).
LEGACY_TRANSITIONS: tuple[tuple[str, str | None], ...] = (
    ("on_success", SUCCEEDED),
    ("on-success", SUCCEEDED),
    ("on_failure", "failed()"),
    ("on-failure", "failed()"),
    ("on_complete", None),
    ("on-complete", None),
    ("on_timeout", "timed_out()"),
    ("on-timeout", "timed_out()"),
)
DECISION = "decision"  # the oldest form: [{when, next: name}]
_REWRITTEN = frozenset({*(k for k, _ in LEGACY_TRANSITIONS), DECISION, "publish", "next"})
_ONE_TEMPLATE = re.compile(r"^\s*\{\{(?P<expression>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)
_SIMPLE = re.compile(r"^[\w.]+(\(\))?$")  # needs no parentheses inside a conjunction


@dataclass
class Transition:
    """One entry of a task's ``next``, with where the file names each target."""

    conditions: tuple[str, ...]  # `when` texts that must all hold; none: always
    targets: list[tuple[str, Path]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)  # publish, __chart_meta__

    def stored(self) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if self.conditions:
            entry["when"] = when_text(self.conditions)
        entry.update(self.extras)
        entry["do"] = [name for name, _ in self.targets]
        return entry


@dataclass
class Task:
    """One task of a workflow as the file writes it, wherever it sits."""

    name: str
    path: Path  # of the task's mapping
    name_path: Path  # of its name: the map key, or the value of `name`
    data: Mapping[str, Any]

    def transitions(self) -> list[Transition]:
        """Its transitions in the normalised order: ``next`` as written, else the legacy
        keys in upstream's order, then ``decision``; task-level ``publish`` joins the
        plain success transition (or a publish-only one)."""
        if "next" in self.data:  # the schema keeps legacy keys away from `next`
            return [
                t
                for i, branch in enumerate(self.data["next"])
                for t in _branch(branch, (*self.path, "next", i), ())
            ]
        found: list[Transition] = []
        for key, condition in LEGACY_TRANSITIONS:
            if key in self.data:
                base = () if condition is None else (_template(condition),)
                found += _targets(self.data[key], (*self.path, key), base)
        for i, branch in enumerate(self.data.get(DECISION, [])):
            found += _branch(branch, (*self.path, DECISION, i), ())
        if "publish" in self.data:
            _attach_publish(found, publish_list(self.data["publish"]))
        return found

    def subtasks(self) -> list[Task]:
        """The tasks of a parallel task (their transitions name one another)."""
        return tasks_of(self.data.get("tasks"), (*self.path, "tasks"))


def tasks_of(tasks: Any, path: Path = ("tasks",)) -> list[Task]:
    """The tasks of a map (name -> task) or a list of named tasks, in file order."""
    if isinstance(tasks, Mapping):
        return [Task(str(name), (*path, name), (*path, name), t) for name, t in tasks.items()]
    if isinstance(tasks, list):
        return [
            Task(str(t["name"]), (*path, i), (*path, i, "name"), t) for i, t in enumerate(tasks)
        ]
    return []


def scopes(document: Mapping[str, Any]) -> Iterator[list[Task]]:
    """Each group of tasks whose transitions may name one another: the workflow's
    tasks, and the tasks of each parallel task."""
    pending = [tasks_of(document.get("tasks"))]
    while pending:
        group = pending.pop(0)
        yield group
        pending += [sub for task in group if (sub := task.subtasks())]


def all_tasks(document: Mapping[str, Any]) -> Iterator[Task]:
    for group in scopes(document):
        yield from group


def definition(document: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of a workflow file: its keys, with ``tasks`` as a list of named
    tasks whose transitions are ``next`` entries, ``vars`` as a map and ``publish`` as
    a list of one-key maps."""
    stored = dict(document)
    stored["tasks"] = [_stored_task(t) for t in tasks_of(document.get("tasks"))]
    if "vars" in document:
        stored["vars"] = vars_map(document["vars"])
    return stored


def _stored_task(task: Task) -> dict[str, Any]:
    kept = {k: v for k, v in task.data.items() if k not in _REWRITTEN and k != "name"}
    if "tasks" in kept:
        kept["tasks"] = [_stored_task(t) for t in task.subtasks()]
    return {"name": task.name, **kept, "next": [t.stored() for t in task.transitions()]}


def vars_map(value: Any) -> dict[str, Any]:
    """``vars`` as a map: a list of one-key maps is merged in order."""
    if isinstance(value, Mapping):
        return dict(value)
    return {k: v for item in value for k, v in item.items()}


def publish_list(value: Any) -> list[Any]:
    """``publish`` as upstream keeps it: a list of one-key maps (or bare names)."""
    if isinstance(value, Mapping):
        return [{k: v} for k, v in value.items()]
    return list(value)


def when_text(conditions: tuple[str, ...]) -> str:
    """One condition as written; several as one template joining them with ``and``."""
    if len(conditions) == 1:
        return conditions[0]
    parts = [_expression(c) for c in conditions]
    return "{{ " + " and ".join(p if _SIMPLE.match(p) else f"({p})" for p in parts) + " }}"


def _expression(condition: str) -> str:
    match = _ONE_TEMPLATE.match(condition)
    return (match.group("expression") if match else condition).strip()


def _template(expression: str) -> str:
    return "{{ " + expression + " }}"


def _targets(value: Any, path: Path, conditions: tuple[str, ...]) -> list[Transition]:
    """A transition value: a task name, or a list of names and ``{when, do}`` branches
    (names together in one transition, each branch under its own condition too)."""
    if isinstance(value, str):
        return [Transition(conditions, [(value, path)])]
    names = [(v, (*path, i)) for i, v in enumerate(value) if isinstance(v, str)]
    found = [Transition(conditions, names)] if names else []
    for i, branch in enumerate(value):
        if isinstance(branch, Mapping):
            found += _branch(branch, (*path, i), conditions)
    return found


def _branch(branch: Mapping[str, Any], path: Path, outer: tuple[str, ...]) -> list[Transition]:
    """``{when?, publish?, do | next}``: its targets under the outer conditions and its
    own. A branch whose ``do`` holds branches again (upstream's install_packs) becomes
    one transition per inner branch, each carrying the branch's publish: whichever
    fires must publish."""
    conditions = (*outer, branch["when"]) if "when" in branch else outer
    key = "do" if "do" in branch else "next" if "next" in branch else None
    found = _targets(branch[key], (*path, key), conditions) if key else []
    found = found or [Transition(conditions)]
    for transition in found:
        if "publish" in branch:  # the outer branch's publish comes first
            inner = transition.extras.get("publish", [])
            transition.extras["publish"] = publish_list(branch["publish"]) + inner
        if "__chart_meta__" in branch:
            transition.extras.setdefault("__chart_meta__", branch["__chart_meta__"])
    return found


def _attach_publish(transitions: list[Transition], publish: list[Any]) -> None:
    """Task-level publish happens on success: on the plain success transition when
    there is one (as upstream), else on a publish-only success transition put first
    (upstream would attach it to whatever transition comes first, a failure one too)."""
    success = (_template(SUCCEEDED),)
    for transition in transitions:
        if transition.conditions == success:
            transition.extras = {"publish": publish, **transition.extras}
            return
    transitions.insert(0, Transition(success, extras={"publish": publish}))
