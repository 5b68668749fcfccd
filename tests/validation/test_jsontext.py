"""loader.packs.jsontext gives the data the standard library's json gives, both ways:
orjson does the work only where it agrees."""

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
    | st.integers()  # unbounded: beyond 64 bits orjson neither writes nor reads them
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


def _standard(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@given(_VALUES)
def test_written_text_reads_back_as_the_standard_librarys(value: Any) -> None:
    assert jsontext.loads(jsontext.dumps(value)) == json.loads(_standard(value))


@given(_VALUES)
def test_the_standard_librarys_text_reads_the_same(value: Any) -> None:
    text = _standard(value)
    assert jsontext.loads(text) == json.loads(text)


def test_wide_integers_keep_every_digit() -> None:
    for n in (2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, -(10**30)):
        row = {"default": n, "nested": [n, {"n": n}]}
        again = jsontext.loads(jsontext.dumps(row))
        assert again == row
        assert isinstance(again["default"], int)


def test_text_that_is_not_json_raises_as_json_does() -> None:
    for text in ("", "{", "[1,]", "NaN-"):
        with pytest.raises(ValueError) as expected:
            json.loads(text)
        with pytest.raises(ValueError) as got:
            jsontext.loads(text)
        assert got.type is expected.type


def test_a_lone_surrogate_is_written_and_read_as_json_does() -> None:
    value = {"name": "\ud800 and \udfff"}
    assert jsontext.dumps(value) == _standard(value)
    assert jsontext.loads(_standard(value)) == value
