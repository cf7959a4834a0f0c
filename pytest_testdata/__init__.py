"""pytest-testdata: realistic, coherent and reproducible test data for pytest.

The public API is light to import; the engine and strategies load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_testdata.errors import (
    AgentUnavailableError,
    CassetteError,
    CassetteMissingError,
    ConstraintViolationError,
    GenerationError,
    LLMFallbackWarning,
    MissingDependencyError,
    ProviderError,
    StaleCassetteError,
    StoreUnavailableError,
    StrategyNotAvailableError,
    TestdataError,
    TestdataUsageError,
    TestdataWarning,
    UnknownEntityError,
)
from pytest_testdata.types import GenerationRequest, GenerationResult, ResultMetadata, Violation

if TYPE_CHECKING:
    from pytest_testdata.engine import Engine

__version__ = "0.1.0"
__all__ = [
    "AgentUnavailableError", "CassetteError", "CassetteMissingError", "ConstraintViolationError", "Engine",
    "GenerationError", "GenerationRequest", "GenerationResult", "LLMFallbackWarning", "MissingDependencyError",
    "ProviderError", "ResultMetadata", "StaleCassetteError", "StoreUnavailableError", "StrategyNotAvailableError",
    "TestdataError", "TestdataUsageError", "TestdataWarning", "UnknownEntityError", "Violation", "factory_for",
    "generate",
]


def __getattr__(name: str) -> Any:
    if name == "Engine":
        from pytest_testdata.engine import Engine

        return Engine
    if name == "factory_for":
        from pytest_testdata.generators.traditional.factories import factory_for

        return factory_for
    raise AttributeError(f"module 'pytest_testdata' has no attribute {name!r}")


_default_engine: Engine | None = None


def generate(entity: str, count: int = 1, **kwargs: Any) -> GenerationResult:
    """Generate outside pytest: ``generate("cart", 5, seed=1).records``.

    Uses the cache the environment configures (``REDIS_URL``, ``TESTDATA_CACHE``...; in-process by
    default), so calls without a seed are served from data pools once those are warm.
    """
    global _default_engine
    if _default_engine is None:
        from pytest_testdata.cache import build_cache
        from pytest_testdata.config import resolve
        from pytest_testdata.engine import Engine

        _default_engine = Engine(cache=build_cache(resolve({}, {})))
    return _default_engine.generate(GenerationRequest.checked(entity, count, **kwargs))
