"""A reload of unchanged packs into an unchanged database is recognised without parsing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from loader import CORE_PACK_DIR
from loader.api import load_packs
from loader.database import reload_cache
from loader.database.conn import Conn
from loader.database.embedded import Cluster, find_bindir
from loader.database.migrate import runner
from loader.packs import metadata
from loader.report import Action
from tests.helpers.cli import modules_imported_by
from tests.helpers.db import row_versions


@pytest.fixture
def core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of packs/core; its files count as settled at once."""
    monkeypatch.setattr(metadata, "RACY_NS", 0)
    return Path(shutil.copytree(CORE_PACK_DIR, tmp_path / "core"))


def test_unchanged_reload_is_remembered(core: Path, database_url: str, conn: Conn) -> None:
    """The second load comes from the cache: same components, nothing written."""
    first = load_packs([core], database_url=database_url)
    assert first.applied and not first.from_cache
    before = row_versions(conn)
    second = load_packs([core], database_url=database_url)
    assert second.from_cache and not second.applied and second.pending == []
    # The same components of the same packs, in the same order.
    assert [(c.kind, c.ref, c.pack) for c in second.changes] == [
        (c.kind, c.ref, c.pack) for c in first.changes
    ]
    assert all(c.action is Action.UNCHANGED for c in second.changes)
    assert [d.code for d in second.warnings] == [d.code for d in first.warnings]
    assert row_versions(conn) == before


def test_edited_file_is_not_taken_from_the_cache(core: Path, database_url: str) -> None:
    """Changing a file (even keeping its size) makes the next load read everything."""
    load_packs([core], database_url=database_url)
    echo = core / "actions" / "echo.yaml"
    echo.write_text(echo.read_text().replace("Print a message", "Print a massage"))
    report = load_packs([core], database_url=database_url)
    assert not report.from_cache
    assert [(c.ref, c.fields) for c in report.pending] == [("core.echo", ("description",))]


def test_changed_files_have_the_checks_imported_while_the_rows_are_asked(
    core: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a reload whose files changed imports the checking modules, and it does so
    between asking the database for the row tokens and reading them: the server
    reckons them meanwhile."""
    events: list[str] = []
    asking, importing = reload_cache.tokens_meanwhile, reload_cache._import

    @contextmanager
    def asked(conn: Conn, packs: Sequence[str]) -> Iterator[Callable[[], dict[str, str]]]:
        with asking(conn, packs) as tokens:
            events.append("asked")

            def read() -> dict[str, str]:
                events.append("read")
                return tokens()

            yield read

    def imported(modules: Sequence[str]) -> None:
        events.append("imported")
        importing(modules)

    monkeypatch.setattr(reload_cache, "tokens_meanwhile", asked)
    monkeypatch.setattr(reload_cache, "_import", imported)
    load_packs([core], database_url=database_url)
    assert load_packs([core], database_url=database_url).from_cache
    assert "imported" not in events  # a first load and a no-op
    events.clear()
    echo = core / "actions" / "echo.yaml"
    echo.write_text(echo.read_text().replace("Print a message", "Print a massage"))
    assert load_packs([core], database_url=database_url).pending
    assert events[:3] == ["asked", "imported", "read"]
    assert "imported" not in events[3:]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE attune.action SET description = 'edited by hand' WHERE ref = 'core.echo'",
        "DELETE FROM attune.sensor WHERE ref = 'core.interval_timer_sensor'",
        "UPDATE attune.trigger SET webhook_enabled = true WHERE ref = 'core.crontimer'",
    ],
)
def test_changed_rows_are_not_taken_from_the_cache(
    core: Path, database_url: str, conn: Conn, statement: str
) -> None:
    """Any write to a row the pack owns makes the next load compare for real."""
    load_packs([core], database_url=database_url)
    conn.execute(statement)
    report = load_packs([core], database_url=database_url)
    assert not report.from_cache
    assert load_packs([core], database_url=database_url).from_cache


def test_cache_can_be_turned_off(
    core: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """use_cache=False and ATTUNE_LOADER_NO_CACHE both force a full check."""
    load_packs([core], database_url=database_url)
    assert not load_packs([core], database_url=database_url, use_cache=False).from_cache
    monkeypatch.setenv("ATTUNE_LOADER_NO_CACHE", "1")
    assert not load_packs([core], database_url=database_url).from_cache


@pytest.mark.parametrize("settled", [False, True])
def test_freshly_written_files_are_never_taken_as_unchanged(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, settled: bool
) -> None:
    """Files changed within the clock's resolution could change again unseen: their
    pack's memory is kept as unsettled, which the next load never takes for a no-op
    (its snapshot is kept, into a cache directory that was new)."""
    monkeypatch.setenv("ATTUNE_LOADER_CACHE_DIR", str(tmp_path / "cache"))
    if settled:
        monkeypatch.setattr(metadata, "RACY_NS", 0)
    fresh = Path(shutil.copytree(CORE_PACK_DIR, tmp_path / "fresh"))
    load_packs([fresh], database_url=database_url)
    assert len(list((tmp_path / "cache" / "packs").iterdir())) == 1
    assert load_packs([fresh], database_url=database_url).from_cache == settled


@pytest.mark.parametrize(
    "damaged",
    ['{"files": 1}', '{"packs": []}', "[1]", '"core"', "{not json", '{"ref": "core"}\n\u0000'],
    ids=["foreign", "older-format", "list", "string", "not-json", "truncated"],
)
def test_damaged_cache_entry_is_a_miss(core: Path, database_url: str, damaged: str) -> None:
    """An entry that is not what the loader wrote is ignored, then rewritten."""
    load_packs([core], database_url=database_url)
    directory = reload_cache.cache_dir()
    assert directory is not None
    for entry in directory.glob("*.entry"):
        entry.write_text(damaged)
    assert not load_packs([core], database_url=database_url).from_cache
    assert load_packs([core], database_url=database_url).from_cache


def _edit_description(core: Path, text: str) -> None:
    echo = core / "actions" / "echo.yaml"
    lines = [
        f"description: {text}" if line.startswith("description:") else line
        for line in echo.read_text().splitlines()
    ]
    echo.write_text("\n".join(lines) + "\n")


def _description(url: str) -> str:
    with psycopg.connect(url) as c:
        row = c.execute("SELECT description FROM attune.action WHERE ref = 'core.echo'").fetchone()
    assert row is not None
    return str(row[0])


def _identity(url: str) -> str:
    with psycopg.connect(url) as c:
        return reload_cache.database_identity(c)


def _tool(name: str) -> str:
    found = shutil.which(name) or str(find_bindir() / name)
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed")
    return found


def test_another_cluster_is_never_taken_for_this_one(
    core: Path, database_url: str, tmp_path: Path
) -> None:
    """v1 into A, v2 into B (another cluster), v2 into A: A gets v2, not a cache hit."""
    other = Cluster(Path(tempfile.mkdtemp(prefix="attune-test-pg-other-")), fast=True)
    try:
        url_b = other.ensure_started()
        runner.migrate(url_b)
        _edit_description(core, "version one")
        assert load_packs([core], database_url=database_url).applied
        _edit_description(core, "version two")
        assert load_packs([core], database_url=url_b).applied
        again = load_packs([core], database_url=database_url)
        assert not again.from_cache and again.applied
        assert _description(database_url) == "version two"
        assert _identity(url_b) != _identity(database_url)
    finally:
        other.destroy()


def test_a_template_copy_or_a_restored_dump_is_another_database(
    core: Path, database_url: str, pg_server: str
) -> None:
    """A database cloned with CREATE DATABASE ... TEMPLATE, or restored from a dump,
    holds the same rows but is not the database the cache entry was made for."""
    assert load_packs([core], database_url=database_url).applied
    assert load_packs([core], database_url=database_url).from_cache
    source = str(conninfo_to_dict(database_url)["dbname"])
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(source + "_copy"), sql.Identifier(source)))  # fmt: skip
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(source + "_dump")))
    copy = make_conninfo(database_url, dbname=source + "_copy")
    restored = make_conninfo(database_url, dbname=source + "_dump")
    try:
        dump = subprocess.run(
            [_tool("pg_dump"), "-Fc", "-d", database_url],
            capture_output=True, check=True,
        )  # fmt: skip
        subprocess.run(
            [_tool("pg_restore"), "--no-owner", "-d", restored],
            input=dump.stdout, capture_output=True, check=False,
        )  # fmt: skip
        for url in (copy, restored):
            report = load_packs([core], database_url=url)
            assert not report.from_cache and report.pending == [], url
            assert load_packs([core], database_url=url).from_cache
        assert load_packs([core], database_url=database_url).from_cache
    finally:
        with psycopg.connect(pg_server, autocommit=True) as admin:
            for name in (source + "_copy", source + "_dump"):
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


_PATHS = st.builds(
    lambda absolute, parts: ("/" if absolute else "") + "/".join(parts),
    st.booleans(),
    st.lists(st.sampled_from(["a", "b", "packs", "core", "x.yaml"]), min_size=1, max_size=4),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PATHS | st.just("/"), min_size=1, max_size=4), _PATHS)
def test_a_warning_belongs_to_the_first_root_it_is_inside(roots: list[str], file: str) -> None:
    """The lookup by folder finds what testing every root in order finds."""
    first: dict[str, int] = {}
    for i, root in enumerate(roots):
        first.setdefault(root.rstrip("/"), i)
    expected = next(
        (i for i, r in enumerate(roots) if file == r or file.startswith(r.rstrip("/") + "/")),
        None,
    )
    assert reload_cache._first_root(file, first) == expected


def test_a_remembered_no_op_imports_and_makes_only_what_it_needs(
    database_url: str, tmp_path: Path
) -> None:
    """No YAML or JSON Schema library, no planner or writer, no archive module and no
    scratch directory when only directories are given (docs/performance.md). The
    packaged core, whose files are settled, since the loads run in other processes."""
    env = {**os.environ, "ATTUNE_LOADER_CACHE_DIR": str(tmp_path / "cache")}
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    env.pop("ATTUNE_LOADER_NO_CACHE", None)
    load = (
        "from loader.api import load_packs\n"
        f"report = load_packs([{str(CORE_PACK_DIR)!r}], database_url={database_url!r})\n"
    )
    modules_imported_by(load, env)
    before = (tmp_path / "tmp").stat().st_mtime_ns
    modules = modules_imported_by(load + "assert report.from_cache", env)
    unwanted = {
        "tarfile", "jsonschema", "referencing", "ruamel", "yaml_rs",
        "jsonschema_rs", "loader.packs.pipeline", "loader.packs.archives",
        "loader.database.plan", "loader.database.apply", "loader.database.lock",
    }  # fmt: skip
    assert not unwanted & modules, unwanted & modules
    assert (tmp_path / "tmp").stat().st_mtime_ns == before  # nothing made there, even for a while


def test_the_code_digest_follows_the_loaders_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited or added source file is another loader; bytecode written beside the
    sources is not."""
    package = Path(shutil.copytree(Path(reload_cache.__file__).parents[1], tmp_path / "loader"))
    monkeypatch.setattr(reload_cache, "PACKAGE_DIR", package)
    digest = reload_cache._code_digest.__wrapped__
    first = digest()
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "api.cpython-311.pyc").write_bytes(b"bytecode")
    assert digest() == first
    (package / "api.py").write_text((package / "api.py").read_text() + "\n# edited\n")
    edited = digest()
    assert edited != first
    (package / "extra.py").write_text("")
    assert digest() not in (first, edited)


def test_the_cache_keeps_the_entries_last_used(
    core: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the kept number, the entries least recently read or written go, and so do
    scratch files older than an hour and the entries of former releases; the entry a
    load just used stays."""
    directory = tmp_path / "reload-cache"
    monkeypatch.setenv("ATTUNE_LOADER_CACHE_DIR", str(directory))
    monkeypatch.setattr(reload_cache, "_KEPT_ENTRIES", 3)
    monkeypatch.setattr(reload_cache, "_KEPT_SNAPSHOTS", 1)
    load_packs([core], database_url=database_url)
    [first_snapshot] = (directory / "packs").iterdir()
    [used] = directory.glob("*.entry")
    hour_ago = os.stat(used).st_mtime - 7200
    others = [directory / f"other-{i}.entry" for i in range(4)]
    for age, path in enumerate(others):  # all older than ``used``, other-0 the newest
        path.write_text("{}")
        os.utime(path, (hour_ago - age, hour_ago - age))
    os.utime(used, (hour_ago - 10, hour_ago - 10))  # the oldest now, until it is read
    scratch = directory / "killed.1.2.tmp"
    scratch.write_text("")
    os.utime(scratch, (hour_ago, hour_ago))
    fresh_scratch = directory / "writing.3.4.tmp"
    fresh_scratch.write_text("")
    (directory / "an-entry-of-a-former-release.json").write_text("{}\n")  # whatever its age
    assert load_packs([core], database_url=database_url).from_cache  # reads: touched
    # Another directory is another entry: written, then the directory is pruned.
    elsewhere = Path(shutil.copytree(core, tmp_path / "elsewhere"))
    assert not load_packs([elsewhere], database_url=database_url).from_cache
    written = {p.name for p in directory.glob("*.entry")} - {used.name, *(p.name for p in others)}
    left = sorted(p.name for p in directory.iterdir())
    assert left == sorted([*written, used.name, "other-0.entry", fresh_scratch.name, "packs"])
    # The pack snapshots too: only the last written is left.
    [snapshot] = (directory / "packs").iterdir()
    assert snapshot.name != first_snapshot.name
