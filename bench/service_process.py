"""``attune-loader serve`` as a real process on a free loopback port: started, waited
for until it listens, its JSON log lines kept, and stopped. Shared by the service
tests and the service benchmark."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from loader import PROJECT_ROOT

START_TIMEOUT_S = 60.0


class ServiceProcess:
    """One server process; ``url`` once it listens. Its stderr is read by a thread
    into :attr:`lines` (one parsed JSON object per log line)."""

    def __init__(self, args: Sequence[str], env: dict[str, str] | None = None) -> None:
        self.argv = [sys.executable, "-m", "loader", "serve", "--port", "0", *args]
        self.proc = subprocess.Popen(
            self.argv,
            cwd=PROJECT_ROOT,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[dict[str, Any]] = []
        self.raw: list[str] = []
        self._listening = threading.Event()
        self.address = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.raw.append(line)
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            self.lines.append(entry)
            if entry.get("msg") == "listening":
                self.address = entry["address"]
                self._listening.set()
        self._listening.set()  # the process ended: stop waiting

    def wait_listening(self, timeout: float = START_TIMEOUT_S) -> str:
        """The base URL (``http://127.0.0.1:PORT``, or the socket's path)."""
        self._listening.wait(timeout)
        if not self.address:
            raise RuntimeError(f"the service did not start:\n{''.join(self.raw)}")
        return self.url

    @property
    def url(self) -> str:
        return self.address if self.address.startswith("/") else f"http://{self.address}"

    def ended(self, timeout: float) -> int | None:
        """The exit status once the process has ended within ``timeout``, else None."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        status = self.ended(timeout)
        if status is None:
            self.proc.kill()
            status = self.proc.wait()
        return status

    def logs_of(self, message: str) -> list[dict[str, Any]]:
        return [e for e in self.lines if e.get("msg") == message]


def wait_for(predicate: Any, timeout: float, what: str, step: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something true, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")
