"""The traditional generator: runs a schema's plan for a batch, meeting constraints and uniqueness.

Unique values are remembered per scope (:mod:`pytest_testdata.generators.traditional.unique`): the
engine's lifetime by default, one request or stream in the agent.
"""

from __future__ import annotations

import random
from functools import partial
from typing import TYPE_CHECKING

from pytest_testdata.generators.base import GeneratorBase, GeneratorOutput
from pytest_testdata.generators.budget import CHECK_EVERY, checkpoint
from pytest_testdata.generators.traditional.derived import DERIVED_OPTION, without_derived
from pytest_testdata.generators.traditional.plan import plan_for
from pytest_testdata.generators.traditional.pools import VALUES, values_for
from pytest_testdata.generators.traditional.unique import UniqueScope, current_scope, scope_option
from pytest_testdata.quality.paths import get
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest, Record, Violation, coverage_of

if TYPE_CHECKING:
    from pytest_testdata.generators.host import GeneratorHost

MAX_ATTEMPTS = 60
"""Redraws per record to meet the caller's constraints before the violation is reported."""


def _rescale(record: Record, violations: list[Violation], request: GenerationRequest) -> float | None:
    """The factor that moves an out-of-range number into its constraint's range (None if not numeric)."""
    for violation in violations:
        constraint = request.constraints.get(violation.field)
        value = get(record, violation.field)
        if violation.rule not in ("min", "max") or constraint is None or not isinstance(value, (int, float)):
            continue
        lo, hi = constraint.minimum, constraint.maximum
        if lo is not None and hi is not None:
            target = (lo + hi) / 2
        elif hi is not None:
            target = hi * 0.7 if hi > 0 else hi
        else:
            target = (lo or 0) * 1.4 + 1
        if value > 0 and target > 0:
            return float(target / value)
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
        derived = request.options.get(DERIVED_OPTION)
        if derived and not request.constraints and not standard:  # else every field is checked: draw all
            schema = without_derived(schema, frozenset(derived))
        plan = plan_for(schema, request.constraints, coverage_of(request.options, request.hints))
        rng = random.Random(seed)
        tracked = plan.tracked
        unique = self._scope() if tracked else None
        build, locale = plan.build, request.locale
        values = values_for(request.options.get("email_domains"))
        if values is not VALUES:  # real email domains, asked for: the same plan with another value source
            build = partial(plan.build, values=values)
        if not request.constraints and not tracked and not standard:
            # Nothing to meet or claim per record: the batch is the plan run count times (with a look at
            # the request's budget every CHECK_EVERY records).
            batch: list[Record] = []
            for done in range(0, request.count, CHECK_EVERY):
                checkpoint()
                batch.extend(build(rng, locale) for _ in range(min(CHECK_EVERY, request.count - done)))
            return GeneratorOutput(batch, details={"redraws": 0, "unmet_constraints": 0})
        # A user schema beyond the classic keywords is checked whole (quality.standard): a record that a
        # keyword the drawers meet only by redrawing (not, oneOf, if...) still breaks is drawn again.
        checker = validator_for(schema, request.constraints) if request.constraints or standard else None
        records: list[Record] = []
        accepted: set[int] = set()  # records the checker found breaking nothing (the engine skips them)
        redraws = unmet = 0
        candidate = 0  # fresh candidates drawn from this seed's rng: (seed, candidate) names a record
        for _ in range(request.count):
            start = rng.getstate() if checker is not None else None
            owner = (seed, candidate)
            candidate += 1
            record = build(rng, locale)
            attempts = 0
            scale = 1.0
            while attempts < MAX_ATTEMPTS:
                checkpoint()
                constrained: list[Violation] = []
                broken: list[Violation] = []
                if checker is not None:
                    broken = checker.validate([record])
                    constrained = [v for v in broken if standard or v.field.split(".")[0]
                                   in request.constraints or v.field in request.constraints]
                if not constrained and (unique is None or unique.claim(schema.name, tracked, record, owner)):
                    if checker is not None and not broken:
                        accepted.add(len(records))
                    break
                attempts += 1
                factor = _rescale(record, constrained, request) if constrained else None
                if factor is not None and start is not None and attempts % 6:
                    # A derived total out of range needs its money draws scaled, not luck: redraw the same
                    # candidate (same rng state, same owner) with prices scaled toward the range.
                    scale = min(max(scale * factor, 1e-3), 1e3)
                    rng.setstate(start)
                else:
                    scale = 1.0 if factor is None else scale
                    start = rng.getstate() if checker is not None else None
                    owner = (seed, candidate)
                    candidate += 1
                record = build(rng, locale, scale=scale)
            else:
                unmet += 1  # kept: the engine's validator reports what it still breaks
            redraws += attempts
            records.append(record)
        return GeneratorOutput(records, details={"redraws": redraws, "unmet_constraints": unmet},
                               accepted=frozenset(accepted))
