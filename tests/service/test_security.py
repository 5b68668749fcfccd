"""Tokens, where the service may listen without one, body budgets, hostile archives
and secrets that never appear."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from psycopg.conninfo import make_conninfo

from bench.service_process import ServiceProcess
from loader import CORE_PACK_DIR
from loader.database.conn import Conn
from loader.packs.archives import SCRATCH_PREFIX
from loader.service.redact import redact, secrets_of
from tests.helpers.db import count_rows
from tests.helpers.service import TOKEN, Served, Start, hostile_archives, tar_gz


def test_tokens(service: Served) -> None:
    """No token, a wrong one or another scheme: 401 with a challenge; the probes need
    none."""
    anonymous = service.anonymous()
    wrong = ["", "Bearer wrong-token-0123456789", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
    for headers in ({"Authorization": value} if value else {} for value in wrong):
        for method, path in (("POST", "/v1/load"), ("GET", "/v1/packs"), ("GET", "/metrics")):
            refused = anonymous.request(method, path, headers=headers, json=["core"])
            assert refused.status_code == 401, (headers, path)
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert refused.json()["error"]["code"] == "unauthorized"
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/readyz").status_code == 200
    assert service.client.get("/v1/packs").status_code == 200


def test_token_file(start_service: Start, tmp_path: Path) -> None:
    """Tokens from a file, one a line, comments skipped; any of them is accepted."""
    second = "second-token-abcdefghijkl"
    tokens = tmp_path / "tokens"
    tokens.write_text(f"# the installer\n{TOKEN}\n\n{second}\n")
    service = start_service("--token-file", str(tokens), token=None)
    for token in (TOKEN, second):
        answer = service.anonymous().get("/v1/packs", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
    assert service.anonymous().get("/v1/packs").status_code == 401


def test_no_token_only_on_loopback_or_a_unix_socket(
    start_service: Start, database_url: str
) -> None:
    """Without a token the service refuses a non-loopback address (exit 2, before it
    serves) but serves 127.0.0.1 and a Unix socket, where no header is needed."""
    refused = ServiceProcess(["--host", "0.0.0.0", "--database-url", database_url])
    assert refused.ended(60) == 2
    assert "without a token" in "".join(refused.raw)
    local = start_service(token=None)
    assert local.client.get("/v1/packs").status_code == 200
    socket_dir = Path(tempfile.mkdtemp(prefix="attune-svc-"))
    uds = socket_dir / "loader.sock"
    served = start_service("--uds", str(uds), token=None)
    assert served.process.address == str(uds)
    assert oct(uds.stat().st_mode & 0o777) == "0o660"
    with httpx.Client(transport=httpx.HTTPTransport(uds=str(uds)), base_url="http://loader") as c:
        assert c.post("/v1/load", json=["core"]).status_code == 200


def test_oversized_bodies(start_service: Start) -> None:
    """Over --max-body-mb: 413, whether the length is declared or the body streams."""
    service = start_service("--max-body-mb", "0.5")
    big, gzip = b"\0" * (600 * 1024), {"content-type": "application/gzip"}
    declared = service.client.post("/v1/load", content=big, headers=gzip)
    assert declared.status_code == 413 and declared.json()["error"]["code"] == "too_large"
    chunks = iter([big[:300_000], big[300_000:]])  # no length declared: chunked
    assert service.client.post("/v1/load", content=chunks, headers=gzip).status_code == 413
    small = service.client.post("/v1/validate", content=tar_gz(CORE_PACK_DIR), headers=gzip)
    assert small.status_code == 200


@pytest.fixture
def outside() -> Iterator[Path]:
    """A folder the hostile archives aim at (absolute, outside every scratch directory)."""
    folder = Path(tempfile.mkdtemp(prefix="attune-svc-outside-"))
    yield folder
    for entry in folder.iterdir():
        entry.unlink()
    folder.rmdir()


def test_hostile_archives_are_refused(service: Served, outside: Path, conn: Conn) -> None:
    """Each is one pack.archive error (422); nothing lands outside the scratch
    directory, no scratch directory is left behind, and nothing is written."""
    for name, body in hostile_archives(outside).items():
        for command in ("validate", "load"):
            response = service.client.post(f"/v1/{command}", files=[("p", (name, body))])
            assert response.status_code == 422, (name, response.text)
            errors = [d for d in response.json()["diagnostics"] if d["severity"] == "error"]
            assert [(d["code"], d["file"]) for d in errors] == [("pack.archive", name)], errors
    assert list(outside.iterdir()) == []
    assert count_rows(conn) == 0
    namespace = os.stat("/proc/self/ns/pid").st_ino
    pattern = f"{SCRATCH_PREFIX}{namespace}-{service.process.proc.pid}-*"
    assert list(Path(tempfile.gettempdir()).glob(pattern)) == []


def test_passwords_never_shown(start_service: Start, database_url: str) -> None:
    """A password in the database URL appears in no response and no log line, even
    when the database fails."""
    password = "pw-never-shown-8812"
    missing = make_conninfo(database_url, dbname="attune_no_such_database", password=password)
    service = start_service(database=missing)
    bodies = [
        service.client.post("/v1/load", json=["core"]).text,
        service.client.get("/v1/packs").text,
        service.anonymous().get("/readyz").text,
    ]
    service.process.stop()
    assert not [b for b in bodies if password in b]
    assert not [line for line in service.process.raw if password in line]
    assert any("database" in b for b in bodies)


def test_redact_hides_url_and_keyword_passwords() -> None:
    secrets = secrets_of("host=db password=k3y-value", env={"PGPASSWORD": "envpass"})
    text = (
        "postgresql://svc:hunter2@db/attune failed; dsn host=db password='a b' "
        "and k3y-value and envpass"
    )
    assert redact(text, secrets) == (
        "postgresql://svc:***@db/attune failed; dsn host=db password=*** and *** and ***"
    )
