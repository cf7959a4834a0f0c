"""A whole-number draw by a table of thresholds gives what its float formula gives, for every float."""

from __future__ import annotations

import math
import random
import struct
from typing import Any

import pytest

from pytest_testdata.generators.traditional import drawers
from pytest_testdata.generators.traditional.thresholds import chain, thresholds


def _table_value(table: tuple[float, ...], u: float) -> int:
    return sum(1 for threshold in table if threshold <= u)


def _neighbours(u: float, count: int) -> list[float]:
    """``count`` floats below ``u`` (down to 0.0), ``u``, and ``count`` above (below 1.0), by ``nextafter``."""
    out, low, high = [u], u, u
    for _ in range(count):
        low, high = math.nextafter(low, -1.0), math.nextafter(high, 2.0)
        out += [x for x in (low, high) if 0.0 <= x < 1.0]
    return out


def _random_floats(rng: random.Random, count: int) -> list[float]:
    """Uniform draws (multiples of 2**-53) and floats of [0, 1) by their bit patterns (of every exponent)."""
    one = struct.unpack("<q", struct.pack("<d", 1.0))[0]
    return [rng.random() for _ in range(count)] + [
        struct.unpack("<d", struct.pack("<q", rng.randrange(one)))[0] for _ in range(count)]


@pytest.mark.parametrize("span", [0, 1, 2, 9, 20])
def test_the_quantity_table_agrees_with_the_formula_at_and_around_every_threshold(span: int) -> None:
    table = drawers._quantity_thresholds(span)
    assert len(table) == span and list(table) == sorted(table)
    for k, threshold in enumerate(table, 1):
        below = math.nextafter(threshold, -1.0)
        assert drawers._quantity_count(threshold) >= k > drawers._quantity_count(below)
        for u in _neighbours(threshold, 3000):
            assert min(drawers._quantity_count(u), span) == _table_value(table, u), (k, u)
    for u in [0.0, -0.0, math.nextafter(1.0, 0.0), *_random_floats(random.Random(span), 50_000)]:
        assert min(drawers._quantity_count(u), span) == _table_value(table, u), u


class _Fixed(random.Random):
    """A rng whose ``random()`` gives the values it was handed (a subclass may leave [0, 1))."""

    def __init__(self, values: list[float]) -> None:
        super().__init__(0)
        self.values = list(values)

    def random(self) -> float:
        return self.values.pop(0)


def _outcome(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except (ValueError, OverflowError) as exc:
        return type(exc)


@pytest.mark.parametrize("bounds", [(1, 10), (0, 2), (3, 3), (0, 20), (-5, 4)])
def test_a_quantity_s_expression_is_its_formula_for_every_draw(bounds: tuple[int, int]) -> None:
    # The builder's expression (the table) against the drawer's formula, on the thresholds and their
    # neighbours, random draws, and the values a subclass's random() might give outside [0, 1) (negative
    # ones far enough for the formula to go below the least value, 1.0 and above: a math domain error; NaN).
    lo, hi = bounds
    expression, names = drawers._quantity_inline(lo, hi)
    code = compile(expression.replace("@", "X_"), "<quantity>", "eval")
    values = {f"X_{k}": v for k, v in names.items()}
    formula = drawers._quantity_formula(lo, hi)
    odd = [-0.0, -0.5, -1.4, -1.5, -3.0, -1e300, -math.inf, 1.0, 1.5, math.inf, math.nan]
    us = [u for t in drawers._quantity_thresholds(hi - lo) for u in _neighbours(t, 50)]
    us += odd + _random_floats(random.Random(hi), 5000)
    rng = _Fixed(us)
    state = drawers.RecordState(rng, "US")
    for u in us:
        assert _outcome(eval, code, values, {"state": state, "rng": rng}) == _outcome(formula, u), u
    assert not rng.values


def test_thresholds_of_a_count_and_the_chain_that_reads_them() -> None:
    # int(u * 4): thresholds at 0.25, 0.5, 0.75; a count never reaching 4 in [0, 1) stands at 1.0, and the
    # table stops there (every later one is 1.0 too)
    table = thresholds(lambda u: int(u * 4), 5)
    assert table == (0.25, 0.5, 0.75, 1.0)
    expression = chain("u", "draw", 7, table[:3], "OTHER")
    for u, expected in ((0.0, 7), (0.2499, 7), (0.25, 8), (0.74, 9), (0.75, 10), (0.9999, 10), (1.0, "other"),
                        (-0.1, "other"), (math.nan, "other")):
        assert eval(expression, {"draw": u, "OTHER": "other"}) == expected, u


@pytest.mark.parametrize("card", [(1, 8, 2.5), (0, 20, 3.0), (2, 3, 40.0), (1, 5, 1.2), (0, 64, 0.2), (3, 3, 5.0)])
def test_a_chunk_s_list_length_by_thresholds_is_list_length_for_every_draw(card: tuple[int, int, float]) -> None:
    # A chunk's long-tail list length (datasets/chunks.py _resize) by its table: list_length's value for the
    # thresholds and their neighbours, random draws, and a subclass's values outside [0, 1) (the formula:
    # a negative length, a math domain error).
    from pytest_testdata.datasets.cardinality import Cardinality, list_length
    from pytest_testdata.datasets.chunks import _resize
    from pytest_testdata.generators.traditional.list_lengths import tail_thresholds

    lo, hi, mean = card
    cardinality = Cardinality(lo, hi, mean)
    log_q = math.log(1.0 - 1.0 / (mean - lo + 1.0))
    table = tail_thresholds(log_q, hi - lo)
    us = [u for t in table for u in _neighbours(t, 200)] + _random_floats(random.Random(lo + hi), 3000)
    us += [-0.0, -0.5, -30.0, 1.0, 1.5, math.nan]
    def resized(u: float) -> int:
        records: list[dict[str, Any]] = [{"items": [{"n": i} for i in range(70)]}]
        _resize(records, "items", cardinality, _Fixed([u]))
        return len(records[0]["items"])

    for u in us:
        mine, wanted = _outcome(resized, u), _outcome(list_length, cardinality, _Fixed([u]))
        assert mine == wanted or (wanted < 0 and mine == max(70 + wanted, 0)), u  # (del items[n:] of n < 0)


def test_a_quantity_of_a_huge_range_has_a_short_table_and_the_formula_s_values() -> None:
    # A user's quantity of at most a million: the exponential draw never passes about 40 for u < 1.0, so the
    # table (and the builder's expression) stops at its first 1.0 instead of a million comparisons.
    table = drawers._quantity_thresholds(1_000_000)
    assert 30 < len(table) < 60 and table[-1] == 1.0 and all(t < 1.0 for t in table[:-1])
    expression, names = drawers._quantity_inline(1, 1_000_000)
    assert len(expression) < 5_000 and names["LO"] == 1
    formula = drawers._quantity_formula(1, 1_000_000)
    for u in [0.0, math.nextafter(1.0, 0.0), *table[:-1], *_random_floats(random.Random(7), 20_000)]:
        assert formula(u) == 1 + _table_value(table, u), u
