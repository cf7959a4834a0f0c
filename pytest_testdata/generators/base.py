"""The generator protocol every strategy implements, and the table of strategies.

Generators are looked up by strategy name and imported only when first used, so an LLM or pattern-store
dependency costs nothing until a test asks for it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest, Record

if TYPE_CHECKING:
    from pytest_testdata.engine import Engine


@dataclass
class GeneratorOutput:
    """What a generator hands back to the engine; the engine validates, scores and wraps it."""

    records: list[Record]
    reason: str | None = None
    """Set when the generator changed path (a fallback): replaces the router's reason."""
    strategy: str | None = None
    """Set when the generator delegated to another strategy (a fallback): the path that really ran."""
    provider: str | None = None
    model: str | None = None
    cassette: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


class Generator(Protocol):
    """One strategy. ``generate`` must be deterministic for a given seed (cassettes make LLMs so)."""

    name: str

    def generate(self, request: GenerationRequest, schema: Schema, seed: int) -> GeneratorOutput:
        """Make ``request.count`` records of ``schema``."""
        ...


GENERATORS: dict[str, str] = {
    "traditional": "pytest_testdata.generators.traditional:TraditionalGenerator",
    "llm": "pytest_testdata.generators.llm:LLMGenerator",
    "rag": "pytest_testdata.generators.rag:RagGenerator",
    "hybrid": "pytest_testdata.generators.hybrid:HybridGenerator",
}
"""Strategy name -> ``module:factory``. Strategies absent here are designed but not built yet."""

PLANNED: dict[str, str] = {
}


def load_generator(strategy: str, engine: Engine) -> Generator:
    """Import and build the generator for a strategy; raises if it is not available here."""
    from pytest_testdata.errors import StrategyNotAvailableError

    target = GENERATORS.get(strategy)
    if target is None:
        what = PLANNED.get(strategy, strategy)
        raise StrategyNotAvailableError(
            f"strategy {strategy!r} is not available in this version of pytest-testdata: {what} is not "
            f"built yet. Available: {', '.join(sorted(GENERATORS))}. Use strategy='traditional' "
            "(or 'auto') for now."
        )
    module_name, _, attr = target.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    generator: Generator = factory(engine)
    return generator
