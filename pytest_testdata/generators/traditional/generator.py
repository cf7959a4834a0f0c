"""The traditional generator: runs a schema's plan for a batch, meeting constraints and uniqueness.

Unique values are remembered per scope (:mod:`pytest_testdata.generators.traditional.unique`): the
engine's lifetime by default, one request or stream in the agent.
"""

from __future__ import annotations

import random
from functools import partial
from typing import TYPE_CHECKING, Any

from pytest_testdata.generators.base import GeneratorBase, GeneratorOutput
from pytest_testdata.generators.budget import CHECK_EVERY, checkpoint
from pytest_testdata.generators.traditional.list_lengths import LENGTHS_OPTION, with_list_lengths
from pytest_testdata.generators.traditional.plan import plan_for
from pytest_testdata.generators.traditional.pools import VALUES, values_for
from pytest_testdata.generators.traditional.unique import UniqueScope, current_scope, scope_option
from pytest_testdata.quality.paths import get
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest, Record, Violation, coverage_of

if TYPE_CHECKING:
    from pytest_testdata.generators.host import GeneratorHost
    from pytest_testdata.generators.traditional.fit import Range

MAX_ATTEMPTS = 60
"""Builds per record (fresh candidates and rescaled ones) to meet the caller's constraints before the
violation is reported."""


def _range_missed(record: Record, violations: list[Violation], request: GenerationRequest) -> Range | None:
    """The caller's range of the first number field the record misses (None: no number is out of range)."""
    from pytest_testdata.generators.traditional.fit import Range  # only for a caller's constraints (rare)

    for violation in violations:
        constraint = request.constraints.get(violation.field)
        value = get(record, violation.field)
        if violation.rule in ("min", "max") and constraint is not None and isinstance(value, (int, float)) \
                and not isinstance(value, bool):
            return Range(violation.field, constraint.minimum, constraint.maximum)
    return None


class TraditionalGenerator(GeneratorBase):
    """factory_boy-compatible plans with Faker-pool values: microseconds a record, rule-level coherence."""

    name = "traditional"

    def __init__(self, host: GeneratorHost | None = None) -> None:
        self.host = host
        self.engine_scope = UniqueScope()
        """Unique values handed out by this host (used when its ``unique_scope`` option is ``engine``)."""

    def _scope(self) -> UniqueScope:
        """The scope set around this call, else the host's, else (``unique_scope="request"``) a new one."""
        scope = current_scope()
        if scope is not None:
            return scope
        if self.host is None or scope_option(dict(self.host.options)) == "engine":
            return self.engine_scope
        return UniqueScope()

    def generate(self, request: GenerationRequest, schema: Schema, seed: int) -> GeneratorOutput:
        standard = schema.standard
        own = schema  # the schema whose coherence rules the engine scores
        if request.options:  # (derived.py imported only when a request has options: a dataset's do)
            from pytest_testdata.generators.traditional.derived import DERIVED_OPTION, without_derived

            derived = request.options.get(DERIVED_OPTION)
            if derived and not request.constraints and not standard:  # else every field is checked: draw all
                schema = without_derived(schema, frozenset(derived))
        coverage = coverage_of(request.options, request.hints)
        drawn_lengths: tuple[str, ...] = ()  # the lists drawn to the length the request asked for
        if request.options and request.options.get(LENGTHS_OPTION) and not request.constraints \
                and not standard and coverage == "all":  # (else the plan's own lengths: the caller resizes)
            schema, drawn_lengths = with_list_lengths(schema, request.options[LENGTHS_OPTION])
        plan = plan_for(schema, request.constraints, coverage)
        rng = random.Random(seed)
        tracked = plan.tracked
        unique = self._scope() if tracked else None
        build, locale = plan.build, request.locale
        values = values_for(request.options.get("email_domains"))
        # Without constraints (nothing redrawn, rescaled or checked per record) and with the schema's own
        # rules, the plan can say which records it built coherent by construction (vouch.py).
        sure_build = plan.build_sure if schema is own and not request.constraints and not standard else None
        if values is not VALUES:  # real email domains, asked for: the same plan with another value source
            build = partial(plan.build, values=values)
            sure_build = partial(sure_build, values=values) if sure_build is not None else None
        coherent: list[int] = []  # records every coherence rule holds for by construction
        if not request.constraints and not tracked and not standard:
            # Nothing to meet or claim per record: the batch is the plan run count times (with a look at
            # the request's budget every CHECK_EVERY records).
            batch: list[Record] = []
            for done in range(0, request.count, CHECK_EVERY):
                checkpoint()
                if sure_build is None:
                    batch += [build(rng, locale) for _ in range(min(CHECK_EVERY, request.count - done))]
                    continue
                for _ in range(min(CHECK_EVERY, request.count - done)):
                    record, sure = sure_build(rng, locale)
                    if sure:
                        coherent.append(len(batch))
                    batch.append(record)
            return _naming(GeneratorOutput(batch, details={"redraws": 0, "unmet_constraints": 0},
                                           coherent=frozenset(coherent),
                                           made_shapes=plan.made_for(locale, len(batch)) if sure_build is not None
                                           else frozenset()), drawn_lengths)
        if not request.constraints and not standard:
            assert unique is not None  # (tracked: else the loop above returned)
            return _naming(self._claimed_batch(
                request, schema.name, tracked, unique, sure_build or build, sure_build is not None, rng, seed,
                plan.made_for(locale, request.count) if sure_build is not None else frozenset()), drawn_lengths)
        # A user schema beyond the classic keywords is checked whole (quality.standard): a record that a
        # keyword the drawers meet only by redrawing (not, oneOf, if...) still breaks is drawn again.
        checker = validator_for(schema, request.constraints) if request.constraints or standard else None
        records: list[Record] = []
        accepted: set[int] = set()  # records the checker found breaking nothing (the engine skips them)
        redraws = unmet = 0
        candidate = 0  # fresh candidates drawn from this seed's rng: (seed, candidate) names a record

        verdict: list[Any] = [None, False]  # the record validated last, and whether it broke nothing at all

        def problems(record: Record) -> list[Violation]:
            """The violations of the caller's constraints (of the whole schema for a standard one)."""
            if checker is None:
                return []
            broken = checker.validate([record])
            verdict[:] = [record, not broken]
            return [v for v in broken if standard or v.field.split(".")[0]
                    in request.constraints or v.field in request.constraints]

        for _ in range(request.count):
            attempts = 0
            while True:
                checkpoint()
                start = rng.getstate() if checker is not None else None
                owner = (seed, candidate)
                candidate += 1
                if sure_build is not None:
                    record, sure = sure_build(rng, locale)
                else:
                    record, sure = build(rng, locale), False
                found = problems(record)
                if not found and (unique is None or unique.claim(schema.name, tracked, record, owner)):
                    break
                wanted = _range_missed(record, found, request) if found and start is not None else None
                if wanted is not None and start is not None:
                    # A derived total out of range needs its money draws scaled, not luck: rebuild the same
                    # candidate (same rng state, same owner) at the scale fit.py searches for.
                    def rebuild(scale: float, fewest: bool, start: object = start) -> Record:
                        rng.setstate(start)  # type: ignore[arg-type]
                        checkpoint()
                        return build(rng, locale, scale=scale, fewest=fewest)

                    def accept(fitted: Record, owner: tuple[int, int] = owner) -> bool:
                        return not problems(fitted) and (
                            unique is None or unique.claim(schema.name, tracked, fitted, owner))

                    def read(fitted: Record, field: str = wanted.field) -> float | None:
                        value = get(fitted, field)
                        return float(value) if isinstance(value, (int, float)) else None

                    from pytest_testdata.generators.traditional.fit import fit

                    first = read(record)
                    fitted, spent = fit(rebuild, read, wanted, first if first is not None else 0.0, accept,
                                        MAX_ATTEMPTS - attempts - 1)
                    attempts += spent
                    if fitted is not None:
                        record = fitted
                        attempts += 1
                        break
                attempts += 1
                if attempts >= MAX_ATTEMPTS:
                    unmet += 1  # kept: the engine's validator reports what it still breaks
                    break
            redraws += attempts
            if verdict[0] is record and verdict[1]:
                accepted.add(len(records))
            if sure:  # (sure_build is None with constraints: every record here came from it unchanged)
                coherent.append(len(records))
            records.append(record)
        return GeneratorOutput(records, details={"redraws": redraws, "unmet_constraints": unmet},
                               accepted=frozenset(accepted), coherent=frozenset(coherent),
                               made_shapes=plan.made_for(locale, len(records)) if sure_build is not None
                               else frozenset())

    @staticmethod
    def _claimed_batch(request: GenerationRequest, entity: str, tracked: tuple[str, ...], unique: UniqueScope,
                       build: Any, vouching: bool, rng: random.Random, seed: int,
                       made_shapes: frozenset[str]) -> GeneratorOutput:
        """The batch of a plan with unique values to claim and nothing else to meet (no caller constraints,
        not a standard schema): a user's emails. The general loop below with what cannot happen here left
        out (no checker to ask, no range to fit): the same candidates drawn in the same order, the same
        owners, the same records. (That loop costs about a tenth of a user's generation.)"""
        claim = unique.claim
        locale = request.locale
        records: list[Record] = []
        coherent: list[int] = []
        redraws = unmet = 0
        candidate = 0  # fresh candidates drawn from this seed's rng: (seed, candidate) names a record
        for index in range(request.count):
            if not index % CHECK_EVERY:
                checkpoint()
            attempts = 0
            while True:
                owner = (seed, candidate)
                candidate += 1
                if vouching:
                    record, sure = build(rng, locale)
                else:
                    record, sure = build(rng, locale), False
                if claim(entity, tracked, record, owner):
                    break
                checkpoint()  # a redraw: look at the budget again before the next candidate
                attempts += 1
                if attempts >= MAX_ATTEMPTS:
                    unmet += 1  # kept: the engine's validator reports the repeat
                    break
            redraws += attempts
            if sure:
                coherent.append(index)
            records.append(record)
        return GeneratorOutput(records, details={"redraws": redraws, "unmet_constraints": unmet},
                               coherent=frozenset(coherent), made_shapes=made_shapes)


def _naming(output: GeneratorOutput, drawn_lengths: tuple[str, ...]) -> GeneratorOutput:
    """``output``, its details naming the lists drawn to the asked length (the caller resizes the others)."""
    if drawn_lengths:
        output.details[LENGTHS_OPTION] = drawn_lengths
    return output
