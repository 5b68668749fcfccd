"""ParsedFile + Kind -> Component: column values and references, as KINDS declares them.

Runs only on files that passed their schema, so every value has the shape the
converters expect. Nothing here reads the disk or a database.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePath
from typing import Any

from loader.kinds import Field, Kind, Link, RefForm, Source, convert, kind_named
from loader.packs.discover import file_stem
from loader.packs.model import Component, DocPath, ParsedFile, Reference
from loader.report.diagnostics import Severity

TEMPLATE = "{{"  # a value filled in when a rule fires or a task runs


def qualify(ref: str, pack_ref: str) -> str:
    """A bare name gets the pack's prefix, as the old loader did for trigger types."""
    return ref if "." in ref else f"{pack_ref}.{ref}"


def component_ref(parsed: ParsedFile, kind: Kind, pack_ref: str) -> str | None:
    """The ref a document declares: its ``ref`` (qualified when the kind allows a short
    one), else ``<pack>.<name>`` (for a kind named by its files, ``<pack>.<file stem>``)."""
    data = parsed.data
    ref = data.get("ref")
    if isinstance(ref, str):
        return qualify(ref, pack_ref) if kind.short_ref_qualified else ref
    if kind.stem_suffix is not None:
        return f"{pack_ref}.{file_stem(parsed.path.name, kind.stem_suffix)}"
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


def normalise(
    parsed: ParsedFile,
    kind: Kind,
    pack_ref: str,
    ref: str | None = None,
    inherited: Mapping[str, Any] | None = None,
    document: dict[str, Any] | None = None,
) -> Component:
    """The component ``parsed`` declares. ``ref`` overrides the document's own and
    ``inherited`` gives columns the document leaves out (a workflow takes the ref and
    label of the action that names it); ``document`` is read instead of the file's
    data (a companion, placed in the file it comes from)."""
    data: dict[str, Any] = parsed.data if document is None else document
    own_ref = ref or component_ref(parsed, kind, pack_ref) or pack_ref
    given = inherited or {}
    values = {f.column: _field_value(f, data, own_ref, given) for f in kind.fields}
    links = {link.column: _link_target(link, data, own_ref, pack_ref) for link in kind.links}
    checked = {
        link.column: [qualify(r, pack_ref) for key in link.also_checked for r in data.get(key, [])]
        for link in kind.links
        if link.also_checked
    }
    found = tuple(references(data, kind, links, pack_ref))
    derived = document is not None
    return Component(kind, own_ref, pack_ref, values, links, parsed, checked, found, derived)


def companion_of(component: Component, root: Path) -> Component | None:
    """The component upstream adds beside ``component`` when its kind declares a
    :class:`~loader.kinds.Companion` (a workflow's action), in the pack at ``root``."""
    declared = component.kind.companion
    if declared is None:
        return None
    kind = kind_named(declared.kind)
    values = component.values
    document: dict[str, Any] = {"ref": component.ref}
    document.update((key, values[c]) for key, c in declared.keys if values.get(c) is not None)
    document[declared.path_key] = _named_from(component.source.path, root, kind.folders[0])
    return normalise(component.source, kind, component.pack_ref, component.ref, None, document)


def _named_from(path: PurePath, root: PurePath, folder: str) -> str:
    """``path`` as a file in ``folder`` of the pack names it: relative to the folder
    when inside it, else to the pack root (where a named file is looked for next)."""
    for base in (root / folder, root):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


def _field_value(field: Field, data: dict[str, Any], ref: str, inherited: Mapping[str, Any]) -> Any:
    if field.from_document is not None:
        return field.from_document({k: v for k, v in data.items() if k not in field.leaves_out})
    found = first_value(data, field.sources)
    if found is not None:
        return found[1]
    if field.column in inherited:
        return inherited[field.column]
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
    if kind.has_tasks:
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
    """The actions tasks run: warnings when unresolved, as they may be installed later
    (upstream's install_packs runs one that no pack ships)."""
    from loader.kinds import workflows  # as loader.kinds imports it: for workflows only

    for task in workflows.all_tasks(data):
        action = task.data.get("action")
        if isinstance(action, str) and TEMPLATE not in action:
            ref = qualify(action, pack_ref)
            yield Reference("action", ref, (*task.path, "action"), Severity.WARNING)
