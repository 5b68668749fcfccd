"""The JSON Schema stage: local registry, compiled validators, messages, author schemas."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from loader import CORE_PACK_DIR
from loader.kinds import KINDS_BY_NAME, PACK, Kind
from loader.packs.discover import discover_pack
from loader.packs.model import ParsedFile
from loader.packs.read import parse_file, parse_text
from loader.packs.schema.authority import (
    FORMAT_CHECKER,
    instance_validator,
    metaschema_errors,
    unresolvable_refs,
)
from loader.packs.schema.registry import (
    ACCELERATOR,
    certainly_fits,
    certainly_valid,
    load_schemas,
)
from loader.packs.schema.validate import validate_file
from loader.report import codes
from loader.report.diagnostics import Diagnostic

CASES = Path(__file__).parent / "cases"


def _corpus() -> list[tuple[Kind, ParsedFile]]:
    """Every parseable file of the corpus and of packs/core, with its kind."""
    found = []
    for root in [CORE_PACK_DIR, *sorted(p for p in CASES.glob("*/*") if p.is_dir())]:
        files = discover_pack(root)
        if isinstance(files, Diagnostic):
            continue
        for kind, path in [(PACK, files.manifest), *files.files]:
            parsed = parse_file(path, str(path))
            if isinstance(parsed, ParsedFile):
                found.append((kind, parsed))
    return found


def _parsed(text: str) -> ParsedFile:
    parsed = parse_text(text, "f.yaml")
    assert isinstance(parsed, ParsedFile)
    return parsed


def test_inlined_validators_agree_with_the_registry() -> None:
    """Inlining every $ref changes no verdict: each corpus file is valid under the
    compiled validator exactly when it is valid under the plain schema and registry."""
    schemas = load_schemas(fast=False)
    corpus = _corpus()
    assert len(corpus) > 60
    for kind, parsed in corpus:
        plain = Draft202012Validator(
            schemas.schemas[kind.schema], registry=schemas.registry, format_checker=FORMAT_CHECKER
        )
        compiled = schemas.validator(kind)
        assert not isinstance(compiled, str)
        assert compiled.is_valid(parsed.data) == plain.is_valid(parsed.data), parsed.display


@pytest.mark.skipif(ACCELERATOR is None, reason="jsonschema-rs is not installed")
def test_accelerator_gives_the_same_diagnostics() -> None:
    """With jsonschema-rs the diagnostics of every corpus file are the same as without."""
    fast, slow = load_schemas(fast=True), load_schemas(fast=False)
    for kind, parsed in _corpus():
        assert validate_file(parsed, kind, fast) == validate_file(parsed, kind, slow)


def test_unknown_ref_is_an_error_not_a_fetch(tmp_path: Path) -> None:
    """A schema naming a $ref outside the local registry fails fast, never fetching it."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://schemas.attune.dev/pack/v1/trigger.schema.json",
        "properties": {"ref": {"$ref": "https://example.invalid/remote.json"}},
    }
    (tmp_path / "trigger.schema.json").write_text(json.dumps(schema))
    started = time.perf_counter()
    found = validate_file(
        _parsed("ref: demo.ping\n"), KINDS_BY_NAME["trigger"], load_schemas(tmp_path, fast=False)
    )
    assert time.perf_counter() - started < 1.0
    assert [d.code for d in found] == [codes.SCHEMA_UNAVAILABLE]
    assert "example.invalid" in found[0].message


def test_missing_schema_file_is_reported(tmp_path: Path) -> None:
    """A kind whose schema file is absent gets one clear diagnostic per file."""
    found = validate_file(
        _parsed("ref: demo.ping\n"), KINDS_BY_NAME["trigger"], load_schemas(tmp_path, fast=False)
    )
    assert [d.code for d in found] == [codes.SCHEMA_UNAVAILABLE]


@pytest.mark.parametrize(
    ("kind", "text", "message", "hint"),
    [
        (
            "runtime",
            "ref: demo.x\nname: X\ndistributions:\n  verification: {}\n  min_version: 3.10\n",
            "'distributions.min_version' must be a string, not a number",
            'quote it: min_version: "3.10"',
        ),
        (
            "action",
            "ref: demo.x\nentry_pont: x.sh\n",
            "unknown key 'entry_pont' - did you mean 'entry_point'?",
            "rename it to 'entry_point'",
        ),
        (
            "action",
            "ref: demo.x\nentry_point: x.sh\nrunner_type: pyton\n",
            "'pyton' is not a valid runner type - did you mean 'python'?",
            None,
        ),
        (
            "rule",
            "ref: demo.r\ntrigger: core.t\naction: 5\n",
            "'action' must be a string or a mapping, not a whole number",
            None,
        ),
        (
            "rule",
            "ref: demo.r\ntrigger: {ref: core.t, type: core.u}\naction: core.a\n",
            "'trigger' gives both 'ref' and 'type'",
            "keep only one of them",
        ),
        (
            "trigger",
            "ref: demo.t\nparameters: {type: object, properties: {x: {type: strin}}}\n",
            "'strin' is not allowed for 'parameters.properties.x.type' - did you mean 'string'?",
            None,
        ),
    ],
    ids=[
        "quote-number",
        "did-you-mean-key",
        "any-of-branch",
        "wrong-type-any-of",
        "one-of",
        "enum",
    ],
)
def test_messages(kind: str, text: str, message: str, hint: str | None) -> None:
    """Schema errors are rewritten into words a pack author understands."""
    found = validate_file(_parsed(text), KINDS_BY_NAME[kind], load_schemas())
    assert message in [d.message for d in found]
    if hint is not None:
        assert hint in [d.hint for d in found]


def test_unknown_keys_in_pack_yaml_are_warnings() -> None:
    """pack.yaml may carry keys of newer formats: unknown ones are warnings."""
    found = validate_file(
        _parsed("ref: demo\nlabel: D\nversion: 1.0.0\nhompage: x\n"), PACK, load_schemas()
    )
    assert [(d.code, d.is_error) for d in found] == [(codes.SCHEMA_UNKNOWN_KEY, False)]


# -- Schemas written by pack authors --------------------------------------------------

_VALUES: Any = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-2, 2, allow_nan=False),
    st.sampled_from(
        ["string", "integer", "object", "nope", "(", "a+", "[a-z]", "date", "uuid", "date-time"]
    ),
    st.lists(st.sampled_from(["a", "b", "string", 1]), max_size=3),
)
_KEYWORDS = st.sampled_from(
    [
        "type",
        "title",
        "description",
        "default",
        "enum",
        "const",
        "format",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "multipleOf",
        "minLength",
        "maxItems",
        "uniqueItems",
        "required",
        "secret",
        "dependentRequired",
        "readOnly",
        "examples",
        "$ref",
        "$id",
        "contentMediaType",
        "x-custom",
    ]
)
_SUBSCHEMA_KEYWORDS = st.sampled_from(
    ["items", "not", "if", "then", "additionalProperties", "propertyNames", "contains"]
)


def _schemas() -> Any:
    leaf = st.dictionaries(_KEYWORDS, _VALUES, max_size=4) | st.booleans()
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.dictionaries(_SUBSCHEMA_KEYWORDS, inner, max_size=2),
            st.builds(lambda p: {"properties": p}, st.dictionaries(st.sampled_from("abc"), inner)),
            st.builds(lambda a: {"anyOf": a}, st.lists(inner, max_size=2)),
            st.builds(
                lambda d: {"patternProperties": d},
                st.dictionaries(st.sampled_from(["^a", "(", "x*"]), inner, max_size=2),
            ),
        ),
        max_leaves=8,
    )


@settings(max_examples=600, deadline=None)
@given(_schemas())
def test_certainly_valid_is_sound(schema: Any) -> None:
    """The fast walk never accepts a schema the Draft 2020-12 metaschema rejects."""
    if certainly_valid(schema):
        try:
            Draft202012Validator.check_schema(schema, format_checker=FORMAT_CHECKER)
        except SchemaError as exc:
            raise AssertionError(f"accepted an invalid schema: {exc.message}") from exc
        assert metaschema_errors(schema) == []


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.sampled_from("ab"),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner),
    max_leaves=6,
)


@pytest.mark.skipif(ACCELERATOR is None, reason="jsonschema-rs is not installed")
@settings(max_examples=600, deadline=None)
@given(_schemas(), _JSON)
def test_certainly_fits_is_sound(schema: Any, instance: Any) -> None:
    """The quick yes never passes an instance in which python-jsonschema finds errors."""
    if certainly_fits(schema, instance):
        assert list(instance_validator(schema).iter_errors(instance)) == []


@pytest.mark.skipif(ACCELERATOR is None, reason="jsonschema-rs is not installed")
def test_certainly_fits_leaves_formats_and_patterns_to_python_jsonschema() -> None:
    """Keywords whose verdicts depend on a library's own format checks or regular
    expressions are never decided by jsonschema-rs; plain ones are."""
    assert certainly_fits({"properties": {"n": {"type": "integer"}}}, {"n": 3})
    assert not certainly_fits({"properties": {"n": {"type": "integer"}}}, {"n": "3"})
    assert not certainly_fits({"properties": {"d": {"format": "date"}}}, {"d": "2026-01-01"})
    # A format python-jsonschema does not check either is an annotation to both.
    assert certainly_fits({"properties": {"d": {"format": "date-time"}}}, {"d": "soon"})
    assert not certainly_fits({"properties": {"s": {"pattern": "^a$"}}}, {"s": "a"})
    assert not certainly_fits({"patternProperties": {"^a": {"type": "string"}}}, {"a": "x"})
    assert not certainly_fits({"$ref": "#/$defs/x", "$defs": {"x": {}}}, {})


def test_certainly_valid_accepts_the_usual_parameter_schemas() -> None:
    """The parameter schemas of packs/core take the fast path."""
    for _, parsed in _corpus():
        params = parsed.data.get("parameters")
        if parsed.display.startswith(str(CORE_PACK_DIR)) and isinstance(params, dict):
            assert certainly_valid(params), parsed.display


def test_unresolvable_refs_are_found() -> None:
    """A $ref of an author's schema must point inside that schema."""
    schema = {
        "$defs": {"name": {"type": "string"}},
        "properties": {
            "a": {"$ref": "#/$defs/name"},
            "b": {"$ref": "#/$defs/nope"},
            "c": {"$ref": "https://example.invalid/x"},
        },
        "default": {"$ref": "data, not a schema"},
    }
    assert sorted(unresolvable_refs(schema)) == [
        (("properties", "b", "$ref"), "#/$defs/nope"),
        (("properties", "c", "$ref"), "https://example.invalid/x"),
    ]


def test_a_misspelt_key_is_one_mistake() -> None:
    """A misspelt required key is reported once, as the misspelling."""
    found = validate_file(
        _parsed("ref: demo.x\nentry_pont: x.sh\n"), KINDS_BY_NAME["action"], load_schemas()
    )
    assert [d.code for d in found] == [codes.SCHEMA_UNKNOWN_KEY]


def test_a_warning_never_hides_a_missing_key() -> None:
    """In pack.yaml a misspelling is a warning, so the missing key stays an error."""
    found = validate_file(_parsed("ref: demo\nlabel: D\nversoin: 1.0.0\n"), PACK, load_schemas())
    assert [(d.code, d.is_error) for d in found] == [
        (codes.SCHEMA_REQUIRED, True),
        (codes.SCHEMA_UNKNOWN_KEY, False),
    ]
