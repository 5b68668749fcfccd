"""KINDS: one declaration per component kind, read by every stage.

Discovery reads ``folders``; validation reads ``schema``; normalisation reads ``fields``
and ``links``; the semantic checks read ``ref_form`` and the rules on links; the plan
and the SQL builders read ``table`` and the column lists; the format reference is
generated from the schemas. The order of :data:`KINDS` is the load order: the plan and
the writes go through it, and removals go through it backwards. A new kind is one
declaration here, one schema in ``schemas/`` and its tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any, NamedTuple

from loader.kinds import convert

MANIFEST = "pack.yaml"  # the file that declares a pack
YAML_SUFFIXES = (".yaml", ".yml")  # the component files of a kind's folders


class Source(NamedTuple):
    """Where a value comes from: a YAML key, optionally converted.

    The first source whose key is present and whose converted value is not None wins,
    which is how alternative spellings (``output_schema`` / ``output``) are accepted.
    """

    key: str
    convert: Callable[[Any], Any] | None = None


class Field(NamedTuple):
    """A column the loader owns, filled from YAML ``sources`` or a default."""

    column: str
    sources: tuple[Source, ...]
    default: Any = None
    json: bool = False
    label_default: bool = False  # absent -> generated from the component's name
    # The value is made from the whole document (a workflow's definition), without the
    # keys of ``leaves_out``: accepted, but stored nowhere.
    from_document: Callable[[Mapping[str, Any]], Any] | None = None
    leaves_out: tuple[str, ...] = ()


class Link(NamedTuple):
    """A reference to another component: an id column and, where the table has one,
    the ``*_ref`` text column that must agree with it."""

    column: str
    target: str
    sources: tuple[Source, ...]
    ref_column: str | None = None
    required: bool = True
    # Keys holding lists of refs that must all resolve, though only the first is stored.
    also_checked: tuple[str, ...] = ()
    # The key naming a file of the pack that holds the target, read with this component
    # and stored under its ref (an action's workflow_file): that file is not a component
    # of its folder's kind.
    file_key: str | None = None
    # The column of values that must fit the target's param_schema (a rule's
    # trigger_params for its trigger).
    params_column: str | None = None
    # Columns the linked file's component takes from this one when the file leaves
    # them out (a workflow's label from its action's).
    inherits: tuple[str, ...] = ()
    # The target when no source gives one (a sensor without runner_type runs natively,
    # as upstream's loaders decided).
    default: str | None = None
    # Target ref -> the refs tried after it, in order, when it is not found: the later
    # names of a renamed target (core.sensor.builtin became core.builtin, then
    # core.native), so each era's files resolve as that era's loader resolved them.
    fallbacks: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    # Targets whose components' entry points are binaries built outside the pack (the
    # native runtime): a missing entry point file is then a note, not an error.
    built_outside: frozenset[str] = frozenset()

    @property
    def ref_key(self) -> str:
        """The key of the target's ref in rows the loader writes and reads."""
        return self.column + "@ref"


class Companion(NamedTuple):
    """A component the loader adds beside each component of a kind that is found in
    its folders rather than through a link, as upstream registers an action for every
    workflow so that it can be run. It is the document ``keys`` builds from the
    component's column values, normalised as a component of ``kind``: a written one
    would be the same. ``path_key`` gets the file's path as a component in the first
    folder of ``kind`` would name it."""

    kind: str
    keys: tuple[tuple[str, str], ...]  # (key of the companion's document, column)
    path_key: str


class RefForm(Enum):
    """The form the database's CHECKs give a kind's refs."""

    PACK = "pack"  # a pack's own ref: no dot; components are named after it
    ONE_DOT = "one dot"  # <pack>.<name>
    DOTTED = "dotted"  # <pack>.<name>, more dots allowed (core.sensor.builtin)


class Kind(NamedTuple):
    name: str
    folders: tuple[str, ...]  # where its files are, from the pack root; () for pack.yaml
    table: str | None  # None: validated only, nothing is stored (queues)
    schema: str  # file name in schemas/
    fields: tuple[Field, ...]
    links: tuple[Link, ...] = ()
    ref_form: RefForm = RefForm.ONE_DOT
    file: str | None = None  # the one file of this kind in a pack (pack.yaml)
    has_pack_column: bool = True
    has_adhoc: bool = False
    has_enabled: bool = False
    unknown_keys_are_errors: bool = True
    # ``config`` must fit ``conf_schema`` (a pack's configuration).
    config_checked: bool = False
    # Workflow tasks (loader.kinds.workflows): their actions are references (warnings
    # when unresolved), and their transitions must name tasks of the workflow.
    has_tasks: bool = False
    # Named by its file: without ``ref``, ``<pack>.<file name>`` without the YAML
    # suffix and then this one (upstream names workflows after their files).
    stem_suffix: str | None = None
    companion: Companion | None = None
    ignored_keys: tuple[str, ...] = ()  # documented keys with no column, silently dropped
    # Keys later Attune versions store but this schema has no column for, with what is
    # lost: accepted, and named in one key.not-stored warning per file.
    unstored_keys: Mapping[str, str] = MappingProxyType({})
    # A ref without a dot is qualified with the pack's ref (upstream did so for rules).
    short_ref_qualified: bool = False
    # The folders whose presence makes a pack manage this kind's rows, when they are not
    # just ``folders``: a pack without any of them keeps its rows of the kind.
    owner_folders: tuple[str, ...] = ()
    label: str = ""  # plural, for reports

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled by name, so a component sent back from a worker process still
        # carries the one declaration (stages compare kinds with ``is``).
        return (kind_named, (self.name,))

    @property
    def sql_table(self) -> str:
        """The table of a stored kind (every kind of :data:`KINDS`)."""
        if self.table is None:
            raise ValueError(f"{self.name} components are not stored")
        return self.table

    @property
    def managing_folders(self) -> tuple[str, ...]:
        """The folders whose presence makes a pack manage this kind's rows."""
        return self.owner_folders or self.folders

    @property
    def json_columns(self) -> frozenset[str]:
        return frozenset(f.column for f in self.fields if f.json)

    @property
    def file_links(self) -> tuple[Link, ...]:
        """Links whose target is a file this component names (:attr:`Link.file_key`)."""
        return tuple(link for link in self.links if link.file_key)

    @property
    def param_links(self) -> tuple[Link, ...]:
        """Links whose target's parameters this component's values must fit."""
        return tuple(link for link in self.links if link.params_column)


def _workflow_definition(document: Mapping[str, Any]) -> Any:
    # Imported on first use: a load that checks no file (a remembered no-op) needs
    # none of the workflow module's classes and patterns.
    from loader.kinds import workflows

    return workflows.definition(document)


def _s(*keys: str, convert: Callable[[Any], Any] | None = None) -> tuple[Source, ...]:
    return tuple(Source(k, convert) for k in keys)


_PARAMS = Field("param_schema", _s("parameters", convert=convert.normalise_schema), json=True)
_LABEL = Field("label", _s("label"), label_default=True)


def _outputs(*keys: str) -> Field:
    """``out_schema`` from the first of ``keys`` given, in JSON Schema form."""
    return Field("out_schema", _s(*keys, convert=convert.normalise_schema), json=True)


def _runtime(
    *later: Source, required: bool, default: str | None = None, ref_column: str | None = None
) -> Link:
    """The runtime an action or sensor runs on: ``runtime``, else ``runner_type``, else
    the ``later`` sources."""
    return Link(
        "runtime",
        "runtime",
        (*_s("runtime"), *_s("runner_type", convert=convert.runtime_ref_of), *later),
        ref_column=ref_column,
        required=required,
        default=default,
        fallbacks=convert.RUNTIME_RENAMES,
        built_outside=convert.BUILT_OUTSIDE_RUNTIMES,
    )


# What later Attune versions store about where and how long an execution runs; none of
# it has a column here.
_EXECUTION_UNSTORED: Mapping[str, str] = {
    "runtime_version": "the runtime version constraint",
    "worker_selector": "the worker labels an execution must run on",
    "worker_tolerations": "the worker taints an execution tolerates",
    "worker_affinity": "the worker affinity rules",
    "log_retention_policy": "how long execution logs are kept",
    "log_retention_limit": "how long execution logs are kept",
    "artifact_retention_policy": "how long execution artifacts are kept",
    "artifact_retention_limit": "how long execution artifacts are kept",
}


PACK = Kind(
    name="pack",
    folders=(),
    table="pack",
    schema="pack.schema.json",
    ref_form=RefForm.PACK,
    file=MANIFEST,
    has_pack_column=False,
    config_checked=True,
    unknown_keys_are_errors=False,
    ignored_keys=("author", "email", "enabled", "testing", "name", "website"),
    unstored_keys={
        "python": "the Python version the pack needs",
        "nodejs": "the Node.js version the pack needs",
    },
    label="packs",
    fields=(
        Field("label", _s("label", "name")),
        Field("description", _s("description")),
        Field("version", _s("version")),
        Field(
            "conf_schema",
            _s("conf_schema", "config_schema", convert=convert.normalise_schema),
            default={},
            json=True,
        ),
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
    folders=("runtimes",),
    table="runtime",
    schema="runtime.schema.json",
    ref_form=RefForm.DOTTED,
    ignored_keys=("pack_ref",),
    unstored_keys={
        "execution_config": "how a worker runs the runtime's files",
        "aliases": "the other runner names of the runtime",
        "versions": "the versions a worker may provide",
    },
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
    folders=("triggers",),
    table="trigger",
    schema="trigger.schema.json",
    has_adhoc=True,
    has_enabled=True,
    ignored_keys=("name", "type", "tags", "examples"),
    label="triggers",
    fields=(
        _LABEL,
        Field("description", _s("description")),
        Field("enabled", _s("enabled"), default=True),
        _PARAMS,
        _outputs("output_schema", "output"),
    ),
)

WORKFLOW = Kind(
    name="workflow",
    # Also reached through an action's workflow_file (then it takes the action's ref).
    folders=("workflows", "actions/workflows"),
    table="workflow_definition",
    schema="workflow.schema.json",
    # The database allows more dots, but every workflow's ref is an action's too (its
    # own action's, or its companion's), and action refs have exactly one.
    ref_form=RefForm.ONE_DOT,
    has_enabled=True,
    has_tasks=True,
    stem_suffix=".workflow",
    companion=Companion(
        "action",
        (
            ("label", "label"),
            ("description", "description"),
            ("parameters", "param_schema"),
            ("output_schema", "out_schema"),
        ),
        path_key="workflow_file",
    ),
    owner_folders=("actions", "workflows"),
    ignored_keys=(
        "name",
        "input",
        "vars",
        "tasks",
        "output",
        "output_map",
        "cancellation_policy",
        "metadata",
    ),
    label="workflows",
    fields=(
        _LABEL,
        Field("description", _s("description")),
        Field("version", _s("version"), default="1.0.0"),
        _PARAMS,
        # Upstream's `output` is the output schema; written as result templates (the
        # older meaning) it is no schema and stays in the definition only.
        Field(
            "out_schema",
            (
                *_s("output_schema", convert=convert.normalise_schema),
                *_s("output", convert=convert.output_schema_of),
            ),
            json=True,
        ),
        Field("tags", _s("tags"), default=[]),
        Field("enabled", _s("enabled"), default=True),
        Field(
            "definition",
            (),
            json=True,
            from_document=_workflow_definition,
            leaves_out=("metadata",),  # as upstream, which ignores it
        ),
    ),
)

ACTION = Kind(
    name="action",
    folders=("actions",),
    table="action",
    schema="action.schema.json",
    has_adhoc=True,
    owner_folders=("actions", "workflows"),  # workflows/ brings companion actions
    ignored_keys=("name", "enabled", "tags"),
    unstored_keys={
        "parameter_delivery": "how the parameters reach the action",
        "parameter_format": "the format the parameters are written in",
        "output_format": "how the action's output is parsed",
        "required_worker_runtimes": "the runtimes a worker must offer",
        "accesses_mcp": "whether the action uses MCP servers",
        "default_execution_permission_set_refs": "the permission sets of its executions",
        **_EXECUTION_UNSTORED,
    },
    label="actions",
    fields=(
        _LABEL,
        Field("description", _s("description"), default=""),
        Field("entrypoint", _s("entry_point", "workflow_file")),
        _PARAMS,
        _outputs("output_schema", "output", "out_schema"),
        Field("is_workflow", _s("workflow_file", convert=bool), default=False),
    ),
    links=(
        # Without runner_type, the entry point's extension says (upstream's loader).
        _runtime(*_s("entry_point", convert=convert.runtime_of_entry_point), required=False),
        Link(
            "workflow_def",
            "workflow",
            _s("workflow_file"),
            required=False,
            file_key="workflow_file",
            inherits=("label",),
        ),
    ),
)

SENSOR = Kind(
    name="sensor",
    folders=("sensors",),
    table="sensor",
    schema="sensor.schema.json",
    has_adhoc=True,
    has_enabled=True,
    ignored_keys=("name", "poll_interval", "tags", "meta", "examples"),
    unstored_keys=_EXECUTION_UNSTORED,
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
        _runtime(required=True, default=convert.NATIVE_RUNTIME, ref_column="runtime_ref"),
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
    folders=("rules",),
    table="rule",
    schema="rule.schema.json",
    has_adhoc=True,
    has_enabled=True,
    ignored_keys=("name", "tags"),
    unstored_keys={
        "permission_set_refs": "the permission sets the rule's executions run with",
        "permission_set_ref": "the permission set the rule's executions run with",
    },
    short_ref_qualified=True,
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
            (*_s("trigger", convert=convert.ref_of_target), *_s("trigger_ref")),
            ref_column="trigger_ref",
            params_column="trigger_params",
        ),
        Link(
            "action",
            "action",
            (*_s("action", convert=convert.ref_of_target), *_s("action_ref")),
            ref_column="action_ref",
            params_column="action_params",
        ),
    ),
)

PERMISSION_SET = Kind(
    name="permission_set",
    folders=("permission_sets",),
    table="permission_set",
    schema="permission_set.schema.json",
    ignored_keys=("name",),
    label="permission sets",
    fields=(
        Field("label", _s("label")),
        Field("description", _s("description")),
        Field("grants", _s("grants"), default=[], json=True),
    ),
)

QUEUE = Kind(
    name="queue",
    folders=("queues",),
    table=None,  # later Attune versions have a queue table; this schema has none
    schema="queue.schema.json",
    label="queues",
    fields=(),
)

# The stored kinds, in load order.
KINDS: tuple[Kind, ...] = (PACK, RUNTIME, TRIGGER, WORKFLOW, ACTION, SENSOR, RULE, PERMISSION_SET)
# Every kind of the format: the stored ones, then those only validated.
ALL_KINDS: tuple[Kind, ...] = (*KINDS, QUEUE)
KINDS_BY_NAME: Mapping[str, Kind] = {k.name: k for k in ALL_KINDS}
FOLDER_KINDS: tuple[Kind, ...] = tuple(k for k in ALL_KINDS if k.folders)


def kind_named(name: str) -> Kind:
    return KINDS_BY_NAME[name]
