"""The hybrid strategy: retrieved patterns as few-shot context for an LLM (the pattern-guided prompt).

1. Retrieve the request's patterns from the store (as the RAG strategy does) and adapt them into
   examples (fresh ids, shifted timestamps), so the model never sees a stored id.
2. Hand schema, request and examples to a :class:`FewShotModel`, which writes the records.
3. Run the leak guard over what came back.

Fallbacks, each stated in the result's reason: no model available, or the model failed -> the RAG
strategy's own records (RAG-only), and with no patterns either -> traditional. Either is also warned
(:class:`~pytest_testdata.errors.LLMFallbackWarning`), once, in hybrid's words: the model's own warnings are
collected from it, not shown. (``auto`` never picks hybrid without a model: the router takes ``rag``.) A
model but no patterns (store down or empty for the entity) -> the model writes without examples (reported
as ``llm``).

Where the model comes from (:func:`find_model`), in order:

* the host's ``options["hybrid_model"]``: any callable of the :class:`FewShotModel` shape (set it on an
  :class:`~pytest_testdata.engine.Engine` you build yourself);
* the ``llm`` strategy, when it is registered and has a provider: its ``generate`` is called with the
  examples in ``request.options["patterns"]``, which selects its pattern-guided prompt template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_testdata.errors import GenerationError, LLMFallbackWarning
from pytest_testdata.generators.base import GENERATORS, GeneratorBase, GeneratorOutput
from pytest_testdata.generators.host import COLLECT_WARNINGS, warn
from pytest_testdata.schemas.model import Schema
from pytest_testdata.seeding import derive_seed
from pytest_testdata.store import StoreUnavailableError
from pytest_testdata.store.scrub import guard
from pytest_testdata.types import GenerationRequest, Record

if TYPE_CHECKING:
    from pytest_testdata.generators.host import GeneratorHost
    from pytest_testdata.generators.rag import RagGenerator

FewShotModel = Callable[[Schema, GenerationRequest, list[Record]], list[Record] | GeneratorOutput]
"""Writes ``request.count`` records of ``schema`` following the example records.

Returns the records, or a :class:`GeneratorOutput` to report the provider, model, cassette and details
(tokens...). Raises :class:`~pytest_testdata.errors.GenerationError` when it cannot answer. A returned
output whose ``strategy`` is ``"traditional"`` means the model did not write the records (its own
fallback); hybrid then prefers the retrieved patterns.
"""

NO_MODEL = "no LLM provider is available"


def find_model(host: GeneratorHost) -> tuple[FewShotModel | None, str]:
    """The few-shot model to use and, when there is none, why (see the module docstring)."""
    injected = host.option("hybrid_model")
    if injected is not None:
        if not callable(injected):
            raise GenerationError(f"hybrid_model option: expected a callable, got {injected!r}.")
        return injected, ""
    if "llm" not in GENERATORS:
        return None, f"{NO_MODEL} (the llm strategy is not built in this version)"
    why = host.unavailable_reason("llm")
    if why is not None:  # said once: not "no LLM provider is available (no LLM provider is configured: ...)"
        return None, why if why.startswith("no LLM provider") else f"{NO_MODEL} ({why})"
    llm = host.generator("llm")

    def via_llm_strategy(schema: Schema, request: GenerationRequest, examples: list[Record]) -> GeneratorOutput:
        sub = request.replace(strategy="llm", options={**request.options, "patterns": examples})
        return llm.generate(sub, schema, derive_seed(request.seed, "hybrid"))

    return via_llm_strategy, ""


class HybridGenerator(GeneratorBase):
    """The ``hybrid`` strategy (registered in :data:`pytest_testdata.generators.base.GENERATORS`)."""

    name = "hybrid"

    def __init__(self, host: GeneratorHost) -> None:
        self.host = host

    @property
    def rag(self) -> RagGenerator:
        rag: RagGenerator = self.host.generator("rag")  # type: ignore[assignment]
        return rag

    def unavailable_reason(self) -> str | None:
        """Why ``auto`` should take RAG-only instead: no model (the router then tries ``rag``)."""
        model, why = find_model(self.host)
        return None if model is not None else why

    def cache_key_material(self, request: GenerationRequest) -> dict[str, Any]:
        """Hybrid output depends on both the store's patterns and the LLM's provider, model and templates."""
        material: dict[str, Any] = {"rag": self.rag.cache_key_material(request)}
        llm_material = self.host.generator("llm").cache_key_material(request)
        if llm_material is not None:
            material["llm"] = llm_material
        return material

    def generate(self, request: GenerationRequest, schema: Schema, seed: int) -> GeneratorOutput:
        model, no_model = find_model(self.host)
        try:
            hits = self.rag.usable(self.rag.retrieve(request, schema), request, schema)
            store_problem = "" if hits else "no stored patterns fit the request"
        except (StoreUnavailableError, ImportError) as exc:
            hits, store_problem = [], f"the pattern store is unavailable ({exc})"
        if model is None:
            return self._rag_only(request, schema, seed, no_model)
        examples, used = self.rag.adapt(hits, request.replace(count=len(hits)), schema, seed) if hits else ([], [])
        # The model's warnings come back in its details: the user reads what hybrid did, not that the llm
        # strategy "fell back to traditional" when hybrid then used the patterns.
        asked = request.replace(options={**request.options, COLLECT_WARNINGS: True})
        try:
            answer = model(schema, asked, examples)
        except GenerationError as exc:
            return self._rag_only(request, schema, seed, f"the LLM provider failed ({exc})")
        output = answer if isinstance(answer, GeneratorOutput) else GeneratorOutput(list(answer))
        heard: list[str] = output.details.pop("warnings", [])
        if output.strategy == "traditional":
            why = (output.details.get("fallback_reasons") or [output.reason])[0]
            return self._rag_only(request, schema, seed, f"the LLM did not write the records ({why})")
        records = output.records
        if len(records) != request.count:
            return self._rag_only(request, schema, seed,
                                  f"the LLM returned {len(records)} records for {request.count} asked")
        details: dict[str, Any] = dict(output.details)
        details.update({"patterns": [h.pattern.key for h in used], "examples": len(examples)})
        for message in heard:  # the model wrote the records, with a warning of its own (a provider swapped)
            warn(request, LLMFallbackWarning(message), details)
        if not hits:
            # The model wrote them without examples: that is the llm strategy's path, and the result says so.
            why = f"{store_problem}, so the LLM wrote the records without examples"
            return GeneratorOutput(records, strategy="llm", reason=f"strategy 'hybrid' for {schema.name!r}: {why}",
                                   provider=output.provider, model=output.model, cassette=output.cassette,
                                   details={**details, "fallback_reasons": [why]})
        details.update({"pii_replaced": guard(records, self.rag.fingerprints()), "store": self.rag.store().backend})
        return GeneratorOutput(records, reason=output.reason, provider=output.provider, model=output.model,
                               cassette=output.cassette, details=details)

    def _rag_only(self, request: GenerationRequest, schema: Schema, seed: int, why: str) -> GeneratorOutput:
        """No model wrote the records (none is available, or it failed): the RAG strategy's records, the reason
        saying why, and one warning saying so (the caller's to collect,
        :data:`~pytest_testdata.generators.host.COLLECT_WARNINGS`), as the llm strategy warns when it has no
        provider."""
        output = self.rag.generate(request, schema, seed)
        said = f"strategy 'hybrid' for {schema.name!r}: {why}"
        if output.strategy == "traditional":  # RAG itself had nothing: say both
            output.reason = f"{said}; and {output.reason}"
            said += "; fell back to traditional"
        else:
            said += "; fell back to RAG-only (retrieved patterns)"
            output.strategy, output.reason = "rag", said
            output.details["fallback_reasons"] = [why]
        warn(request, LLMFallbackWarning(f"{said} for all {request.count} records"), output.details, stacklevel=3)
        return output
