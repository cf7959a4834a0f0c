"""The traditional generator: runs a schema's plan for a batch, meeting constraints and uniqueness."""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from functools import partial
from typing import TYPE_CHECKING, Any

from pytest_testdata.generators.base import GeneratorBase, GeneratorOutput
from pytest_testdata.generators.traditional.plan import plan_for
from pytest_testdata.generators.traditional.pools import VALUES, values_for
from pytest_testdata.quality.paths import get
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest, Record, Violation

if TYPE_CHECKING:
    from pytest_testdata.generators.host import GeneratorHost

MAX_ATTEMPTS = 60
"""Redraws per record to meet the caller's constraints before the violation is reported."""


class UniqueValues:
    """Values of ``x-unique`` fields handed out in this process, so a run never repeats one.

    Only non-UUID fields are tracked (a UUID4 from 122 random bits does not repeat in practice). A value
    is redrawn only on an actual collision, so records stay reproducible for a seed. Each value remembers
    its owner: the seed and the number of the candidate record drawn from it. Drawing the same candidate
    again (the same seed, in another request or another test) gets the same values back instead of
    colliding with its own earlier output; a different record with the same value is redrawn.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], dict[Any, tuple[int, int]]] = defaultdict(dict)
        self._lock = threading.Lock()

    def claim(self, entity: str, fields: tuple[str, ...], record: Record, owner: tuple[int, int]) -> bool:
        """Record the record's unique values; False (and nothing claimed) if another owner has one."""
        if len(fields) == 1:
            # One field (a user's email): the general code below without its lists.
            value = record.get(fields[0])
            if value is None:
                return True
            with self._lock:
                seen = self._seen[(entity, fields[0])]
                if seen.get(value, owner) != owner:
                    return False
                seen[value] = owner
                return True
        with self._lock:
            values = [(f, record.get(f)) for f in fields]
            for f, v in values:
                if v is not None and self._seen[(entity, f)].get(v, owner) != owner:
                    return False
            for f, v in values:
                if v is not None:
                    self._seen[(entity, f)][v] = owner
            return True


UNIQUE = UniqueValues()


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

    def generate(self, request: GenerationRequest, schema: Schema, seed: int) -> GeneratorOutput:
        plan = plan_for(schema, request.constraints)
        rng = random.Random(seed)
        tracked = plan.tracked
        build, locale = plan.build, request.locale
        values = values_for(request.options.get("email_domains"))
        if values is not VALUES:  # real email domains, asked for: the same plan with another value source
            build = partial(plan.build, values=values)
        standard = schema.standard
        if not request.constraints and not tracked and not standard:
            # Nothing to meet or claim per record: the batch is the plan run count times.
            records = [build(rng, locale) for _ in range(request.count)]
            return GeneratorOutput(records, details={"redraws": 0, "unmet_constraints": 0})
        # A user schema beyond the classic keywords is checked whole (quality.standard): a record that a
        # keyword the drawers meet only by redrawing (not, oneOf, if...) still breaks is drawn again.
        checker = validator_for(schema, request.constraints) if request.constraints or standard else None
        records = []
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
                constrained: list[Violation] = []
                if checker is not None:
                    constrained = [v for v in checker.validate([record]) if standard or v.field.split(".")[0]
                                   in request.constraints or v.field in request.constraints]
                if not constrained and (not tracked or UNIQUE.claim(schema.name, tracked, record, owner)):
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
        return GeneratorOutput(records, details={"redraws": redraws, "unmet_constraints": unmet})
