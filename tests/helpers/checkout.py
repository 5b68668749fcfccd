"""A copy of this checkout as git would commit it: the files git tracks or would add
(not those it ignores), for tests that build or install the project elsewhere; and
every YAML file of the checkout, for the readers' tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from loader import PROJECT_ROOT


def checkout_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
        cwd=PROJECT_ROOT,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (PROJECT_ROOT / name).is_file()]


def copy_checkout(target: Path) -> Path:
    """Copy the checkout's files, with their modes, into ``target``."""
    for name in checkout_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, target / name)
    return target


# Tools' caches hold no YAML of the project's; .git holds none that is checked out.
_NOT_THE_PROJECTS = frozenset(
    (".git", ".hypothesis", ".mypy_cache", ".pytest_cache", ".ruff_cache")
)


def yaml_corpus() -> list[Path]:
    """Every YAML file of the repository: packs, cases, workflows, anything added later."""
    found = [*PROJECT_ROOT.rglob("*.yaml"), *PROJECT_ROOT.rglob("*.yml")]
    return sorted(
        p for p in found if not _NOT_THE_PROJECTS & set(p.relative_to(PROJECT_ROOT).parts)
    )
