"""The distribution on its own: build the sdist and the wheel from this tree, install
the wheel into a fresh virtual environment, and run the installed command from a
directory outside the checkout against a real database.

No network: the build runs without isolation (``build`` and ``setuptools`` come with
the dev extras), and the venv takes the dependencies from this interpreter's site
packages (``--system-site-packages``, the wheel installed with ``--no-deps``). The
venv's own copy must win over the checkout and over an editable install: the test
asserts where ``loader`` was imported from.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from loader import PROJECT_ROOT
from loader.packs import metadata
from tests.helpers.checkout import copy_checkout

pytestmark = pytest.mark.wheel


@dataclass(frozen=True)
class Installed:
    """A venv holding the wheel, and where to run it from."""

    venv: Path
    workdir: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / argv[0]), *argv[1:]],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.workdir,
            env=self.env(),
            timeout=120,
        )

    def python(self, code: str) -> str:
        result = self.run("python", "-c", code)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


def _checked(argv: list[str], cwd: Path) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd)
    assert result.returncode == 0, f"{argv}:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and a wheel built from that sdist (so the sdist must be complete)."""
    out = tmp_path_factory.mktemp("dist")
    # The build writes build/ and *.egg-info beside the sources: a copy of its own.
    source = copy_checkout(out / "source")
    _checked([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), "."], source)
    return out


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    venv = tmp_path_factory.mktemp("venv")
    _checked([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], dist)
    (wheel,) = dist.glob("*.whl")
    # --ignore-installed: an editable install in the site packages must not count.
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-index"]
    _checked([*pip, "--no-deps", "--ignore-installed", str(wheel)], dist)
    yield Installed(venv, tmp_path_factory.mktemp("elsewhere"))


def test_the_sdist_carries_the_data_and_the_license(dist: Path) -> None:
    import tarfile

    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"LICENSE", "CHANGELOG.md", "schemas/defs.schema.json", "packs/core/pack.yaml"} <= names
    assert "migrations/20250101000001_initial_setup.sql" in names


def test_the_installed_package_is_the_wheel(installed: Installed) -> None:
    """``loader`` and its data come from the venv, not from the checkout."""
    where = json.loads(
        installed.python(
            "import json, loader; print(json.dumps([loader.__file__, str(loader.SCHEMAS_DIR), "
            "str(loader.MIGRATIONS_DIR), str(loader.CORE_PACK_DIR)]))"
        )
    )
    for path in where:
        assert Path(path).is_relative_to(installed.venv), where
        assert not Path(path).is_relative_to(PROJECT_ROOT), where
    core = Path(where[3])
    # The core pack's scripts keep their modes.
    assert os.access(core / "actions" / "echo.sh", os.X_OK)
    assert os.access(core / "sensors" / "attune-core-timer-sensor", os.X_OK)
    license_meta = installed.python(
        "from importlib.metadata import metadata; print(metadata('attune-loader')"
        "['License-Expression'])"
    )
    assert license_meta == "Apache-2.0"
    plugins = installed.python(
        "from importlib.metadata import entry_points; "
        "print([e.value for e in entry_points(group='pytest11') if e.dist.name == 'attune-loader'])"
    )
    assert plugins == "['loader.pytest_plugin']"


def test_the_installed_command_works_outside_the_checkout(
    installed: Installed, empty_database_url: str
) -> None:
    version = installed.run("attune-loader", "--version")
    packaged = installed.python(
        "from importlib.metadata import version; print(version('attune-loader'))"
    )
    assert (version.returncode, version.stdout.strip()) == (0, f"attune-loader {packaged}")

    schemas = installed.run("attune-loader", "schemas")
    assert schemas.returncode == 0, schemas.stderr
    assert "action.schema.json" in schemas.stdout

    core = installed.python("import loader; print(loader.CORE_PACK_DIR)")
    validate = installed.run("attune-loader", "validate", core)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert validate.stdout.rstrip().splitlines()[-1].startswith("ok: ")

    url = ("--database-url", empty_database_url)
    migrate = installed.run("attune-loader", "migrate", *url)
    assert migrate.returncode == 0, migrate.stderr
    assert "applied" in migrate.stdout + migrate.stderr

    seed = installed.run("attune-loader", "seed", *url, "--output", "json")
    assert seed.returncode == 0, seed.stderr
    assert json.loads(seed.stdout)["applied"] is True

    # The reload cache digests the installed code and schemas: a reload is recognised,
    # once the just-installed files are older than the window in which a write could
    # go unseen (a file that new is never taken as unchanged).
    _wait_until_older_than(Path(core), metadata.RACY_NS)
    reload = installed.run("load-pack", core, *url, "--output", "json")
    again = installed.run("load-pack", core, *url, "--output", "json")
    assert json.loads(reload.stdout)["summary"]["changes"] == 0, reload.stderr
    assert json.loads(again.stdout)["from_cache"] is True, again.stderr


def _wait_until_older_than(root: Path, window_ns: int) -> None:
    """Sleep until every file under ``root`` last changed more than ``window_ns`` ago
    (a change time cannot be set back)."""
    newest = max(p.stat().st_ctime_ns for p in root.rglob("*"))
    time.sleep(max(0, newest + window_ns - time.time_ns()) / 1e9 + 0.05)
