"""Bearer tokens, compared in constant time: every configured token is compared, and
digests of equal length, so the time taken says neither which token nor how much of
one matched."""

from __future__ import annotations

import hashlib
import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from loader.service.responses import error_response

OPEN_PATHS = frozenset({"/healthz", "/readyz"})  # probes carry no token


class Tokens:
    def __init__(self, tokens: tuple[str, ...]) -> None:
        self._digests = [_digest(t) for t in tokens]

    @property
    def required(self) -> bool:
        return bool(self._digests)

    def accepts(self, authorization: str | None) -> bool:
        scheme, _, offered = (authorization or "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        digest = _digest(offered.strip())
        matched = False
        for known in self._digests:
            matched |= hmac.compare_digest(known, digest)
        return matched


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class RequireToken:
    """Refuse every request but the probes without a known token (when tokens are
    configured: without, the service listens only where this host alone connects)."""

    def __init__(self, app: ASGIApp, tokens: Tokens) -> None:
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.tokens.required or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        if self.tokens.accepts(authorization):
            await self.app(scope, receive, send)
            return
        response = error_response(
            401, "unauthorized", "a valid bearer token is required",
            "send the header: Authorization: Bearer <token>",
        )  # fmt: skip
        response.headers["WWW-Authenticate"] = 'Bearer realm="attune-loader"'
        await response(scope, receive, send)
