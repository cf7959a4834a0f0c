"""Strategy choice for ``strategy="auto"``, with the reason that every result carries.

The rules, in order (SPEC section 1):

1. An explicit strategy always wins.
2. More than 500 records, or a ``fast``/``bulk`` hint -> ``traditional`` (only it is fast enough).
3. ``learn_from_history`` or ``defect_triggering`` together with context or a ``realistic``/``coherent``
   hint -> ``hybrid``; either flag alone -> ``rag``.
4. Context, a ``realistic``/``coherent`` hint, or free-text fields (when an LLM is configured) -> ``llm``.
5. Otherwise -> ``traditional``.

When the chosen strategy cannot run here, auto falls back to ``traditional`` and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pytest_testdata.model import GenerationRequest
from pytest_testdata.schemas.model import Schema

BULK_THRESHOLD = 500

Availability = Callable[[str], "str | None"]
"""Returns None when a strategy can run, else the reason it cannot."""


@dataclass(frozen=True, slots=True)
class Route:
    """The path a request takes and why."""

    strategy: str
    reason: str


class Router:
    """Picks a strategy for a request; ``availability`` says which strategies can run here."""

    def __init__(self, availability: Availability) -> None:
        self.availability = availability

    def route(self, request: GenerationRequest, schema: Schema) -> Route:
        if request.strategy != "auto":
            return Route(request.strategy, f"strategy {request.strategy!r} requested explicitly")
        choice = self._choose(request, schema)
        blocked = self.availability(choice.strategy) if choice.strategy != "traditional" else None
        if blocked is None:
            return choice
        return Route("traditional", f"{choice.reason}, but {choice.strategy} is unavailable ({blocked}); "
                                    "fell back to traditional")

    def _choose(self, request: GenerationRequest, schema: Schema) -> Route:
        hints = set(request.hints)
        if request.count > BULK_THRESHOLD:
            return Route("traditional", f"{request.count} records > {BULK_THRESHOLD}: bulk volume needs the fast path")
        if hints & {"fast", "bulk"}:
            return Route("traditional", f"hint {sorted(hints & {'fast', 'bulk'})[0]!r} asks for speed")
        wants_quality = sorted(hints & {"realistic", "coherent"})
        quality_reason = (
            "context given" if request.context else f"hint {wants_quality[0]!r}" if wants_quality else ""
        )
        history = request.learn_from_history or request.defect_triggering
        flag = "defect_triggering" if request.defect_triggering else "learn_from_history"
        if history and quality_reason:
            return Route("hybrid", f"{flag} and {quality_reason}: retrieved patterns as LLM context")
        if history:
            return Route("rag", f"{flag}: adapt retrieved historical patterns")
        if quality_reason:
            return Route("llm", f"{quality_reason}: an LLM writes coherent, context-aware records")
        free_text = schema.free_text_fields()
        if free_text and self.availability("llm") is None:
            return Route("llm", f"free-text fields ({', '.join(free_text)}) and an LLM is configured")
        return Route("traditional", "no context, quality hint or history flag: the fast rule-based path")
