"""The CLI run as a real process (``python -m loader``), as a user runs it.

The interpreter is this one, so the process imports the same ``loader`` (PYTHONPATH
included)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from loader import PROJECT_ROOT


def cli_command(*args: str) -> list[str]:
    """The argv of ``attune-loader ARGS`` as a process."""
    return [sys.executable, "-m", "loader", *args]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``attune-loader ARGS`` from the project root and capture its output."""
    return run_python("-m", "loader", *args, env=env, timeout=timeout)


def run_python(
    *argv: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run this interpreter with ``argv`` from the project root and capture its output."""
    return run_argv([sys.executable, *argv], env=env, timeout=timeout)


def run_argv(
    argv: Sequence[str], env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` from the project root and capture its output."""
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=timeout,
    )


def modules_imported_by(statement: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter holds after running ``statement`` (which must
    succeed), with the top-level package of each."""
    done = run_python("-c", f"import sys\n{statement}\nprint('\\n'.join(sys.modules))", env=env)
    assert done.returncode == 0, done.stderr
    names = done.stdout.split()
    return {name.split(".")[0] for name in names} | set(names)
