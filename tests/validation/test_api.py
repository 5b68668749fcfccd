"""``loader.api.validate_packs``: the library entry point the CLI prints."""

from __future__ import annotations

import gc
import tarfile
from pathlib import Path

import pytest

from loader import CORE_PACK_DIR
from loader.api import cyclic_gc_paused, validate_packs
from loader.report import codes
from tests.helpers.packs import write_pack


def test_report_of_a_valid_load() -> None:
    """A report with command validate, the packs read and the files counted."""
    report = validate_packs([CORE_PACK_DIR])
    assert report.command == "validate" and report.ok
    assert report.packs == ["core"] and report.files_checked >= 10
    assert report.changes == [] and not report.applied


def test_archive_files_are_named_by_the_archive(tmp_path: Path) -> None:
    """A pack given as .tar.gz is checked too; its files are shown under the archive."""
    pack = write_pack(tmp_path / "demo", {"triggers/t.yaml": "ref: demo.t\ntype: crn\n"})
    archive = tmp_path / "demo.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(pack, arcname="demo")
    report = validate_packs([archive])
    assert [(d.file, d.code) for d in report.diagnostics] == [
        (f"{archive}/triggers/t.yaml", codes.SCHEMA_ENUM)
    ]


def test_bad_archive_is_a_diagnostic(tmp_path: Path) -> None:
    """An unreadable archive is reported, not raised."""
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"not a zip")
    report = validate_packs([archive])
    assert [d.code for d in report.diagnostics] == [codes.PACK_ARCHIVE]


@pytest.mark.parametrize("pause", [False, True])
@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(pause: bool, enabled: bool) -> None:
    """validate_packs leaves the cyclic collector on or off as it found it, whether it
    was asked to pause it or not."""
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        validate_packs([CORE_PACK_DIR], pause_gc=pause)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_pauses_only_when_asked(enabled: bool) -> None:
    """cyclic_gc_paused turns the collector off inside the block only when asked to,
    and on again afterwards only if it was on."""
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with cyclic_gc_paused(False):
            assert gc.isenabled() is enabled
        with cyclic_gc_paused(True):
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
