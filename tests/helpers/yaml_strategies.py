"""Scalars, keys and whole documents the YAML tests build from: the reader's, the fast
path's and the gate's tests draw on the same tricky spellings."""

from __future__ import annotations

import json
from typing import Any

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


# -- Documents and their many spellings -------------------------------------------------

# Text as found in pack files, with quotes, punctuation, unicode and line breaks.
TAME_TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "Zs"))
    | st.sampled_from(list("  .,-_/()'\"\n#")),
    max_size=20,
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TAME_TEXT
    | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(KEY | TAME_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)
# Characters that mean something to YAML, and some that mean nothing to it.
TRICKY = st.text(
    st.sampled_from(
        list(" :#-'\"\\\n.,[]{}!&*|>?%@`~=<_+0123456789eExXoObB\u00e9\u4e2d\U0001f600")
    ),
    max_size=12,
)
EXTRA_TOKENS = [
    "yes", "Yes", "YES", "no", "No", "on", "On", "off", "OFF", "y", "Y", "n", "N", "NULL",
    "nULL", "FALSE", "False", "fAlse", "0X1F", "0O17", "0B1", "00", "007", "-0", "-0.0",
    "0.0", "1e400", "-1e400", ".NaN", "+.inf", "1_0.5", "12:30:45", "190:20:30",
    "2026-01-01T10:00:00Z", "1.0.0", "1.2.3.4", "10.0.0.1", "1.0.0-beta", "v1.0", "1.5_",
    "0x_1", "_0", "a_1", "-0x1F", "12e03", "1.e5", "9223372036854775808",
    "123456789012345678901234", "0.1234567890123456789", "3.141592653589793",
    "1.7976931348623157e308", "5e-324",
]  # fmt: skip
SCALAR_WORD = st.sampled_from(TOKENS + EXTRA_TOKENS) | TRICKY | st.text(max_size=10)


def _spell_int(draw: st.DrawFn, value: int, risky: bool) -> str:
    if not risky:
        return str(value)
    sign = "-" if value < 0 else draw(st.sampled_from(["", "+"]))
    n = abs(value)
    forms = [f"0x{n:x}", f"0X{n:X}", f"0o{n:o}", f"0{n:o}", f"0b{n:b}", f"00{n}", f"{n:_}"]
    return sign + draw(st.sampled_from([*forms, f"{n:,}"]))


def _spell_float(draw: st.DrawFn, value: float, risky: bool) -> str:
    if not risky:
        return draw(st.sampled_from([repr(value), f"{value:.3f}", f"{value:.6f}"]))
    forms = [repr(value), f"{value:e}", f"{value:.17g}", f"{value:f}", f"{value:_}"]
    return draw(st.sampled_from([*forms, repr(value).replace("e+", "e"), repr(value).rstrip("0")]))


def _quote_single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote_double(draw: st.DrawFn, text: str) -> str:
    if ('"' in text or "\\" in text) and draw(st.booleans()):
        return json.dumps(text, ensure_ascii=draw(st.booleans()))  # escapes: declined
    return '"' + text + '"'  # unescaped: may fold, or fail


def _block_scalar(draw: st.DrawFn, text: str, indent: str) -> str:
    style = draw(st.sampled_from(["|", ">", "|-", ">-", "|+", ">+", "|2", ">1-"]))
    lines = text.split("\n")
    body = "\n".join(indent + "  " + line if line else "" for line in lines)
    return f"{style}\n{body}"


def spell_scalar(draw: st.DrawFn, value: Any, flow: bool, indent: str) -> str:
    """``value`` written one of many ways, some of which YAML reads as something else:
    the test compares the two readers, not the spelling with ``value``."""
    risky = draw(st.integers(0, 9)) == 5  # not 0 or 9: hypothesis favours the ends
    if risky and draw(st.booleans()):
        return draw(SCALAR_WORD)
    if value is None:
        return draw(st.sampled_from(["null", "Null", "NULL", "~", "" if not flow else "null"]))
    if isinstance(value, bool):
        words = ["true", "True", "TRUE", "yes", "on"] if value else ["false", "FALSE", "no"]
        return draw(st.sampled_from(words))
    if isinstance(value, int):
        return _spell_int(draw, value, risky)
    if isinstance(value, float):
        return _spell_float(draw, value, risky)
    text = str(value)
    how = draw(st.integers(1, 9))
    if how <= 3:
        return text
    if how <= 5:
        return _quote_single(text)
    if how <= 7 or flow:
        return _quote_double(draw, text)
    return _block_scalar(draw, text, indent)


def spell_key(draw: st.DrawFn, key: str) -> str:
    how = draw(st.integers(0, 15))
    if how == 7:
        return draw(st.sampled_from(["1", "true", "null", "~", "0x1", "1.5", "yes", "a b"]))
    if how in (1, 8):
        return _quote_single(key)
    if how in (2, 9):
        return json.dumps(key)
    return key


def _comment(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", "", "", " # note", " #: x", "  # caf\u00e9 \u4e2d"]))


def spell_flow(draw: st.DrawFn, value: Any) -> str:
    if isinstance(value, dict):
        items = [f"{spell_key(draw, k)}: {spell_flow(draw, v)}" for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(spell_flow(draw, v) for v in value) + "]"
    return spell_scalar(draw, value, True, "")


def spell_block(draw: st.DrawFn, value: Any, indent: str) -> list[str]:
    """Lines of a block collection at ``indent``."""
    step = indent + draw(st.sampled_from(["  ", "    ", " "]))
    lines: list[str] = []
    items = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
    for key, item in items:
        lead = f"{indent}{spell_key(draw, key)}:" if key is not None else f"{indent}-"
        if isinstance(item, dict | list) and item and draw(st.integers(0, 3)):
            if key is not None and isinstance(item, list) and draw(st.booleans()):
                inner = spell_block(draw, item, indent)  # a sequence at the key's indent
            else:
                inner = spell_block(draw, item, step)
            lines += [lead + _comment(draw), *inner]
        elif isinstance(item, dict | list):
            lines.append(f"{lead} {spell_flow(draw, item)}{_comment(draw)}")
        else:
            scalar = spell_scalar(draw, item, False, indent)
            lines.append(f"{lead} {scalar}" + ("" if "\n" in scalar else _comment(draw)))
        if draw(st.integers(0, 7)) == 0:
            lines.append(draw(st.sampled_from(["", f"{indent}# between", "#"])))
    return lines


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    keys = KEY | TAME_TEXT if draw(st.integers(0, 3)) else st.text(max_size=8)
    document = draw(st.dictionaries(keys, JSON, min_size=1, max_size=6))
    if draw(st.integers(0, 4)) == 0:
        body = [spell_flow(draw, document)]
    else:
        body = spell_block(draw, document, "")
    head = draw(st.sampled_from(["", "", "---\n", "# A component\n", "\n"]))
    long_line = draw(st.sampled_from(["", "", f"long: {'word ' * 60}end\n"]))
    return head + long_line + "\n".join(body) + draw(st.sampled_from(["\n", "", "\n\n"]))
