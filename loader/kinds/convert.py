"""Small pure functions that turn one YAML field into its column value.

The kind declarations in :mod:`loader.kinds` name these; they never touch a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# runner_type spellings of the real files -> the core runtime that runs them.
RUNNER_TYPE_RUNTIMES: Mapping[str, str] = {
    "shell": "core.shell",
    "bash": "core.shell",
    "sh": "core.shell",
    "python": "core.python",
    "python3": "core.python",
    "nodejs": "core.nodejs",
    "node": "core.nodejs",
    "javascript": "core.nodejs",
    "native": "core.native",
    "standalone": "core.sensor.builtin",
    "builtin": "core.sensor.builtin",
}

NATIVE_RUNTIME = "core.native"  # a sensor's runtime when it names none

# The builtin sensor runtime's refs across upstream's eras: each name is tried, when the
# one before it is not found, in the order they replaced each other.
RUNTIME_RENAMES: Mapping[str, tuple[str, ...]] = {
    "core.sensor.builtin": ("core.builtin", NATIVE_RUNTIME),
    "core.builtin": (NATIVE_RUNTIME,),
}

# Runtimes that run binaries built with the service, not files shipped in the pack.
BUILT_OUTSIDE_RUNTIMES = frozenset(("core.native", "core.builtin", "core.sensor.builtin"))

# An action that names no runner: its entry point's extension picks the runtime
# (upstream's Python loader); anything else runs in the shell.
_EXTENSION_RUNTIMES: Mapping[str, str] = {".py": "core.python", ".js": "core.nodejs"}


def label_from_name(name: str) -> str:
    """``interval_timer_sensor`` -> ``Interval Timer Sensor`` (the old loader's rule)."""
    return " ".join(word.capitalize() for word in name.replace("-", "_").split("_") if word)


def is_json_schema_form(value: Mapping[str, Any]) -> bool:
    """True for a schema in JSON Schema form, as the schemas' ``json_schema_form`` says.

    A JSON Schema's ``type`` is a string or a list of strings; a mapping under ``type``
    is a flat property named ``type`` (the timer triggers' outputs have one). Without
    ``type``, ``properties`` marks JSON Schema form.
    """
    kind = value.get("type")
    if kind is not None:
        return isinstance(kind, str | list)
    return "properties" in value


def is_flat_schema(value: Mapping[str, Any]) -> bool:
    """True for the flat dialect: a map from name straight to its property schema."""
    return not is_json_schema_form(value) and all(
        isinstance(spec, Mapping) for spec in value.values()
    )


def normalise_schema(value: Mapping[str, Any]) -> dict[str, Any]:
    """Return a JSON Schema object whatever dialect ``value`` is written in.

    The flat dialect (``name: {type, required: true, secret: true}``) becomes
    ``{type: object, properties, required: [...]}``; ``secret`` stays on the property,
    where the standard dialect keeps it too. Parameters, outputs and configuration
    schemas are all stored in this one form.
    """
    if not is_flat_schema(value):
        return dict(value)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, spec in value.items():
        prop = {k: v for k, v in spec.items() if k != "required"}
        if spec.get("required") is True:
            required.append(name)
        properties[name] = prop
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def output_schema_of(value: Mapping[str, Any]) -> dict[str, Any] | None:
    """A workflow's ``output`` as an output schema (either dialect), or None when it is
    a map of result templates, which has no schema keywords and no property schemas."""
    standard = value.get("type") == "object" or "properties" in value
    return normalise_schema(value) if standard or is_flat_schema(value) else None


def runtime_ref_of(runner_type: str) -> str:
    """The runtime ref a ``runner_type`` stands for; a full ref passes through."""
    return RUNNER_TYPE_RUNTIMES.get(runner_type.lower(), runner_type)


def runtime_of_entry_point(entry_point: str) -> str:
    """The runtime of an action that names none, from its entry point's extension."""
    for extension, runtime in _EXTENSION_RUNTIMES.items():
        if entry_point.lower().endswith(extension):
            return runtime
    return "core.shell"


def first_ref(value: Any) -> Any:
    """The first of a list of refs (``trigger_types``), or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def ref_of_target(value: Any) -> Any:
    """A rule's ``trigger``/``action``: a ref, or ``{ref|type: ..., parameters: ...}``."""
    if isinstance(value, Mapping):
        return value.get("ref", value.get("type"))
    return value


def params_of_target(value: Any) -> Any:
    """The ``parameters`` inside a rule's object-form ``trigger``/``action``."""
    if isinstance(value, Mapping):
        return value.get("parameters")
    return None
