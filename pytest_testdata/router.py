"""Strategy choice for ``strategy="auto"``, with the reason that every result carries.

The rules, first match wins (SPEC section 1; each rule and tie has a row in tests/test_router.py):

1. An explicit strategy always wins (the generator itself may still fall back, and says so).
2. Volume: more than 500 records, or a ``fast``/``bulk`` hint -> ``traditional`` (only it is fast enough);
   history flags and quality wishes are then ignored, and the reason says which.
3. A history flag (``learn_from_history`` / ``defect_triggering``) together with an LLM condition
   (context, a ``realistic``/``coherent`` hint, or free-text fields while an LLM is configured) ->
   ``hybrid``; a history flag alone -> ``rag``.
4. An LLM condition alone -> ``llm``. Free-text fields count only when an LLM is configured: without one
   they would only send every review and product to a fallback.
5. Otherwise -> ``traditional``.

When the chosen strategy cannot run here, auto walks its fallback chain (hybrid -> rag -> traditional;
rag -> traditional; llm -> traditional) and the reason names each strategy skipped and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest

BULK_THRESHOLD = 500
SPEED_HINTS = frozenset({"fast", "bulk"})
QUALITY_HINTS = frozenset({"realistic", "coherent"})
FALLBACKS: dict[str, tuple[str, ...]] = {
    "hybrid": ("rag", "traditional"),
    "rag": ("traditional",),
    "llm": ("traditional",),
}
"""Where auto goes when its choice cannot run here, in order (traditional always can)."""

PLAIN_REASON = "no context, quality hint or history flag: the fast rule-based path"
"""Why auto picks traditional for a request that asks for nothing more (rule 5)."""

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
        # An explicit strategy's route is the same every time (Route is frozen): built once per strategy.
        self._explicit: dict[str, Route] = {}

    def route(self, request: GenerationRequest, schema: Schema) -> Route:
        """The strategy for a request and the reason (shown in metadata and the run summary)."""
        if request.strategy != "auto":
            unread = self._unread(request)
            if unread:  # said, not dropped without a word (a marker's context under --testdata-strategy traditional)
                return Route(request.strategy, f"strategy {request.strategy!r} requested explicitly ({unread} not "
                                               f"used by it)")
            found = self._explicit.get(request.strategy)
            if found is None:
                found = self._explicit[request.strategy] = Route(
                    request.strategy, f"strategy {request.strategy!r} requested explicitly")
            return found
        choice = self._choose(request, schema)
        skipped: list[str] = []
        for strategy in (choice.strategy, *FALLBACKS.get(choice.strategy, ())):
            blocked = self.availability(strategy) if strategy != "traditional" else None
            if blocked is None:
                if not skipped:
                    return choice
                return Route(strategy, f"{choice.reason}, but {'; '.join(skipped)}; fell back to {strategy}")
            skipped.append(f"{strategy} is unavailable ({blocked})")
        raise AssertionError("unreachable: traditional is always available")  # pragma: no cover

    def _choose(self, request: GenerationRequest, schema: Schema) -> Route:
        hints = set(request.hints)
        flags = _flags(request)
        ignored = self._ignored(request, flags, hints)
        if request.count > BULK_THRESHOLD:
            return Route("traditional", f"{request.count} records > {BULK_THRESHOLD}: bulk volume needs the fast "
                                        f"path{ignored}")
        if hints & SPEED_HINTS:
            return Route("traditional", f"hint {sorted(hints & SPEED_HINTS)[0]!r} asks for speed{ignored}")
        llm_reason = self._llm_condition(request, schema, hints)
        flag_text = " and ".join(flags)
        if flags and llm_reason:
            return Route("hybrid", f"{flag_text} with {llm_reason}: retrieved patterns as LLM context")
        if flags:
            what = "known defect shapes" if request.defect_triggering else "historical patterns"
            return Route("rag", f"{flag_text}: adapt retrieved {what}")
        if llm_reason:
            return Route("llm", f"{llm_reason}: an LLM writes coherent, context-aware records")
        return Route("traditional", PLAIN_REASON)

    def _llm_condition(self, request: GenerationRequest, schema: Schema, hints: set[str]) -> str:
        """Why an LLM is wanted (context, quality hint, free text with an LLM configured), or ``""``."""
        if request.context:
            return "context given"
        quality = sorted(hints & QUALITY_HINTS)
        if quality:
            return f"hint {quality[0]!r}"
        free_text = schema.free_text_fields()
        if free_text and self.availability("llm") is None:
            return f"free-text fields ({', '.join(free_text)}) and an LLM is configured"
        return ""

    @staticmethod
    def _unread(request: GenerationRequest) -> str:
        """What an explicitly chosen strategy does not read of the request: the history flags (read by ``rag``
        and ``hybrid``) for ``traditional`` and ``llm``, and the context and quality hints for ``traditional``
        too; ``""`` when it reads all it was given."""
        traditional = request.strategy == "traditional"
        if not (traditional or request.strategy == "llm") or not (
                request.learn_from_history or request.defect_triggering
                or (traditional and (request.context or request.hints))):
            return ""  # (the usual case, asked on every call: no list built)
        return ", ".join(_wishes(request, _flags(request), set(request.hints), traditional))

    @staticmethod
    def _ignored(request: GenerationRequest, flags: list[str], hints: set[str]) -> str:
        wishes = _wishes(request, flags, hints, True)
        if not wishes:
            return ""
        return (f" ({', '.join(wishes)} ignored; pass an explicit strategy such as "
                f"strategy={'rag' if flags else 'llm'!r} to override)")


def _flags(request: GenerationRequest) -> list[str]:
    """The history flags the request sets."""
    return [f for f in ("learn_from_history", "defect_triggering") if getattr(request, f)]


def _wishes(request: GenerationRequest, flags: list[str], hints: set[str], llm_ones: bool) -> list[str]:
    """What of the request a strategy may leave unread: the history flags, then (``llm_ones``) the context
    and the quality hints (``hint 'realistic'``)."""
    if not llm_ones:
        return list(flags)
    return [*flags, *(["context"] if request.context else []),
            *(f"hint {hint!r}" for hint in sorted(hints & QUALITY_HINTS))]
