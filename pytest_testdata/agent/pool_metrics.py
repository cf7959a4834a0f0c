"""The metrics of a pool of workers: every worker's, summed, plus the supervisor's own.

Workers write their metrics to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess
mode); the supervisor's ``/metrics`` merges those with its own HTTP request counts and adds
``testdata_workers{state}`` and ``testdata_worker_restarts_total{reason}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from pytest_testdata.agent.observability import Metrics
from pytest_testdata.agent.worker_handle import Worker

METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


class PoolMetrics:
    """The supervisor's metrics over the workers' files in ``metrics_dir``."""

    def __init__(self, metrics_dir: str) -> None:
        self.metrics_dir = metrics_dir
        self.metrics = Metrics()  # the supervisor's own HTTP request counts
        self.own = CollectorRegistry(auto_describe=True)
        self.worker_gauge = Gauge("testdata_workers", "Worker processes by state", ["state"], registry=self.own)
        self.restart_counter = Counter("testdata_worker_restarts", "Workers replaced, by reason", ["reason"],
                                       registry=self.own)

    def restarted(self, reason: str) -> None:
        self.restart_counter.labels(reason).inc()

    def worker_gone(self, pid: int) -> None:
        """Stop counting a dead worker's live gauges (its counters stay in the sums)."""
        mark_process_dead(pid, self.metrics_dir)  # type: ignore[no-untyped-call]

    def count_states(self, workers: Sequence[Worker]) -> None:
        """``testdata_workers{state}``: ready, not_ready and retiring workers."""
        for state in ("ready", "not_ready", "retiring"):
            self.worker_gauge.labels(state).set(sum(
                1 for w in workers if (w.retiring and state == "retiring") or
                (not w.retiring and (w.ready == (state == "ready")) and state != "retiring")))

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes: the workers' metrics summed, then the supervisor's own."""
        merged = CollectorRegistry()
        collector = MultiProcessCollector(None, path=self.metrics_dir)  # type: ignore[no-untyped-call]
        families = {f.name: f for f in collector.collect()}  # type: ignore[no-untyped-call]
        for family in self.metrics.registry.collect():  # the supervisor's own HTTP request counts
            samples = [s for s in family.samples if not s.name.endswith("_created")]
            if family.name in families:
                families[family.name].samples.extend(samples)
            elif samples:
                family.samples = samples
                families[family.name] = family

        class _Families:
            def collect(self) -> Any:
                return families.values()

        merged.register(_Families())
        return generate_latest(merged) + generate_latest(self.own)
