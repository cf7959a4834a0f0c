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
    from pytest_testdata.generators.host import GeneratorHost


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
    accepted: frozenset[int] = frozenset()
    """Indices of records the generator already found breaking nothing under the engine's own validator
    (``validator_for(schema, request.constraints)``), uniqueness across the batch aside: the engine does
    not check those again."""
    coherent: frozenset[int] = frozenset()
    """Indices of records whose every coherence rule of the schema holds by how the traditional plan built
    them (:mod:`pytest_testdata.generators.traditional.vouch`): the engine scores them 1.0 without checking
    the rules again, for a valid-variant request routed to the traditional strategy only."""
    made_shapes: frozenset[str] = frozenset()
    """Paths (``items.*.product_id``) whose ``format`` and ``pattern`` every record meets by how the
    traditional plan drew it (an identifier drawer that always makes a UUID, and nothing wrote the field
    since): the engine's validator leaves those tests out, on the terms of :attr:`coherent`."""


class Generator(Protocol):
    """One strategy. ``generate`` must be deterministic for a given seed (cassettes make LLMs so).

    Besides ``generate``, every generator answers three questions the engine asks (inherit
    :class:`GeneratorBase` for the usual answers): can it run here, what besides the request decides its
    output, and must a request reach it even when the cache holds an answer.
    """

    name: str

    def generate(self, request: GenerationRequest, schema: Schema, seed: int) -> GeneratorOutput:
        """Make ``request.count`` records of ``schema``."""
        ...

    def unavailable_reason(self) -> str | None:
        """None when this strategy can run here, else why not (the router's ``auto`` skips it then)."""
        ...

    def cache_key_material(self, request: GenerationRequest) -> dict[str, Any] | None:
        """What besides the request decides the output (provider, model, templates...), for cache keys."""
        ...

    def skips_cache_lookup(self, request: GenerationRequest) -> bool:
        """True when this request must reach the generator even if the cache has an answer (recording)."""
        ...


class GeneratorBase:
    """The usual answers of the optional :class:`Generator` questions: available, nothing beyond the
    request decides the output, cached answers welcome."""

    def unavailable_reason(self) -> str | None:
        return None

    def cache_key_material(self, request: GenerationRequest) -> dict[str, Any] | None:
        return None

    def skips_cache_lookup(self, request: GenerationRequest) -> bool:
        return False


BUILT_IN_LLM = "pytest_testdata.generators.llm:LLMGenerator"
"""The ``llm`` strategy's own generator (the engine answers its availability without loading it)."""
GENERATORS: dict[str, str] = {
    "traditional": "pytest_testdata.generators.traditional:TraditionalGenerator",
    "llm": BUILT_IN_LLM,
    "rag": "pytest_testdata.generators.rag:RagGenerator",
    "hybrid": "pytest_testdata.generators.hybrid:HybridGenerator",
}
"""Strategy name -> ``module:factory`` (a factory takes a :class:`GeneratorHost`). Strategies absent here
are designed but not built yet; a factory is imported only when its strategy is first used."""

PLANNED: dict[str, str] = {
}


def load_generator(strategy: str, host: GeneratorHost) -> Generator:
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
    generator: Generator = factory(host)
    return generator
