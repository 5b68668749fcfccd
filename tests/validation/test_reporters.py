"""Reporters, built from hand-made reports and tested at each verbosity."""

from __future__ import annotations

import io
import json

import pytest

from loader.report import Report
from loader.report.diagnostics import Diagnostic, Severity
from loader.report.github import github_command
from loader.report.reporters import REPORTERS, write_report

DIAGNOSTICS = [
    Diagnostic("p/actions/a.yaml", 3, 1, "schema.unknown-key", "unknown key 'x'", "remove it"),
    Diagnostic("p/actions/a.yaml", 5, 7, "schema.type", "'y' must be a string, not a number"),
    Diagnostic(
        "p/pack.yaml", 2, 1, "schema.unknown-key", "unknown key 'z'", None, Severity.WARNING
    ),
    Diagnostic("p/pol/", None, None, "file.stray-folder", "not read: a, b", "kind folders"),
]


def _report(diagnostics: list[Diagnostic]) -> Report:
    return Report(command="validate", packs=["p"], diagnostics=diagnostics, files_checked=7)


def _render(name: str, report: Report, verbosity: int = 0) -> str:
    out = io.StringIO()
    write_report(report, name, out, verbosity)
    return out.getvalue()


def test_text_groups_by_file() -> None:
    """Text: one block per file, file:line:col: severity CODE message, hint indented."""
    text = _render("text", _report(DIAGNOSTICS))
    assert text == (
        "p/actions/a.yaml:3:1: error schema.unknown-key unknown key 'x'\n"
        "    hint: remove it\n"
        "p/actions/a.yaml:5:7: error schema.type 'y' must be a string, not a number\n"
        "\n"
        "p/pack.yaml:2:1: warning schema.unknown-key unknown key 'z'\n"
        "\n"
        "p/pol/: error file.stray-folder not read: a, b\n"
        "    hint: kind folders\n"
        "\n"
        "invalid: 3 errors, 1 warning in 3 files (7 files checked)\n"
    )


@pytest.mark.parametrize("verbosity", [0, 1, 2])
def test_text_when_clean(verbosity: int) -> None:
    """A clean report is one line; -v names the packs."""
    text = _render("text", _report([]), verbosity)
    assert text.endswith("ok: 7 files checked, no problems\n")
    assert ("packs: p" in text) == (verbosity > 0)


def test_json_is_the_report() -> None:
    """json: exactly Report.to_json(), versioned."""
    report = _report(DIAGNOSTICS[:3])
    data = json.loads(_render("json", report))
    assert data == json.loads(json.dumps(report.to_json()))
    assert data["format_version"] == 1 and data["summary"] == {
        "errors": 2,
        "warnings": 1,
        "notes": 0,
        "changes": 0,
    }


def test_github_annotations() -> None:
    """github: workflow commands with escaped properties and data, then the summary."""
    text = _render("github", _report(DIAGNOSTICS[:3]))
    lines = text.splitlines()
    assert lines[0] == (
        "::error file=p/actions/a.yaml,line=3,col=1,title=schema.unknown-key::"
        "unknown key 'x'%0Ahint: remove it"
    )
    assert lines[2].startswith("::warning file=p/pack.yaml,line=2,col=1,")
    assert lines[-1].startswith("invalid: 2 errors")


def test_github_escapes() -> None:
    """Commas, colons, percent signs and newlines cannot break an annotation."""
    d = Diagnostic("a,b:c.yaml", None, None, "x.y", "100% wrong\nreally", None)
    assert github_command(d) == "::error file=a%2Cb%3Ac.yaml,title=x.y::100%25 wrong%0Areally"


def test_reporters_by_name() -> None:
    """The names the CLI offers are the reporters that exist."""
    assert sorted(REPORTERS) == ["github", "json", "text"]
