"""Fit a derived number (a cart's total) into a caller's range by scaling the record's money draws.

A total is the sum of its items' prices times their quantities, so a caller's ``total: {max: 50}`` cannot be
met by bounding one field: the generator redraws the *same* candidate (same rng state, so the same names,
ids and item count) with its prices scaled. For one candidate the total grows with the scale, so the scale is
found by a bracketed search (a secant step in log-log space, bisection when the step leaves the bracket),
a handful of builds. Two regimes are searched in turn:

1. the items as drawn, prices scaled within their category's band (a grocery item never costs 999.99);
2. the fewest items and the smallest quantities (``fewest``), prices scaled, for a maximum so low that even
   the drawn items at the bottom of their bands exceed it.

A candidate whose range cannot be reached in either regime is given up, and the generator draws another.
Before this search the scale was multiplied by ``target / total`` on each redraw while a scale below 1 also
cut the items to their minimum: the total jumped between the two and a narrow range (100 to 120) was missed
for about one cart in twenty.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pytest_testdata.frozen import Frozen
from pytest_testdata.types import Record

LOG_MIN_SCALE, LOG_MAX_SCALE = math.log(1e-3), math.log(1e3)
"""Prices move at most a thousand times down or up (in practice the category bands stop them sooner)."""

STEPS_PER_REGIME = 10
"""Builds one regime may take; the secant usually lands in two or three."""


class Range(Frozen):
    """The caller's range of one number field, and where inside it the search aims."""

    __slots__ = ("field", "low", "high")  # noqa: RUF023 (in field order: Frozen)

    field: str
    low: float | None
    high: float | None

    def __init__(self, field: str, low: float | None, high: float | None) -> None:
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    @property
    def target(self) -> float:
        """Inside the range and away from its edges (values right at a bound look made up)."""
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2
        if self.high is not None:
            return self.high * 0.7 if self.high > 0 else self.high
        return (self.low or 0) * 1.4 + 1


Build = Callable[[float, bool], Record]
"""Rebuild the candidate from its start: ``(scale, fewest) -> record``."""


def _log(value: float) -> float:
    return math.log(max(value, 1e-9))


def fit(build: Build, read: Callable[[Record], float | None], wanted: Range, first: float,
        accept: Callable[[Record], bool], budget: int) -> tuple[Record | None, int]:
    """Search the scale for a record whose number lies in ``wanted`` and that ``accept`` takes.

    ``first`` is the number of the candidate as drawn (scale 1, all items). Returns the record (None when
    this candidate cannot reach the range) and the builds spent, at most ``budget``.
    """
    if wanted.target <= 0:
        return None, 0  # scaling prices cannot make a total zero or negative
    spent = 0
    goal = _log(wanted.target)
    for fewest in (False, True):
        if fewest:
            if wanted.high is None or first <= wanted.high or spent >= budget:
                return None, spent  # fewer items only help a total that is too high
            record = build(1.0, True)
            spent += 1
            value = read(record)
            if value is None:
                return None, spent
            if wanted.holds(value):
                return (record if accept(record) else None), spent
            start = value
        else:
            start = first
        # The bracket (lo_x, hi_x) of log-scales: the value at lo_x is below the range, at hi_x above it.
        too_high = wanted.high is not None and start > wanted.high
        lo_x, lo_y = (LOG_MIN_SCALE, None) if too_high else (0.0, _log(start) - goal)
        hi_x, hi_y = (0.0, _log(start) - goal) if too_high else (LOG_MAX_SCALE, None)
        x = -(_log(start) - goal)  # proportional first step: scale = target / value
        for _ in range(STEPS_PER_REGIME):
            if spent >= budget:
                return None, spent
            if lo_y is not None and hi_y is not None and hi_y > lo_y:
                x = lo_x - lo_y * (hi_x - lo_x) / (hi_y - lo_y)  # secant through the bracket's ends
            if not lo_x < x < hi_x:
                # Outside the bracket: halve it, or try the unknown end (is the range reachable at all?).
                x = (lo_x + hi_x) / 2 if lo_y is not None and hi_y is not None else (hi_x if lo_y is not None
                                                                                     else lo_x)
            record = build(math.exp(x), fewest)
            spent += 1
            value = read(record)
            if value is None:
                return None, spent
            if wanted.holds(value):
                return (record if accept(record) else None), spent
            y = _log(value) - goal
            if wanted.high is not None and value > wanted.high:
                if x <= LOG_MIN_SCALE + 1e-9 or y == hi_y:
                    break  # even the smallest prices (the bands' floors) are too dear: the next regime
                hi_x, hi_y = x, y
            else:
                if x >= LOG_MAX_SCALE - 1e-9 or y == lo_y:
                    return None, spent  # even the largest prices (the bands' ceilings) are too cheap
                lo_x, lo_y = x, y
            if hi_x - lo_x < 1e-6:
                break  # the range falls between two neighbouring scales (a step in the total)
            x -= y  # a proportional step from here (the secant replaces it once both ends are known)
    return None, spent
