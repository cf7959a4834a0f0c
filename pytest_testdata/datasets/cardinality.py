"""Cardinalities: how many child records each referenced record gets, and how they are spread.

A reference ``order.customer_id -> user`` has a cardinality: ``min``/``max`` orders per user, a
``mean`` (used to size the users when a root entity pulls them in) and a ``skew``:

``long_tail`` (the default)
    a few parents get many children, many get one or none: heavy buyers and one-time ones.
``even``
    as even as the counts allow (one payment per order when the counts match).
``uniform``
    every parent equally likely.

For a list (``order.items``), the cardinality is the list's length per record. Schemas declare defaults
with ``x-cardinality`` on the reference (or list) property; a caller's ``cardinality=`` overrides them.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import chain, repeat
from typing import Any

from pytest_testdata.errors import TestdataUsageError, choice_error

SKEWS = ("long_tail", "even", "uniform")
KEYS = ("min", "max", "mean", "skew", "empty")
LONG_TAIL_SIGMA = 1.1
"""Spread of the log-normal popularity weights: the top 10% of users place about 40% of the orders."""
_NV_MAGICCONST = 4 * math.exp(-0.5) / math.sqrt(2.0)
"""``random.NV_MAGICCONST``, as :mod:`random` computes it."""


@dataclass(frozen=True)
class Cardinality:
    """Children per parent (or items per list): bounds, mean, skew and the share of empty references."""

    min: int = 0
    max: int | None = None
    mean: float = 3.0
    skew: str = "long_tail"
    empty: float = 0.0
    """For a nullable reference: the share of records whose reference stays empty."""

    @classmethod
    def parse(cls, where: str, raw: Any, base: Cardinality | None = None) -> Cardinality:
        """From an int (exactly n), a ``(min, max)`` pair or a mapping; errors name ``where``."""
        base = base or cls()
        if isinstance(raw, bool):
            raise TestdataUsageError(f"cardinality[{where!r}]: expected a number, (min, max) or a mapping, "
                                     f"got {raw!r}.")
        if isinstance(raw, int):
            raw = {"min": raw, "max": raw, "mean": raw, "skew": "even"}
        elif isinstance(raw, (tuple, list)) and len(raw) == 2:
            raw = {"min": raw[0], "max": raw[1]}
        if not isinstance(raw, Mapping):
            raise TestdataUsageError(
                f"cardinality[{where!r}]: expected an int (exactly n), a (min, max) pair or a mapping with "
                f"{', '.join(KEYS)}; got {raw!r}."
            )
        for key in raw:
            if key not in KEYS:
                raise choice_error(f"cardinality[{where!r}] key", key, KEYS)
        lo = raw.get("min", base.min)
        hi = raw.get("max", base.max if "min" not in raw or base.max is None or base.max >= lo else None)
        for name, value in (("min", lo), ("max", hi)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise TestdataUsageError(f"cardinality[{where!r}]: {name} must be a whole number >= 0, got {value!r}.")
        if hi is not None and lo > hi:
            if "min" not in raw:  # (the min is the schema's minItems or the default, not the caller's)
                raise TestdataUsageError(f"cardinality[{where!r}]: max ({hi}) is below the least there must be "
                                         f"({lo}, the schema's or the default min). Give a max of at least {lo}.")
            raise TestdataUsageError(f"cardinality[{where!r}]: min ({lo}) is greater than max ({hi}). Swap them.")
        if hi == 0:
            raise TestdataUsageError(f"cardinality[{where!r}]: a max of 0 allows none at all; give a max of at "
                                     "least 1 (a nullable reference that should often stay empty takes 'empty', "
                                     "the share of records left without one).")
        default_mean = base.mean if "min" not in raw and "max" not in raw else (
            (lo + hi) / 2 if hi is not None else max(base.mean, lo))
        mean = raw.get("mean", default_mean)
        if isinstance(mean, bool) or not isinstance(mean, (int, float)) or mean <= 0:
            raise TestdataUsageError(f"cardinality[{where!r}]: mean must be a number > 0, got {mean!r}.")
        if not lo <= mean <= (hi if hi is not None else math.inf):
            raise TestdataUsageError(f"cardinality[{where!r}]: mean {mean} is outside min..max ({lo}..{hi}).")
        skew = raw.get("skew", base.skew)
        if skew not in SKEWS:
            raise choice_error(f"cardinality[{where!r}] skew", skew, SKEWS)
        empty = raw.get("empty", base.empty)
        if isinstance(empty, bool) or not isinstance(empty, (int, float)) or not 0 <= empty < 1:
            raise TestdataUsageError(f"cardinality[{where!r}]: empty must be a share from 0 to below 1, got {empty!r}.")
        return cls(min=lo, max=hi, mean=float(mean), skew=str(skew), empty=float(empty))

    def with_empty(self, empty: float) -> Cardinality:
        return replace(self, empty=empty)

    def describe(self) -> str:
        bounds = f"{self.min}..{self.max}" if self.max is not None else f"at least {self.min}"
        return f"{bounds} (mean {self.mean:g}, {self.skew})"


def weights(parents: int, skew: str, rng: random.Random) -> list[float]:
    """Popularity weights: log-normal for ``long_tail``, equal otherwise."""
    if skew == "long_tail":
        if type(rng) is not random.Random:  # a subclass may draw otherwise
            return [rng.lognormvariate(0.0, LONG_TAIL_SIGMA) for _ in range(parents)]
        return _lognormal(parents, rng)
    return [1.0] * parents


def _lognormal(n: int, rng: random.Random) -> list[float]:
    """``[rng.lognormvariate(0.0, LONG_TAIL_SIGMA) for _ in range(n)]``: the same draws and arithmetic as
    ``Random.normalvariate`` (Kinderman and Monahan's ratio method), inlined: a dataset draws a weight for
    each of its users and products, two calls each otherwise."""
    draw, log, exp, magic = rng.random, math.log, math.exp, _NV_MAGICCONST
    out = []
    for _ in range(n):
        while True:
            u1 = draw()
            u2 = 1.0 - draw()
            z = magic * (u1 - 0.5) / u2
            if z * z / 4.0 <= -log(u2):
                break
        out.append(exp(0.0 + z * LONG_TAIL_SIGMA))
    return out


def spread(children: int, parents: int, card: Cardinality, rng: random.Random) -> list[int]:
    """How many children each parent gets: a list of ``parents`` counts summing to ``children``.

    The caller has checked ``parents * min <= children <= parents * max``.
    """
    counts = [card.min] * parents
    rest = children - card.min * parents
    if rest <= 0 or parents == 0:
        return counts
    cap = card.max if card.max is not None else children
    if card.skew == "even":
        base, extra = divmod(rest, parents)
        counts = [card.min + base] * parents
        for i in rng.sample(range(parents), extra):
            counts[i] += 1
        return counts
    chosen = rng.choices(range(parents), weights=weights(parents, card.skew, rng), k=rest)
    if card.min + rest <= cap:
        # No parent can reach the cap (none is chosen more than ``rest`` times): each gets its count of
        # choices, counted by Counter in C instead of one Python step per child (30,000 orders).
        for i, n in Counter(chosen).items():
            counts[i] += n
        return counts
    overflow = 0
    for i in chosen:
        if counts[i] < cap:
            counts[i] += 1
        else:
            overflow += 1
    if overflow:
        open_ = [i for i in range(parents) if counts[i] < cap]
        while overflow:
            i = rng.randrange(len(open_))
            counts[open_[i]] += 1
            overflow -= 1
            if counts[open_[i]] >= cap:
                open_[i] = open_[-1]
                open_.pop()
    return counts


def allocation(children: int, parents: int, card: Cardinality, rng: random.Random) -> list[int]:
    """The parent index of each child, in a shuffled order."""
    counts = spread(children, parents, card, rng)
    order = list(chain.from_iterable(map(repeat, range(len(counts)), counts)))  # parent p, counts[p] times
    shuffle(rng, order)
    return order


def allocated(card: Cardinality, n: int, parents: int, rng: random.Random) -> list[int | None]:
    """Each of ``n`` children's parent for a top-level reference, by its position among the ``parents``
    (None: left empty, per ``card.empty``). The draws need only how many parents there are, so they can be
    made before the parents are built (:meth:`~pytest_testdata.datasets.chunked.ChunkedEntity.predraw`)."""
    empty = set(rng.sample(range(n), round(n * card.empty))) if card.empty else set()
    if not empty:
        return list(allocation(n, parents, card, rng))
    filled = [i for i in range(n) if i not in empty]
    out: list[int | None] = [None] * n
    for i, parent in zip(filled, allocation(len(filled), parents, card, rng), strict=True):
        out[i] = parent
    return out


def keyed(positions: list[int | None], keys: list[Any]) -> list[Any]:
    """The parents' keys at ``positions`` (:func:`allocated`; None stays None)."""
    if None in positions:
        return [None if i is None else keys[i] for i in positions]
    return list(map(keys.__getitem__, positions))  # type: ignore[arg-type]


def shuffle(rng: random.Random, items: list[Any]) -> None:
    """``rng.shuffle(items)``: the same ``getrandbits`` draws and swaps as ``Random.shuffle`` (its
    ``_randbelow`` inlined; a dataset shuffles tens of thousands of references and purchases)."""
    if type(rng) is not random.Random:  # a subclass may draw otherwise
        rng.shuffle(items)
        return
    getrandbits = rng.getrandbits
    for i in reversed(range(1, len(items))):
        n = i + 1
        k = n.bit_length()
        j = getrandbits(k)
        while j >= n:
            j = getrandbits(k)
        items[i], items[j] = items[j], items[i]


def list_length(card: Cardinality, rng: random.Random) -> int:
    """One list's length: ``min`` plus a geometric excess, long-tailed (most carts hold one to three items)."""
    hi = card.max if card.max is not None else card.min + 20
    if card.skew != "long_tail":
        return rng.randint(card.min, hi)
    excess_mean = max(card.mean - card.min, 0.0)
    if excess_mean <= 0:
        return card.min
    p = 1.0 / (excess_mean + 1.0)
    excess = int(math.log(1.0 - rng.random()) / math.log(1.0 - p)) if p < 1 else 0
    return min(card.min + excess, hi)
