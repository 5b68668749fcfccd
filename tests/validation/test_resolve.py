"""The reader's table of implicit types is ruamel.yaml's YAML 1.2 table, scalar for
scalar (loader/packs/read/resolve.py keeps its own so that plain files need no
ruamel.yaml)."""

from __future__ import annotations

import itertools
import re

import ruamel.yaml.resolver
from hypothesis import given, settings
from hypothesis import strategies as st

from loader.packs.read.resolve import implicit_tag
from tests.helpers.yaml_strategies import TOKENS


def _ruamel_table() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for versions, tag, regexp, first in ruamel.yaml.resolver.implicit_resolvers:
        if (1, 2) in versions:
            pattern = re.compile(str(getattr(regexp, "pattern", regexp)), re.X)
            for char in first:
                table.setdefault(char, []).append((tag, pattern))
    return table


RUAMEL = _ruamel_table()


def _ruamel_tag(value: str) -> str | None:
    for tag, pattern in RUAMEL.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return None


# Every character any pattern treats apart, and two it does not.
ALPHABET = "019+-._eExXbBoO:tTfF~nNZ<=!&* \t\na"
SHAPES = [
    "2001-12-14", "2001-1-4 1:02:03", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43 Z",
    "2001-12-14\t21:59:43.5 +1", "2001-12-14T21:59:43-05:3", "20011-12-14", "2001-12-1",
    "true", "True", "TRUE", "tRUE", "false", "FALSE", "null", "Null", "NULL", "nULL", "~",
    ".inf", "-.Inf", "+.INF", ".nan", "-.nan", ".NaN", "1e3", "1.e3", "1.5E+3", ".5e-3", ".5e3",
    "0x_Ff", "0o17", "017", "08", "0b1_0", "1_000", "_1", "1__0.5_", "<<", "=", "!", "&", "*",
    "true\n", "1\n", "", "\n",
]  # fmt: skip


def test_every_short_scalar_gets_ruamels_type() -> None:
    for length in range(4):
        for letters in itertools.product(ALPHABET, repeat=length):
            value = "".join(letters)
            assert implicit_tag(value) == _ruamel_tag(value), repr(value)


def test_the_tricky_spellings_get_ruamels_type() -> None:
    for value in [*SHAPES, *TOKENS]:
        assert implicit_tag(value) == _ruamel_tag(value), repr(value)


PIECES = st.sampled_from(["0", "7", "12", "2001", "-", "+", ".", "_", "e", "E", ":", " ", "T",
                          "Z", "x", "o", "b", "f", "inf", "nan", "\t"])  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_numbers_and_dates_get_ruamels_type(value: str) -> None:
    assert implicit_tag(value) == _ruamel_tag(value), repr(value)
