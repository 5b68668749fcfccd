"""Identity: refs against the database's rules and the pack, names and pack_refs
agreeing with them, the pack's version, and duplicate refs across the load."""

from __future__ import annotations

import re
from collections.abc import Sequence

from loader.kinds import RefForm
from loader.packs.model import Component, Pack
from loader.packs.semantics.located import at, data_of, name_is_short_name, ref_path
from loader.report import codes
from loader.report.diagnostics import Diagnostic

# The database's CHECKs on refs. Pack refs: pack_ref_format; trigger, action, sensor, rule
# and permission set refs: *_ref_format and *_ref_lowercase; runtime and workflow refs
# have no CHECK, and keep the three-part form of core.sensor.builtin.
# Matched in full (fullmatch: no trailing newline slips through), and no white space
# or control character in a ref: two refs must never display the same.
PACK_REF = re.compile(r"[a-z][a-z0-9_-]+")
ONE_DOT_REF = re.compile(r"[^.\s\x00-\x1f]+\.[^.\s\x00-\x1f]+")
DOTTED_REF = re.compile(r"[^.\s\x00-\x1f]+(\.[^.\s\x00-\x1f]+)+")
SEMVER = re.compile(
    r"[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)
MAX_REF_LENGTH = 255  # workflow_definition.ref is VARCHAR(255)


def identity_problems(component: Component, pack: Pack) -> list[Diagnostic]:
    """The ref against the database's rules and the pack; ``name`` and ``pack_ref``
    agreeing with it; the pack version."""
    if component.kind.ref_form is RefForm.PACK:
        return _pack_identity(component)
    ref, kind, where = component.ref, component.kind, ref_path(component)
    found = []
    dotted_ref = kind.ref_form is RefForm.DOTTED
    rule = DOTTED_REF if dotted_ref else ONE_DOT_REF
    form = "<pack>.<name>" + (" (more dots allowed)" if dotted_ref else "")
    if ref != ref.lower() or not rule.fullmatch(ref) or len(ref) > MAX_REF_LENGTH:
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
    data = data_of(component)
    name = data.get("name")
    short_name = isinstance(name, str) and name_is_short_name(kind)
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
    if not PACK_REF.fullmatch(ref):
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
    if isinstance(version, str) and not SEMVER.fullmatch(version):
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
        where = seen.source.position(ref_path(seen), False) or (1, 1)
        is_pack = component.kind.ref_form is RefForm.PACK
        code = codes.PACK_DUPLICATE if is_pack else codes.REF_DUPLICATE
        found.append(
            at(
                component,
                ref_path(component),
                False,
                code,
                f"{component.kind.name} '{component.ref}' is also declared in "
                f"{seen.source.display}:{where[0]}:{where[1]}",
                "refs are unique; rename or remove one of them",
            )
        )
    return found
