"""The JSON Schema stage: every error of a file, located and put in plain words.

Errors come best match first (``jsonschema.exceptions.relevance``). For an ``anyOf`` /
``oneOf`` failure the branch the author most likely meant is explained, not all of
them: branches whose type does not fit the value are dropped first. Unknown keys are
errors, except in kinds whose ``unknown_keys_are_errors`` is off (pack.yaml), where
they are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from loader.kinds import Kind
from loader.packs.model import DocPath, ParsedFile
from loader.packs.read import Positions
from loader.packs.schema.registry import SchemaSet, known_keys
from loader.packs.schema.unstored import not_stored
from loader.report import codes
from loader.report.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "empty (null)",
}
_RANGE_WORDS = {
    "minimum": "must be at least {}",
    "maximum": "must be at most {}",
    "exclusiveMinimum": "must be more than {}",
    "exclusiveMaximum": "must be less than {}",
    "multipleOf": "must be a multiple of {}",
    "minLength": "must be at least {} characters long",
    "maxLength": "must be at most {} characters long",
    "minItems": "must have at least {} items",
    "maxItems": "must have at most {} items",
    "minProperties": "must have at least {} keys",
    "maxProperties": "must have at most {} keys",
    "uniqueItems": "has the same item twice",
}
_BRANCHING = frozenset(("anyOf", "oneOf"))


def validate_file(parsed: ParsedFile, kind: Kind, schemas: SchemaSet) -> list[Diagnostic]:
    """Every disagreement between ``parsed`` and the schema of ``kind``, best first, then
    the warning for keys the schema has no column for."""
    return _disagreements(parsed, kind, schemas) + not_stored(parsed, kind)


def _disagreements(parsed: ParsedFile, kind: Kind, schemas: SchemaSet) -> list[Diagnostic]:
    explain = _Explainer(parsed, kind, schemas)
    quick = schemas.quick_check(kind)
    if quick is not None and quick(parsed.data):
        return [] if kind.unknown_keys_are_errors else explain.open_keys()
    # Not certainly valid: python-jsonschema decides, imported only now (authority.py).
    from jsonschema.exceptions import relevance
    from referencing.exceptions import Unresolvable

    validator = schemas.validator(kind)
    if isinstance(validator, str):
        return [explain.at((), False, codes.SCHEMA_UNAVAILABLE, validator, None)]
    try:
        errors = sorted(validator.iter_errors(parsed.data), key=relevance, reverse=True)
    except Unresolvable as exc:
        message = f"the {kind.name} schema cannot be used: {exc}"
        return [explain.at((), False, codes.SCHEMA_UNAVAILABLE, message, None)]
    found = [d for error in errors for d in explain.error(error)]
    if not kind.unknown_keys_are_errors:
        found += explain.open_keys()
    return [d for d in found if d not in explain.explained_by_typos()]


def dotted(path: Sequence[str | int]) -> str:
    """``('parameters', 'properties', 'x')`` -> ``parameters.properties.x``; ``[0]`` for items."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "the document"


def closest(word: str, candidates: Iterable[str]) -> str | None:
    import difflib  # only a mistake needs it: 1 ms of every check that finds none

    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`` - did you mean 'x'?`` for the closest candidate, or nothing."""
    close = closest(word, candidates)
    return f" - did you mean '{close}'?" if close else ""


def type_words(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_WORDS.get(t, str(t)) for t in names)


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    for kind, name in ((str, "string"), (dict, "object"), (list, "array")):
        if isinstance(value, kind):
            return name
    return "null"


def short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _limit(error: ValidationError) -> Any:
    """The failing keyword's value (jsonschema types it with a sentinel for "unset")."""
    return error.validator_value


def _schema(error: ValidationError) -> Mapping[str, Any]:
    return error.schema if isinstance(error.schema, Mapping) else {}


def _about(error: ValidationError) -> str | None:
    """The first sentence of the failing subschema's description: what the value is."""
    return _describe(_schema(error))


def _describe(schema: Any) -> str | None:
    text = schema.get("description") if isinstance(schema, Mapping) else None
    if not isinstance(text, str):
        return None
    return re.split(r"(?<=\.)\s+(?=[A-Z])", text.strip(), maxsplit=1)[0].replace("`", "")


def _is_container(value: Any) -> bool:
    return isinstance(value, dict | list)


def _type_clash(error: ValidationError, path: DocPath) -> bool:
    return error.validator == "type" and tuple(error.absolute_path) == path


def _branch_fits(errors: list[ValidationError], path: DocPath) -> bool:
    """Whether a branch accepts the value's type (its errors are about something else)."""
    for error in errors:
        if _type_clash(error, path):
            return False
        if error.validator in _BRANCHING and error.context and not _fitting(error, path):
            return False
    return True


def _fitting(error: ValidationError, path: DocPath) -> list[ValidationError]:
    """The errors of the branches of ``error`` whose type fits the value."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    return [e for errs in branches.values() if _branch_fits(errs, path) for e in errs]


def _type_clashes(error: ValidationError, path: DocPath) -> Iterator[ValidationError]:
    for sub in error.context or ():
        if _type_clash(sub, path):
            yield sub
        elif sub.validator in _BRANCHING:
            yield from _type_clashes(sub, path)


def _only_required(error: ValidationError) -> list[str] | None:
    """For an anyOf of bare ``required`` branches, the key names it asks for."""
    branches = _limit(error)
    if not isinstance(branches, list) or not branches:
        return None
    if not all(isinstance(b, dict) and set(b) == {"required"} for b in branches):
        return None
    return [name for b in branches for name in b["required"]]


class _Explainer:
    """Turns the validation errors of one file into diagnostics."""

    def __init__(self, parsed: ParsedFile, kind: Kind, schemas: SchemaSet) -> None:
        self.parsed = parsed
        self.kind = kind
        self.schemas = schemas
        # A misspelt key also makes the key it meant missing: one mistake, one message.
        self.typos: set[tuple[DocPath, str]] = set()  # (mapping, the key it meant)
        self.missing: list[tuple[Diagnostic, DocPath, list[str]]] = []

    def explained_by_typos(self) -> list[Diagnostic]:
        """The diagnostics of missing keys that a misspelt key explains."""
        return [d for d, path, names in self.missing if any((path, n) in self.typos for n in names)]

    def _missing(self, diagnostic: Diagnostic, path: DocPath, names: list[str]) -> Diagnostic:
        self.missing.append((diagnostic, path, names))
        return diagnostic

    def at(
        self,
        path: DocPath,
        key: bool,
        code: str,
        message: str,
        hint: str | None,
        severity: Severity = Severity.ERROR,
    ) -> Diagnostic:
        line, column = self.parsed.position(path, key) or (1, 1)
        return Diagnostic(self.parsed.display, line, column, code, message, hint, severity)

    def error(self, error: ValidationError) -> Iterator[Diagnostic]:
        path = tuple(error.absolute_path)
        if error.validator in ("additionalProperties", "unevaluatedProperties"):
            yield from self._unknown_keys(error, path)
        elif error.validator in _BRANCHING:
            yield from self._branches(error, path)
        else:
            yield self._single(error, path)

    def _single(self, error: ValidationError, path: DocPath) -> Diagnostic:
        keyword = error.validator
        if "propertyNames" in error.relative_schema_path:
            return self._bad_key(error, path)
        if keyword in ("required", "dependentRequired"):
            return self._required(error, path)
        if keyword == "type":
            return self._type(error, path)
        if keyword in ("enum", "const"):
            return self._enum(error, path)
        if keyword == "not" and "dependentSchemas" in error.absolute_schema_path:
            return self._conflict(error, path)
        if keyword in ("pattern", "format"):
            return self._form(error, path)
        container = _is_container(error.instance)
        if keyword in _RANGE_WORDS:
            message = f"'{dotted(path)}' {_range_words(error)}"
            return self.at(path, container, codes.SCHEMA_RANGE, message, _about(error))
        if keyword == "not" or _limit(error) is False:
            message = f"'{dotted(path)}' is not allowed here"
            return self.at(path, True, codes.SCHEMA_INVALID, message, None)
        message = f"'{dotted(path)}': {error.message}"
        return self.at(path, container, codes.SCHEMA_INVALID, message, None)

    def _required(self, error: ValidationError, path: DocPath) -> Diagnostic:
        missing = re.findall(r"'([^']*)' is a (?:required|dependency)", error.message)
        names = " and ".join(f"'{m}'" for m in missing) or error.message
        inside = f" in '{dotted(path)}'" if path else ""
        properties = _schema(error).get("properties", {})
        about = [_describe(properties.get(m)) for m in missing]
        hint = "; ".join(f"{m}: {a}" for m, a in zip(missing, about, strict=True) if a) or None
        message = f"missing required key {names}{inside}"
        return self._missing(
            self.at(path, True, codes.SCHEMA_REQUIRED, message, hint), path, missing
        )

    def _type(self, error: ValidationError, path: DocPath) -> Diagnostic:
        value, expected = error.instance, _limit(error)
        message = (
            f"'{dotted(path)}' must be {type_words(expected)}, not {type_words(json_type(value))}"
        )
        hint = _about(error)
        wants_text = expected == "string" or (isinstance(expected, list) and "string" in expected)
        if wants_text and not _is_container(value):
            raw = self._source(path) or short(value)
            hint = f'quote it: {path[-1]}: "{raw}"' if path else f'quote it: "{raw}"'
        return self.at(path, _is_container(value), codes.SCHEMA_TYPE, message, hint)

    def _source(self, path: DocPath) -> str | None:
        position = self.parsed.position
        return position.source(path) if isinstance(position, Positions) else None

    def _enum(self, error: ValidationError, path: DocPath) -> Diagnostic:
        value = error.instance
        allowed = _limit(error) if error.validator == "enum" else [_limit(error)]
        near = (
            suggest(value, [a for a in allowed if isinstance(a, str)])
            if isinstance(value, str)
            else ""
        )
        return self.at(
            path,
            _is_container(value),
            codes.SCHEMA_ENUM,
            f"{short(value)} is not allowed for '{dotted(path)}'{near}",
            "use one of: " + ", ".join(short(a) for a in allowed),
        )

    def _form(self, error: ValidationError, path: DocPath) -> Diagnostic:
        if error.validator == "format":
            fmt = str(_limit(error))
            what = {"regex": "regular expression"}.get(fmt, fmt)
        else:
            what = _schema(error).get("title") or f"value for '{dotted(path)}'"
        hint = _about(error)
        if hint is None and error.validator == "pattern":
            hint = f"it must match the pattern {_limit(error)}"
        message = f"{short(error.instance)} is not a valid {what}"
        return self.at(path, False, codes.SCHEMA_FORMAT, message, hint)

    def _bad_key(self, error: ValidationError, path: DocPath) -> Diagnostic:
        key = str(error.instance)
        title = _schema(error).get("title") or "key"
        return self.at(
            (*path, key),
            True,
            codes.SCHEMA_FORMAT,
            f"'{key}' is not a valid {title}",
            _about(error),
        )

    def _conflict(self, error: ValidationError, path: DocPath) -> Diagnostic:
        schema_path = list(error.absolute_schema_path)
        other = schema_path[schema_path.index("dependentSchemas") + 1]
        key = path[-1] if path else "?"
        return self.at(
            path,
            True,
            codes.SCHEMA_CONFLICT,
            f"'{key}' cannot be used together with '{other}'",
            f"keep only one of '{key}' and '{other}'",
        )

    def _unknown_keys(self, error: ValidationError, path: DocPath) -> Iterator[Diagnostic]:
        instance = error.instance if isinstance(error.instance, dict) else {}
        known = known_keys(error.schema)
        patterns = _schema(error).get("patternProperties", {})
        for key in instance:
            if key not in known and not any(re.search(p, key) for p in patterns):
                yield self._unknown(path, key, known)

    def _unknown(self, path: DocPath, key: str, known: set[str]) -> Diagnostic:
        near = closest(key, known)
        severity = Severity.ERROR if self.kind.unknown_keys_are_errors else Severity.WARNING
        if near and severity is Severity.ERROR:  # a warning must not hide a missing key
            self.typos.add((path, near))
        where = f" in '{dotted(path)}'" if path else ""
        if near:
            hint: str | None = f"rename it to '{near}'"
        else:
            hint = f"known keys{where}: {', '.join(sorted(known))}" if known else None
        message = f"unknown key '{key}'" + (f" - did you mean '{near}'?" if near else "")
        return self.at((*path, key), True, codes.SCHEMA_UNKNOWN_KEY, message, hint, severity)

    def open_keys(self) -> list[Diagnostic]:
        """Unknown top-level keys of a kind whose schema lets them through."""
        known = set(self.schemas.top_level_keys(self.kind))
        data = self.parsed.data if isinstance(self.parsed.data, dict) else {}
        return [self._unknown((), key, known) for key in data if key not in known]

    def _branches(self, error: ValidationError, path: DocPath) -> Iterator[Diagnostic]:
        """One diagnostic for an anyOf/oneOf failure: the branch worth explaining."""
        from jsonschema.exceptions import relevance

        names = _only_required(error)
        if names and error.validator == "anyOf":
            inside = f" in '{dotted(path)}'" if path else ""
            listed = " or ".join(f"'{n}'" for n in names)
            message = f"missing required key: {listed}{inside}"
            diagnostic = self.at(path, True, codes.SCHEMA_REQUIRED, message, "give one of them")
            yield self._missing(diagnostic, path, names)
            return
        if not error.context:  # a oneOf that more than one branch matched
            yield self._too_many(error, path, names)
            return
        fitting = _fitting(error, path)
        if not fitting:
            yield self._wrong_type(error, path)
            return
        title = _schema(error).get("title")
        if title and not _is_container(error.instance):
            yield self._titled(error, path, str(title), fitting)
            return
        yield from self.error(max(fitting, key=relevance))

    def _too_many(
        self, error: ValidationError, path: DocPath, names: list[str] | None
    ) -> Diagnostic:
        if names:
            listed = " and ".join(f"'{n}'" for n in names)
            message = f"'{dotted(path)}' gives both {listed}"
            return self.at(path, True, codes.SCHEMA_CONFLICT, message, "keep only one of them")
        message = f"'{dotted(path)}' matches more than one of its allowed forms"
        return self.at(path, True, codes.SCHEMA_INVALID, message, _about(error))

    def _wrong_type(self, error: ValidationError, path: DocPath) -> Diagnostic:
        expected: list[str] = []
        for clash in _type_clashes(error, path):
            value = _limit(clash)
            for name in [value] if isinstance(value, str) else value:
                if name not in expected:
                    expected.append(name)
        value = error.instance
        message = (
            f"'{dotted(path)}' must be {type_words(expected)}, not {type_words(json_type(value))}"
        )
        return self.at(path, _is_container(value), codes.SCHEMA_TYPE, message, _about(error))

    def _titled(
        self, error: ValidationError, path: DocPath, title: str, fitting: list[ValidationError]
    ) -> Diagnostic:
        value = error.instance
        choices = [a for e in fitting if e.validator == "enum" for a in _limit(e)]
        near = (
            suggest(value, [c for c in choices if isinstance(c, str)])
            if isinstance(value, str)
            else ""
        )
        message = f"{short(value)} is not a valid {title}{near}"
        return self.at(path, False, codes.SCHEMA_FORMAT, message, _about(error))


def _range_words(error: ValidationError) -> str:
    keyword, limit = error.validator, _limit(error)
    if keyword in ("minItems", "minLength", "minProperties") and limit == 1:
        return "must not be empty"
    return _RANGE_WORDS[str(keyword)].format(limit)
