"""Component health and readiness: what ``HealthCheck``, ``/health`` and ``/health/ready`` report.

The service is *ready* once the engine has warmed up and every configured (required) component answers,
and stops being ready the moment shutdown begins, so a load balancer drains it before it goes away.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.generators.base import GENERATORS, PLANNED
from pytest_testdata.masking import mask_text
from pytest_testdata.types import GenerationRequest

if TYPE_CHECKING:
    from pytest_testdata.agent.admission import Admission
    from pytest_testdata.config import Settings
    from pytest_testdata.engine import Engine, ResultCache

HEALTHY, STARTING, UNAVAILABLE, NOT_CONFIGURED = "healthy", "starting", "unavailable", "not_configured"
SERVING, NOT_SERVING, DRAINING = "SERVING", "NOT_SERVING", "DRAINING"


@dataclass(frozen=True)
class Component:
    """One component's health."""

    name: str
    status: str
    detail: str = ""
    required: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_cache(settings: Settings, redis_url: str | None = None) -> tuple[ResultCache | None,
                                                                          Callable[[], Component]]:
    """THE place where the agent builds its result cache from the settings (REDIS_URL, CACHE_TTL_SECONDS).

    Uses ``pytest_testdata.cache.build_cache(settings)`` (the cache layer's factory, which reads
    ``cache``, ``redis_url``, ``cache_ttl``... from the plugin's settings) when this build has it; the
    returned object goes to ``Engine(cache=...)``. The health probe calls the cache's ``health()`` (a
    mapping with ``ok`` or ``status``: ``ok`` is healthy, ``degraded`` is not). With REDIS_URL set but no
    cache layer in this build, the component reports unavailable, and being required, keeps the agent not
    ready.
    """
    redis_url = redis_url or settings.get("redis_url")
    try:
        module = importlib.import_module("pytest_testdata.cache")
        factory = getattr(module, "build_cache", None)
    except ImportError:
        factory = None
    if factory is None:
        if redis_url:
            detail = ("REDIS_URL is set but this build has no cache layer "
                      "(pytest_testdata.cache.build_cache); requests run uncached")
            return None, lambda: Component("cache", UNAVAILABLE, detail, required=True)
        return None, lambda: Component("cache", NOT_CONFIGURED, "no cache layer in this build")
    try:
        cache = factory(settings)
    except TestdataUsageError:
        raise  # a bad setting (TESTDATA_CACHE_TTL=-5...) stops the agent with one line, never silently uncached
    except Exception as exc:  # a cache that cannot be built slows requests; it must not stop the agent
        detail = mask_text(f"could not build the cache: {type(exc).__name__}: {exc}; requests run uncached")
        return None, lambda: Component("cache", UNAVAILABLE, detail, required=bool(redis_url))
    if cache is None:
        return None, lambda: Component("cache", NOT_CONFIGURED, "caching switched off")

    def probe() -> Component:
        check = getattr(cache, "health", None)
        if not callable(check):
            return Component("cache", HEALTHY, type(cache).__name__, required=bool(redis_url))
        try:
            info = check()
        except Exception as exc:  # a probe must report, never raise
            return Component("cache", UNAVAILABLE, mask_text(f"{type(exc).__name__}: {exc}"),
                             required=bool(redis_url))
        ok = info.get("ok", str(info.get("status", "")).lower() in ("ok", "healthy", "up", "closed"))
        detail = mask_text(", ".join(f"{k}={v}" for k, v in info.items() if k not in ("ok",)))
        return Component("cache", HEALTHY if ok else UNAVAILABLE, detail, required=bool(redis_url))

    return cache, probe


class Health:
    """Readiness state and component probes for one server."""

    def __init__(self, engine: Engine, cache_probe: Callable[[], Component],
                 admission: Admission | None = None) -> None:
        self.engine = engine
        self.cache_probe = cache_probe
        self.admission = admission
        self.started_at = time.monotonic()
        self.warm = threading.Event()
        self.warm_error: str | None = None
        self.draining = threading.Event()

    def warm_up(self) -> None:
        """Load the schemas and build the traditional generator with one real generation."""
        try:
            self.engine.generate(GenerationRequest.checked(self.engine.registry.names()[0], 1, seed=1,
                                                           strategy="traditional"))
        except Exception as exc:  # reported by the engine component, never raised in the warm-up thread
            self.warm_error = f"{type(exc).__name__}: {exc}"
        finally:
            self.warm.set()

    def components(self) -> list[Component]:
        """Each component's health: engine, cache, and every strategy."""
        if not self.warm.is_set():
            engine = Component("engine", STARTING, "warming up", required=True)
        elif self.warm_error:
            engine = Component("engine", UNAVAILABLE, self.warm_error, required=True)
        else:
            engine = Component("engine", HEALTHY, f"{len(self.engine.registry.names())} schemas loaded",
                               required=True)
        out = [engine, self.cache_probe()]
        if self.admission is not None:
            # Saturated (every generation slot taken) means not ready: new calls would only be refused.
            out.append(Component("capacity", UNAVAILABLE if self.admission.saturated else HEALTHY,
                                 ("saturated: " if self.admission.saturated else "") + self.admission.describe(),
                                 required=True))
        for strategy in (*GENERATORS, *(s for s in PLANNED if s not in GENERATORS)):
            if strategy not in GENERATORS:
                out.append(Component(f"strategy:{strategy}", NOT_CONFIGURED, "not built in this version"))
                continue
            reason = self.engine.unavailable_reason(strategy) if self.warm.is_set() else "warming up"
            # Only traditional is required: auto falls back from the others, saying why.
            out.append(Component(f"strategy:{strategy}", HEALTHY if reason is None else UNAVAILABLE,
                                 reason or "", required=strategy == "traditional"))
        return out

    def status(self, components: list[Component] | None = None) -> str:
        """SERVING, NOT_SERVING (a required component is down or starting) or DRAINING."""
        if self.draining.is_set():
            return DRAINING
        components = self.components() if components is None else components
        return SERVING if all(c.status == HEALTHY for c in components if c.required) else NOT_SERVING

    def ready(self) -> tuple[bool, str]:
        """Whether to receive traffic, and why not."""
        if self.draining.is_set():
            return False, "draining: shutting down, finishing in-flight calls"
        components = self.components()
        down = [c for c in components if c.required and c.status != HEALTHY]
        if down:
            return False, "; ".join(f"{c.name} {c.status}" + (f" ({c.detail})" if c.detail else "") for c in down)
        return True, "ready"

    def detailed(self) -> tuple[str, dict[str, Any]]:
        """The overall status and the detailed report's own fields (``/health``)."""
        components = self.components()
        return self.status(components), {"components": [c.as_dict() for c in components]}

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started_at
