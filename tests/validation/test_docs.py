"""The validator's generated and hand-written references stay true to the code."""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from loader import PROJECT_ROOT
from loader.report import Report, codes
from loader.report.diagnostics import Diagnostic

DOCS = PROJECT_ROOT / "docs"
LOADER_MODULES = sorted((PROJECT_ROOT / "loader").rglob("*.py"))
CODE_TABLE = PROJECT_ROOT / "loader" / "report" / "codes.py"
# A string that reads like a code: a code group, a dot, a lowercase name (file names
# such as pack.yaml aside).
LOOKS_LIKE_A_CODE = re.compile(r"([a-z]+)\.[a-z]+(?:-[a-z]+)*")
FILE_SUFFIXES = frozenset(("yaml", "yml", "json", "sql", "py"))


def _generator() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "gen_diagnostic_codes.py"
    spec = importlib.util.spec_from_file_location("gen_diagnostic_codes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_diagnostic_codes_doc_is_current() -> None:
    """docs/diagnostic-codes.md is what scripts/gen_diagnostic_codes.py writes."""
    assert (DOCS / "diagnostic-codes.md").read_text() == _generator().render()


def test_codes_are_stable_names() -> None:
    """Codes are ``group.name`` in lowercase with dashes, each described in one line."""
    for code in codes.CODES.values():
        assert re.fullmatch(r"[a-z]+\.[a-z-]+", code.code)
        assert code.summary.endswith(".") and "\n" not in code.summary


def _constants() -> set[str]:
    return {name for name in vars(codes) if name.isupper() and name != "CODES"}


def _code_attributes(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "codes"
        ):
            yield node.attr


def test_every_code_used_is_defined() -> None:
    """The loader's modules name codes only through constants of the code table."""
    defined = _constants()
    for path in LOADER_MODULES:
        for attr in _code_attributes(path):
            assert attr in defined, f"{path.name} uses codes.{attr}"


def test_every_code_defined_is_used() -> None:
    """Each constant of the code table is named somewhere in loader/ besides the table."""
    used = {
        attr for path in LOADER_MODULES if path != CODE_TABLE for attr in _code_attributes(path)
    }
    assert sorted(_constants() - used) == []


def _code_like_literals(source: str) -> list[str]:
    groups = {c.group for c in codes.CODES.values()}
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = LOOKS_LIKE_A_CODE.fullmatch(node.value)
            suffix = node.value.rpartition(".")[2]
            if match and match[1] in groups and suffix not in FILE_SUFFIXES:
                found.append(node.value)
    return found


def test_no_code_is_written_as_a_literal() -> None:
    """Outside the code table, no string literal spells a code ("conflict.referenced")."""
    for path in LOADER_MODULES:
        if path != CODE_TABLE:
            assert _code_like_literals(path.read_text()) == [], path


def test_a_literal_code_is_caught() -> None:
    """The literal check sees a code spelled out, and lets file names pass."""
    assert _code_like_literals('x = "conflict.referenced"\ny = "pack.yaml"') == [
        "conflict.referenced"
    ]


def test_every_code_emitted_by_the_loader_is_documented() -> None:
    """Codes written as literals in ``Diagnostic(...)`` anywhere in loader/ are in the
    registry too (the load stages write theirs that way)."""
    for path in (PROJECT_ROOT / "loader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Diagnostic"):
                continue
            if len(node.args) >= 4 and isinstance(node.args[3], ast.Constant):
                assert node.args[3].value in codes.CODES, f"{path.name}: {node.args[3].value!r}"


def test_report_format_doc_names_every_key() -> None:
    """docs/report-format.md documents every key of the JSON report and diagnostics."""
    text = (DOCS / "report-format.md").read_text()
    report = Report(command="validate", diagnostics=[Diagnostic("f", 1, 1, "x.y", "m")])
    data = report.to_json()
    keys = set(data) | {f"summary.{k}" for k in data["summary"]} | set(data["diagnostics"][0])
    for key in keys:
        assert f"| `{key}` |" in text, key


def test_performance_doc_has_a_validation_section() -> None:
    """docs/performance.md says how fast validation is and how to measure it again."""
    text = (DOCS / "performance.md").read_text()
    section = text.split("## Validation", 1)[1].split("\n## ", 1)[0]
    assert "python -m bench.bench_validate" in section and "check-jsonschema" in section


def test_docs_name_no_machine_paths() -> None:
    """The validator's docs hold no absolute paths of a particular machine."""
    for name in ("diagnostic-codes.md", "report-format.md", "performance.md"):
        assert not re.search(r"/(?:root|home|tmp|work)/", (DOCS / name).read_text()), name


def test_case_files_exist() -> None:
    """The corpus folder is where the tests look."""
    assert (Path(__file__).parent / "cases" / "invalid").is_dir()
