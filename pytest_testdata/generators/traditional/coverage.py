"""Record shapes: which optional properties are present, which nullable values are null, how long arrays
and strings are, and whether numbers sit on their bounds (the ``coverage`` setting, docs/schemas.md).

A :class:`Shape` is fixed when a plan is compiled; its methods wrap the plan's drawers, and in the default
``all`` shape they return the drawers unchanged (the records of a seed stay what they were). Every choice
is drawn from the record's rng, so a seed gives the same shapes serially and under xdist.

Fields that a coherence rule reads or derives, unique fields and fields a caller constrains are
*protected*: always present, never nulled and never pushed to a bound by the shape, so the rules that
keep a record coherent (a cart's total is the sum of its lines) still hold. Array lengths still follow
the shape within ``minItems``/``maxItems``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pytest_testdata.frozen import Frozen
from pytest_testdata.generators.traditional.cents import clean_multiple
from pytest_testdata.generators.traditional.drawers import Draw, RecordState
from pytest_testdata.generators.traditional.fastrand import between, pick
from pytest_testdata.quality.constraints_model import rules_for
from pytest_testdata.types import FieldConstraint

P_PRESENT = 0.7
"""``realistic``: the chance that an optional property is present."""
P_NULL = 0.2
"""``realistic``: the chance that a nullable value is null."""
P_EMPTY = 0.15
"""``realistic``: the chance that an array whose ``minItems`` allows it is empty."""
P_EDGE = 0.5
"""``edges``: the chance that an optional property is absent, and that a nullable value is null."""
MAX_PAD = 65_536
"""``maximal`` and ``edges`` fill strings to their ``maxLength`` up to this many characters."""

ABSENT: Any = object()
"""What a property's drawer returns when the shape leaves the property out of the record."""

Count = Callable[[random.Random], int]


class Shape(Frozen):
    """One coverage mode (``all``, ``required``, ``realistic``, ``edges``, ``maximal``) and the names of
    the fields it must leave alone."""

    __slots__ = ("mode", "protected")

    mode: str
    protected: frozenset[str]

    def __init__(self, mode: str = "all", protected: frozenset[str] = frozenset()) -> None:
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "protected", protected)

    @property
    def plain(self) -> bool:
        """True for ``all``: every wrapper returns its drawer unchanged."""
        return self.mode == "all"

    def optional(self, draw: Draw, name: str) -> Draw:
        """The drawer of an optional property: it returns :data:`ABSENT` when the property is left out."""
        if self.mode in ("all", "maximal") or name in self.protected:
            return draw
        if self.mode == "required":
            return lambda s: ABSENT
        chance = P_PRESENT if self.mode == "realistic" else 1 - P_EDGE

        def maybe(state: RecordState) -> Any:
            return draw(state) if state.rng.random() < chance else ABSENT
        return maybe

    def nullable(self, draw: Draw, name: str) -> Draw:
        """The drawer of a value whose schema allows null."""
        if self.mode in ("all", "maximal") or name in self.protected:
            return draw
        if self.mode == "required":
            return lambda s: None
        chance = P_NULL if self.mode == "realistic" else P_EDGE

        def maybe_null(state: RecordState) -> Any:
            return None if state.rng.random() < chance else draw(state)
        return maybe_null

    def count(self, lo: int, hi: int, normal: Count) -> Count:
        """How many items an array of ``lo`` to ``hi`` items holds (``normal``: the realistic count)."""
        if self.mode == "required":
            return lambda rng: lo
        if self.mode == "maximal":
            return lambda rng: max(lo, hi)
        if self.mode == "edges":
            return lambda rng: lo if rng.random() < 0.5 else max(lo, hi)
        if self.mode == "realistic" and lo == 0:
            return lambda rng: 0 if rng.random() < P_EMPTY else normal(rng)
        return normal

    def string(self, draw: Draw, node: Mapping[str, Any], constraint: FieldConstraint | None, name: str) -> Draw:
        """Free-text strings at their length bounds (``edges``: the shortest or the longest allowed;
        ``maximal``: the longest). Strings with a pattern, format or enum keep their values."""
        if self.mode not in ("edges", "maximal") or name in self.protected:
            return draw
        if any(k in node for k in ("pattern", "format", "enum", "const")) or (constraint and constraint.regex):
            return draw
        rules = rules_for(node, constraint)
        lo, hi = rules.min_length or 0, rules.max_length
        if hi is None and (self.mode == "maximal" or not rules.min_length):
            return draw if self.mode == "maximal" else _empty_or(draw, lo)
        lengths = (min(hi, MAX_PAD),) if self.mode == "maximal" and hi is not None else \
            (lo, min(hi, MAX_PAD)) if hi is not None else (lo,)

        def edge(state: RecordState) -> str:
            return _fit(str(draw(state)), pick(state.rng, lengths), state.rng)
        return edge

    def number(self, draw: Draw, node: Mapping[str, Any], constraint: FieldConstraint | None, name: str,
               integer: bool) -> Draw:
        """``edges``: numbers on their bounds (an exclusive bound moved in by one step: 1 for integers,
        ``multipleOf`` when set, else 0.01). A field without bounds keeps its realistic values."""
        if self.mode != "edges" or name in self.protected or "enum" in node or "const" in node:
            return draw
        candidates = edge_numbers(node, constraint, integer)
        if not candidates:
            return draw
        return lambda s: pick(s.rng, candidates)


ALL = Shape()


def _empty_or(draw: Draw, lo: int) -> Draw:
    """``edges`` for a string with only a ``minLength`` (or none): the shortest string half the time."""
    def edge(state: RecordState) -> str:
        value = str(draw(state))
        return _fit(value, lo, state.rng) if state.rng.random() < 0.5 else value
    return edge


def _fit(value: str, length: int, rng: random.Random) -> str:
    """``value`` cut or padded (with lower-case letters) to exactly ``length`` characters."""
    if len(value) >= length:
        return value[:length]
    letters = "abcdefghijklmnopqrstuvwxyz"
    return value + "".join(letters[between(rng, 0, 25)] for _ in range(length - len(value)))


def edge_numbers(node: Mapping[str, Any], constraint: FieldConstraint | None, integer: bool) -> tuple[Any, ...]:
    """The boundary values of a number field: its lowest and highest allowed values that exist."""
    rules = rules_for(node, constraint)
    lo, lo_open, hi, hi_open = rules.numeric_bounds
    step = node.get("multipleOf")
    if not isinstance(step, (int, float)) or isinstance(step, bool) or step <= 0:
        step = None
    out: list[Any] = []
    for bound, is_open, up in ((lo, lo_open, True), (hi, hi_open, False)):
        if not isinstance(bound, (int, float)) or isinstance(bound, bool):
            continue
        value = _edge(bound, is_open, up, step, integer, lo, hi)
        if value is not None and _fits(value, lo, lo_open, hi, hi_open, step) and value not in out:
            out.append(value)
    return tuple(out)


def _edge(bound: float, is_open: bool, up: bool, step: float | None, integer: bool, lo: Any, hi: Any) -> Any:
    if step is not None:
        quotient = bound / step
        nearest = round(quotient)
        if math.isclose(quotient, nearest, rel_tol=1e-9, abs_tol=1e-9):
            k = nearest + ((1 if up else -1) if is_open else 0)
        else:
            k = math.ceil(quotient) if up else math.floor(quotient)
        value: Any = k * step if isinstance(step, int) else clean_multiple(k, step, lo, hi)
        return int(value) if integer and float(value).is_integer() else value
    if integer:
        edge = math.ceil(bound) if up else math.floor(bound)
        if is_open and edge == bound:
            edge += 1 if up else -1
        return int(edge)
    if not is_open:
        return bound
    return round(bound + (0.01 if up else -0.01), 10)


def _fits(value: Any, lo: Any, lo_open: bool, hi: Any, hi_open: bool, step: float | None) -> bool:
    if lo is not None and (value < lo or (lo_open and value <= lo)):
        return False
    if hi is not None and (value > hi or (hi_open and value >= hi)):
        return False
    if step is not None:
        quotient = value / step
        return math.isfinite(quotient) and float(quotient).is_integer()
    return True


def protected_names(coherence: Iterable[Mapping[str, Any]], paths: Iterable[str]) -> frozenset[str]:
    """Every property name a coherence rule spec mentions (any string in it, split at dots), plus the
    parts of ``paths`` (unique fields, constrained fields)."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, str):
            names.update(p.lstrip("-") for p in node.split("."))
        elif isinstance(node, Mapping):
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)
    walk(list(coherence))
    for path in paths:
        names.update(path.split("."))
    return frozenset(n for n in names if n and n != "*" and not n.isdigit())


def shape_for(mode: str, coherence: Iterable[Mapping[str, Any]] = (), paths: Iterable[str] = ()) -> Shape:
    """The shape of a plan: ``mode`` with the names its coherence rules, unique and constrained fields use."""
    if mode == "all":
        return ALL
    return Shape(mode, protected_names(coherence, paths))


__all__ = ["ABSENT", "ALL", "P_EDGE", "P_EMPTY", "P_NULL", "P_PRESENT", "Shape", "edge_numbers",
           "protected_names", "shape_for"]
