"""loader.packs.jsontext writes what reads back as the standard library's json text
does, with orjson (after write_many) and without it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loader.packs import jsontext

# Every character, lone surrogates included, which orjson refuses to write.
_TEXT = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=8)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()  # unbounded: orjson refuses those beyond 64 bits
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_TEXT | st.integers(), inner, max_size=4)
    ),  # int keys, as json writes
    max_leaves=20,
)
_WIDE = (2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, -(10**30))


@pytest.fixture
def with_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsontext, "_orjson", None)  # as a new process has it
    jsontext.write_many()
    assert jsontext._orjson is not None


def _standard(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@given(_VALUES)
def test_orjsons_text_reads_back_as_the_standard_librarys(value: Any) -> None:
    jsontext.write_many()
    assert json.loads(jsontext.dumps(value)) == json.loads(_standard(value))


def test_before_write_many_the_text_is_the_standard_librarys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsontext, "_orjson", None)
    value = {"ref": "p.é", "n": [1, 2.5, None, True]}
    assert jsontext.dumps(value) == _standard(value)


@pytest.mark.usefixtures("with_orjson")
def test_wide_integers_are_written_whole() -> None:
    for n in _WIDE:
        row = {"default": n, "nested": [n, {"n": n}]}
        text = jsontext.dumps(row)
        assert text == _standard(row)
        assert json.loads(text) == row


@pytest.mark.usefixtures("with_orjson")
def test_a_lone_surrogate_and_an_integer_key_are_written_as_json_does() -> None:
    for value in ({"name": "\ud800 and \udfff"}, {1: "one"}):
        assert jsontext.dumps(value) == _standard(value)
