"""The corpus: every folder of cases/invalid and cases/valid is a small pack, checked
together with packs/core; expected.json lists each diagnostic of its files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from loader import CORE_PACK_DIR
from loader.packs.pipeline import check_packs
from loader.report.diagnostics import Diagnostic
from tests.helpers.packs import under

CASES = Path(__file__).parent / "cases"
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())
VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())


def _expected(case: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((case / "expected.json").read_text())["diagnostics"]
    return found


def _actual(case: Path) -> list[Diagnostic]:
    return under(check_packs([CORE_PACK_DIR, case]), case)


def _as_expected(case: Path, d: Diagnostic) -> dict[str, Any]:
    rel = "." if d.file == str(case) else os.path.relpath(d.file, case)
    if d.file.endswith("/"):
        rel += "/"
    return {"code": d.code, "file": rel, "line": d.line, "column": d.column}


def test_corpus_is_large_enough() -> None:
    """At least 40 invalid cases, each with a description."""
    assert len(INVALID) >= 40
    for case in [*INVALID, *VALID]:
        assert json.loads((case / "expected.json").read_text())["description"]


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_case(case: Path) -> None:
    """An invalid pack gives exactly its expected diagnostics, at least one an error."""
    actual = _actual(case)
    assert [_as_expected(case, d) for d in actual] == _expected(case)
    assert any(d.is_error for d in actual)


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_case(case: Path) -> None:
    """A valid pack gives no error, only its expected warnings, and comes back as a pack."""
    result = check_packs([CORE_PACK_DIR, case])
    actual = under(result, case)
    assert [_as_expected(case, d) for d in actual] == _expected(case)
    assert not any(d.is_error for d in actual)
    assert "demo" in [p.ref for p in result.packs]


@pytest.mark.parametrize("case", [*INVALID, *VALID], ids=lambda p: p.name)
def test_messages_are_plain_words(case: Path) -> None:
    """Every diagnostic has a message without Python internals, and a hint when it is an
    error of the YAML or schema stages."""
    for d in _actual(case):
        assert d.message and "Traceback" not in d.message and " object at 0x" not in d.message
        assert "ValidationError" not in d.message and "tag:yaml.org" not in d.message
        if d.code.startswith(("yaml.", "schema.", "path.", "ref.")) and d.is_error:
            assert d.hint, d


def test_core_pack_is_valid() -> None:
    """packs/core validates with zero errors on its own."""
    result = check_packs([CORE_PACK_DIR])
    assert [d for d in result.diagnostics if d.is_error] == []
    assert [p.ref for p in result.packs] == ["core"]
    kinds = {c.kind.name for c in result.packs[0].components}
    assert {"runtime", "trigger", "action", "sensor"} <= kinds
