"""The YAML reader: the same data as ruamel's safe loader, positions, refusals."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from loader.packs.model import ParsedFile
from loader.packs.read import Limits, Positions, parse_file, parse_text
from loader.report import codes
from loader.report.diagnostics import Diagnostic
from tests.helpers.yaml_strategies import KEY, TOKENS

SCALAR = st.sampled_from(TOKENS) | st.from_regex(r"[A-Za-z0-9_.+-]{1,6}", fullmatch=True)


def _ruamel(text: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns about reused anchors, which YAML allows
        return YAML(typ="safe", pure=False).load(text)


def _json_like(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_like(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_like(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int | bool)


@st.composite
def documents(draw: st.DrawFn) -> str:
    keys = draw(st.lists(KEY, min_size=1, max_size=5, unique=True))
    lines = []
    for key in keys:
        shape = draw(st.sampled_from(["scalar", "flow", "block"]))
        if shape == "scalar":
            lines.append(f"{key}: {draw(SCALAR)}")
        elif shape == "flow":
            items = draw(st.lists(SCALAR, max_size=3))
            lines.append(f"{key}: [{', '.join(items)}]")
        else:
            lines.append(f"{key}:")
            lines += [f"  - {item}" for item in draw(st.lists(SCALAR, min_size=1, max_size=3))]
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None)
@given(documents())
def test_same_data_as_ruamel(text: str) -> None:
    """Whatever ruamel's safe loader reads as JSON-like data, the reader reads the same;
    whatever it refuses or reads as something JSON cannot hold, the reader refuses."""
    try:
        expected = _ruamel(text)
        accepted = _json_like(expected)
    except Exception:
        accepted = False
    found = parse_text(text, "doc.yaml")
    if accepted:
        assert isinstance(found, ParsedFile), (text, found)
        assert found.data == expected
    else:
        assert isinstance(found, Diagnostic), (text, found)


def test_anchors_aliases_and_merge_keys() -> None:
    """Aliases repeat values; merge keys follow the YAML merge-key rules."""
    text = (
        "base: &b {x: 1, y: 2}\nother: &o {y: 5, z: 6}\nlist: [&i item, *i]\n"
        "one:\n  <<: *b\n  y: 3\nmany:\n  <<: [*b, *o]\n"
    )
    found = parse_text(text, "a.yaml")
    assert isinstance(found, ParsedFile)
    assert found.data == _ruamel(text)
    assert found.data["many"] == {"x": 1, "y": 2, "z": 6}


def test_positions_of_keys_values_and_items() -> None:
    """Positions are 1-based; key=True gives the key's place, items have no key."""
    text = "a: 1\nb:\n  c: [x, y]\n  d:\n    - e: f\n"
    parsed = parse_text(text, "p.yaml")
    assert isinstance(parsed, ParsedFile)
    where = parsed.position
    assert where((), False) == (1, 1)
    assert where(("a",), False) == (1, 4)
    assert where(("a",), True) == (1, 1)
    assert where(("b", "c", 1), False) == (3, 10)
    assert where(("b", "d", 0, "e"), True) == (5, 7)
    assert where(("b", "d", 0, "e"), False) == (5, 10)
    assert where(("b", "missing", "deeper"), False) == (2, 1)  # the nearest enclosing key


def test_position_of_a_merged_key_falls_back() -> None:
    """A key that came from a merge has no place of its own: its mapping's is given."""
    parsed = parse_text("base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n", "m.yaml")
    assert isinstance(parsed, ParsedFile)
    assert parsed.position(("use", "x"), False) == (2, 1)
    assert parsed.position(("use", "y"), False) == (4, 6)


def test_source_keeps_the_written_form() -> None:
    """The text of a scalar as written: 3.10 stays 3.10, not the float 3.1."""
    parsed = parse_text("v: 3.10  # comment\nw: [1.50, 2]\n", "s.yaml")
    assert isinstance(parsed, ParsedFile) and isinstance(parsed.position, Positions)
    assert parsed.data["v"] == 3.1
    assert parsed.position.source(("v",)) == "3.10"
    assert parsed.position.source(("w", 0)) == "1.50"


def test_duplicate_key_names_the_first() -> None:
    """A duplicate key points at the second and names the line of the first."""
    d = parse_text("a:\n  b: 1\n  c: 2\n  b: 3\n", "d.yaml")
    assert isinstance(d, Diagnostic)
    assert (d.code, d.line, d.column) == (codes.YAML_DUPLICATE_KEY, 4, 3)
    assert "first at line 2" in d.message


def test_merge_key_overrides_are_not_duplicates() -> None:
    """A key given beside a merge overrides the merged one; that is not a duplicate."""
    parsed = parse_text("b: &b {k: 1}\nm: {<<: *b, k: 2}\n", "m.yaml")
    assert isinstance(parsed, ParsedFile) and parsed.data["m"] == {"k": 2}


def test_node_budget_counts_aliases() -> None:
    """An alias costs as many values as it repeats."""
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a]\n"
    assert isinstance(parse_text(text, "x.yaml", Limits(max_nodes=60)), ParsedFile)
    refused = parse_text(text, "x.yaml", Limits(max_nodes=40))
    assert isinstance(refused, Diagnostic) and refused.code == codes.YAML_ALIAS_BUDGET


def test_document_shape() -> None:
    """An empty stream, a scalar document and a second document are each refused."""
    cases = {
        "": codes.YAML_EMPTY,
        "# only a comment\n": codes.YAML_EMPTY,
        "just text\n": codes.YAML_NOT_MAPPING,
        "a: 1\n---\nb: 2\n": codes.YAML_MULTIPLE_DOCUMENTS,
        "%YAML 1.1\n---\na: yes\n": codes.YAML_SYNTAX,
        "a: <<\n": codes.YAML_SYNTAX,
        "? [a]\n: b\n": codes.YAML_KEY_NOT_STRING,
        "a: !!int x\n": codes.YAML_SYNTAX,
        "a: !!binary aGk=\n": codes.YAML_TAG,
    }
    for text, code in cases.items():
        found = parse_text(text, "s.yaml")
        assert isinstance(found, Diagnostic) and found.code == code, (text, found)


def test_a_file_let_go_is_read_again_when_needed(tmp_path: Path) -> None:
    """After ``forget``, data and positions come back from the file; a file gone
    meanwhile gives no data and no place instead of an error."""
    path = tmp_path / "a.yaml"
    path.write_text("ref: demo.a\nparameters:\n  n: {type: integer}\n")
    parsed = parse_file(path, "a.yaml")
    assert isinstance(parsed, ParsedFile)
    data, where = parsed.data, parsed.position(("parameters", "n"), False)
    parsed.forget(parse_file)
    assert parsed.data == data
    assert parsed.position(("parameters", "n"), False) == where == (3, 6)
    parsed.forget(parse_file)
    path.unlink()
    assert parsed.data == {}
    assert parsed.position(("parameters", "n"), False) is None
