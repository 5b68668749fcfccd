"""loader.packs.jsontext writes and reads the data the standard library's json does:
orjson does the work only where it agrees."""

from __future__ import annotations

import json
from typing import Any

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


# What the loader's own records hold: no integer beyond 64 bits.
_OWN = st.recursive(
    _SCALARS.filter(lambda v: type(v) is not int or -(2**63) <= v < 2**64),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


def _standard(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@given(_VALUES)
def test_written_text_reads_back_as_the_standard_librarys(value: Any) -> None:
    assert json.loads(jsontext.dumps(value)) == json.loads(_standard(value))


@given(_OWN)
def test_own_records_read_as_the_standard_library_reads_them(value: Any) -> None:
    for text in (jsontext.dumps(value), _standard(value)):
        assert jsontext.loads_own(text) == json.loads(text)


def test_wide_integers_are_written_whole() -> None:
    for n in (2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, -(10**30)):
        row = {"default": n, "nested": [n, {"n": n}]}
        text = jsontext.dumps(row)
        assert text == _standard(row)
        assert json.loads(text) == row


def test_a_lone_surrogate_is_written_and_read_as_json_does() -> None:
    value = {"name": "\ud800 and \udfff"}
    assert jsontext.dumps(value) == _standard(value)
    assert jsontext.loads_own(_standard(value)) == value
