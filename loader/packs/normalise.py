"""ParsedFile + Kind -> Component: column values and references, as KINDS declares them.

Runs only on files that passed their schema, so every value has the shape the
converters expect. Nothing here reads the disk or a database.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from loader.kinds import Field, Kind, Link, RefForm, Source, convert
from loader.packs.model import Component, DocPath, ParsedFile, Reference
from loader.report.diagnostics import Severity

TEMPLATE = "{{"  # a value filled in when a rule fires or a task runs


def qualify(ref: str, pack_ref: str) -> str:
    """A bare name gets the pack's prefix, as the old loader did for trigger types."""
    return ref if "." in ref else f"{pack_ref}.{ref}"


def component_ref(data: dict[str, Any], kind: Kind, pack_ref: str) -> str | None:
    """The ref a document declares: its ``ref`` (qualified when the kind allows a short
    one), else ``<pack>.<name>``."""
    ref = data.get("ref")
    if isinstance(ref, str):
        return qualify(ref, pack_ref) if kind.short_ref_qualified else ref
    name = data.get("name")
    if kind.ref_form is not RefForm.PACK and isinstance(name, str):
        return f"{pack_ref}.{name}"
    return None


def first_value(data: dict[str, Any], sources: tuple[Source, ...]) -> tuple[Source, Any] | None:
    """The first source whose key is present and whose converted value is not None."""
    for source in sources:
        if source.key not in data:
            continue
        value = data[source.key]
        if source.convert is not None:
            value = source.convert(value)
        if value is not None:
            return source, value
    return None


def normalise(parsed: ParsedFile, kind: Kind, pack_ref: str, ref: str | None = None) -> Component:
    """The component ``parsed`` declares. ``ref`` overrides the document's own (a
    workflow takes the ref of the action that names it)."""
    data: dict[str, Any] = parsed.data
    own_ref = ref or component_ref(data, kind, pack_ref) or pack_ref
    values = {f.column: _field_value(f, data, parsed, own_ref) for f in kind.fields}
    links = {link.column: _link_target(link, data, own_ref, pack_ref) for link in kind.links}
    checked = {
        link.column: [qualify(r, pack_ref) for key in link.also_checked for r in data.get(key, [])]
        for link in kind.links
        if link.also_checked
    }
    found = tuple(references(data, kind, links, pack_ref))
    return Component(kind, own_ref, pack_ref, values, links, parsed, checked, found)


def _field_value(field: Field, data: dict[str, Any], parsed: ParsedFile, ref: str) -> Any:
    if field.whole_document:
        return parsed.data
    found = first_value(data, field.sources)
    if found is not None:
        return found[1]
    if field.label_default:
        name = data.get("name")
        return convert.label_from_name(name if isinstance(name, str) else ref.split(".", 1)[-1])
    return copy.deepcopy(field.default)  # defaults are shared by every component


def _link_target(link: Link, data: dict[str, Any], own_ref: str, pack_ref: str) -> str | None:
    found = first_value(data, link.sources)
    if found is None:
        return link.default
    if link.file_key:
        return own_ref
    return qualify(str(found[1]), pack_ref)


def references(
    data: dict[str, Any], kind: Kind, links: dict[str, str | None], pack_ref: str
) -> Iterator[Reference]:
    """Every ref a document names, with where it names it: found while the document
    is at hand, so the references of a load are checked without re-reading files."""
    for link in kind.links:
        if link.file_key:
            continue  # the linked file is parsed with the component; problems are its own
        listed = [key for key in link.also_checked if isinstance(data.get(key), list)]
        if listed:
            for key in listed:
                for i, ref in enumerate(data[key]):
                    yield Reference(link.target, qualify(str(ref), pack_ref), (key, i))
            continue
        target = links.get(link.column)
        if target:
            later = link.fallbacks.get(target, ())
            path = _link_path(link, data)
            yield Reference(link.target, target, path, alternatives=later, column=link.column)
    if kind.task_actions:
        yield from _task_actions(data, pack_ref)


def _link_path(link: Link, data: dict[str, Any]) -> DocPath:
    found = first_value(data, link.sources)
    if found is None:
        return ()
    key = found[0].key
    value = data[key]
    if isinstance(value, dict):
        inner = next((k for k in ("ref", "type") if k in value), None)
        return (key, inner) if inner else (key,)
    return (key,)


def _task_actions(data: dict[str, Any], pack_ref: str) -> Iterator[Reference]:
    tasks = data.get("tasks")
    if not isinstance(tasks, dict):
        return
    for name, task in tasks.items():
        action = task.get("action") if isinstance(task, dict) else None
        if isinstance(action, str) and TEMPLATE not in action:
            ref = qualify(action, pack_ref)
            yield Reference("action", ref, ("tasks", name, "action"), Severity.WARNING)
