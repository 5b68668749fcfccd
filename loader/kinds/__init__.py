"""KINDS: one declaration per component kind, read by every stage.

Discovery reads ``folder``; validation reads ``schema``; normalisation reads ``fields``
and ``links``; the plan and the SQL builders read ``table`` and the column lists; the
format reference is generated from the schemas. A new kind is one declaration here,
one schema in ``schemas/`` and its tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from loader.kinds import convert


@dataclass(frozen=True)
class Source:
    """Where a value comes from: a YAML key, optionally converted.

    The first source whose key is present and whose converted value is not None wins,
    which is how alternative spellings (``output_schema`` / ``output``) are accepted.
    """

    key: str
    convert: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Field:
    """A column the loader owns, filled from YAML ``sources`` or a default."""

    column: str
    sources: tuple[Source, ...]
    default: Any = None
    json: bool = False
    label_default: bool = False  # absent -> generated from the component's name
    whole_document: bool = False  # the value is the entire parsed file (a workflow)


@dataclass(frozen=True)
class Link:
    """A reference to another component: an id column and, where the table has one,
    the ``*_ref`` text column that must agree with it."""

    column: str
    target: str
    sources: tuple[Source, ...]
    ref_column: str | None = None
    required: bool = True
    # Keys holding lists of refs that must all resolve, though only the first is stored.
    also_checked: tuple[str, ...] = ()
    # The target shares this component's ref (an action and the workflow it points to).
    same_ref: bool = False

    @property
    def ref_key(self) -> str:
        """The key of the target's ref in rows the loader writes and reads."""
        return self.column + "@ref"


@dataclass(frozen=True)
class Kind:
    name: str
    folder: str | None  # None: not found by folder (pack.yaml, linked workflow files)
    table: str
    schema: str  # file name in schemas/
    fields: tuple[Field, ...]
    links: tuple[Link, ...] = ()
    order: int = 0  # apply order; removal runs in reverse
    has_pack_column: bool = True
    has_adhoc: bool = False
    has_enabled: bool = False
    pack_ref_nullable: bool = True
    unknown_keys_are_errors: bool = True
    ignored_keys: tuple[str, ...] = ()  # documented keys with no column
    label: str = ""  # plural, for reports

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled by name, so a component sent back from a worker process still
        # carries the one declaration (stages compare kinds with ``is``).
        return (kind_named, (self.name,))

    @property
    def json_columns(self) -> frozenset[str]:
        return frozenset(f.column for f in self.fields if f.json)

    @property
    def data_columns(self) -> tuple[str, ...]:
        """Columns compared and written, besides ref, pack and pack_ref."""
        cols = [f.column for f in self.fields]
        for link in self.links:
            cols.append(link.column)
            if link.ref_column:
                cols.append(link.ref_column)
        return tuple(cols)


def _s(*keys: str, convert: Callable[[Any], Any] | None = None) -> tuple[Source, ...]:
    return tuple(Source(k, convert) for k in keys)


_PARAMS = Field("param_schema", _s("parameters", convert=convert.normalise_parameters), json=True)
_LABEL = Field("label", _s("label"), label_default=True)


PACK = Kind(
    name="pack",
    folder=None,
    table="pack",
    schema="pack.schema.json",
    order=0,
    has_pack_column=False,
    unknown_keys_are_errors=False,
    ignored_keys=("author", "email", "enabled", "testing", "name", "website"),
    label="packs",
    fields=(
        Field("label", _s("label", "name")),
        Field("description", _s("description")),
        Field("version", _s("version")),
        Field("conf_schema", _s("conf_schema", "config_schema"), default={}, json=True),
        Field("config", _s("config"), default={}, json=True),
        Field("meta", _s("meta", "metadata"), default={}, json=True),
        Field("tags", _s("tags", "keywords"), default=[]),
        Field("runtime_deps", _s("runtime_deps", "dependencies"), default=[]),
        Field("is_standard", _s("system", "is_standard"), default=False),
        Field("installers", _s("installers"), default=[], json=True),
    ),
)

RUNTIME = Kind(
    name="runtime",
    folder="runtimes",
    table="runtime",
    schema="runtime.schema.json",
    order=1,
    ignored_keys=("pack_ref",),
    label="runtimes",
    fields=(
        Field("name", _s("name")),
        Field("description", _s("description")),
        Field("distributions", _s("distributions"), json=True),
        Field("installation", _s("installation"), json=True),
        Field("installers", _s("installers"), default=[], json=True),
    ),
)

TRIGGER = Kind(
    name="trigger",
    folder="triggers",
    table="trigger",
    schema="trigger.schema.json",
    order=2,
    has_adhoc=True,
    has_enabled=True,
    ignored_keys=("name", "type", "tags", "examples"),
    label="triggers",
    fields=(
        _LABEL,
        Field("description", _s("description")),
        Field("enabled", _s("enabled"), default=True),
        _PARAMS,
        Field("out_schema", _s("output_schema", "output"), json=True),
    ),
)

WORKFLOW = Kind(
    name="workflow",
    folder=None,  # reached through an action's workflow_file
    table="workflow_definition",
    schema="workflow.schema.json",
    order=3,
    has_enabled=True,
    pack_ref_nullable=False,
    ignored_keys=("name", "input", "vars", "tasks", "output"),
    label="workflows",
    fields=(
        _LABEL,
        Field("description", _s("description")),
        Field("version", _s("version"), default="1.0.0"),
        _PARAMS,
        Field("out_schema", _s("output_schema"), json=True),
        Field("tags", _s("tags"), default=[]),
        Field("enabled", _s("enabled"), default=True),
        Field("definition", (), json=True, whole_document=True),
    ),
)

ACTION = Kind(
    name="action",
    folder="actions",
    table="action",
    schema="action.schema.json",
    order=4,
    has_adhoc=True,
    pack_ref_nullable=False,
    ignored_keys=("name", "enabled", "tags"),
    label="actions",
    fields=(
        _LABEL,
        Field("description", _s("description"), default=""),
        Field("entrypoint", _s("entry_point", "workflow_file")),
        _PARAMS,
        Field("out_schema", _s("output_schema", "output"), json=True),
        Field("is_workflow", _s("workflow_file", convert=bool), default=False),
    ),
    links=(
        Link(
            "runtime",
            "runtime",
            (*_s("runtime"), *_s("runner_type", convert=convert.runtime_ref_of)),
            required=False,
        ),
        Link("workflow_def", "workflow", _s("workflow_file"), required=False, same_ref=True),
    ),
)

SENSOR = Kind(
    name="sensor",
    folder="sensors",
    table="sensor",
    schema="sensor.schema.json",
    order=5,
    has_adhoc=True,
    has_enabled=True,
    ignored_keys=("name", "poll_interval", "tags", "meta", "examples"),
    label="sensors",
    fields=(
        _LABEL,
        Field("description", _s("description"), default=""),
        Field("enabled", _s("enabled"), default=True),
        Field("entrypoint", _s("entry_point")),
        _PARAMS,
        Field("config", _s("config"), default={}, json=True),
    ),
    links=(
        Link(
            "runtime",
            "runtime",
            (*_s("runtime"), *_s("runner_type", convert=convert.runtime_ref_of)),
            ref_column="runtime_ref",
        ),
        Link(
            "trigger",
            "trigger",
            (*_s("trigger_types", convert=convert.first_ref), *_s("trigger_type")),
            ref_column="trigger_ref",
            also_checked=("trigger_types",),
        ),
    ),
)

RULE = Kind(
    name="rule",
    folder="rules",
    table="rule",
    schema="rule.schema.json",
    order=6,
    has_adhoc=True,
    has_enabled=True,
    pack_ref_nullable=False,
    ignored_keys=("name", "tags"),
    label="rules",
    fields=(
        _LABEL,
        Field("description", _s("description"), default=""),
        Field("enabled", _s("enabled"), default=True),
        Field("conditions", _s("conditions"), default=[], json=True),
        Field(
            "trigger_params",
            (*_s("trigger_params"), *_s("trigger", convert=convert.params_of_target)),
            default={},
            json=True,
        ),
        Field(
            "action_params",
            (*_s("action_params"), *_s("action", convert=convert.params_of_target)),
            default={},
            json=True,
        ),
    ),
    links=(
        Link(
            "trigger",
            "trigger",
            _s("trigger", convert=convert.ref_of_target),
            ref_column="trigger_ref",
        ),
        Link(
            "action", "action", _s("action", convert=convert.ref_of_target), ref_column="action_ref"
        ),
    ),
)

PERMISSION_SET = Kind(
    name="permission_set",
    folder="permission_sets",
    table="permission_set",
    schema="permission_set.schema.json",
    order=7,
    ignored_keys=("name",),
    label="permission sets",
    fields=(
        Field("label", _s("label")),
        Field("description", _s("description")),
        Field("grants", _s("grants"), default=[], json=True),
    ),
)

KINDS: tuple[Kind, ...] = (PACK, RUNTIME, TRIGGER, WORKFLOW, ACTION, SENSOR, RULE, PERMISSION_SET)
KINDS_BY_NAME: Mapping[str, Kind] = {k.name: k for k in KINDS}
FOLDER_KINDS: tuple[Kind, ...] = tuple(k for k in KINDS if k.folder)


def kind_named(name: str) -> Kind:
    return KINDS_BY_NAME[name]
