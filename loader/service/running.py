"""Runs in worker threads, and how one is stopped: a run that is cancelled (its
client went away, or the service is shutting down) has its statement cancelled on
the server and fails at its next step, so its transaction rolls back; one that has
already committed stays committed. Either way nothing is left half written."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import psycopg
from starlette.types import Receive

from loader.api import ConnectionSource
from loader.errors import LoaderError
from loader.report import Report

log = logging.getLogger("attune_loader.service")


class Cancelled(LoaderError):
    """The run was stopped before it finished; its transaction rolled back."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="send it again (when the service is back)")


class Run:
    """One validate, plan or load in a worker thread."""

    def __init__(self, source: ConnectionSource) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self.cancelled: str | None = None  # why, once cancelled
        self._locking_since: float | None = None
        self._locked_at: float | None = None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """The run's connection source: the connection can be cancelled while lent."""
        with self._source() as conn:
            with self._lock:
                self._conn = conn
            try:
                if self.cancelled:  # while it waited for the connection
                    raise Cancelled(self.cancelled)
                yield conn
            finally:
                with self._lock:
                    self._conn = None

    def progress(self, message: str) -> None:
        """The loader's stages: stop at the next one once cancelled, and time the wait
        for pack locks (from "locking" to "planning")."""
        if self.cancelled:
            raise Cancelled(self.cancelled)
        if message == "locking":
            self._locking_since = time.monotonic()
        elif message == "planning":
            self._locked_at = time.monotonic()

    def lock_wait_s(self) -> float | None:
        """How long the run waited for pack locks (until now, if it never got them)."""
        if self._locking_since is None:
            return None
        return (self._locked_at or time.monotonic()) - self._locking_since

    def cancel(self, reason: str) -> None:
        """From any thread: the running statement is cancelled on the server (a lock
        wait included); the loader then rolls back."""
        with self._lock:
            self.cancelled = reason
            if self._conn is None:
                return
            try:
                self._conn.cancel_safe(timeout=5.0)
            except psycopg.Error as exc:
                log.warning("cancelling a statement failed", extra={"error": str(exc)})


class Runs:
    """The runs in progress, so that shutdown can cancel those still running."""

    def __init__(self) -> None:
        self._runs: set[Run] = set()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._runs)

    @contextmanager
    def tracked(self, run: Run) -> Iterator[Run]:
        with self._lock:
            self._runs.add(run)
        try:
            yield run
        finally:
            with self._lock:
                self._runs.discard(run)

    def cancel_all(self, reason: str) -> None:
        with self._lock:
            running = list(self._runs)
        for run in running:
            run.cancel(reason)


async def in_thread(run: Run, work: Callable[[Run], Report], receive: Receive) -> Report:
    """``work`` in a worker thread, cancelled if the client disconnects meanwhile. The
    request body must have been read: what ``receive`` gives next is the disconnect."""
    outcome: Report | Exception

    def attempt() -> Report | Exception:
        try:
            return work(run)
        except Exception as exc:  # re-raised below: a task group would wrap it
            return exc

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            continue
        log.info("client disconnected: cancelling its run")
        await anyio.to_thread.run_sync(run.cancel, "the client disconnected")

    async with anyio.create_task_group() as group:
        group.start_soon(watch)
        outcome = await anyio.to_thread.run_sync(attempt)
        group.cancel_scope.cancel()
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
