"""Stable diagnostic codes, each with a one-line description.

A code names a kind of problem, never its wording: messages may improve, codes do
not change. ``docs/diagnostic-codes.md`` is generated from :data:`CODES` by
``scripts/gen_diagnostic_codes.py``; a test fails when it is out of date.
"""

from __future__ import annotations

from typing import NamedTuple

from loader.errors import ExitCode


class Code(NamedTuple):
    code: str
    group: str
    summary: str
    exit_code: ExitCode  # of a run that ends with this error


CODES: dict[str, Code] = {}


def _define(code: str, summary: str, exit_code: ExitCode = ExitCode.INVALID) -> str:
    group = code.split(".", 1)[0]
    CODES[code] = Code(code, group, summary, exit_code)
    return code


# Finding packs and files.
PACK_NOT_FOUND = _define("pack.not-found", "A path given to the validator does not exist.")
PACK_NO_MANIFEST = _define("pack.no-manifest", "A pack directory has no pack.yaml.")
PACK_ARCHIVE = _define("pack.archive", "A pack archive cannot be read or is unsafe to extract.")
PACK_DUPLICATE = _define("pack.duplicate", "Two pack directories declare the same pack ref.")
FILE_UNREADABLE = _define(
    "file.unreadable", "A pack file cannot be read, or is not a regular file."
)
FILE_TOO_LARGE = _define("file.too-large", "A YAML file is larger than the size limit.")
FILE_OUTSIDE_PACK = _define(
    "file.outside-pack", "A YAML file is a symbolic link to a place outside the pack."
)
FILE_STRAY_FOLDER = _define(
    "file.stray-folder", "A folder holds YAML files that no component kind reads (warning)."
)

# Reading YAML.
YAML_ENCODING = _define("yaml.encoding", "The file is not valid UTF-8 text.")
YAML_BINARY = _define("yaml.binary", "The file holds binary data (NUL bytes).")
YAML_SYNTAX = _define("yaml.syntax", "The file is not well-formed YAML.")
YAML_TAB = _define("yaml.tab", "A tab character is used for indentation; YAML needs spaces.")
YAML_DUPLICATE_KEY = _define("yaml.duplicate-key", "A mapping has the same key twice.")
YAML_TAG = _define(
    "yaml.tag", "A YAML tag other than the standard JSON-compatible ones (e.g. !!python/object)."
)
YAML_MULTIPLE_DOCUMENTS = _define(
    "yaml.multiple-documents", "The file holds more than one YAML document."
)
YAML_EMPTY = _define("yaml.empty", "The file holds no document.")
YAML_NOT_MAPPING = _define("yaml.not-mapping", "The document is not a mapping of keys to values.")
YAML_TOO_DEEP = _define("yaml.too-deep", "Values are nested deeper than the nesting limit.")
YAML_ALIAS_BUDGET = _define(
    "yaml.alias-budget", "Anchors and aliases expand to more values than the limit allows."
)
YAML_KEY_NOT_STRING = _define("yaml.key-not-string", "A mapping key is not text.")
YAML_BAD_CHARACTER = _define(
    "yaml.bad-character",
    "A text holds a character PostgreSQL cannot store (an escaped NUL).",
)
YAML_NOT_JSON = _define(
    "yaml.not-json",
    "A value has no JSON form (a date, binary data, a set, NaN or infinity).",
)

# The JSON Schema of the file's kind.
SCHEMA_REQUIRED = _define("schema.required", "A required key is missing.")
SCHEMA_UNKNOWN_KEY = _define(
    "schema.unknown-key", "A key the format does not define (a warning in pack.yaml)."
)
SCHEMA_TYPE = _define("schema.type", "A value has the wrong type (text, number, list...).")
SCHEMA_ENUM = _define("schema.enum", "A value is not one of the allowed values.")
SCHEMA_FORMAT = _define(
    "schema.format", "A value does not have the required form (a ref, a version, a path...)."
)
SCHEMA_RANGE = _define("schema.range", "A value is too small, too large, too short or too long.")
SCHEMA_CONFLICT = _define("schema.conflict", "Two keys that exclude each other are both given.")
SCHEMA_INVALID = _define("schema.invalid", "Any other disagreement with the kind's schema.")
SCHEMA_UNAVAILABLE = _define(
    "schema.unavailable",
    "The kind's schema cannot be loaded or names a $ref that is not in the local registry.",
)

# Refs and references between components.
REF_FORMAT = _define("ref.format", "A ref does not have the form the database requires.")
REF_PREFIX = _define("ref.prefix", "A component ref does not start with its own pack's ref.")
REF_NAME_MISMATCH = _define("ref.name-mismatch", "A component's ref and name disagree.")
REF_PACK_MISMATCH = _define(
    "ref.pack-mismatch", "A component's pack_ref names another pack than the one it is in."
)
REF_DUPLICATE = _define("ref.duplicate", "Two components of the same kind have the same ref.")
REF_UNRESOLVED = _define(
    "ref.unresolved", "A reference names a component found neither in the load nor the database."
)
REF_TASK_ACTION = _define(
    "ref.task-action", "A workflow task names an action that cannot be found (warning)."
)
REF_RENAMED = _define(
    "ref.renamed",
    "A runtime ref of an older pack resolved to the runtime's later name (note).",
)
REF_PACKAGED_CORE = _define(
    "ref.packaged-core",
    "References to core components that the given packs leave to core resolved from the "
    "packaged core pack (note).",
)

# Keys of later Attune versions that the schema has no column for.
KEY_NOT_STORED = _define(
    "key.not-stored",
    "A file uses keys, or a kind, that later Attune versions store and this schema has no "
    "place for: accepted, their values are lost (warning).",
)

# Parameter and output schemas, and values checked against them.
PARAMS_SCHEMA = _define(
    "params.schema", "A parameters, output or config schema is not valid JSON Schema."
)
PARAMS_DEFAULT = _define("params.default", "A parameter's default does not match its schema.")
PARAMS_VALUES = _define(
    "params.values",
    "A rule's trigger_params / action_params, or a pack's config, do not match their schema.",
)
SENSOR_EXTRA_TRIGGERS = _define(
    "sensor.extra-triggers",
    "A sensor lists several trigger types; all must exist, only the first is stored (note).",
)

# Files named by components.
PATH_ABSOLUTE = _define("path.absolute", "An entry_point or workflow_file is an absolute path.")
PATH_ESCAPES = _define(
    "path.escapes", "An entry_point or workflow_file leads outside the pack (.., symlink)."
)
PATH_MISSING = _define("path.missing", "An entry_point or workflow_file names no file.")
PATH_NOT_FILE = _define(
    "path.not-file", "An entry_point or workflow_file names a directory or a special file."
)
PATH_BUILT_OUTSIDE = _define(
    "path.built-outside",
    "An entry_point of a native runtime is not in the pack: a binary built outside it (note).",
)

INTERNAL_ERROR = _define(
    "internal.error", "The validator itself failed on a pack: a bug to report, with the pack."
)

# Emitted by the load and plan stages (loader.database.load, loader.database.plan),
# listed here so that every code a report can hold is documented in one place.
REF_VANISHED = _define(
    "ref.vanished", "A referenced row was removed by another load while this one started."
)
CONFLICT_ADHOC = _define(
    "conflict.adhoc",
    "A component's ref is taken by an operator's ad-hoc row.",
    ExitCode.CONFLICT,
)
CONFLICT_UNOWNED = _define(
    "conflict.unowned",
    "A component's ref is taken by a row that belongs to no pack.",
    ExitCode.CONFLICT,
)
CONFLICT_OTHER_PACK = _define(
    "conflict.other-pack",
    "A component's ref is taken by a row of another pack.",
    ExitCode.CONFLICT,
)
CONFLICT_REFERENCED = _define(
    "conflict.referenced",
    "A removal is refused while other rows still reference the component.",
    ExitCode.CONFLICT,
)

# Workflow tasks.
WORKFLOW_UNKNOWN_TASK = _define(
    "workflow.unknown-task", "A workflow task's transition names a task the workflow lacks."
)
WORKFLOW_DUPLICATE_TASK = _define(
    "workflow.duplicate-task", "Two tasks of a workflow (or of a parallel task) share a name."
)
