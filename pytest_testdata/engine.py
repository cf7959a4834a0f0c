"""The engine: the one path every request takes, whichever door (plugin, CLI, agent) it came through.

    request -> schema lookup -> cache lookup -> router (path + reason) -> generator
            -> validator + coherence scorer -> cache store -> result
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from pytest_testdata.errors import StrategyNotAvailableError
from pytest_testdata.generators.base import GENERATORS, Generator, load_generator
from pytest_testdata.model import GenerationRequest, GenerationResult, ResultMetadata
from pytest_testdata.quality.coherence import scorer_for
from pytest_testdata.quality.invalid import BrokenRule, break_record, breakable_rules
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.router import Route, Router
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.seeding import derive_seed, random_seed


class ResultCache(Protocol):
    """What the engine needs of a cache (see :mod:`pytest_testdata.cache`)."""

    def lookup(self, request: GenerationRequest, schema: Schema, route: Route) -> GenerationResult | None: ...
    def store(self, request: GenerationRequest, schema: Schema, route: Route, result: GenerationResult) -> None: ...


Listener = Callable[[GenerationRequest, GenerationResult], None]


class Engine:
    """Generates records for requests. Thread-safe; generators are built on first use and reused.

    ``options`` carries strategy settings (provider, model, store location...) that generators read
    through :meth:`option`; the engine itself does not interpret them.
    """

    def __init__(
        self,
        registry: SchemaRegistry | None = None,
        *,
        schema_dirs: Sequence[str | Path] = (),
        options: dict[str, Any] | None = None,
        cache: ResultCache | None = None,
    ) -> None:
        self.registry = registry if registry is not None else SchemaRegistry(schema_dirs)
        self.options: dict[str, Any] = dict(options or {})
        self.cache = cache
        self.router = Router(self.unavailable_reason)
        self.listeners: list[Listener] = []
        self._generators: dict[str, Generator] = {}
        self._lock = threading.Lock()

    def option(self, name: str, default: Any = None) -> Any:
        """A strategy setting, or ``default``."""
        return self.options.get(name, default)

    def generator(self, strategy: str) -> Generator:
        """The generator for a strategy, built once."""
        with self._lock:
            if strategy not in self._generators:
                self._generators[strategy] = load_generator(strategy, self)
            return self._generators[strategy]

    def unavailable_reason(self, strategy: str) -> str | None:
        """None when ``strategy`` can run here, else a short reason (used by the router for ``auto``)."""
        if strategy not in GENERATORS:
            return "not built in this version"
        try:
            generator = self.generator(strategy)
        except (StrategyNotAvailableError, ImportError) as exc:
            return str(exc)
        check = getattr(generator, "unavailable_reason", None)
        return check() if callable(check) else None

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Make the records a request asks for, with metadata saying how."""
        started = time.perf_counter()
        schema = self.registry.get(request.entity)
        if request.seed is None:
            request = request.replace(seed=random_seed())
        assert request.seed is not None
        route = self.router.route(request, schema)
        routed = time.perf_counter()
        if self.cache is not None:
            cached = self.cache.lookup(request, schema, route)
            if cached is not None:
                cached.metadata.cache_hit = True
                cached.metadata.timings = {"total": time.perf_counter() - started}
                self._notify(request, cached)
                return cached
        output = self.generator(route.strategy).generate(request, schema, request.seed)
        generated = time.perf_counter()
        records = output.records
        details = dict(output.details)
        if request.variant == "invalid":
            details["broken_rules"] = self._break(records, request, schema)
        violations = validator_for(schema, request.constraints).validate(records)
        scorer = scorer_for(schema)
        scores = [scorer.score(r) for r in records]
        done = time.perf_counter()
        metadata = ResultMetadata(
            entity=schema.name, count=len(records), strategy=output.strategy or route.strategy,
            reason=output.reason or route.reason, seed=request.seed,
            coherence=round(sum(scores) / len(scores), 4) if scores else 1.0,
            coherence_scores=scores, violations=violations, cassette=output.cassette,
            provider=output.provider, model=output.model, details=details,
            timings={"route": routed - started, "generate": generated - routed, "validate": done - generated,
                     "total": done - started},
        )
        result = GenerationResult(records, metadata)
        if self.cache is not None:
            self.cache.store(request, schema, route, result)
        self._notify(request, result)
        return result

    def _break(self, records: list[dict[str, Any]], request: GenerationRequest, schema: Schema) -> list[str]:
        """Break one rule per record: the one named in ``options["break"]``, else one drawn by seed."""
        rules = breakable_rules(schema, request.constraints)
        wanted = request.options.get("break")
        if wanted is not None:
            chosen = [r for r in rules if r.id == wanted]
            if not chosen:
                from pytest_testdata.errors import choice_error

                raise choice_error(f"break (rule to break in {schema.name})", wanted, [r.id for r in rules])
            rules = chosen
        rng = random.Random(derive_seed(request.seed, "invalid"))
        broken: list[BrokenRule] = [rng.choice(rules) for _ in records]
        for record, rule in zip(records, broken):
            break_record(record, rule, schema)
        return [rule.id for rule in broken]

    def _notify(self, request: GenerationRequest, result: GenerationResult) -> None:
        for listener in self.listeners:
            listener(request, result)

    def schemas(self, domain: str | None = None) -> list[Schema]:
        """The known schemas, optionally one domain's."""
        return self.registry.all(domain)
