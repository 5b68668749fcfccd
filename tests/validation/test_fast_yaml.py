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
from tests.helpers.checkout import yaml_corpus
from tests.helpers.yaml_strategies import JSON, KEY, yaml_texts

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


def test_the_corpus_is_the_whole_repository() -> None:
    """The corpus reaches past packs/core and the cases (it globs the repository)."""
    assert {p.relative_to(PROJECT_ROOT).parts[0] for p in yaml_corpus()} >= {"packs", "tests"}


@pytest.mark.parametrize("path", yaml_corpus(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
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
