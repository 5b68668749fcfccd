"""The pre-commit hook, run by the real pre-commit on a pack repository: a commit that
touches a good pack passes, one that breaks a pack is refused with located errors,
and a commit touching no pack runs nothing worth failing.

pre-commit installs the hook (``language: python``) from a git repository holding this
tree into a virtualenv of its own. Without network: the virtualenv sees this
interpreter's site packages for the dependencies (``VIRTUALENV_SYSTEM_SITE_PACKAGES``),
pip may not reach an index and builds without isolation.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers.checkout import copy_checkout
from tests.helpers.packs import demo_pack

pytestmark = pytest.mark.wheel  # it installs the project, as the wheel test does


def _git(
    repo: Path, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=repo,
        env=env,
        timeout=300,
    )


def _committed(repo: Path) -> str:
    for argv in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "init")):
        assert _git(repo, *argv).returncode == 0
    return _git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
        "VIRTUALENV_NO_SETUPTOOLS": "1",  # the site packages' setuptools builds the hook
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads "0" as: no isolation
    }
    return env


@pytest.fixture
def pack_repo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A git repository of two packs whose config uses this tree's hook."""
    hooks = copy_checkout(tmp_path_factory.mktemp("hook-repo"))
    rev = _committed(hooks)
    repo = tmp_path / "packs-repo"
    demo_pack(repo, name="good")
    demo_pack(repo, name="other")
    # Broken, but no commit below touches it.
    (repo / "other" / "pack.yaml").write_text("ref: other\nlabel: Other\nversion: [1]\n")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n"
        "      - id: attune-validate-packs\n"
    )
    _committed(repo)
    return repo


def _commit(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert _git(repo, "add", "-A").returncode == 0
    return _git(repo, "commit", "-m", "change", env=env)


def test_the_hook_validates_the_packs_a_commit_touches(
    pack_repo: Path, hook_env: dict[str, str]
) -> None:
    installed = subprocess.run(
        ["pre-commit", "install"], cwd=pack_repo, env=hook_env, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr

    hello = pack_repo / "good" / "actions" / "hello.yaml"
    hello.write_text(hello.read_text().replace("Says hello", "Says hello politely"))
    good = _commit(pack_repo, hook_env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "validate Attune packs" in good.stdout + good.stderr

    hello.write_text(hello.read_text().replace("runner_type: shell", "runner_type: 42"))
    broken = _commit(pack_repo, hook_env)
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0, output
    assert "good/actions/hello.yaml:4:14: error " in output, output
    assert "other/" not in output  # the untouched pack was not validated

    assert _git(pack_repo, "checkout", "HEAD", "--", "good").returncode == 0
    (pack_repo / "README.md").write_text("packs\n")
    untouched = _commit(pack_repo, hook_env)
    assert untouched.returncode == 0, untouched.stdout + untouched.stderr
