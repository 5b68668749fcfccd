"""docs/pack-format.md is generated from the schemas and must be kept up to date."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from tests.helpers.schemas import ROOT, load_schemas

SCRIPT = ROOT / "scripts" / "gen_pack_format.py"
DOC = ROOT / "docs" / "pack-format.md"
REGENERATE = "python scripts/gen_pack_format.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_pack_format", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _render() -> str:
    render: Callable[[], str] = _generator().render
    return render()


def _main(argv: Sequence[str]) -> int:
    main: Callable[[Sequence[str]], int] = _generator().main
    return main(argv)


def test_pack_format_doc_is_up_to_date() -> None:
    """The committed file equals what the generator produces now."""
    assert DOC.read_text() == _render(), f"docs/pack-format.md is out of date; run: {REGENERATE}"


def test_generator_is_deterministic() -> None:
    """Two runs give the same text."""
    assert _render() == _render()


def test_check_mode(tmp_path: Path) -> None:
    """--check exits 0 for the current file and 1 for a stale or missing one."""
    assert _main(["--check"]) == 0
    stale = tmp_path / "pack-format.md"
    stale.write_text(_render() + "\nhand edit\n")
    assert _main(["--check", "--output", str(stale)]) == 1
    assert _main(["--check", "--output", str(tmp_path / "missing.md")]) == 1
    assert _main(["--output", str(stale)]) == 0
    assert _main(["--check", "--output", str(stale)]) == 0


def test_doc_covers_every_kind_and_field() -> None:
    """Each kind schema's title and each of its top-level fields appear in the doc."""
    text = _render()
    for name, schema in load_schemas().items():
        if name == "defs.schema.json":
            continue
        assert f"## {schema['title']}" in text
        for field in schema["properties"]:
            assert f"| `{field}` |" in text, (name, field)
