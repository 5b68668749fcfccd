"""Every request: an id (the caller's X-Request-Id or a new one, sent back), one log
line when it is answered, and its count and duration by route."""

from __future__ import annotations

import time
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loader.service.logs import log, new_request_id, request_id
from loader.service.metrics import Metrics


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = new_request_id(Headers(scope=scope).get("x-request-id"))
        token = request_id.set(rid)
        started = time.monotonic()
        status = 500  # unless a response starts

        async def with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            seconds = time.monotonic() - started
            route = self._route(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.request_seconds.labels(route).observe(seconds)
            client = scope.get("client")
            log.info(
                "request",
                extra={
                    "method": scope["method"], "path": scope["path"], "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "client": f"{client[0]}:{client[1]}" if client else None,
                },
            )  # fmt: skip
            request_id.reset(token)

    def _route(self, scope: Scope) -> str:
        """The route's template (``/v1/packs/{ref}``), so labels stay few."""
        for route in self.routes:
            if isinstance(route, Route) and route.matches(scope)[0] is not Match.NONE:
                return route.path
        return "unmatched"
