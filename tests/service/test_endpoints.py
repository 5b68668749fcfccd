"""Every endpoint against a real server process and a real database: the report the
CLI prints, with an HTTP status per outcome."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import psycopg
from psycopg.conninfo import make_conninfo

from bench.service_process import wait_for
from loader import CORE_PACK_DIR, PROJECT_ROOT
from loader.database.conn import Conn
from loader.service import openapi
from tests.helpers.cli import run_cli
from tests.helpers.db import count_rows
from tests.helpers.packs import DEMO_FILES, demo_pack
from tests.helpers.service import Served, Start, hold_pack_lock, tar_gz

COMMITTED = PROJECT_ROOT / "docs" / "openapi.json"


def _valid(body: dict[str, Any], schema: str) -> dict[str, Any]:
    """``body`` conforms to the OpenAPI document's schema of that name."""
    document = openapi.document()
    jsonschema.validate(body, {**document["components"]["schemas"][schema],
                               "components": document["components"]})  # fmt: skip
    return body


def test_probes_and_the_openapi_document(service: Served) -> None:
    """healthz and readyz answer without a token; the document served is the one
    committed, and names every route the service has."""
    anonymous = service.anonymous()
    assert anonymous.get("/healthz").json() == {"status": "up"}
    ready = anonymous.get("/readyz")
    assert ready.status_code == 200
    assert _valid(ready.json(), "Readiness") == {
        "ready": True, "reason": None, "migrations": {"applied": 9}
    }  # fmt: skip
    served = service.client.get("/v1/openapi.json").json()
    assert served == json.loads(COMMITTED.read_text()), "run: python scripts/gen_openapi.py"
    assert set(served["paths"]) == {
        "/v1/validate", "/v1/plan", "/v1/load", "/v1/packs", "/v1/packs/{ref}",
        "/healthz", "/readyz", "/metrics", "/v1/openapi.json",
    }  # fmt: skip


def test_load_then_plan_report_what_the_cli_prints(service: Served, database_url: str) -> None:
    """A load of packs/core by directory writes it; the plan that follows is the JSON
    the CLI's plan prints for the same pack and database, key for key."""
    first = service.client.post("/v1/load", json=["core"])
    assert first.status_code == 200, first.text
    report = _valid(first.json(), "Report")
    assert report["applied"] is True and report["counts"]["runtime"]["create"] == 5
    plan = service.client.post("/v1/plan", json={"paths": [str(CORE_PACK_DIR)]})
    assert plan.status_code == 200
    cli = run_cli("plan", str(CORE_PACK_DIR), "--database-url", database_url, "--output", "json")
    assert cli.returncode == 0, cli.stderr
    assert plan.json() == json.loads(cli.stdout)


def test_archives_raw_and_multipart(service: Served, tmp_path: Path, conn: Conn) -> None:
    """One archive as the body, or several as multipart with options as fields."""
    core = tar_gz(CORE_PACK_DIR)
    raw = service.client.post(
        "/v1/load", content=core, headers={"content-type": "application/gzip"}
    )
    assert raw.status_code == 200 and raw.json()["applied"], raw.text
    demo = tar_gz(demo_pack(tmp_path))
    files = [("pack", ("core.tar.gz", core)), ("pack", ("demo.tar.gz", demo))]
    dry = service.client.post("/v1/load", files=files, data={"dry_run": "true"})
    assert dry.status_code == 200, dry.text
    assert dry.json()["packs"] == ["core", "demo"] and not dry.json()["applied"]
    assert conn.execute("SELECT count(*) FROM attune.pack").fetchone() == (1,)
    done = service.client.post("/v1/load", files=files)
    assert done.json()["applied"] and done.json()["counts"]["rule"]["create"] == 1


def test_invalid_pack_is_422_named_as_sent(service: Served, tmp_path: Path, conn: Conn) -> None:
    """An invalid pack: 422, nothing written, and its files named inside the archive
    as the client named it, not where the service put it."""
    bad = demo_pack(tmp_path, {"rules/greet.yaml": "ref: demo.greet\n"})
    files = [("a", ("core.tar.gz", tar_gz(CORE_PACK_DIR))), ("b", ("my-demo.tar.gz", tar_gz(bad)))]
    response = service.client.post("/v1/load", files=files)
    assert response.status_code == 422
    report = _valid(response.json(), "Report")
    assert report["ok"] is False and report["applied"] is False
    assert {d["file"] for d in report["diagnostics"] if d["severity"] == "error"} == {
        "my-demo.tar.gz/rules/greet.yaml"
    }
    assert count_rows(conn) == 0
    checked = service.client.post("/v1/validate", files=files)
    assert checked.status_code == 422 and checked.json()["command"] == "validate"


def test_strict_fails_on_warnings(service: Served, tmp_path: Path, conn: Conn) -> None:
    """strict=true: a warning fails the run (422, nothing written); notes do not."""
    hello = textwrap.dedent(DEMO_FILES["actions/hello.yaml"]) + "parameter_delivery: stdin\n"
    warned = demo_pack(tmp_path, {"actions/hello.yaml": hello})
    files = [("a", ("core.tar.gz", tar_gz(CORE_PACK_DIR))), ("b", ("demo.tar.gz", tar_gz(warned)))]
    assert service.client.post("/v1/validate", files=files).status_code == 200
    strict = service.client.post("/v1/load?strict=true", files=files)
    assert strict.status_code == 422
    report = _valid(strict.json(), "Report")
    assert report["ok"] is False and report["strict"] is True and report["summary"]["errors"] == 0
    assert count_rows(conn) == 0
    core = service.client.post("/v1/validate?strict=true", json=["core"])
    assert core.status_code == 200 and core.json()["summary"]["notes"] == 1


def test_conflict_is_409(service: Served, tmp_path: Path, conn: Conn) -> None:
    demo = tar_gz(demo_pack(tmp_path))
    files = [("a", ("core.tar.gz", tar_gz(CORE_PACK_DIR))), ("b", ("demo.tar.gz", demo))]
    assert service.client.post("/v1/load", files=files).status_code == 200
    conn.execute("UPDATE attune.action SET pack_ref = 'core' WHERE ref = 'demo.hello'")
    conflict = service.client.post("/v1/load", files=files)
    assert conflict.status_code == 409
    assert "conflict.other-pack" in {d["code"] for d in conflict.json()["diagnostics"]}


def test_lock_timeout_is_423(service: Served, database_url: str) -> None:
    """Another loader holds the pack's lock past the request's lock_timeout."""
    with psycopg.connect(database_url) as holder:
        hold_pack_lock(holder, "core")
        response = service.client.post("/v1/load?lock_timeout=0.3", json=["core"])
    assert response.status_code == 423
    body = _valid(response.json(), "Report")
    assert body["ok"] is False and body["error"]["code"] == "lock.timeout"
    assert body["error"]["hint"]


def test_database_unavailable_is_503(start_service: Start, database_url: str) -> None:
    """A database that is not there: not ready, and every run is 503 with the error."""
    missing = make_conninfo(database_url, dbname="attune_no_such_database")
    service = start_service("--pool-size", "2", database=missing)
    ready = service.anonymous().get("/readyz")
    assert ready.status_code == 503 and ready.json()["reason"] == "database unreachable"
    load = service.client.post("/v1/load", json=["core"])
    assert load.status_code == 503
    assert load.json()["error"]["code"] == "database.unreachable"
    assert service.client.get("/v1/packs").status_code == 503
    assert service.client.post("/v1/validate", json=["core"]).status_code == 200


def test_packs_listing(service: Served, tmp_path: Path) -> None:
    """Which packs are loaded, with their version, components per kind and last load."""
    assert service.client.get("/v1/packs").json() == {"packs": []}
    files = [("a", ("core.tar.gz", tar_gz(CORE_PACK_DIR))),
             ("b", ("demo.tar.gz", tar_gz(demo_pack(tmp_path))))]  # fmt: skip
    assert service.client.post("/v1/load", files=files).status_code == 200
    listed = service.client.get("/v1/packs").json()["packs"]
    assert [p["ref"] for p in listed] == ["core", "demo"]
    demo = service.client.get("/v1/packs/demo").json()
    assert _valid(demo, "LoadedPack") == listed[1]
    assert demo["version"] == "1.0.0"
    assert demo["components"] == {
        "runtime": 0, "trigger": 1, "workflow": 1, "action": 2, "sensor": 1, "rule": 1,
        "permission_set": 1,
    }  # fmt: skip
    missing = service.client.get("/v1/packs/nothing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_bad_requests(service: Served) -> None:
    """Unknown or malformed options, a wrong body type, directories not allowed: 4xx
    with an error object, before anything runs."""
    cases = {
        "/v1/load?absent=forget": 400,
        "/v1/load?dry_run=maybe": 400,
        "/v1/load?lock_timeout=-1": 400,
        "/v1/load?strict=maybe": 400,
        "/v1/plan?dry_run=true": 400,  # a plan writes nothing anyway
        "/v1/validate?absent=retain": 400,
    }
    for path, status in cases.items():
        response = service.client.post(path, json=["core"])
        assert response.status_code == status, (path, response.text)
        assert response.json()["error"]["code"] == "bad_request"
    numeric = service.client.post("/v1/load", json={"paths": ["core"], "dry_run": 1})
    assert numeric.status_code == 400
    twice = service.client.post("/v1/load?dry_run=true", json={"paths": ["core"], "dry_run": True})
    assert twice.status_code == 400
    assert service.client.post("/v1/load", json=[]).status_code == 400
    text = service.client.post("/v1/load", content=b"x", headers={"content-type": "text/plain"})
    assert text.status_code == 415
    outside = service.client.post("/v1/load", json=["../../etc"])
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "forbidden_path"
    assert service.client.get("/v1/nothing").json()["error"]["code"] == "not_found"
    assert service.client.get("/v1/load").status_code == 405


def test_metrics_and_request_ids(service: Served, database_url: str) -> None:
    """Prometheus text with requests, runs by outcome, rows written and lock waits;
    every response carries a request id, and the log line of the request has it."""
    with psycopg.connect(database_url) as holder:
        hold_pack_lock(holder, "core")
        assert service.client.post("/v1/load?lock_timeout=0.2", json=["core"]).status_code == 423
    assert service.client.post("/v1/load", json=["core"]).status_code == 200
    mine = service.client.get("/healthz", headers={"X-Request-Id": "installer-42"})
    assert mine.headers["x-request-id"] == "installer-42"
    text = service.client.get("/metrics").text
    for line in (
        'attune_loader_runs_total{command="load",outcome="ok"} 1.0',
        'attune_loader_runs_total{command="load",outcome="lock_timeout"} 1.0',
        "attune_loader_rows_written_total 14.0",
        'attune_loader_requests_total{method="POST",route="/v1/load",status="423"} 1.0',
        "attune_loader_lock_wait_seconds_count 2.0",  # the one that timed out too
    ):
        assert line in text.splitlines(), line
    # The request's log line is written once its answer has gone out: wait for it.
    logged = wait_for(
        lambda: [e for e in service.process.logs_of("request") if e["path"] == "/healthz"],
        10,
        "the request's log line",
    )
    assert logged and logged[-1]["request_id"] == "installer-42" and logged[-1]["status"] == 200
