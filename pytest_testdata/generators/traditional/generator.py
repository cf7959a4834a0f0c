"""The traditional generator: runs a schema's plan for a batch, meeting constraints and uniqueness."""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from pytest_testdata.generators.base import GeneratorOutput
from pytest_testdata.generators.traditional.plan import plan_for
from pytest_testdata.model import GenerationRequest, Record
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.model import Schema

if TYPE_CHECKING:
    from pytest_testdata.engine import Engine

MAX_ATTEMPTS = 60
"""Redraws per record to meet the caller's constraints before the violation is reported."""


class UniqueValues:
    """Values of ``x-unique`` fields handed out in this process, so a run never repeats one.

    Only non-UUID fields are tracked (a UUID4 from 122 random bits does not repeat in practice). A value
    is redrawn only on an actual collision, so records stay reproducible for a seed.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], set[Any]] = defaultdict(set)
        self._lock = threading.Lock()

    def claim(self, entity: str, fields: tuple[str, ...], record: Record) -> bool:
        """Record the record's unique values; False (and nothing claimed) if one was already used."""
        if len(fields) == 1:
            # One field (a user's email): the general code below without its lists and generators.
            value = record.get(fields[0])
            if value is None:
                return True
            with self._lock:
                seen = self._seen[(entity, fields[0])]
                if value in seen:
                    return False
                seen.add(value)
                return True
        with self._lock:
            values = [(f, record.get(f)) for f in fields]
            if any(v in self._seen[(entity, f)] for f, v in values if v is not None):
                return False
            for f, v in values:
                if v is not None:
                    self._seen[(entity, f)].add(v)
            return True


UNIQUE = UniqueValues()


class TraditionalGenerator:
    """factory_boy-compatible plans with Faker-pool values: microseconds a record, rule-level coherence."""

    name = "traditional"

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine

    def generate(self, request: GenerationRequest, schema: Schema, seed: int) -> GeneratorOutput:
        plan = plan_for(schema, request.constraints)
        rng = random.Random(seed)
        tracked = plan.tracked
        build, locale = plan.build, request.locale
        if not request.constraints and not tracked:
            # Nothing to meet or claim per record: the batch is the plan run count times.
            records = [build(rng, locale) for _ in range(request.count)]
            return GeneratorOutput(records, details={"redraws": 0, "unmet_constraints": 0})
        checker = validator_for(schema, request.constraints) if request.constraints else None
        records = []
        redraws = unmet = 0
        for _ in range(request.count):
            record = build(rng, locale)
            attempts = 0
            scale = 1.0
            while attempts < MAX_ATTEMPTS:
                constrained = []
                if checker is not None:
                    constrained = [v for v in checker.validate([record]) if v.field.split(".")[0] in
                                   request.constraints or v.field in request.constraints]
                if not constrained and (not tracked or UNIQUE.claim(schema.name, tracked, record)):
                    break
                attempts += 1
                # A derived total over a max (or under a min) needs smaller (or larger) draws, not luck.
                if any(v.rule == "max" for v in constrained):
                    scale *= 0.8
                elif any(v.rule == "min" for v in constrained):
                    scale *= 1.25
                record = build(rng, locale, scale=scale)
            else:
                unmet += 1  # kept: the engine's validator reports what it still breaks
            redraws += attempts
            records.append(record)
        return GeneratorOutput(records, details={"redraws": redraws, "unmet_constraints": unmet})
