"""bench/bench_write.py runs end to end at a tiny size, both ways, and leaves the
write threshold as it found it."""

from __future__ import annotations

from bench import bench_write
from loader.database import statements


def test_both_ways_are_timed_for_each_size(pg_server: str) -> None:
    kept = statements.SENT_IN_LINE
    lines = bench_write.run(pg_server, sizes=[10, 30], runs=1)
    assert kept == statements.SENT_IN_LINE
    rows = [line.split("|")[1:-1] for line in lines if line.startswith("| ") and "---" not in line]
    header, *sizes = rows
    assert [h.strip() for h in header][:4] == ["components", "actions", "staged, ms", "in line, ms"]
    assert [int(r[0]) for r in sizes] == [10, 30]
    for row in sizes:
        staged, in_line = float(row[2]), float(row[3])
        assert staged > 0 and in_line > 0
        ratio = float(row[4].strip().removesuffix("x"))  # of the unrounded times
        assert abs(ratio - in_line / staged) < 0.05
