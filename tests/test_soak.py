"""The reliability soak (bench/soak.py) at a small size, on the test server.

Every scenario runs with a count of one or two against real loader processes and
must report no failure; the restart runs on a cluster of its own, as restarting
the shared test server would cut off the other test workers. Then the checks are
shown to catch what they look for: a row written by hand is neither the "before"
nor the "after" content, a held advisory lock is reported, and a run whose expected
end state is wrong fails.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import psycopg
import pytest

from bench import soak
from bench.hostile_archives import HOSTILE
from bench.soak import Scenario, Soak

COMPONENTS = 60  # per generated pack: a load of about half a second


@pytest.fixture(scope="module")
def world(pg_server: str) -> Iterator[Soak]:
    with soak.soak_world(pg_server, COMPONENTS, seed=1) as prepared:
        yield prepared


def _passed(scenario: Scenario, runs: int) -> None:
    assert scenario.failures == [], scenario.failures
    assert scenario.runs == runs and not scenario.skipped


def test_sigkill_during_first_load_and_reload(world: Soak) -> None:
    first, reload = soak.sigkills(world, 2)
    _passed(first, 2)
    _passed(reload, 2)


def test_backend_termination(world: Soak) -> None:
    _passed(soak.terminations(world, 1), 1)


def test_server_restart_on_a_cluster_of_its_own() -> None:
    with soak.soak_world(None, COMPONENTS, seed=2) as own:
        _passed(soak.restarts(own, 1), 1)


def test_restart_is_skipped_on_a_server_not_ours(world: Soak) -> None:
    scenario = soak.restarts(world, 1)
    assert scenario.runs == 0 and scenario.skipped


def test_concurrent_loaders_with_edits(world: Soak) -> None:
    _passed(soak.concurrent(world, rounds=2, loaders=4), 2)


def test_hostile_archives(world: Soak) -> None:
    _passed(soak.hostile(world), 2 * len(HOSTILE))


def test_state_check_flags_a_row_written_by_hand(world: Soak) -> None:
    """A database holding the "before" content plus one more row is neither state."""
    case = world.cases["modifying reload"]
    with world.server.scratch("soak_by_hand", case.template) as name:
        conninfo = world.server.conninfo(name)
        assert soak.check_state(conninfo, case) == ("before", [])
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO attune.pack (ref, label, version) VALUES ('by_hand', 'x', '1.0.0')"
            )
        state, reasons = soak.check_state(conninfo, case)
    assert state == "neither"
    assert reasons == ["content is neither before nor after (1 rows off the nearer)"]


def test_lock_check_flags_a_held_advisory_lock(world: Soak) -> None:
    with world.server.scratch("soak_lock", world.template) as name:
        with psycopg.connect(world.server.conninfo(name), autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(42)")
            assert soak.check_no_locks(world.server, name) == ["1 advisory lock(s) held"]
        assert soak.check_no_locks(world.server, name) == []


def test_a_run_fails_when_the_end_state_is_wrong(world: Soak) -> None:
    """With a wrong "after" content, a disturbed run and its next load are flagged."""
    case = dataclasses.replace(world.cases["first load"], after={})
    scenario = Scenario("wrong expectation")
    soak.disturbed_run(world, case, soak.SIGKILL, scenario)
    assert any("next load did not reach the after content" in f for f in scenario.failures)
