"""The engine: the one path every request takes, whichever door (plugin, CLI, agent) it came through.

    request -> schema lookup -> cache lookup -> router (path + reason) -> generator
            -> validator + coherence scorer -> strictness -> cache store -> result

Strictness (:mod:`pytest_testdata.strictness`): a valid-variant request whose records still break a rule
raises :class:`~pytest_testdata.errors.ConstraintViolationError` unless it asked for best effort.
"""

from __future__ import annotations

import copy
import json
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, overload

from pytest_testdata.errors import StrategyNotAvailableError
from pytest_testdata.generators.base import BUILT_IN_LLM, GENERATORS, Generator, load_generator
from pytest_testdata.quality.coherence import scorer_for
from pytest_testdata.quality.constraints import check_constraints
from pytest_testdata.quality.invalid import EMAIL_MAX, BrokenRule, break_record, breakable_rules, rederive
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.router import Route, Router
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.seeding import derive_seed, random_seed
from pytest_testdata.strictness import enforce
from pytest_testdata.types import (
    EncodedResult,
    GenerationRequest,
    GenerationResult,
    Record,
    ResultMetadata,
    Violation,
    check_coverage,
    coverage_of_hints,
    records_json,
)

PoolItem = tuple[Record, float]
"""A pre-generated, validated record and its coherence score."""
Refill = Callable[[int, int], list[PoolItem]]


class ResultCache(Protocol):
    """What the engine needs of a cache (built by :func:`pytest_testdata.cache.build_cache`).

    Keys come from :func:`pytest_testdata.cache.keys.result_key`: everything that determines a result.
    ``lookup`` returns a fresh copy (the caller may mutate it) or None; it never raises for a store
    that is down or an entry that is corrupt. ``lookup_encoded`` and ``store_encoded`` do the same for
    :meth:`Engine.generate_json`, whose callers want the records' wire form. ``take_pooled`` returns
    exactly ``request.count`` pooled records or None, and uses ``refill(count, seed)`` to top pools up in
    the background.
    """

    def lookup(self, key: str, schema: Schema) -> GenerationResult | None: ...
    def store(self, key: str, schema: Schema, result: GenerationResult) -> None: ...
    def lookup_encoded(self, key: str, schema: Schema) -> EncodedResult | None: ...
    def store_encoded(self, key: str, schema: Schema, result: GenerationResult, encoded: EncodedResult) -> None: ...
    def take_pooled(
        self, request: GenerationRequest, schema: Schema, refill: Refill
    ) -> list[PoolItem] | None: ...


Listener = Callable[[GenerationRequest, GenerationResult], None]


class Engine:
    """Generates records for requests. Thread-safe; generators are built on first use and reused.

    ``options`` carries strategy settings (provider, model, store location...) that generators read
    through :meth:`option`; the engine itself does not interpret them. The engine is the generators'
    :class:`~pytest_testdata.generators.host.GeneratorHost`: they see only ``options``, ``option``,
    ``generator`` and ``unavailable_reason``.
    """

    def __init__(
        self,
        registry: SchemaRegistry | None = None,
        *,
        schema_dirs: Sequence[str | Path] = (),
        options: dict[str, Any] | None = None,
        cache: ResultCache | None = None,
    ) -> None:
        self.options: dict[str, Any] = dict(options or {})
        self.registry = registry if registry is not None else SchemaRegistry(
            schema_dirs, max_depth=self.options.get("max_depth"))
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
        found = self._generators.get(strategy)  # (built already: no lock to take on every call)
        if found is not None:
            return found
        with self._lock:
            if strategy not in self._generators:
                self._generators[strategy] = load_generator(strategy, self)
            return self._generators[strategy]

    def unavailable_reason(self, strategy: str) -> str | None:
        """None when ``strategy`` can run here, else a short reason (used by the router for ``auto``)."""
        if strategy not in GENERATORS:
            return "not built in this version"
        if strategy == "llm" and "llm" not in self._generators and GENERATORS["llm"] == BUILT_IN_LLM:
            from pytest_testdata.llm.availability import quick_unavailable_reason

            known, reason = quick_unavailable_reason(self.options)  # without loading the generator (see there)
            if known:
                return reason
        try:
            generator = self.generator(strategy)
        except (StrategyNotAvailableError, ImportError) as exc:
            return str(exc)
        return generator.unavailable_reason()

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Make the records a request asks for, with metadata saying how."""
        return self._generate(request, False)

    def generate_json(self, request: GenerationRequest) -> EncodedResult:
        """:meth:`generate`, with the records in their wire form (:func:`~pytest_testdata.types.records_json`).

        What the agent sends: encoded once, here, and kept in that form by the in-process cache, so a
        repeat costs neither a copy of the records nor their encoding.
        """
        return self._generate(request, True)

    @overload
    def _generate(self, request: GenerationRequest, wire: Literal[False]) -> GenerationResult: ...
    @overload
    def _generate(self, request: GenerationRequest, wire: Literal[True]) -> EncodedResult: ...

    def _generate(self, request: GenerationRequest, wire: bool) -> GenerationResult | EncodedResult:
        started = time.perf_counter()
        schema = self.registry.get(request.entity)
        if request.constraints:
            checked = check_constraints(schema, request.constraints)
            if checked.keys() != request.constraints.keys():
                request = request.replace(constraints=checked)
        setting = self.options.get("coverage")
        if setting not in (None, "all") and "coverage" not in request.options \
                and coverage_of_hints(request.hints) is None:
            # The engine's setting (TESTDATA_COVERAGE, --testdata-coverage...) for a request that chose none.
            request = request.replace(options={**request.options, "coverage": check_coverage(setting, "coverage")})
        pinned = request.seed is not None
        if not pinned:
            request = request.replace(seed=random_seed())
        assert request.seed is not None
        route = self.router.route(request, schema)
        routed = time.perf_counter()
        generator = self.generator(route.strategy)
        key: str | None = None
        # A request without a seed on the traditional path is neither looked up nor stored: only a request
        # for its very seed could meet it again, and that regenerates the same records (so it skips the
        # key and the copy). Other paths store it, so that seed replays the same output.
        if self.cache is not None and (pinned or route.strategy != "traditional"):
            key = self._cache_key(request, schema, route, generator)
            # A generator that is recording (LLM cassettes in a record mode) must reach its provider, so
            # it can refuse a cached answer; it may still store what it made.
            if pinned and not generator.skips_cache_lookup(request):
                hit = self._cached(key, request, schema, started, wire)
                if hit is not None:
                    return hit
        elif self.cache is not None and self._poolable(request, route):
            # A request without a seed may be served from a pool of pre-generated records; a seeded one
            # never is, so it stays exactly reproducible.
            pooled = self.cache.take_pooled(request, schema, self._refill_for(request, schema))
            if pooled is not None and not self._repeats_unique_values(request, schema, pooled):
                result = self._pooled_result(request, schema, route, pooled, started)
                return EncodedResult(result.metadata, records_json(result.records)) if wire else result
        output = generator.generate(request, schema, request.seed)
        generated = time.perf_counter()
        records = output.records
        details = dict(output.details)
        if request.variant == "invalid":
            details["broken_rules"], co_broken = self._break(records, request, schema, route)
        # Records the generator already validated with this very validator are not walked again (an
        # invalid variant was changed since, so it is).
        accepted = output.accepted if request.variant != "invalid" else frozenset()
        # Records the traditional plan built coherent by construction (generators/traditional/vouch.py), and
        # nothing changed since, are not checked against the coherence rules again, nor for the formats its
        # drawers always make: not an invalid variant (changed since), nor any other strategy's records.
        trusted = request.variant != "invalid" and route.strategy == "traditional" \
            and output.strategy in (None, "traditional")
        coherent = output.coherent if trusted else frozenset()
        violations = validator_for(schema, request.constraints).validate(
            records, accepted, output.made_shapes if trusted else frozenset())
        if request.variant == "invalid":
            violations = sorted([*violations, *co_broken], key=lambda v: v.record)
        scores = scorer_for(schema).scores(records, coherent)
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
        self._notify(request, result)
        # Strict requests (the default) whose records still break a rule raise here, naming each problem.
        enforce(request, schema, result)
        # A fallback (the path that ran is not the one routed to) is not cached: once the preferred
        # provider is back, the same request should get its output.
        stored = self.cache is not None and key is not None and metadata.strategy == route.strategy \
            and not details.get("fallback")
        if not wire:
            if stored:
                assert self.cache is not None and key is not None
                self.cache.store(key, schema, result)
            return result
        encoded = EncodedResult(metadata, records_json(records))
        if stored:
            assert self.cache is not None and key is not None
            self.cache.store_encoded(key, schema, result, encoded)
        return encoded

    def _cached(self, key: str, request: GenerationRequest, schema: Schema, started: float,
                wire: bool) -> GenerationResult | EncodedResult | None:
        """The cache's copy of a result (records form, or wire form when ``wire``), marked as a hit."""
        assert self.cache is not None
        cached = self.cache.lookup_encoded(key, schema) if wire else self.cache.lookup(key, schema)
        if cached is None:
            return None
        cached.metadata.cache_hit = True
        cached.metadata.timings = {"total": time.perf_counter() - started}
        if isinstance(cached, GenerationResult):
            self._notify(request, cached)
            enforce(request, schema, cached)
            return cached
        meta = cached.metadata
        if self.listeners or (meta.violations or meta.coherence < 1.0):
            # Listeners and a strict request's error need the records: read back from the wire form (as
            # the agent's client reads them).
            result = GenerationResult(json.loads(cached.records_json), meta)
            self._notify(request, result)
            enforce(request, schema, result)
        return cached

    @staticmethod
    def _cache_key(request: GenerationRequest, schema: Schema, route: Route, generator: Generator) -> str:
        from pytest_testdata.cache.keys import result_key

        # Generators whose output depends on more than the request (provider, model, prompt template
        # version) say so through ``cache_key_material(request)``.
        return result_key(request, schema, route.strategy, generator.cache_key_material(request))

    @staticmethod
    def _repeats_unique_values(request: GenerationRequest, schema: Schema, pooled: list[PoolItem]) -> bool:
        """True when pooled records from different refills share a unique value (then generate afresh)."""
        from pytest_testdata.generators.traditional.plan import plan_for
        from pytest_testdata.generators.traditional.unique import repeats

        tracked = plan_for(schema, request.constraints).tracked
        return bool(tracked) and repeats([record for record, _ in pooled], tracked)

    @staticmethod
    def _poolable(request: GenerationRequest, route: Route) -> bool:
        return route.strategy == "traditional" and request.variant == "valid"

    def _refill_for(self, request: GenerationRequest, schema: Schema) -> Refill:
        """How a pool for this request's entity and constraints gets fresh records: valid ones only."""
        def refill(count: int, seed: int) -> list[PoolItem]:
            batch = request.replace(count=count, seed=seed)
            records = self.generator("traditional").generate(batch, schema, seed).records
            broken = {v.record for v in validator_for(schema, request.constraints).validate(records)}
            scorer = scorer_for(schema)
            return [(r, scorer.score(r)) for i, r in enumerate(records) if i not in broken]
        return refill

    def _pooled_result(self, request: GenerationRequest, schema: Schema, route: Route,
                       pooled: list[PoolItem], started: float) -> GenerationResult:
        assert request.seed is not None
        scores = [score for _, score in pooled]
        metadata = ResultMetadata(
            entity=schema.name, count=len(pooled), strategy="traditional",
            reason=f"{route.reason}; no seed pinned, so served at once from a pool of pre-generated records "
                   "(pass a seed for reproducible records)",
            seed=request.seed, coherence=round(sum(scores) / len(scores), 4) if scores else 1.0,
            coherence_scores=scores, details={"pooled_records": len(pooled)},
            timings={"total": time.perf_counter() - started},
        )
        result = GenerationResult([record for record, _ in pooled], metadata)
        self._notify(request, result)
        return result

    def fill_pool(self, request: GenerationRequest) -> int:
        """Fill the pool that serves ``request`` (entity, constraints, locale) now; returns records added.

        For warming an agent or a benchmark; without a cache (or with pools off) nothing happens.
        """
        fill = getattr(self.cache, "fill_pool", None)
        if not callable(fill):
            return 0
        schema = self.registry.get(request.entity)
        added: int = fill(request, schema, self._refill_for(request, schema))
        return added

    def _break(self, records: list[dict[str, Any]], request: GenerationRequest, schema: Schema,
               route: Route) -> tuple[list[str], list[Violation]]:
        """Break one rule per record: the one named in ``options["break"]``, else one drawn by seed.

        Each record is broken, then every value derived from the broken one is recomputed
        (:func:`rederive`), so nothing but the named rule fails. A record with no place for the break
        (an empty list holding the field), or where the recomputed values would break another constraint
        (a recomputed subtotal above its maximum), is drawn again (seeded). Rules that a break necessarily
        breaks too are returned as violations of their own, next to the validator's.
        """
        from pytest_testdata.generators.traditional.drawers import VALUES
        from pytest_testdata.quality.rules import rules_of

        rules = breakable_rules(schema, request.constraints)
        wanted = request.options.get("break")
        if wanted is not None:
            chosen = [r for r in rules if r.id == wanted or r.id.split("+")[0] == wanted]
            if not chosen:
                from pytest_testdata.errors import choice_error

                raise choice_error(f"break (rule to break in {schema.name})", wanted, [r.id for r in rules])
            rules = chosen
        rng = random.Random(derive_seed(request.seed, "invalid"))
        broken: list[BrokenRule] = [rng.choice(rules) for _ in records]
        coherence = rules_of(schema)
        validator = validator_for(schema, request.constraints)
        extra: list[Violation] = []
        for index, rule in enumerate(broken):
            for attempt in range(51):
                if attempt:
                    redraw = request.replace(count=1, variant="valid",
                                             seed=derive_seed(request.seed, "invalid", index, attempt))
                    assert redraw.seed is not None
                    records[index] = self.generator(route.strategy).generate(redraw, schema, redraw.seed).records[0]
                candidate = copy.deepcopy(records[index])
                if not break_record(candidate, rule, schema, index):
                    continue
                fix_rng = random.Random(derive_seed(request.seed, "invalid-rederive", index, attempt))
                still = rederive(candidate, rule, schema, VALUES, fix_rng, coherence)
                others = [v for v in validator.validate([candidate]) if not _names(v, rule)]
                if (others or set(still) - set(rule.also)) and attempt < 50:
                    continue  # this record cannot hold the break alone (another rule fails): draw another
                records[index] = candidate
                extra.extend(Violation(index, rule.path.replace(".*", ""), f"coherence.{kind}",
                                       f"breaking {rule.id.split('+')[0]} necessarily breaks the {kind} rule")
                             for kind in still)
                if "format" in rule.also:
                    extra.append(Violation(index, rule.path, "format",
                                           f"an address longer than {EMAIL_MAX} characters is not an address "
                                           "(RFC 5321)"))
                break
            else:
                from pytest_testdata.errors import GenerationError

                raise GenerationError(
                    f"variant='invalid': could not break {rule.id!r} in {schema.name}: 50 drawn records "
                    f"had no value at {rule.path!r} to break."
                )
        return [rule.id for rule in broken], extra

    def _notify(self, request: GenerationRequest, result: GenerationResult) -> None:
        for listener in self.listeners:
            listener(request, result)

    def schemas(self, domain: str | None = None) -> list[Schema]:
        """The known schemas, optionally one domain's."""
        return self.registry.all(domain)


def _names(violation: Violation, rule: BrokenRule) -> bool:
    """Whether a validator violation is the broken rule itself (its field, or its list's field), or one
    that the rule declares it breaks too (``payment.amount-min`` beside ``totals.total-min``)."""
    path = rule.path.replace(".*", "")
    field = re.sub(r"\.\d+(?=\.|$)", "", violation.field)
    if any(also.startswith(f"{field}-") for also in rule.also):
        return True
    return field == path or field.startswith(path + ".") or path.startswith(field + ".") or (
        rule.rule == "required" and field in (path, path.rpartition(".")[0]))
