#!/usr/bin/env python3
"""core.http_request: send an HTTP request and print the response as JSON.

Parameters arrive as environment variables ``ATTUNE_ACTION_<NAME>`` (upper-cased
parameter names). Object parameters (headers, json_body, query_params) are JSON
text; booleans accept true/false/1/0/yes/no. The result printed on stdout is one
JSON object: status_code, headers, body, json, elapsed_ms, url, success and, when
the request failed, error. The exit status is 0 when ``success`` is true, else 1.

Only the standard library is used (urllib), so no pip install is needed.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

PREFIX = "ATTUNE_ACTION_"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
AUTH_TYPES = ("none", "basic", "bearer")


class ParameterError(ValueError):
    """A parameter is missing or has an invalid value."""


def param(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(PREFIX + name.upper())
    return default if value is None or value == "" else value


def bool_param(name: str, default: bool) -> bool:
    value = param(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise ParameterError(f"{name} must be true or false, got {value!r}")


def int_param(name: str, default: int, low: int, high: int) -> int:
    value = param(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ParameterError(f"{name} must be an integer, got {value!r}") from None
    if not low <= number <= high:
        raise ParameterError(f"{name} must be between {low} and {high}, got {number}")
    return number


def object_param(name: str) -> dict[str, Any]:
    value = param(name)
    if value is None:
        return {}
    try:
        decoded = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ParameterError(f"{name} must be a JSON object: {exc}") from None
    if not isinstance(decoded, dict):
        raise ParameterError(f"{name} must be a JSON object, got {type(decoded).__name__}")
    return decoded


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def build_request(method: str) -> tuple[urllib.request.Request, int, bool, bool]:
    url = param("url")
    if url is None:
        raise ParameterError("url is required")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ParameterError(f"url must be an absolute http(s) URL, got {url!r}")

    query = object_param("query_params")
    if query:
        extra = urllib.parse.urlencode({k: str(v) for k, v in query.items()})
        url = f"{url}{'&' if parts.query else '?'}{extra}"

    headers = {str(k): str(v) for k, v in object_param("headers").items()}
    data: bytes | None = None
    json_body = param("json_body")
    if json_body is not None:
        data = json.dumps(object_param("json_body")).encode()
        headers.setdefault("Content-Type", "application/json")
    elif (body := param("body")) is not None:
        data = body.encode()

    auth_type = (param("auth_type", "none") or "none").lower()
    if auth_type not in AUTH_TYPES:
        raise ParameterError(f"auth_type must be one of {', '.join(AUTH_TYPES)}, got {auth_type!r}")
    if auth_type == "basic":
        user = param("auth_username", "") or ""
        password = param("auth_password", "") or ""
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    elif auth_type == "bearer":
        bearer = param("auth_token")
        if bearer is None:
            raise ParameterError("auth_token is required for bearer authentication")
        headers["Authorization"] = f"Bearer {bearer}"

    timeout = int_param("timeout", 30, 1, 300)
    verify_ssl = bool_param("verify_ssl", True)
    follow = bool_param("follow_redirects", True)
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    return request, timeout, verify_ssl, follow


def decode_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def perform() -> dict[str, Any]:
    result: dict[str, Any] = {
        "status_code": 0,
        "headers": {},
        "body": "",
        "json": None,
        "elapsed_ms": 0,
        "url": param("url", "") or "",
        "success": False,
    }
    method = (param("method", "GET") or "GET").upper()
    if method not in METHODS:
        result["error"] = f"method must be one of {', '.join(METHODS)}, got {method!r}"
        return result
    try:
        request, timeout, verify_ssl, follow = build_request(method)
    except ParameterError as exc:
        result["error"] = str(exc)
        return result

    handlers: list[urllib.request.BaseHandler] = []
    if not verify_ssl:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        handlers.append(urllib.request.HTTPSHandler(context=context))
    if not follow:
        handlers.append(_NoRedirect())
    opener = urllib.request.build_opener(*handlers)

    started = time.monotonic()
    try:
        with opener.open(request, timeout=timeout) as response:
            status, headers, raw, final_url = (
                response.status,
                dict(response.headers.items()),
                response.read(),
                response.geturl(),
            )
    except urllib.error.HTTPError as exc:  # a response with a 4xx/5xx (or 3xx) status
        status, headers, raw, final_url = exc.code, dict(exc.headers.items()), exc.read(), exc.url
    except TimeoutError:
        result["elapsed_ms"] = round((time.monotonic() - started) * 1000)
        result["error"] = f"request timed out after {timeout} seconds"
        return result
    except urllib.error.URLError as exc:
        result["elapsed_ms"] = round((time.monotonic() - started) * 1000)
        if isinstance(exc.reason, TimeoutError):
            result["error"] = f"request timed out after {timeout} seconds"
        else:
            result["error"] = f"connection error: {exc.reason}"
        return result
    except (OSError, ValueError) as exc:
        result["elapsed_ms"] = round((time.monotonic() - started) * 1000)
        result["error"] = f"request error: {exc}"
        return result

    body = raw.decode("utf-8", errors="replace")
    result.update(
        status_code=status,
        headers=headers,
        body=body,
        json=decode_json(body) if body else None,
        elapsed_ms=round((time.monotonic() - started) * 1000),
        url=final_url,
        success=status < 400,
    )
    return result


def main() -> int:
    result = perform()
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0 if result["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
