"""The pytest plugin as a downstream suite uses it, run by pytester: a migrated
database per test, seeded from the ini option's packs, on the server that
``ATTUNE_TEST_DATABASE_URL`` names (this session's)."""

from __future__ import annotations

import pytest

from tests.helpers.packs import demo_pack

DOWNSTREAM_TESTS = """
import psycopg


def _refs(url, table):
    with psycopg.connect(url) as conn:
        return sorted(r for (r,) in conn.execute(f"SELECT ref FROM attune.{table}"))


def test_seeded(attune_database_url):
    assert _refs(attune_database_url, "pack") == {packs}
    assert "core.echo" in _refs(attune_database_url, "action") or {packs} == []


def test_each_test_has_its_own_copy(attune_database_url):
    with psycopg.connect(attune_database_url) as conn:
        conn.execute("DELETE FROM attune.rule")
        conn.execute("CREATE TABLE scribble (x int)")


def test_the_copy_is_fresh(attune_database_url):
    with psycopg.connect(attune_database_url) as conn:
        assert conn.execute("SELECT to_regclass('scribble')").fetchone() == (None,)


def test_empty(attune_empty_database_url):
    with psycopg.connect(attune_empty_database_url) as conn:
        assert conn.execute("SELECT to_regclass('_sqlx_migrations')").fetchone() == (None,)
"""


@pytest.fixture
def downstream(
    pytester: pytest.Pytester, pg_server: str, monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    monkeypatch.setenv("ATTUNE_TEST_DATABASE_URL", pg_server)
    return pytester


def test_a_downstream_suite_gets_seeded_databases(downstream: pytest.Pytester) -> None:
    demo_pack(downstream.path / "packs")
    downstream.makeini("[pytest]\nattune_seed_packs =\n    core\n    packs/demo\n")
    downstream.makepyfile(test_downstream=DOWNSTREAM_TESTS.replace("{packs}", '["core", "demo"]'))
    result = downstream.runpytest("-p", "loader.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_without_seed_packs_the_database_is_migrated_only(downstream: pytest.Pytester) -> None:
    downstream.makepyfile(test_downstream=DOWNSTREAM_TESTS.replace("{packs}", "[]"))
    result = downstream.runpytest("-p", "loader.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_seed_packs_that_do_not_load_stop_the_session(downstream: pytest.Pytester) -> None:
    broken = demo_pack(downstream.path / "packs")
    (broken / "actions" / "hello.yaml").write_text("ref: demo.hello\nrunner_type: 42\n")
    downstream.makeini("[pytest]\nattune_seed_packs =\n    core\n    packs/demo\n")
    downstream.makepyfile(test_downstream="def test_x(attune_database_url):\n    pass\n")
    result = downstream.runpytest("-p", "loader.pytest_plugin")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the Attune seed packs do not load*", "*hello.yaml*"])
