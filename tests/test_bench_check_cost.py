"""bench/bench_check_cost.py: the scripts it counts run (here without valgrind, which
would take a minute), over the packs and file lists it makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import bench_check_cost
from bench.packgen import generate
from loader import PROJECT_ROOT


def _run(script: str, *args: str) -> None:
    """``python -c script args`` in the checkout, as the benchmark runs it."""
    command = [sys.executable, "-c", script, *args]
    subprocess.run(command, env={}, cwd=PROJECT_ROOT, check=True, timeout=120)


def test_the_counted_scripts_check_the_packs(tmp_path: Path) -> None:
    packs = generate(tmp_path / "packs", packs=3, components=20)
    one, three = bench_check_cost.file_lists(packs, tmp_path)
    assert len(three.read_text().splitlines()) > len(one.read_text().splitlines()) > 0
    _run(bench_check_cost.FLOOR, str(three))
    for snapshot in ("1", "0"):
        _run(bench_check_cost.LOADER, snapshot, *map(str, packs))


def test_one_pack_is_half_of_three_less_one() -> None:
    assert bench_check_cost.per_pack(1_000, 3_000) == 1_000
    lines = bench_check_cost.report({"floor": 100_000_000, "loader": 850_000_000}, 1000)
    assert lines[-1] == "| loader | 850 M | 8.50x |"
