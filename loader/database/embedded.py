"""The embedded default database: a private PostgreSQL cluster in a state directory.

It is created and started with the machine's server binaries (``initdb``, ``pg_ctl``)
and listens only on a Unix socket inside the state directory, so it never clashes
with another server. PostgreSQL refuses to run as root, so when we are root every
server command runs as the ``postgres`` OS user and the directory is handed to it.
The test harness uses the same class for its ephemeral clusters.

Only the OS user who owns it can connect: the socket's directory has mode 0700, and
``peer`` authentication admits, through an ident map, just that user (and the
server's own OS user) as the ``postgres`` role. A cluster made by an older version
with ``trust`` is switched over the next time it is started.
"""

from __future__ import annotations

import fcntl
import glob
import os
import pwd
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import psycopg
from psycopg import sql

from loader.errors import EmbeddedError

DEFAULT_DATABASE = "attune"
SERVER_USER = "postgres"  # OS user that runs the server when we are root
_PORT = 5432  # only names the socket file; the socket lives in a private directory
_START_TIMEOUT_S = 60
_PRIVATE_MARK = "# attune-loader: only the owning OS user may connect (peer, ident map 'owner')"


def default_state_dir() -> Path:
    """``$ATTUNE_LOADER_STATE_DIR``, else a per-user state directory.

    Root gets ``/var/lib/attune-loader`` because the ``postgres`` user that runs the
    server cannot enter root's home directory.
    """
    explicit = os.environ.get("ATTUNE_LOADER_STATE_DIR")
    if explicit:
        return Path(explicit)
    if os.geteuid() == 0:
        return Path("/var/lib/attune-loader")
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "attune-loader"


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: $ATTUNE_PG_BINDIR, PATH, or the
    newest Debian-style ``/usr/lib/postgresql/<major>/bin``."""
    explicit = os.environ.get("ATTUNE_PG_BINDIR")
    if explicit:
        return Path(explicit)
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if not candidates:
        raise EmbeddedError(
            "no PostgreSQL server binaries found (initdb, pg_ctl)",
            hint="install them (Debian: apt-get install postgresql-15), set "
            "ATTUNE_PG_BINDIR, or point --database-url / DATABASE_URL at a server",
        )
    return Path(candidates[-1]).parent


class ClusterStatus(NamedTuple):
    root: Path
    initialised: bool
    running: bool
    url: str | None


class Cluster:
    """One cluster under ``root``: ``data/`` (PGDATA), ``run/`` (socket), ``server.log``."""

    def __init__(self, root: Path | None = None, *, fast: bool = False) -> None:
        self.root = root or default_state_dir()
        # fast: no fsync; for throw-away test clusters only.
        self.fast = fast
        self.data = self.root / "data"
        self.socket_dir = self.root / "run"
        self.log = self.root / "server.log"

    def url(self, database: str = DEFAULT_DATABASE) -> str:
        return f"postgresql://{SERVER_USER}@/{database}?host={self.socket_dir}&port={_PORT}"

    def status(self) -> ClusterStatus:
        initialised = (self.data / "PG_VERSION").exists()
        running = initialised and self._pg_ctl("status", check=False).returncode == 0
        return ClusterStatus(self.root, initialised, running, self.url() if running else None)

    def ensure_started(self, notify: Callable[[str], None] = lambda _: None) -> str:
        """Create, start and provision the cluster as needed; return the database URL.

        Safe to call from several processes at once: a file lock serialises them.
        """
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._locked():
            if not (self.data / "PG_VERSION").exists():
                notify(f"creating the embedded PostgreSQL cluster in {self.root}")
                self._initdb()
            changed = self._make_private()
            if self._pg_ctl("status", check=False).returncode != 0:
                notify("starting the embedded PostgreSQL cluster")
                self._start()
            elif changed:
                self._pg_ctl("reload")
            self._create_database(DEFAULT_DATABASE)
        return self.url()

    def stop(self) -> bool:
        """Stop the server; False when it was not running."""
        if not self.status().running:
            return False
        self._pg_ctl("stop", "-m", "fast", "-w")
        return True

    def destroy(self) -> None:
        """Stop and delete everything under ``root`` (test clusters)."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _initdb(self) -> None:
        self._hand_over(self.root)
        args = ["-D", str(self.data), "-U", SERVER_USER, "--auth=peer", "-E", "UTF8"]
        args += ["--locale=C.UTF-8"]
        if self.fast:
            args.append("--no-sync")
        self._run("initdb", *args)

    def _make_private(self) -> bool:
        """Socket directory 0700; peer authentication for the owner only. Returns
        whether the authentication files had to be rewritten."""
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        self.socket_dir.chmod(0o700)
        self._hand_over(self.socket_dir)
        owners = sorted({pwd.getpwuid(os.geteuid()).pw_name, self._server_user()})
        wanted = {
            "pg_hba.conf": f"{_PRIVATE_MARK}\nlocal all all peer map=owner\n",
            "pg_ident.conf": _PRIVATE_MARK + "".join(f"\nowner {u} {SERVER_USER}" for u in owners),
        }
        changed = False
        for name, text in wanted.items():
            path = self.data / name
            if path.read_text() != text + "\n":
                path.write_text(text + "\n")
                path.chmod(0o600)
                self._hand_over(path)
                changed = True
        return changed

    @staticmethod
    def _server_user() -> str:
        return SERVER_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name

    def _start(self) -> None:
        options = f"-k {self.socket_dir} -c listen_addresses='' -p {_PORT}"
        options += " -c unix_socket_permissions=0700"
        if self.fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._pg_ctl("start", "-w", "-t", str(_START_TIMEOUT_S), "-l", str(self.log), "-o", options)

    def _create_database(self, name: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if exists.fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._run("pg_ctl", "-D", str(self.data), *args, check=check)

    def _run(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [str(find_bindir() / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
        )
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()
            raise EmbeddedError(
                f"{program} failed (exit {result.returncode}): {detail}",
                hint=f"see {self.log}" if self.log.exists() else None,
            )
        return result

    @staticmethod
    def _hand_over(path: Path) -> None:
        """As root, give ``path`` to the server's OS user, which must own its data."""
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.root / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
