#!/usr/bin/env python3
"""Tests of the core pack's action scripts.

Each test runs a script the way a worker does: as a child process with its
parameters in ``ATTUNE_ACTION_<NAME>`` environment variables, then checks the exit
status and output. HTTP tests talk to a server started on 127.0.0.1; nothing
leaves the machine.

Run from the pack root with ``python -m unittest`` (or ``python tests/test_actions.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

ACTIONS_DIR = Path(__file__).resolve().parent.parent / "actions"
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def action_env(params: dict[str, Any]) -> dict[str, str]:
    """The environment of a script run: ours minus stray action variables, plus params."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ATTUNE_ACTION_") and k not in PROXY_VARS
    }
    for name, value in params.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, dict | list):
            text = json.dumps(value)
        else:
            text = str(value)
        env["ATTUNE_ACTION_" + name.upper()] = text
    return env


def run_action(script: str, **params: Any) -> subprocess.CompletedProcess[str]:
    path = ACTIONS_DIR / script
    command = [sys.executable, str(path)] if path.suffix == ".py" else [str(path)]
    return subprocess.run(
        command, env=action_env(params), capture_output=True, text=True, timeout=60, check=False
    )


class ScriptFilesTest(unittest.TestCase):
    def test_scripts_are_executable(self) -> None:
        """Every entry point is an executable file."""
        for name in ("echo.sh", "noop.sh", "sleep.sh", "http_request.py"):
            with self.subTest(script=name):
                self.assertTrue(os.access(ACTIONS_DIR / name, os.X_OK))


class EchoTest(unittest.TestCase):
    def test_default_message(self) -> None:
        """Without parameters the default greeting is printed."""
        result = run_action("echo.sh")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, "Hello, World!\n")

    def test_message(self) -> None:
        """The message parameter is printed verbatim."""
        result = run_action("echo.sh", message="deploy  finished: 3/3 *ok*")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, "deploy  finished: 3/3 *ok*\n")

    def test_uppercase(self) -> None:
        """uppercase=true upper-cases the message."""
        result = run_action("echo.sh", message="Quiet please", uppercase=True)
        self.assertEqual(result.stdout, "QUIET PLEASE\n")
        result = run_action("echo.sh", message="Quiet please", uppercase=False)
        self.assertEqual(result.stdout, "Quiet please\n")

    def test_invalid_uppercase(self) -> None:
        """A non-boolean uppercase value is rejected."""
        result = run_action("echo.sh", uppercase="maybe")
        self.assertEqual(result.returncode, 1)
        self.assertIn("uppercase", result.stderr)


class NoopTest(unittest.TestCase):
    def test_defaults(self) -> None:
        """Without parameters noop prints nothing and succeeds."""
        result = run_action("noop.sh")
        self.assertEqual((result.returncode, result.stdout), (0, ""))

    def test_message_is_logged(self) -> None:
        """The message is logged on stdout."""
        result = run_action("noop.sh", message="checkpoint reached")
        self.assertEqual(result.returncode, 0)
        self.assertIn("checkpoint reached", result.stdout)

    def test_exit_code(self) -> None:
        """The script exits with the requested code, up to 255."""
        for code in (0, 3, 255):
            with self.subTest(code=code):
                self.assertEqual(run_action("noop.sh", exit_code=code).returncode, code)

    def test_invalid_exit_code(self) -> None:
        """Exit codes outside 0..255, or not integers, are rejected."""
        for value in ("256", "-1", "abc", "1.5", "99999999999999999999"):
            with self.subTest(value=value):
                result = run_action("noop.sh", exit_code=value)
                self.assertEqual(result.returncode, 1)
                self.assertIn("exit_code", result.stderr)


class SleepTest(unittest.TestCase):
    def test_zero_seconds(self) -> None:
        """seconds=0 returns at once with a summary."""
        result = run_action("sleep.sh", seconds=0, message="waiting")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, "waiting\nSlept for 0 seconds\n")

    def test_sleeps(self) -> None:
        """The script really waits."""
        started = time.monotonic()
        result = run_action("sleep.sh", seconds=1)
        self.assertEqual(result.returncode, 0)
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        self.assertIn("Slept for 1 seconds", result.stdout)

    def test_invalid_seconds(self) -> None:
        """Values outside 0..3600, or not integers, are rejected."""
        for value in ("3601", "-1", "soon", "2.5"):
            with self.subTest(value=value):
                result = run_action("sleep.sh", seconds=value)
                self.assertEqual(result.returncode, 1)
                self.assertIn("seconds", result.stderr)


class _Handler(BaseHTTPRequestHandler):
    """Answers /json, /echo, /status/<code>, /redirect and /slow."""

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if self.path == "/json":
            self._send(200, json.dumps({"ok": True, "items": [1, 2, 3]}).encode())
        elif self.path.startswith("/echo"):
            echo = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
            self._send(200, json.dumps(echo).encode())
        elif self.path.startswith("/status/"):
            self._send(int(self.path.rsplit("/", 1)[1]), b"plain text", "text/plain")
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/json")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, b"{}")
        else:
            self._send(404, b"not found", "text/plain")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class HttpRequestTest(unittest.TestCase):
    server: ClassVar[ThreadingHTTPServer]
    base: ClassVar[str]

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        cls.server.daemon_threads = True
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown()
        cls.server.server_close()

    def request(self, **params: Any) -> tuple[int, dict[str, Any]]:
        result = run_action("http_request.py", **params)
        return result.returncode, json.loads(result.stdout)

    def test_get_json(self) -> None:
        """A GET returns status, headers, body, parsed JSON, timing and URL."""
        code, out = self.request(url=self.base + "/json")
        self.assertEqual(code, 0)
        self.assertEqual(out["status_code"], 200)
        self.assertTrue(out["success"])
        self.assertEqual(out["json"], {"ok": True, "items": [1, 2, 3]})
        self.assertEqual(json.loads(out["body"]), out["json"])
        self.assertEqual(out["url"], self.base + "/json")
        self.assertIsInstance(out["elapsed_ms"], int)
        self.assertEqual(out["headers"]["Content-Type"], "application/json")
        self.assertNotIn("error", out)

    def test_post_json_body_headers_and_query(self) -> None:
        """json_body, headers and query_params reach the server."""
        code, out = self.request(
            url=self.base + "/echo",
            method="post",
            json_body={"name": "web-1"},
            headers={"X-Trace": "abc"},
            query_params={"dry_run": "yes"},
        )
        self.assertEqual(code, 0)
        echo = out["json"]
        self.assertEqual(echo["method"], "POST")
        self.assertEqual(echo["path"], "/echo?dry_run=yes")
        self.assertEqual(json.loads(echo["body"]), {"name": "web-1"})
        self.assertEqual(echo["headers"]["x-trace"], "abc")
        self.assertEqual(echo["headers"]["content-type"], "application/json")

    def test_raw_body(self) -> None:
        """A raw body is sent as is."""
        _, out = self.request(url=self.base + "/echo", method="PUT", body="a=1&b=2")
        self.assertEqual(out["json"]["body"], "a=1&b=2")

    def test_authentication(self) -> None:
        """Basic and bearer authentication set the Authorization header."""
        _, out = self.request(
            url=self.base + "/echo", auth_type="basic", auth_username="u", auth_password="p"
        )
        self.assertEqual(out["json"]["headers"]["authorization"], "Basic dTpw")
        _, out = self.request(url=self.base + "/echo", auth_type="bearer", auth_token="t0k")
        self.assertEqual(out["json"]["headers"]["authorization"], "Bearer t0k")

    def test_http_error_status(self) -> None:
        """A 4xx/5xx response is reported with success false and exit status 1."""
        code, out = self.request(url=self.base + "/status/404")
        self.assertEqual(code, 1)
        self.assertEqual(out["status_code"], 404)
        self.assertFalse(out["success"])
        self.assertEqual(out["body"], "plain text")
        self.assertIsNone(out["json"])

    def test_redirects(self) -> None:
        """Redirects are followed unless follow_redirects is false."""
        _, out = self.request(url=self.base + "/redirect")
        self.assertEqual((out["status_code"], out["url"]), (200, self.base + "/json"))
        _, out = self.request(url=self.base + "/redirect", follow_redirects=False)
        self.assertEqual(out["status_code"], 302)

    def test_timeout(self) -> None:
        """A slow server produces a timeout error."""
        code, out = self.request(url=self.base + "/slow", timeout=1)
        self.assertEqual(code, 1)
        self.assertFalse(out["success"])
        self.assertIn("timed out", out["error"])

    def test_connection_error(self) -> None:
        """An unreachable server produces a connection error."""
        port = self.server.server_address[1]
        probe = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        closed_port = probe.server_address[1]
        probe.server_close()
        self.assertNotEqual(port, closed_port)
        code, out = self.request(url=f"http://127.0.0.1:{closed_port}/")
        self.assertEqual(code, 1)
        self.assertEqual(out["status_code"], 0)
        self.assertIn("connection error", out["error"])

    def test_invalid_parameters(self) -> None:
        """Missing url and invalid values are reported as errors, not crashes."""
        cases: list[tuple[dict[str, Any], str]] = [
            ({}, "url is required"),
            ({"url": "ftp://example.invalid/"}, "http(s)"),
            ({"url": self.base, "method": "FETCH"}, "method"),
            ({"url": self.base, "timeout": 0}, "timeout"),
            ({"url": self.base, "timeout": "soon"}, "timeout"),
            ({"url": self.base, "verify_ssl": "perhaps"}, "verify_ssl"),
            ({"url": self.base, "headers": "[1, 2]"}, "headers"),
            ({"url": self.base, "auth_type": "digest"}, "auth_type"),
            ({"url": self.base, "auth_type": "bearer"}, "auth_token"),
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                code, out = self.request(**params)
                self.assertEqual(code, 1)
                self.assertFalse(out["success"])
                self.assertIn(expected, out["error"])


if __name__ == "__main__":
    unittest.main()
