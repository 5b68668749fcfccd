"""The folder tree is the architecture: imports run one way, and the tests keep to
their helpers.

Stages import downwards only (docs/architecture.md):

- ``loader.report`` imports neither ``loader.packs``, ``loader.database``, ``loader.cli``
  nor ``loader.api`` (it may import ``loader.kinds``, ``loader.errors``,
  ``loader.resources``);
- ``loader.packs`` never imports ``loader.database``, ``loader.cli`` or ``loader.api``;
- ``loader.cli`` imports only ``loader`` (the public names), ``loader.api``,
  ``loader.report``, ``loader.errors`` and itself; its ``serve`` command also
  ``loader.service``, which it starts;
- ``loader.service`` imports only the public names, ``loader.api``, ``loader.report``,
  ``loader.errors``, ``loader.resources``, ``loader.packs.archives`` (it writes uploads
  into the same kind of scratch directory) and itself;
- nothing imports ``loader.cli`` but ``loader/__main__.py`` and ``loader.cli`` itself,
  and nothing imports ``loader.service`` but itself and the ``serve`` command.

Every import counts, including those inside functions.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from loader import PROJECT_ROOT

LOADER = PROJECT_ROOT / "loader"
TESTS = PROJECT_ROOT / "tests"

# (importing package, imported package) pairs that point back up the stages.
FORBIDDEN = (
    ("loader.report", "loader.packs"),
    ("loader.report", "loader.database"),
    ("loader.report", "loader.cli"),
    ("loader.report", "loader.api"),
    ("loader.kinds", "loader.report"),
    ("loader.kinds", "loader.packs"),
    ("loader.kinds", "loader.database"),
    ("loader.packs", "loader.database"),
    ("loader.packs", "loader.cli"),
    ("loader.packs", "loader.api"),
    ("loader.database", "loader.cli"),
    ("loader.database", "loader.api"),
    ("loader.api", "loader.cli"),
)
CLI_MAY_IMPORT = ("loader.api", "loader.report", "loader.errors", "loader.cli")
CLI_IMPORTERS = ("loader.__main__", "loader.cli")
SERVICE_MAY_IMPORT = (
    "loader.api", "loader.report", "loader.errors", "loader.resources",
    "loader.packs.archives", "loader.service",
)  # fmt: skip
# The service is an application of the API, started by one command and used by none.
SERVICE_IMPORTERS = ("loader.service", "loader.cli.serve_cmds")


def module_name(path: Path, root: Path = PROJECT_ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(source: str, module: str, is_package: bool = False) -> Iterator[str]:
    """Every module ``source`` imports, anywhere in it, as a dotted name; a name taken
    from a package (``from loader import api``) counts as ``loader.api``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def back_references(module: str, names: set[str]) -> list[str]:
    """The imports of ``module`` that break the one-way rules."""
    found = [
        f"{module} imports {name}"
        for importer, target in FORBIDDEN
        if _within(module, importer)
        for name in sorted(names)
        if _within(name, target)
    ]
    if _within(module, "loader.cli"):
        starts_service = ("loader.service",) if module in SERVICE_IMPORTERS else ()
        found += _beyond(module, names, "the CLI", CLI_MAY_IMPORT + starts_service)
    if _within(module, "loader.service"):
        found += _beyond(module, names, "the service", SERVICE_MAY_IMPORT)
    for package, importers in (
        ("loader.cli", CLI_IMPORTERS),
        ("loader.service", SERVICE_IMPORTERS),
    ):
        if not any(_within(module, m) for m in importers):
            found += [f"{module} imports {n}" for n in sorted(names) if _within(n, package)]
    return found


def _beyond(module: str, names: set[str], who: str, allowed: tuple[str, ...]) -> list[str]:
    """The loader modules in ``names`` outside ``allowed`` and the public names."""
    return [
        f"{module} imports {name}, which {who} may not"
        for name in sorted(names)
        if _within(name, "loader")
        and name != "loader"
        and not any(_within(name, a) for a in allowed)
        and not _is_public_name(name)
    ]


def _is_public_name(name: str) -> bool:
    """``loader.X`` where X is one of the package's ``__all__`` names (not a module)."""
    import loader

    head, _, leaf = name.partition(".")[2].partition(".")
    return head in loader.__all__ and not leaf


def _loader_modules() -> list[Path]:
    return sorted(LOADER.rglob("*.py"))


@pytest.mark.parametrize("path", _loader_modules(), ids=lambda p: str(p.relative_to(LOADER)))
def test_imports_run_one_way(path: Path) -> None:
    """No module of loader/ imports a stage above its own."""
    module = module_name(path)
    names = set(imported(path.read_text(), module, path.name == "__init__.py"))
    assert back_references(module, names) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("loader.packs.pipeline", "from loader.database.plan import build_plan\n"),
        ("loader.packs.read", "def f():\n    import loader.database.refs\n"),
        ("loader.report.text", "from loader.packs import model\n"),
        ("loader.cli.load_cmds", "from loader.database import plan\n"),
        ("loader.cli.load_cmds", "from loader import kinds\n"),
        ("loader.api", "from loader.cli import app\n"),
        ("loader.packs.read.build", "from ...database import plan\n"),
        ("loader.service.app", "from loader.database import load\n"),
        ("loader.service.app", "from loader.cli import app\n"),
        ("loader.cli.load_cmds", "from loader.service import server\n"),
        ("loader.api", "from loader.service.app import create_app\n"),
    ],
)
def test_the_checker_flags_a_back_reference(module: str, source: str) -> None:
    """A synthetic back-reference is caught, inside a function or relative too."""
    assert back_references(module, set(imported(source, module)))


def test_the_serve_command_may_start_the_service() -> None:
    """Only ``loader.cli.serve_cmds`` of the CLI imports the service."""
    source = "from loader.service.server import start\n"
    assert back_references("loader.cli.serve_cmds", set(imported(source, "x.y"))) == []


def test_the_checker_allows_the_public_names_and_the_api() -> None:
    """The CLI may use the package's public names, the API, reports and errors."""
    source = "from loader import CORE_PACK_DIR, api\nfrom loader.report import Report\n"
    assert back_references("loader.cli.load_cmds", set(imported(source, "x.y"))) == []


# -- Kinds are declared once ---------------------------------------------------------

# A kind singled out by name or by its declaration, instead of by one of its fields.
_KIND_SPECIAL_CASE = re.compile(
    r"kind\.name\s*[!=]=|[!=]=\s*[\w.]*kind\.name"
    r"|\bis (?:not )?(?:ACTION|RULE|WORKFLOW|SENSOR|TRIGGER|RUNTIME|PERMISSION_SET)\b"
)


@pytest.mark.parametrize("path", _loader_modules(), ids=lambda p: str(p.relative_to(LOADER)))
def test_kinds_are_told_apart_by_their_fields(path: Path) -> None:
    """Outside loader/kinds, no rule picks a kind by its name or declaration: a new
    kind is one declaration."""
    if _within(module_name(path), "loader.kinds"):
        return
    assert not _KIND_SPECIAL_CASE.findall(path.read_text())


# -- The tests keep to their helpers ---------------------------------------------------


def _test_sources() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if p.name != "__init__.py")


def _is_test_module(name: str) -> bool:
    return name.rpartition(".")[2].startswith("test_")


@pytest.mark.parametrize("path", _test_sources(), ids=lambda p: str(p.relative_to(TESTS)))
def test_tests_import_no_test_module(path: Path) -> None:
    """Shared constants and helpers live in tests/helpers, not in other test modules."""
    names = imported(path.read_text(), module_name(path))
    assert [n for n in names if _within(n, "tests") and _is_test_module(n)] == []


@pytest.mark.parametrize("path", _test_sources(), ids=lambda p: str(p.relative_to(TESTS)))
def test_tests_import_no_private_name(path: Path) -> None:
    """Tests use what the loader offers, never its ``_private`` names."""
    names = imported(path.read_text(), module_name(path))
    private = [n for n in names if _within(n, "loader") and any(
        part.startswith("_") and part != "__main__" for part in n.split(".")
    )]  # fmt: skip
    assert private == []


def test_the_test_rules_can_fail() -> None:
    """Both test rules see a violation."""
    names = set(imported("from tests.validation.test_parse import KEY\n", "tests.x"))
    assert any(_is_test_module(n) for n in names if _within(n, "tests"))
    names = set(imported("def f():\n    from loader.packs.read import _x\n", "tests.x"))
    assert "loader.packs.read._x" in names
