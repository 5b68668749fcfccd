"""A reload checks and plans only the packs whose files or rows changed, plus the
packs that reference them, and reports exactly what checking every pack reports."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bench.packgen import generate
from loader import CORE_PACK_DIR, sealed
from loader.api import load_packs
from loader.database import reload_cache
from loader.packs import metadata, pipeline
from loader.report import Report, codes
from tests.helpers.packs import DEMO_FILES, write_pack

FAN = {
    "pack.yaml": "ref: fan\nlabel: Fan\nversion: 1.0.0\n",
    "rules/wave.yaml": """
        ref: fan.wave
        label: Wave
        description: Waves on ping
        trigger: demo.ping
        trigger_params: {host: example.org}
        action: demo.bye
    """,
}
BYE = {
    "actions/bye.yaml": """
        ref: demo.bye
        label: Bye
        description: Says bye
        runner_type: shell
        entry_point: bye.sh
    """,
    "actions/bye.sh": "#!/bin/sh\necho bye\n",
}


@pytest.fixture
def packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """packs/core, demo (with an action only fan uses), fan and a generated pack, all
    settled at once for the cache."""
    monkeypatch.setattr(metadata, "RACY_NS", 0)
    return {
        "core": Path(shutil.copytree(CORE_PACK_DIR, tmp_path / "core")),
        "demo": write_pack(tmp_path / "demo", {**DEMO_FILES, **BYE}),
        "fan": write_pack(tmp_path / "fan", FAN),
        "gen": generate(tmp_path / "gen", packs=1, components=12)[0],
    }


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the check parses, in this process (small loads use no workers)."""
    seen: list[Path] = []
    original: Callable[..., Any] = pipeline.parse_file  # type: ignore[attr-defined]

    def spy(path: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(Path(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_file", spy)
    return seen


def _files_of(*roots: Path) -> set[Path]:
    return {p for root in roots for p in root.rglob("*.yaml")}


def _same_as_a_full_check(
    paths: list[Path], url: str, parsed: list[Path] | None = None
) -> tuple[Report, set[Path]]:
    """A dry run from the cache, which must read exactly as one that checks every
    pack; with the files it parsed (when ``parsed`` is the spy's list)."""
    seen = parsed if parsed is not None else []
    seen.clear()
    remembered = load_packs(paths, database_url=url, dry_run=True)
    files = set(seen)
    full = load_packs(paths, database_url=url, dry_run=True, use_cache=False)
    assert remembered.to_json() == full.to_json()
    return remembered, files


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_only_the_changed_pack_is_checked(
    packs: dict[str, Path],
    database_url: str,
    parsed: list[Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ATTUNE_LOADER_CACHE_DIR", str(tmp_path / "reload-cache"))
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    action = sorted((packs["gen"] / "actions").glob("*.yaml"))[0]
    _edit(action, "\ndescription: ", "\ndescription: changed ")
    parsed.clear()
    before = _entry_items()
    report = load_packs(paths, database_url=database_url)
    assert parsed == [action]  # the pack's other files are taken from its snapshot
    # The unchanged packs' memories are written back as they were read.
    after = _entry_items()
    assert before.keys() == after.keys() == {"core", "demo", "fan", "bench_p0000"}
    assert {ref for ref in before if before[ref] != after[ref]} == {"bench_p0000"}
    assert report.applied and [c.fields for c in report.pending] == [("description",)]
    assert report.files_checked == load_packs(paths, database_url=database_url).files_checked
    _edit(action, "\ndescription: changed ", "\ndescription: again ")
    assert _same_as_a_full_check(paths, database_url, parsed)[1] == {action}


def _entry_items() -> dict[str, tuple[Any, ...]]:
    """The items of the only entry of this test's cache directory, one per pack, by
    its ref."""
    directory = reload_cache.cache_dir()
    assert directory is not None
    [entry] = directory.glob("*.entry")
    items = sealed.unseal(reload_cache._ENTRY_MAGIC, entry.read_bytes())
    return {item[2]: item for item in items}


def test_a_reload_right_after_an_edit_leaves_a_snapshot_for_the_next(
    packs: dict[str, Path], database_url: str, parsed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file edited within the clock's resolution of a reload is never trusted to be
    unchanged, but its pack is remembered as unsettled with a snapshot: reload after
    reload right after an edit, each checks only the files edited (or too recent)."""
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    action = sorted((packs["gen"] / "actions").glob("*.yaml"))[0]
    time.sleep(0.6)  # every file is older than the window below but the edited one
    monkeypatch.setattr(metadata, "RACY_NS", 400_000_000)
    for word in ("changed", "again"):
        _edit(action, "\ndescription: ", f"\ndescription: {word} ")
        parsed.clear()
        assert load_packs(paths, database_url=database_url).applied
        assert parsed == [action]
    monkeypatch.setattr(metadata, "RACY_NS", 0)
    parsed.clear()
    assert not load_packs(paths, database_url=database_url).from_cache  # still unsettled
    assert parsed == [action]
    assert load_packs(paths, database_url=database_url).from_cache
    _edit(action, "\ndescription: again ", "\ndescription: ")
    assert _same_as_a_full_check(paths, database_url, parsed)[1] == {action}


def test_a_pack_that_references_the_changed_one_is_checked_with_it(
    packs: dict[str, Path], database_url: str, parsed: list[Path]
) -> None:
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    _edit(packs["demo"] / "actions" / "bye.yaml", "Says bye", "Says goodbye")
    report, files = _same_as_a_full_check(paths, database_url, parsed)
    # fan is checked again, from its snapshot: none of its files changed.
    assert files == {packs["demo"] / "actions" / "bye.yaml"}
    assert report.ok and [c.ref for c in report.pending] == ["demo.bye"]


def test_removing_what_an_unchanged_pack_references_is_still_refused(
    packs: dict[str, Path], database_url: str
) -> None:
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    for name in ("bye.yaml", "bye.sh"):
        (packs["demo"] / "actions" / name).unlink()
    report, _ = _same_as_a_full_check(paths, database_url)
    assert not report.ok
    assert any("fan.wave" in d.message for d in report.errors), report.errors
    assert not load_packs(paths, database_url=database_url).applied


def test_a_reused_packs_rows_changed_by_hand_are_planned_again(
    packs: dict[str, Path], database_url: str
) -> None:
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE attune.rule SET description = 'by hand' WHERE ref = 'fan.wave'")
    _edit(packs["gen"] / "pack.yaml", "\nlabel: ", "\nlabel: New ")
    report, _ = _same_as_a_full_check(paths, database_url)
    assert sorted(c.ref for c in report.pending) == ["bench_p0000", "fan.wave"]


def test_an_error_is_worded_by_a_full_check(packs: dict[str, Path], database_url: str) -> None:
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    _edit(packs["fan"] / "rules" / "wave.yaml", "action: demo.bye", "action: demo.by")
    report, _ = _same_as_a_full_check(paths, database_url)
    assert [d.code for d in report.errors] == [codes.REF_UNRESOLVED]
    assert "did you mean 'demo.bye'" in report.errors[0].message


def test_a_warm_no_op_asks_the_database_seven_times(
    packs: dict[str, Path], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration check (2), database identity (2), and for the packs' tokens: serial
    plans, the packs' ids (one round trip) and one statement for every pack."""
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    sent: list[object] = []
    original = psycopg.Cursor.execute

    def spy(self: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(query)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", spy)
    assert load_packs(paths, database_url=database_url).from_cache
    assert len(sent) == 7


# Within a changed pack, only its changed component files are checked again; the
# others come from the snapshot of its last check (loader.packs.snapshot).


def test_a_rule_in_an_unchanged_file_is_checked_against_a_changed_action(
    packs: dict[str, Path], database_url: str
) -> None:
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    # Its default still fits; the rule's name: ping no longer does.
    _edit(
        packs["demo"] / "actions" / "hello.yaml", "{type: string,", "{type: string, enum: [world],"
    )
    report, _ = _same_as_a_full_check(paths, database_url)
    assert [(d.code, Path(d.file).name) for d in report.errors] == [
        (codes.PARAMS_VALUES, "greet.yaml")
    ]


def test_a_renamed_component_is_created_and_its_old_row_removed(
    packs: dict[str, Path], database_url: str, parsed: list[Path]
) -> None:
    """The file alone is checked again; its refs differ, so the pack is planned whole."""
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    action = sorted((packs["gen"] / "actions").glob("*.yaml"))[1]
    old = "ref: " + _ref_in(action)
    _edit(action, old, old + "_renamed")
    report, files = _same_as_a_full_check(paths, database_url, parsed)
    assert files == {action}
    assert {(c.action.value, c.ref) for c in report.pending} == {
        ("create", old[5:] + "_renamed"),
        ("remove", old[5:]),
    }


@pytest.mark.parametrize(
    "change",
    ["a file added", "a script removed", "the manifest", "an action naming a workflow"],
)
def test_anything_but_component_files_changing_checks_the_pack_whole(
    packs: dict[str, Path], database_url: str, parsed: list[Path], change: str
) -> None:
    paths = list(packs.values())
    demo = packs["demo"]
    assert load_packs(paths, database_url=database_url).applied
    if change == "a file added":
        write_pack(demo, {"triggers/pong.yaml": "ref: demo.pong\nlabel: Pong\n"})
    elif change == "a script removed":
        (demo / "sensors" / "watcher.py").unlink()
    elif change == "the manifest":
        _edit(demo / "pack.yaml", "A pack for", "The pack for")
    else:
        _edit(demo / "actions" / "flow.yaml", "A workflow", "The workflow")
    _, files = _same_as_a_full_check(paths, database_url, parsed)
    assert _files_of(demo) <= files


def test_a_damaged_snapshot_checks_the_pack_whole(
    packs: dict[str, Path], database_url: str, parsed: list[Path]
) -> None:
    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    directory = reload_cache.cache_dir()
    assert directory is not None
    for held in (directory / "packs").glob("*.snapshot"):
        held.write_bytes(held.read_bytes()[:-200])
    action = sorted((packs["gen"] / "actions").glob("*.yaml"))[0]
    _edit(action, "\ndescription: ", "\ndescription: changed ")
    report, files = _same_as_a_full_check(paths, database_url, parsed)
    assert files == _files_of(packs["gen"])
    assert [c.fields for c in report.pending] == [("description",)]


def test_rows_written_by_another_load_meanwhile_are_planned_again(
    packs: dict[str, Path], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between this load's first look at the rows and its locks, another writes one of
    the changed pack's unchanged components: the pack is planned whole, not from its
    memory (whose new token would take that row for this load's)."""
    from loader.database import lock

    paths = list(packs.values())
    assert load_packs(paths, database_url=database_url).applied
    first, second = sorted((packs["gen"] / "actions").glob("*.yaml"))[:2]
    _edit(first, "\ndescription: ", "\ndescription: changed ")
    changed, other = (_ref_in(path) for path in (first, second))
    original = lock.lock_packs

    def meanwhile(*args: Any, **kwargs: Any) -> None:
        with psycopg.connect(database_url, autocommit=True) as elsewhere:
            elsewhere.execute(
                "UPDATE attune.action SET description = 'elsewhere' WHERE ref = %s", [other]
            )
        original(*args, **kwargs)

    monkeypatch.setattr(lock, "lock_packs", meanwhile)
    report = load_packs(paths, database_url=database_url)
    assert sorted(c.ref for c in report.pending) == sorted([changed, other])


def _ref_in(path: Path) -> str:
    return next(line for line in path.read_text().splitlines() if line.startswith("ref: "))[5:]
