"""The service's figures in Prometheus's text format (GET /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from loader.report import Report

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seconds: a cached no-op takes milliseconds, a large first load minutes.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    """One registry per application, so two in one process (tests) never share counts."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "attune_loader_requests", "HTTP requests answered", ["method", "route", "status"],
            registry=r,
        )  # fmt: skip
        self.request_seconds = Histogram(
            "attune_loader_request_duration_seconds", "Time to answer a request", ["route"],
            buckets=_BUCKETS, registry=r,
        )  # fmt: skip
        self.runs = Counter(
            "attune_loader_runs", "validate, plan and load runs by outcome",
            ["command", "outcome"], registry=r,
        )  # fmt: skip
        self.run_seconds = Histogram(
            "attune_loader_run_duration_seconds", "Time of a run, archives extracted included",
            ["command"], buckets=_BUCKETS, registry=r,
        )  # fmt: skip
        self.rows_written = Counter(
            "attune_loader_rows_written", "Components created, updated, removed or disabled",
            registry=r,
        )  # fmt: skip
        self.lock_wait_seconds = Histogram(
            "attune_loader_lock_wait_seconds", "Time a run waited for other loaders' pack locks",
            buckets=_BUCKETS, registry=r,
        )  # fmt: skip
        self.in_progress = Gauge(
            "attune_loader_runs_in_progress", "Runs now in progress", registry=r
        )

    def ran(self, command: str, outcome: str, seconds: float, report: Report | None) -> None:
        self.runs.labels(command, outcome).inc()
        self.run_seconds.labels(command).observe(seconds)
        if report is not None and report.applied:
            self.rows_written.inc(len(report.pending))

    def text(self) -> bytes:
        return generate_latest(self.registry)
