"""The application: routes, the connection pool for the process's lifetime, and the
runs of validate, plan and load in worker threads."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any

import anyio
import psycopg
from psycopg_pool import ConnectionPool
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from loader import api
from loader.errors import LoaderError
from loader.packs.archives import scratch_directory
from loader.report import Report
from loader.service import openapi
from loader.service.auth import RequireToken, Tokens
from loader.service.inputs import Packs, Refused, read_packs, shown_as_sent
from loader.service.limits import BodyLimit
from loader.service.logs import log
from loader.service.metrics import CONTENT_TYPE, Metrics
from loader.service.observe import Observe
from loader.service.redact import redact
from loader.service.responses import error_response, report_response, stopped_response
from loader.service.running import Cancelled, Run, Runs, in_thread
from loader.service.settings import Settings

Conn = psycopg.Connection[Any]


def open_pool(settings: Settings) -> ConnectionPool[Conn]:
    """Connections made in the background, so the service starts (and says it is not
    ready) while the database is down; each is checked when lent, so connections that
    a database restart broke are replaced instead of failing a request."""
    return ConnectionPool(
        settings.conninfo,
        min_size=1,
        max_size=settings.pool_size,
        # No server-side prepared statements: a pooler may sit between (database/conn.py).
        kwargs={"prepare_threshold": None},
        check=ConnectionPool.check_connection,
        reset=_reset,
        timeout=settings.pool_timeout_s,
        name="attune-loader",
        open=False,
    )


def _reset(conn: Conn) -> None:
    conn.read_only = None  # a plan leaves it read-only: not the next borrower's business


class Service:
    """The process's state: settings, pool, runs in progress and figures."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = open_pool(settings)
        self.runs = Runs()
        self.metrics = Metrics()

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[Conn]:
        with self.pool.connection(timeout) as conn:
            yield conn

    def clean(self, text: str) -> str:
        return redact(text, self.settings.secrets)

    # -- endpoints ------------------------------------------------------------------

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "up"})

    async def readyz(self, request: Request) -> Response:
        """Ready when the database answers and its ledger equals the shipped migrations."""
        quick = partial(self.connection, self.settings.ready_timeout_s)
        try:
            states = await anyio.to_thread.run_sync(lambda: api.migration_status(connect=quick))
        except (LoaderError, psycopg.Error) as exc:
            log.warning("not ready: database unreachable", extra={"error": self.clean(str(exc))})
            return JSONResponse({"ready": False, "reason": "database unreachable"}, 503)
        counts = Counter(s.state.value for s in states)
        ready = set(counts) == {"applied"}
        reason = None if ready else "the database's migrations differ from the shipped ones"
        body = {"ready": ready, "reason": reason, "migrations": dict(sorted(counts.items()))}
        return JSONResponse(body, 200 if ready else 503)

    async def metrics_text(self, request: Request) -> Response:
        return Response(self.metrics.text(), media_type=CONTENT_TYPE)

    async def openapi_document(self, request: Request) -> Response:
        return JSONResponse(openapi.document())

    async def packs(self, request: Request) -> Response:
        found = await self._inventory()
        if isinstance(found, Response):
            return found
        return JSONResponse({"packs": [p.to_json() for p in found]})

    async def pack(self, request: Request) -> Response:
        found = await self._inventory()
        if isinstance(found, Response):
            return found
        ref = request.path_params["ref"]
        for p in found:
            if p.ref == ref:
                return JSONResponse(p.to_json())
        return error_response(404, "not_found", f"no pack '{ref}' is loaded")

    async def _inventory(self) -> list[api.LoadedPack] | Response:
        try:
            return await anyio.to_thread.run_sync(lambda: api.loaded_packs(connect=self.connection))
        except (LoaderError, psycopg.Error) as exc:
            return error_response(503, "database", self.clean(str(exc)))

    async def validate(self, request: Request) -> Response:
        return await self._command(request, "validate")

    async def plan(self, request: Request) -> Response:
        return await self._command(request, "plan")

    async def load(self, request: Request) -> Response:
        return await self._command(request, "load")

    async def _command(self, request: Request, command: str) -> Response:
        started = time.monotonic()
        with scratch_directory() as scratch:
            try:
                packs = await read_packs(request, command, scratch, self.settings.pack_roots)
            except Refused as exc:
                return error_response(exc.status, exc.code, self.clean(str(exc)), exc.hint)
            outcome, report, response = await self._run(request, command, packs, scratch)
        self.metrics.ran(command, outcome, time.monotonic() - started, report)
        return response

    async def _run(
        self, request: Request, command: str, packs: Packs, scratch: Path
    ) -> tuple[str, Report | None, Response]:
        run = Run(self.connection)
        work = partial(self._call, command, packs)
        with self.runs.tracked(run), self.metrics.in_progress.track_inprogress():
            try:
                report = await in_thread(run, work, request.receive)
            except LoaderError as exc:
                outcome = "cancelled" if run.cancelled else exc.exit_code.name.lower()
                if run.cancelled:  # its statement failed because it was cancelled
                    exc = Cancelled(f"{run.cancelled}: the run was stopped and nothing written")
                code = "cancelled" if run.cancelled else None
                return outcome, None, stopped_response(command, exc, self.clean(str(exc)), code)
            finally:
                if (waited := run.lock_wait_s()) is not None:
                    self.metrics.lock_wait_seconds.observe(waited)
        response = report_response(shown_as_sent(report, scratch))
        return report.exit_code.name.lower(), report, response

    def _call(self, command: str, packs: Packs, run: Run) -> Report:
        """The library call of ``command``, in a worker thread."""
        o = packs.options
        lock_timeout = o.lock_timeout_s or self.settings.lock_timeout_s
        if command == "validate":
            return api.validate_packs(packs.paths, strict=o.strict)
        if command == "plan":
            return api.plan_packs(
                packs.paths, absent=o.absent, lock_timeout_s=lock_timeout, strict=o.strict,
                connect=run.connection, progress=run.progress,
            )  # fmt: skip
        return api.load_packs(
            packs.paths, absent=o.absent, dry_run=o.dry_run, lock_timeout_s=lock_timeout,
            strict=o.strict, connect=run.connection, progress=run.progress,
        )  # fmt: skip


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such route, a wrong method, a broken multipart
    body) in the service's error object: ``not_found``, ``method_not_allowed``..."""
    assert isinstance(exc, HTTPException)
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    return error_response(exc.status_code, code, str(exc.detail))


def create_app(service: Service) -> Starlette:
    s = service
    routes = [
        Route("/healthz", s.healthz, methods=["GET"]),
        Route("/readyz", s.readyz, methods=["GET"]),
        Route("/metrics", s.metrics_text, methods=["GET"]),
        Route("/v1/openapi.json", s.openapi_document, methods=["GET"]),
        Route("/v1/validate", s.validate, methods=["POST"]),
        Route("/v1/plan", s.plan, methods=["POST"]),
        Route("/v1/load", s.load, methods=["POST"]),
        Route("/v1/packs", s.packs, methods=["GET"]),
        Route("/v1/packs/{ref}", s.pack, methods=["GET"]),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.pool.open(wait=False)
        try:
            yield
        finally:
            # uvicorn's graceful wait is over: whatever still runs is stopped and rolls back.
            service.runs.cancel_all("the service is shutting down")
            await anyio.to_thread.run_sync(service.pool.close)

    middleware = [
        Middleware(Observe, metrics=service.metrics, routes=routes),
        Middleware(RequireToken, tokens=Tokens(service.settings.tokens)),
        Middleware(BodyLimit, max_bytes=service.settings.max_body_bytes),
    ]
    handlers: dict[Any, Callable[..., Any]] = {HTTPException: _http_error}
    return Starlette(
        routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers=handlers
    )
