"""Strict by default: a valid-variant result whose records break a rule is an error, not a quiet answer.

The engine calls :func:`enforce` on every result it returns (fresh or cached). Problems are the
validator's violations (caller constraints and schema keywords) plus broken coherence rules, each named by
record, field, rule and value. ``strict=False`` on the request (``--testdata-best-effort``,
``testdata_best_effort``, ``testdata(..., strict=False)``) returns the records instead; the problems are then
in ``metadata.violations`` and ``metadata.details["coherence_failures"]``. Invalid variants and
``defect_triggering`` requests break rules on purpose and are never refused.
"""

from __future__ import annotations

from typing import Any

from pytest_testdata.errors import ConstraintViolationError
from pytest_testdata.quality.coherence import scorer_for
from pytest_testdata.quality.paths import get
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest, GenerationResult, Record

Problem = tuple[int, str, str, str]
"""(record index, field, rule, message showing the value)."""

_FIELD_KEYS = ("target", "flag", "field", "email", "phone", "rating", "status", "fields", "addresses", "items")
"""Where a coherence rule's spec names the field it is about, in order of preference."""


def _rule_field(spec: Any) -> str:
    for key in _FIELD_KEYS:
        value = spec.get(key) if hasattr(spec, "get") else None
        if isinstance(value, str):
            return value
        if isinstance(value, list) and value and isinstance(value[0], str):
            return value[0]
    return "(record)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def coherence_problems(schema: Schema, records: list[Record], scores: list[float]) -> list[Problem]:
    """The coherence rules each record breaks (only records scoring below 1 are looked at)."""
    scorer = scorer_for(schema)
    out: list[Problem] = []
    for index, record in enumerate(records):
        if index < len(scores) and scores[index] >= 1.0:
            continue
        for rule in scorer.rules:
            try:
                ok = rule.check(record)
            except (TypeError, ValueError, KeyError, AttributeError):
                ok = False
            if ok is False:
                field = _rule_field(rule.spec)
                try:
                    value = get(record, field) if field != "(record)" else None
                except (TypeError, ValueError, KeyError, AttributeError, IndexError):
                    value = None
                out.append((index, field, f"coherence:{rule.kind}",
                            f"{_short(value)} breaks the coherence rule {rule.describe()}"))
    return out


def problems(schema: Schema, result: GenerationResult) -> list[Problem]:
    """Every constraint violation and broken coherence rule of a result, in record order."""
    meta = result.metadata
    found: list[Problem] = [(v.record, v.field, v.rule, v.message) for v in meta.violations]
    if meta.coherence < 1.0:
        found += coherence_problems(schema, result.records, meta.coherence_scores)
    found.sort(key=lambda p: p[0])
    return found


def enforce(request: GenerationRequest, schema: Schema, result: GenerationResult) -> None:
    """Raise :class:`ConstraintViolationError` for a strict valid-variant request with problems.

    Under best effort (``request.strict`` False) broken coherence rules are listed in
    ``metadata.details["coherence_failures"]`` so that they are named there as violations are.
    """
    if request.variant != "valid" or request.defect_triggering:
        # Invalid variants break a rule on purpose; defect-triggering records embody known bug shapes
        # (empty carts, huge quantities...), some of which break a schema rule by design.
        return
    meta = result.metadata
    if not meta.violations and meta.coherence >= 1.0:
        return
    found = problems(schema, result)
    if not request.strict:
        coherence = [f"record {i}: {field}: {message} [{rule}]" for i, field, rule, message in found
                     if rule.startswith("coherence:")]
        if coherence:
            meta.details["coherence_failures"] = coherence
        return
    raise ConstraintViolationError(schema.name, found, len(result.records), result)
