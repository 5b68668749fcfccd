"""Scalars and keys the YAML tests build documents from: the reader's and the fast
path's tests draw on the same tricky spellings."""

from __future__ import annotations

from hypothesis import strategies as st

TOKENS = [
    "0", "-0", "+5", "017", "0o17", "0x1F", "0b101", "1_000", "1.5", "1.", ".5", "-.5",
    "1e3", "1.5e-3", "+1.0E+2", "true", "True", "TRUE", "false", "yes", "no", "on", "off",
    "null", "Null", "~", "", "=", "<<", "3.10", "1:30", "2026-01-01", "2026-01-01 10:00:00",
    ".inf", "-.Inf", ".nan", "x", "a b", "'q'", '"d"', "!!str 5", "!!int 7", "!!float 1",
    "!!bool true", "!!bool yes", "!!int +0o17", "!!int -0x1_F", "!!float 1_0.5", "!!null ~",
    "! 5", "0.1.2", "_", "1__0", "0x", "+", "-", "@x", "%x", "&a x",
]  # fmt: skip
KEY = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
