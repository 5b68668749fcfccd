"""Large checks run in worker processes and find exactly what one process finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.packgen import generate
from loader import CORE_PACK_DIR
from loader.kinds import KINDS_BY_NAME
from loader.packs import workers
from loader.packs.pipeline import CheckResult, check_packs
from loader.packs.schema.registry import load_schemas


def _shape(result: CheckResult) -> list[object]:
    return [
        (c.kind.name, c.ref, c.values, c.links, c.source.display)
        for p in result.packs
        for c in p.all_components()
    ]


def test_workers_find_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same components, same diagnostics (a broken file included), same kinds by identity."""
    packs = generate(tmp_path, packs=3, components=30, seed=3)
    broken = next((packs[1] / "actions").glob("*.yaml"))
    broken.write_text(broken.read_text().replace("entry_point:", "entry_pont:"))
    paths = [CORE_PACK_DIR, *packs]
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 0)
    assert workers.workers_for(paths) == 2
    parallel = check_packs(paths)
    alone = check_packs(paths, schemas=load_schemas())  # given schemas: one process
    assert _shape(parallel) == _shape(alone)
    assert parallel.diagnostics == alone.diagnostics
    assert any(d.code == "schema.unknown-key" for d in parallel.diagnostics)
    assert parallel.files_checked == alone.files_checked
    kinds = [c.kind for p in parallel.packs for c in p.all_components()]
    assert all(kind is KINDS_BY_NAME[kind.name] for kind in kinds)
