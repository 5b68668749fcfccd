"""bench/bench_validate.py runs end to end on a small generated set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench import bench_validate, packgen


def test_loader_measure(tmp_path: Path) -> None:
    """The validator's measure counts every file of packs/core and the generated packs."""
    roots = packgen.generate(tmp_path, packs=1, components=20, seed=1)
    measure = bench_validate.measure_loader(roots, repeat=1, fast=False)
    files = sum(len(p) for p in bench_validate.files_by_kind(roots).values())
    assert measure.files > files and measure.files_per_s > 0


@pytest.mark.skipif(shutil.which("check-jsonschema") is None, reason="needs check-jsonschema")
def test_main_with_the_peer(tmp_path: Path) -> None:
    """With check-jsonschema installed the JSON result holds both rates and their ratio."""
    out = tmp_path / "result.json"
    assert (
        bench_validate.main(
            ["--packs", "1", "--components", "10", "--repeat", "1", "--json", str(out)]
        )
        == 0
    )
    result = json.loads(out.read_text())
    assert result["peer"]["files"] == result["measures"][0]["files"]
    assert result["ratio"] > 0
