"""ParsedFile + Kind -> Component: column values and references, as KINDS declares them.

Runs only on files that passed their schema, so every value has the shape the
converters expect. Nothing here reads the disk or a database.
"""

from __future__ import annotations

import copy
from typing import Any

from loader import convert
from loader.kinds import PACK, Field, Kind, Link, Source
from loader.model import Component, ParsedFile


def qualify(ref: str, pack_ref: str) -> str:
    """A bare name gets the pack's prefix, as the old loader did for trigger types."""
    return ref if "." in ref else f"{pack_ref}.{ref}"


def component_ref(data: dict[str, Any], kind: Kind, pack_ref: str) -> str | None:
    """The ref a document declares: its ``ref``, else ``<pack>.<name>``."""
    ref = data.get("ref")
    if isinstance(ref, str):
        return ref
    name = data.get("name")
    if kind is not PACK and isinstance(name, str):
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
    return Component(kind, own_ref, pack_ref, values, links, parsed, checked)


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
        return None
    if link.same_ref:
        return own_ref
    return qualify(str(found[1]), pack_ref)
