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
    DatasetCheckError,
    DatasetLoadError,
    GenerationError,
    LLMFallbackWarning,
    MissingDependencyError,
    ProviderError,
    RegexRefused,
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

DISTRIBUTION = "pytest-testdata-agent"
"""The name this project is published under on the package index (``pip install pytest-testdata-agent``)."""


def _version() -> str:
    """The installed distribution's version: pyproject.toml is the one place it is written."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # a source tree on sys.path, never installed
        import re
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        found = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M) \
            if pyproject.is_file() else None
        return found.group(1) if found else "0+unknown"


if TYPE_CHECKING:
    __version__: str
__all__ = [
    "DISTRIBUTION", "AgentUnavailableError", "CassetteError", "CassetteMissingError", "ConstraintViolationError",
    "DatasetCheckError", "DatasetLoadError", "Engine", "GenerationError", "GenerationRequest", "GenerationResult",
    "LLMFallbackWarning", "MissingDependencyError", "ProviderError", "RegexRefused", "ResultMetadata",
    "StaleCassetteError", "StoreUnavailableError", "StrategyNotAvailableError", "TestdataError", "TestdataUsageError",
    "TestdataWarning", "UnknownEntityError", "Violation", "factory_for", "generate", "map_field_names",
    "register_kind",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # Read on first use: importlib.metadata costs a fresh process about 25 ms, and pytest (which has
        # it loaded already) or the agent's health answer are the only readers.
        version = globals()["__version__"] = _version()
        return version
    if name == "Engine":
        from pytest_testdata.engine import Engine

        return Engine
    if name == "factory_for":
        from pytest_testdata.generators.traditional.factories import factory_for

        return factory_for
    if name in ("register_kind", "map_field_names"):
        from pytest_testdata.generators.traditional import kinds

        return getattr(kinds, name)
    raise AttributeError(f"module 'pytest_testdata' has no attribute {name!r}")


_default_engine: Engine | None = None


def generate(entity: Any, count: int = 1, **kwargs: Any) -> GenerationResult:
    """Generate outside pytest: ``generate("cart", 5, seed=1).records``.

    ``entity`` is an entity name, a :class:`~pytest_testdata.schemas.Schema` or a model class (pydantic,
    dataclass, TypedDict, attrs, SQLAlchemy), registered under its name on first use as the fixture does.
    Records are dicts; for a model class, ``.objects`` holds them as instances of the model, built and
    validated by the model itself (``generate(Account, 3, seed=5).objects``), except for
    ``variant="invalid"``, whose records the model would refuse.

    Uses the settings of the ``TESTDATA_*`` environment variables (docs/configuration.md): the cache
    (in-process by default, so calls without a seed are served from data pools once those are warm), the
    LLM provider, the pattern store. No other variable is read.
    """
    global _default_engine
    if _default_engine is None:
        from pytest_testdata.cache import build_cache
        from pytest_testdata.config import resolve
        from pytest_testdata.engine import Engine

        settings = resolve({}, {})
        _default_engine = Engine(options={**settings.extra, "settings": settings}, cache=build_cache(settings))
    if isinstance(entity, str):
        return _default_engine.generate(GenerationRequest.checked(entity, count, **kwargs))
    registry = _default_engine.registry
    name = registry.adopt(entity).name
    result = _default_engine.generate(GenerationRequest.checked(name, count, **kwargs))
    binding = registry.binding(name)
    if binding is not None and kwargs.get("variant") != "invalid":
        result.objects = [binding.build(record) for record in result.records]
    return result
