"""bench/packgen.py writes packs that validate against the schemas."""

from __future__ import annotations

import os
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bench import packgen
from tests.helpers.schemas import error_texts, load_yaml, pack_files


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_generated_packs_validate(tmp_path: Path) -> None:
    """2 packs x 50 components: every file validates against its kind's schema."""
    roots = packgen.generate(tmp_path, packs=2, components=50)
    assert [r.name for r in roots] == ["bench_p0000", "bench_p0001"]
    for root in roots:
        kinds: Counter[str] = Counter()
        for path, kind in pack_files(root):
            doc = load_yaml(path)
            assert error_texts(doc, kind) == [], path
            kinds[kind] += 1
        expected = {k: n for k, n in packgen.mix(50).items() if n}
        assert kinds == Counter({"pack": 1, "runtime": 2, **expected})


def test_mix_is_realistic() -> None:
    """The kind mix is about 10/60/10/15/5 % and always adds up."""
    assert packgen.mix(100) == {
        "trigger": 10,
        "sensor": 10,
        "rule": 15,
        "permission_set": 5,
        "action": 60,
    }
    for components in (1, 2, 7, 33, 1000):
        counts = packgen.mix(components)
        assert sum(counts.values()) == components
        assert counts["action"] >= 1
        if counts["rule"] or counts["sensor"]:
            assert counts["trigger"] >= 1


def test_references_resolve_inside_the_pack(tmp_path: Path) -> None:
    """Entry points exist and are executable; rules and sensors point at the pack's own
    triggers, actions and runtimes (or the core runtimes)."""
    (root,) = packgen.generate(tmp_path, packs=1, components=50, seed=3)
    docs: dict[str, dict[str, Any]] = {}
    for path, kind in pack_files(root):
        doc = load_yaml(path)
        if kind != "pack":
            docs[doc["ref"]] = {"kind": kind, "path": path, **doc}
    by_kind = {kind: {r for r, d in docs.items() if d["kind"] == kind} for kind in packgen.SHARES}
    runtimes = {r for r, d in docs.items() if d["kind"] == "runtime"}
    for ref, doc in docs.items():
        assert ref.startswith("bench_p0000.")
        if doc["kind"] in ("action", "sensor"):
            script = doc["path"].parent / doc["entry_point"]
            assert script.is_file() and os.access(script, os.X_OK)
        if doc["kind"] == "action":
            assert doc["runner_type"] in ("shell", "python")
        if doc["kind"] == "sensor":
            assert set(doc["trigger_types"]) <= by_kind["trigger"]
            assert doc.get("runtime", "core") in runtimes | {"core"}
        if doc["kind"] == "rule":
            assert doc["trigger"] in by_kind["trigger"]
            assert docs[doc["action"]]["kind"] == "action"


def test_action_files_have_realistic_size(tmp_path: Path) -> None:
    """Actions are about 0.9 KB with three parameters and an output schema."""
    (root,) = packgen.generate(tmp_path, packs=1, components=40)
    actions = sorted((root / "actions").glob("*.yaml"))
    assert actions
    sizes = [p.stat().st_size for p in actions]
    assert 750 <= sum(sizes) / len(sizes) <= 1100
    for path in actions:
        doc = load_yaml(path)
        assert len(doc["parameters"]["properties"]) == 3
        assert doc["output_schema"]["type"] == "object"


def test_output_is_deterministic(tmp_path: Path) -> None:
    """The same seed gives byte-identical packs; another seed gives different ones."""
    (a,) = packgen.generate(tmp_path / "a", packs=1, components=30, seed=7)
    (b,) = packgen.generate(tmp_path / "b", packs=1, components=30, seed=7)
    (c,) = packgen.generate(tmp_path / "c", packs=1, components=30, seed=8)
    assert _files(a) == _files(b)
    assert _files(a) != _files(c)


def test_yaml_emitter_round_trips() -> None:
    """Strings YAML would misread are quoted; structure survives a parse."""
    doc: dict[str, Any] = {
        "plain": "Hello world, again",
        "tricky": ["yes", "No", "null", "~", "1.0", "0x1F", "", " lead", "trail ", "a: b"],
        "more": ["#hash", "- dash", "{{ event.payload.x }}", "50%", "it's", 'say "hi"', "x\ny"],
        "numbers": [0, -3, 2.5, True, False, None],
        "nested": {"empty_map": {}, "empty_list": [], "list_of_maps": [{"a": 1, "b": [1, 2]}]},
        "deep": [[1, 2], [{"k": "v"}]],
    }
    parsed = YAML(typ="safe", pure=True).load(StringIO(packgen.to_yaml(doc, "comment")))
    assert parsed == doc


def test_cli(tmp_path: Path, capsys: Any) -> None:
    """python -m bench.packgen DEST --packs N --components M writes the packs."""
    assert packgen.main([str(tmp_path), "--packs", "2", "--components", "10"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench_p0000", "bench_p0001"]
    assert "wrote 2 packs" in capsys.readouterr().out
