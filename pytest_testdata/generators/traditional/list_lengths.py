"""List lengths a caller asks for, drawn by the plan itself.

A dataset gives each record's list (an order's ``items``) its length by the list's cardinality (a long
tail, mean about 2.5), where the schema's own ``minItems``/``maxItems`` (1 to 8) let the plan draw about 4.5
items: drawing the schema's length and cutting the list to the cardinality's afterwards threw about two
items an order away (each a quantity, a dict and its append). With :data:`LENGTHS_OPTION`, the plan is
compiled for :func:`with_list_lengths`'s schema, whose arrays carry the wanted length (:data:`LENGTH_KEY`),
and draws each list's length by :func:`length_counter`: the same distribution as
:func:`pytest_testdata.datasets.cardinality.list_length` (same bounds, mean and skew), from the record's
own stream. The generator names the lists it drew so (``details[LENGTHS_OPTION]``); the caller sets the
others' lengths itself, as before.
"""

from __future__ import annotations

import dataclasses
import math
import random
from bisect import bisect_right
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from pytest_testdata.generators.traditional.fastrand import between
from pytest_testdata.generators.traditional.keywords import needs_compose
from pytest_testdata.generators.traditional.thresholds import thresholds
from pytest_testdata.schemas.model import Schema

LENGTHS_OPTION = "_list_lengths"
"""The run-time request option: ``((path, min, max, mean, skew), ...)`` for top-level lists (``max`` None:
``min + 20``). Run-time options (a leading ``_``) are never part of a cache or cassette key."""

LENGTH_KEY = "x-length"
"""The keyword :func:`with_list_lengths` puts on an array: ``{"min", "max", "mean", "skew"}``."""

Length = tuple[str, int, "int | None", float, str]
CountDrawer = Callable[[random.Random, int, int], int]


@lru_cache(maxsize=256)
def with_list_lengths(schema: Schema, lengths: tuple[Length, ...]) -> tuple[Schema, tuple[str, ...]]:
    """``schema`` with each listed top-level array's wanted length, and the paths given one (an array the
    keyword compiler draws, or a path that is no array, is left as it is: its caller resizes it). One
    object per input, so the plan compiled for it is cached too."""
    tree = schema.json_schema
    properties: dict[str, Any] = dict(tree.get("properties", {}))
    drawn = []
    for path, lo, hi, mean, skew in lengths:
        node = properties.get(path)
        if not isinstance(node, Mapping) or node.get("type") != "array" or needs_compose(node):
            continue
        properties[path] = {**node, LENGTH_KEY: {"min": lo, "max": hi, "mean": mean, "skew": skew}}
        drawn.append(path)
    if not drawn:
        return schema, ()
    return dataclasses.replace(schema, json_schema={**tree, "properties": properties}), tuple(drawn)


def length_counter(length: Mapping[str, Any]) -> tuple[int, int, CountDrawer]:
    """The bounds and count drawer (``draw(rng, lo, hi)``, as the plan calls ``between``, with these bounds) of
    a :data:`LENGTH_KEY`: ``list_length``'s distribution (a geometric excess over ``min`` for a long tail,
    capped at ``max``; uniform otherwise). The one fast form of that distribution: the generator's plan and a
    dataset chunk's resizing (``datasets/chunks._resize``) both draw by it; ``list_length`` stays the
    reference the tests hold it to."""
    lo: int = length["min"]
    hi: int = length["max"] if length["max"] is not None else lo + 20
    excess = max(length["mean"] - lo, 0.0)
    if length["skew"] != "long_tail":
        return lo, hi, between  # rng.randint(lo, hi)'s draws
    if not excess > 0:  # (a NaN mean too: list_length's p < 1 fails, so it adds no excess)
        return lo, hi, _fewest
    log_q = math.log(1.0 - 1.0 / (excess + 1.0))  # (excess > 0: p = 1 / (excess + 1) < 1)
    log = math.log
    if not (log_q < 0.0 and type(lo) is int and type(hi) is int and 0 <= hi - lo <= 64):
        def long_tail(rng: random.Random, lo: int, hi: int) -> int:
            return min(lo + int(log(1.0 - rng.random()) / log_q), hi)
        return lo, hi, long_tail
    # The length from the draw u by the thresholds of the formula above (thresholds.py: the same value for
    # every u in [0, 1), the number of thresholds at most u) instead of a log a list; the formula for any
    # other u (a subclass's draw), and for a long range (each threshold costs some sixty logs to find).
    table, first = tail_thresholds(log_q, hi - lo), lo

    def long_tail_by_table(rng: random.Random, lo: int, hi: int) -> int:
        u = rng.random()
        if 0.0 <= u < 1.0:
            return first + bisect_right(table, u)
        return min(lo + int(log(1.0 - u) / log_q), hi)
    return lo, hi, long_tail_by_table


@lru_cache(maxsize=16)
def tail_thresholds(log_q: float, most: int) -> tuple[float, ...]:
    """The thresholds on ``u`` of a long tail's excess ``int(log(1.0 - u) / log_q)`` up to ``most``."""
    return thresholds(lambda u: int(math.log(1.0 - u) / log_q), most)


def _fewest(rng: random.Random, lo: int, hi: int) -> int:
    """A long tail with no excess: always ``lo`` (no draw)."""
    return lo


__all__ = ["LENGTHS_OPTION", "LENGTH_KEY", "length_counter", "tail_thresholds", "with_list_lengths"]
