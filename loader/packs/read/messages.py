"""The reader's wording: each refusal and each YAML error of libyaml put in words,
with a hint, as a :class:`~loader.report.diagnostics.Diagnostic`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loader.packs.model import DocPath, Where
from loader.packs.read.limits import Limits
from loader.packs.read.resolve import YAML_TAG
from loader.report import codes
from loader.report.diagnostics import Diagnostic

if TYPE_CHECKING:
    from ruamel.yaml.error import YAMLError

_TIMESTAMP, _FLOAT = YAML_TAG + "timestamp", YAML_TAG + "float"


class Refused(Exception):
    """A problem found while building: the diagnostic's parts, and where."""

    def __init__(self, code: str, message: str, hint: str, mark: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint
        self.where: Where | None = (mark.line + 1, mark.column + 1) if mark else None
        self.path: DocPath | None = None  # of a duplicate key, to find its first occurrence


def problem(
    display: str, code: str, message: str, hint: str | None, where: Where | None = None
) -> Diagnostic:
    line, column = where or (None, None)
    return Diagnostic(display, line, column, code, message, hint)


def text_position(text: str, index: int) -> Where:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def tag_refused(event: Any) -> Refused:
    tag = str(event.tag).replace(YAML_TAG, "!!")
    return Refused(
        codes.YAML_TAG,
        f"the YAML tag '{tag}' is not allowed",
        "write plain values; only the standard JSON-compatible tags are accepted",
        event.start_mark,
    )


def not_json(value: str, tag: str, event: Any) -> Refused:
    if tag == _TIMESTAMP:
        message = f"the value {value} is a date, which has no JSON form"
    elif tag == _FLOAT:
        message = f"the value {value} is NaN or infinity, which JSON cannot hold"
    else:  # '=' and the like: plain scalars YAML gives a meaning of its own
        message = f"the plain value '{value}' has a special meaning in YAML"
    return Refused(
        codes.YAML_NOT_JSON, message, f'quote it to make it text: "{value}"', event.start_mark
    )


def nesting(limits: Limits, mark: Any) -> Refused:
    return Refused(
        codes.YAML_TOO_DEEP,
        f"values are nested more than {limits.max_depth} levels deep",
        "flatten the structure",
        mark,
    )


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "a mapping"
    return "text" if isinstance(value, str) else "empty (null)"


def yaml_problem(exc: YAMLError, text: str, display: str) -> Diagnostic:
    from ruamel.yaml.error import MarkedYAMLError  # only the reference reader raises these
    from ruamel.yaml.reader import ReaderError

    if isinstance(exc, ReaderError):
        message = (
            f"the file holds the control character U+{exc.character:04X}, which YAML does not allow"
        )
        return problem(
            display,
            codes.YAML_BINARY,
            message,
            "remove it; pack YAML files are plain text",
            text_position(text, exc.position),
        )
    if not isinstance(exc, MarkedYAMLError):
        return problem(display, codes.YAML_SYNTAX, f"not valid YAML: {exc}", None)
    mark = exc.problem_mark or exc.context_mark
    where = (mark.line + 1, mark.column + 1) if mark else None
    said, context = exc.problem or "", exc.context or ""
    if "tab character" in said or (mark and text[mark.index : mark.index + 1] == "\t"):
        return problem(
            display,
            codes.YAML_TAB,
            "a tab character is used for indentation",
            "YAML indents with spaces only; replace the tab with spaces",
            where,
        )
    start = exc.context_mark
    began = f" that starts at line {start.line + 1}, column {start.column + 1}" if start else ""
    detail = f" ({context}{began})" if context else ""
    return problem(
        display,
        codes.YAML_SYNTAX,
        f"YAML syntax error: {said}{detail}",
        _syntax_hint(said),
        where,
    )


def _syntax_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a ': ' inside a plain value starts a mapping; quote the value"
    return "check the indentation, quotes and brackets around this place"
