"""The yaml-rs fast path: whenever it accepts a text, its data is exactly the reader's;
it declines everything unusual; and it is really taken for ordinary files."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.packgen import generate
from loader import PROJECT_ROOT
from loader.packs.model import ParsedFile
from loader.packs.read import DEFAULT_LIMITS, Limits, Positions, fast, parse_file, parse_text
from loader.packs.read.resolve import IMPLICIT, implicit_tag
from loader.report.diagnostics import Diagnostic
from tests.helpers.yaml_strategies import KEY, TOKENS

CASES = Path(__file__).parent / "cases"

pytestmark = pytest.mark.skipif(not fast.SWITCH.enabled, reason="yaml-rs is not installed")


@contextmanager
def reader_only() -> Iterator[None]:
    """The reader alone, as without yaml-rs."""
    saved = fast.SWITCH.enabled
    fast.SWITCH.enabled = False
    try:
        yield
    finally:
        fast.SWITCH.enabled = saved


def _fast(text: str, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any] | None:
    return fast.load(text, limits.max_depth, limits.max_nodes, IMPLICIT)


def _reader(text: str, limits: Limits = DEFAULT_LIMITS) -> ParsedFile | Diagnostic:
    with reader_only():
        return parse_text(text, "doc.yaml", limits)


def assert_same(found: Any, expected: Any) -> None:
    """Equal and of the same types all the way down (True is not 1, 1 is not 1.0,
    -0.0 is not 0.0), with mapping keys in the same order."""
    assert type(found) is type(expected), (found, expected)
    if isinstance(found, dict):
        assert list(found) == list(expected)
        for key in found:
            assert_same(found[key], expected[key])
    elif isinstance(found, list):
        assert len(found) == len(expected)
        for a, b in zip(found, expected, strict=True):
            assert_same(a, b)
    elif isinstance(found, float):
        assert math.copysign(1.0, found) == math.copysign(1.0, expected)
        assert found == expected
    else:
        assert found == expected


def assert_agrees(text: str, limits: Limits = DEFAULT_LIMITS) -> bool:
    """When the fast path accepts ``text``, the reader reads the same data; whether it
    accepted."""
    fast = _fast(text, limits)
    if fast is None:
        return False
    expected = _reader(text, limits)
    assert isinstance(expected, ParsedFile), (text, expected)
    assert_same(fast, expected.data)
    return True


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


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(yaml_texts())
def test_fast_path_agrees_with_the_reader(text: str) -> None:
    """Whatever the fast path accepts, the reader reads as the same data, type for type."""
    assert_agrees(text)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEY, JSON, min_size=1, max_size=6))
def test_plain_json_spelled_plainly_takes_the_fast_path(document: dict[str, Any]) -> None:
    """JSON data written as JSON text with no escapes and no unusual numbers is accepted,
    and reads as itself: the gate does not decline everything."""
    text = json.dumps(document, ensure_ascii=False, separators=(", ", ": "))
    if not fast.gate(text) or not all(_stays_text(s) for s in _strings(document)):
        return  # declined by design: written plain, such text would be another type
    data = _fast(text)
    assert data is not None, text
    assert_same(data, _reader(text).data)  # type: ignore[union-attr]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        yield from value
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _stays_text(value: str) -> bool:
    return implicit_tag(value) in (None, "tag:yaml.org,2002:str")


# -- Edge cases ---------------------------------------------------------------------------

DECLINED = [
    "k: !!str 5\n",  # tags
    "k: !secret x\n",
    "a: &x 1\nb: *x\n",  # anchors and aliases
    "<<: {a: 1}\nb: 2\n",  # merge key
    "k: <<\n",
    "%YAML 1.2\n---\nk: 1\n",  # directives
    "k: 1\n---\nj: 2\n",  # a second document
    "k: 1\n...\n",
    "? k\n: 1\n",  # explicit key
    "k: 'a\\b'\n",  # any backslash
    'k: "\\x41"\n',
    "k:\ta\n",  # tabs
    "k: a\r\nj: b\r\n",  # carriage returns
    "k: a\x85b\n",  # NEL, LS, PS: line breaks to YAML 1.1
    "k: a\u2028b\n",
    "k: a\ufeffb\n",
    "k: a\x07b\n",  # control characters the reader refuses
    "k: a\x00b\n",
    "k: \ud800\n",
    "{a:1}\n",  # ':' not followed by a space
    "k: {a:1}\n",
    '{"a":1}\n',
    "url: http://x\n",
    "k: 017\n",  # number forms
    "k: 0x1F\n",
    "k: 0X1F\n",
    "k: 0o17\n",
    "k: 0O17\n",
    "k: 0b101\n",
    "k: 0B1\n",
    "k: 1_000\n",
    "k: _0\n",  # an int to yaml-rs, text to the reader
    "{b: [], a: _12}\n",
    "k: -_1\n",
    "k: +5\n",
    "k: 1.\n",
    "k: .5\n",
    "k: 1e3\n",
    "k: 1e400\n",
    "k: .inf\n",
    "k: -.Inf\n",
    "k: .nan\n",
    "k: 12345678901234567890\n",
    "k: 1:30\n",
    "k: 190:20:30\n",
    "k: 2026-01-01\n",
    "k: 2026-01-01 10:00:00\n",
    "k: 1.0.0-beta\n",
    "k: 5#x\n",
    "200: ok\n",  # keys that are not text, or would not be plain
    "true: x\n",
    "~: x\n",
    ": x\n",
    "'1': x\n",
    '"true": x\n',
    "k: '5'\n",  # text that would be a number or a boolean if plain
    "k: 'true'\n",
    "k: 'null'\n",
    "k: ''\n",
    "k: '='\n",
    "k: =\n",
    "a: 1\n'a': 2\n",  # duplicate keys
    "a: 1\na: 2\n",
    "",  # not a mapping
    "# only a comment\n",
    "- a\n- b\n",
    "text\n",
    "5\n",
    "{'\n': []}\n",  # a flow mapping's key over two lines: folded by yaml-rs
    "k: {a\n b: 1}\n",
    "k: [a,\n b]\n",
    "k: [>]\n",  # block indicators inside flow: text to yaml-rs
    "k: [|a]\n",
    "k: |\n",  # an empty block scalar at the end: '\n' for yaml-rs
    "k: |\n  \n",
    "k: >2\n\n",
    "k:\n  j: | # c\n",
    "k: |\n  x",  # a block scalar at the end without a line break: 'x\n' for yaml-rs
    "k: >\n  x\n\n  ",
    "k:\n  - []\n  -\n    - |\n      :",
    "k: [a\n",  # syntax errors
    "k: a: b\n",
    "k: @x\n",
    "k:\n" + "  " * 64 + "deep: 1\n",
    "k: " + "- " * 30_000 + "x\n",  # would crash yaml-rs: never given to it
    "k:\n  " + "- " * 30_000 + "x\n",
    "k: " + "[" * 300 + "]" * 300 + "\n",
]
AGREED = [
    "k: 1\n",
    "---\nk: 1\n",
    "# A component\nk: v # comment\n",
    "k: -12\n",
    "k: 0\n",
    "k: -0\n",
    "k: 0.5\n",
    "k: -0.0\n",
    "k: 3.10\n",
    "k: 1.0.0\n",
    "k: 10.0.0.1\n",
    "k: true\nj: False\nl: TRUE\n",
    "k: yes\nj: no\nl: on\nm: off\nn: y\no: N\n",
    "k: null\nj: ~\nl:\nm: Null\n",
    "k: [a, 1, 2.5, true, null]\n",
    "k: {a: 1, b: [x, y]}\n",
    "k: [a: 1]\n",
    "k: |\n  line 1\n  line 2\n",
    "k: >-\n  folded\n  text\n\n  more\n",
    "k: |+\n  kept\n\n",
    "k: 'it''s'\n",
    'k: "{{ event.payload.target }}"\n',
    "k: plain text with 5 numbers, 2.5 and true in it\n",
    "k: multi\n  line\n\n  plain\n",
    "k: caf\u00e9 \u4e2d\u6587 \U0001f600\n",
    "k: 'x'\n'j': \"y\"\n",
    "tags: [deploy, disk]\nrequired: []\nempty: {}\n",
]


@pytest.mark.parametrize("text", DECLINED)
def test_declined(text: str) -> None:
    assert _fast(text) is None


@pytest.mark.parametrize("text", AGREED)
def test_agreed(text: str) -> None:
    assert assert_agrees(text), text


WORDS = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf"]


@pytest.mark.parametrize("word", WORDS)
def test_every_spelling_of_the_yaml_11_words(word: str) -> None:
    """Every upper/lower case spelling of the words YAML versions disagree on, as a
    value and as a key, plain and after a dot (``.inf``): accepted only when the
    reader agrees."""
    for letters in itertools.product(*((c.lower(), c.upper()) for c in word)):
        spelled = "".join(letters)
        for text in (f"k: {spelled}\n", f"{spelled}: k\n", f"k: .{spelled}\n", f"k: [{spelled}]\n"):
            assert_agrees(text)


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("a: {b: {c: 1}}\n", Limits(max_depth=3)),
        ("a: {b: {c: 1}}\n", Limits(max_depth=2)),
        ("a: [1, 2]\n", Limits(max_nodes=5)),
        ("a: [1, 2]\n", Limits(max_nodes=4)),
        ("a: 1\nb: {c: 2}\n", Limits(max_nodes=6)),
        ("a: 1\nb: {c: 2}\n", Limits(max_nodes=5)),
    ],
)
def test_limits_as_the_reader_counts(text: str, limits: Limits) -> None:
    """The walk accepts exactly what is within the reader's depth and node limits."""
    accepted = _fast(text, limits) is not None
    assert accepted == isinstance(_reader(text, limits), ParsedFile)


# -- The corpus, and the path taken -------------------------------------------------------


# Tools' caches hold no YAML of the project's; .git holds none that is checked out.
_NOT_THE_PROJECTS = frozenset(
    (".git", ".hypothesis", ".mypy_cache", ".pytest_cache", ".ruff_cache")
)


def _corpus() -> list[Path]:
    """Every YAML file of the repository: packs, cases, workflows, anything added later."""
    found = [*PROJECT_ROOT.rglob("*.yaml"), *PROJECT_ROOT.rglob("*.yml")]
    return sorted(
        p for p in found if not _NOT_THE_PROJECTS & set(p.relative_to(PROJECT_ROOT).parts)
    )


def test_the_corpus_is_the_whole_repository() -> None:
    """The corpus reaches past packs/core and the cases (it globs the repository)."""
    assert {p.relative_to(PROJECT_ROOT).parts[0] for p in _corpus()} >= {"packs", "tests"}


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_corpus_reads_the_same_either_way(path: Path) -> None:
    """Every YAML file of the repository: when the fast path accepts it, exactly the
    reference reader's data; otherwise the same diagnostic."""
    found = parse_file(path, str(path))
    with reader_only():
        expected = parse_file(path, str(path))
    if isinstance(expected, Diagnostic):
        assert found == expected
        return
    assert isinstance(found, ParsedFile)
    assert (found.path, found.display) == (expected.path, expected.display)
    assert_same(found.data, expected.data)
    assert type(found.position) is Positions
    assert found.position.text == expected.position.text  # type: ignore[attr-defined]


def test_fast_path_is_taken_for_ordinary_files(tmp_path: Path) -> None:
    """Generated packs (the benchmark's files) take the fast path, all but the few
    files with escapes in regular expressions and the manifests' versions."""
    generate(tmp_path, 2, 60)
    files = sorted(tmp_path.rglob("*.yaml"))
    before = fast.SWITCH.taken
    for path in files:
        assert isinstance(parse_file(path, path.name), ParsedFile)
    taken = fast.SWITCH.taken - before
    assert taken >= 0.9 * len(files), (taken, len(files))
    action = next(p for p in files if p.parent.name == "actions")
    before = fast.SWITCH.taken
    parse_file(action, action.name)
    assert fast.SWITCH.taken == before + 1


def test_positions_are_the_readers() -> None:
    """A file read by the fast path still finds its places lazily, as the reader does."""
    text = "ref: demo.x\nparameters:\n  type: object\n  properties:\n    n: {type: integer}\n"
    parsed = parse_text(text, "x.yaml")
    assert isinstance(parsed, ParsedFile)
    assert _fast(text) is not None
    assert parsed.position(("parameters", "properties", "n", "type"), False) == (5, 15)
    assert parsed.position(("parameters", "properties", "n", "type"), True) == (5, 9)
    assert parsed.position(("parameters",), True) == (2, 1)


def test_without_yaml_rs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without yaml-rs the module imports, the switch is off and the reader reads."""
    monkeypatch.setitem(__import__("sys").modules, "yaml_rs", None)
    assert fast._yaml_rs() is None
    with reader_only():
        before = fast.SWITCH.taken
        parsed = parse_text("k: 1\n", "x.yaml")
        assert fast.SWITCH.taken == before
    assert isinstance(parsed, ParsedFile) and parsed.data == {"k": 1}
