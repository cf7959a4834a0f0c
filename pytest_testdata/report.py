"""What the plugin reports: run statistics for the terminal summary (where each test's data came from and
what it cost), and the replay section of a failed test's report."""

from __future__ import annotations

import shlex
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pytest_testdata.seeding import derive_seed
from pytest_testdata.types import GenerationRequest, GenerationResult


@dataclass
class StrategyStats:
    requests: int = 0
    records: int = 0
    seconds: float = 0.0
    cache_hits: int = 0
    violations: int = 0
    coherence_sum: float = 0.0
    details: Counter[str] = field(default_factory=Counter)
    """Numeric ``metadata.details`` summed by key (tokens, repaired, fallback, cassette_hits...)."""
    reasons: Counter[str] = field(default_factory=Counter)


class RunStats:
    """Collects results (an engine listener) and merges the stats of xdist workers."""

    def __init__(self) -> None:
        self.by_path: dict[str, StrategyStats] = defaultdict(StrategyStats)
        self.by_provider: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, request: GenerationRequest, result: GenerationResult) -> None:
        meta = result.metadata
        with self._lock:
            stats = self.by_path[meta.strategy]
            stats.requests += 1
            stats.records += meta.count
            stats.seconds += meta.timings.get("total", 0.0)
            stats.cache_hits += meta.cache_hit
            stats.violations += len(meta.violations) if request.variant == "valid" else 0
            stats.coherence_sum += meta.coherence
            stats.reasons[meta.reason] += 1
            for key, value in meta.details.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    stats.details[key] += value  # type: ignore[assignment]  # Counter sums floats (seconds) too
            if meta.provider:
                self.by_provider[f"{meta.provider}:{meta.model}" if meta.model else meta.provider] += 1

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.by_path.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-compatible form (sent from xdist workers to the controller)."""
        return {
            "by_path": {k: {**vars(v), "details": dict(v.details), "reasons": dict(v.reasons)}
                        for k, v in self.by_path.items()},
            "by_provider": dict(self.by_provider),
        }

    def merge(self, data: dict[str, Any]) -> None:
        """Add a worker's stats."""
        with self._lock:
            for path, raw in data.get("by_path", {}).items():
                stats = self.by_path[path]
                for key in ("requests", "records", "seconds", "cache_hits", "violations", "coherence_sum"):
                    setattr(stats, key, getattr(stats, key) + raw[key])
                stats.details.update(raw["details"])
                stats.reasons.update(raw["reasons"])
            self.by_provider.update(data.get("by_provider", {}))

    def lines(self, full: bool = False) -> list[str]:
        """The summary lines, one per strategy path (plus reasons when ``full``)."""
        out = []
        for path, s in sorted(self.by_path.items()):
            coherence = s.coherence_sum / s.requests if s.requests else 0.0
            parts = [_plural(s.requests, "request"), _plural(s.records, "record"),
                     f"{s.seconds * 1000:.1f} ms", f"coherence {coherence:.2f}"]
            if s.cache_hits:
                parts.append(f"{s.cache_hits} cache hits")
            if s.violations:
                parts.append(f"{s.violations} constraint violations")
            parts += [f"{k} {v:g}" for k, v in sorted(s.details.items()) if v]
            out.append(f"{path}: " + ", ".join(parts))
            if full:
                out += [f"    {n} x {reason}" for reason, n in s.reasons.most_common()]
        if self.by_provider:
            out.append("providers: " + ", ".join(f"{k} x{v}" for k, v in sorted(self.by_provider.items())))
        return out


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def replay_text(nodeid: str, session_seed: int, results: list[GenerationResult], *,
                randomly_seed: object = None, remote: str | None = None) -> str:
    """The ``testdata`` section of a failed test's report: the command that reruns it on the same data
    (as Hypothesis prints its seed), the seeds, and each call the test made."""
    command = ["pytest", nodeid, "--testdata-seed", str(session_seed)]
    if randomly_seed is not None:
        command += ["-p", "randomly", f"--randomly-seed={randomly_seed}"]
    if remote:
        command += ["--testdata-remote", remote]
    lines = [f"replay this test's data: {shlex.join(command)}",
             f"session seed {session_seed}, test seed {derive_seed(session_seed, nodeid)}"]
    for index, result in enumerate(results):
        meta = result.metadata
        lines.append(f"call {index}: {meta.entity} x{meta.count} ({meta.strategy}, seed {meta.seed})"
                     + (f", {len(meta.violations)} violations" if meta.violations else ""))
    return "\n".join(lines)
