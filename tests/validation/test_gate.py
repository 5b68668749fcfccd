"""The fast path's gate (loader/packs/read/fast.py) looks for substrings of the text's
character classes; it declines exactly what its definition by regular expressions
declines, written here as the specification."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench.packgen import generate
from loader.packs.read import fast
from tests.helpers.checkout import yaml_corpus
from tests.helpers.yaml_strategies import yaml_texts

_UNUSUAL_ASCII = re.compile(r"[^\n\x20\x22-\x24\x27-\x29\x2b-\x3e\x40-\x5b\x5d-\x7e]")
_NUMBER_DIGIT = re.compile(r"[0-9](?<=[ \n,\[\]{}:+._\-][0-9])")


def _closed(line: str) -> bool:
    line = fast._QUOTED.sub("", line)
    while True:
        inner = fast._INNER_FLOW.sub("", line)
        if inner == line:
            return not any(c in line for c in "[]{}")
        line = inner


def specified(text: str) -> bool:
    """The gate as regular expressions define it."""
    body = text.removeprefix(fast._LEADING_MARKER)
    unusual = _UNUSUAL_ASCII if body.isascii() else fast._unusual_character()
    if unusual.search(body) or "<<" in body:
        return False
    lines = "\n" + body
    if any(check.search(lines) for check in fast._CHECKS):
        return False
    if ("|" in body or ">" in body) and (
        not body.endswith("\n") or any(check.search(body) for check in fast._BLOCK_INDICATOR_CHECKS)
    ):
        return False
    if not all(fast._plain_number(lines, d.start()) for d in _NUMBER_DIGIT.finditer(lines)):
        return False
    if body.count("[") + body.count("{") > fast._MAX_FLOW_OPENINGS:
        return False
    return all(_closed(line) for line in body.split("\n") if "[" in line or "{" in line)


# What the gate tells apart, and a little of everything else.
_ALPHABET = st.sampled_from(list(" \n\t,[]{}:+-._0123456789eExo|>#'\"!&*%?\\<ab\x00\x7f\x85é"))


@settings(max_examples=3000, deadline=None)
@given(st.text(_ALPHABET, max_size=40))
@example("k: ] x [\n")  # one of each, closing first
@example("k: [a, b]\nl: {c: [d]}\nm: 'x [' \n")
def test_the_gate_is_its_specification_on_any_text(text: str) -> None:
    assert fast.gate(text) is specified(text)


@settings(max_examples=500, deadline=None)
@given(yaml_texts())
def test_the_gate_is_its_specification_on_yaml(text: str) -> None:
    assert fast.gate(text) is specified(text)


def test_the_gate_is_its_specification_on_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The repository's YAML files (those that are UTF-8) and a generated pack: some
    are declined, some accepted."""
    packs = generate(tmp_path_factory.mktemp("packs"), packs=1, components=200)
    texts = []
    for path in [*yaml_corpus(), *packs[0].rglob("*.yaml")]:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue  # refused before the gate
    assert {fast.gate(text) for text in texts} == {True, False}
    for text in texts:
        assert fast.gate(text) is specified(text), text
