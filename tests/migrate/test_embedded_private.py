"""The embedded database is private: only the OS user who owns it can connect."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from loader.database.embedded import Cluster, find_bindir

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="runs a probe as another OS user")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    made = Cluster(Path(tempfile.mkdtemp(prefix="attune-private-pg-")), fast=True)
    made.ensure_started()
    yield made
    made.destroy()


def _connect_as_nobody(cluster: Cluster) -> str:
    """Try ``SELECT 1`` as the OS user nobody; return what psql printed on failure."""
    psql = shutil.which("psql") or str(find_bindir() / "psql")
    done = subprocess.run(
        ["runuser", "-u", "nobody", "--", psql, "-w", "-X", "-d", cluster.url(), "-c", "SELECT 1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode != 0, "nobody connected to the embedded database"
    return done.stderr


@contextmanager
def _directories_opened(cluster: Cluster) -> Iterator[None]:
    """Let anybody reach the socket file, to show that authentication stops them too."""
    for path in (cluster.root, cluster.socket_dir):
        path.chmod(0o755)
    (cluster.socket_dir / ".s.PGSQL.5432").chmod(0o777)
    try:
        yield
    finally:
        for path in (cluster.root, cluster.socket_dir):
            path.chmod(0o700)


def test_owner_connects_and_the_socket_directory_is_private(cluster: Cluster) -> None:
    """The tools keep working for the owner; the state and socket directories are 0700."""
    with psycopg.connect(cluster.url()) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
    assert stat.S_IMODE(cluster.socket_dir.stat().st_mode) == 0o700
    assert "trust" not in (cluster.data / "pg_hba.conf").read_text()


def test_another_os_user_cannot_connect(cluster: Cluster) -> None:
    """nobody is stopped by the directory, and by peer authentication when it is open."""
    assert "Permission denied" in _connect_as_nobody(cluster)
    with _directories_opened(cluster):
        assert 'Peer authentication failed for user "postgres"' in _connect_as_nobody(cluster)


def test_a_trust_cluster_is_made_private_on_start(cluster: Cluster) -> None:
    """A cluster left with trust authentication by an older version is switched."""
    hba = cluster.data / "pg_hba.conf"
    hba.write_text("local all all trust\n")
    cluster._pg_ctl("reload")
    with _directories_opened(cluster):
        cluster.socket_dir.chmod(0o777)
        cluster.ensure_started()
        assert stat.S_IMODE(cluster.socket_dir.stat().st_mode) == 0o700
        cluster.socket_dir.chmod(0o755)
        (cluster.socket_dir / ".s.PGSQL.5432").chmod(0o777)
        assert "Peer authentication failed" in _connect_as_nobody(cluster)
    assert "peer map=owner" in hba.read_text()
