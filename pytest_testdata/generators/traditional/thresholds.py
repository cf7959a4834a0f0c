"""A whole-number draw from a uniform one, by a table of thresholds in place of its float formula.

A long-tail count is drawn as ``int(-log(1.0 - u) / rate)`` of ``u = rng.random()`` (an order item's
quantity, for every item an items builder draws): a ``log`` call, a division and an ``int`` per value. The
formula does not decrease as ``u`` grows, so the value it gives is the number of thresholds ``t_k`` (the
least float ``u`` at which it reaches ``k``) that are at most ``u``: a few float comparisons give the very
same integer for every float ``u`` in ``[0, 1)``, and the draws are the same ones.

Each threshold is found by bisection over the floats themselves (their bit patterns are ordered as the
floats are), asking the formula, so the table agrees with the formula on both sides of every threshold
however the float operations round. (``tests/test_thresholds.py`` checks the floats around each
threshold and many others against the formula.)
"""

from __future__ import annotations

import struct
from collections.abc import Callable

_ONE = struct.unpack("<q", struct.pack("<d", 1.0))[0]
"""The bit pattern of 1.0: the floats in ``[0, 1)`` are the patterns ``0 .. _ONE - 1``, in order."""


def _float(bits: int) -> float:
    return float(struct.unpack("<d", struct.pack("<q", bits))[0])


def thresholds(count: Callable[[float], int], most: int) -> tuple[float, ...]:
    """``(t_1, ..., t_j)``: ``t_k`` the least float ``u`` in ``[0, 1)`` with ``count(u) >= k`` (1.0 when
    there is none), for a ``count`` that does not decrease as ``u`` grows; then for every ``u`` in ``[0, 1)``,
    ``min(count(u), most)`` is the number of thresholds at most ``u``. The table stops at ``most`` or at its
    first 1.0, whichever comes first: every later threshold is 1.0 too, and no ``u`` in ``[0, 1)`` reaches it
    (a quantity of at most 1,000,000 has about 40 thresholds, not a million comparisons)."""
    out: list[float] = []
    low = 0  # (the least pattern still possible: thresholds do not decrease with k)
    for k in range(1, most + 1):
        high = _ONE  # the least pattern known to reach k (1.0 stands for none in [0, 1))
        while low < high:
            middle = (low + high) // 2
            if count(_float(middle)) >= k:
                high = middle
            else:
                low = middle + 1
        out.append(_float(high))
        if high == _ONE:
            break
    return tuple(out)


def chain(name: str, draw: str, first: int, table: tuple[float, ...], other: str) -> str:
    """An expression binding ``name`` to ``draw`` (a float in ``[0, 1)``) and giving ``first`` plus the number
    of ``table``'s thresholds at most it, as one comparison after another (the smallest values, the
    likeliest of a long tail, first); for a draw outside ``[0, 1)`` (or a NaN), the expression ``other``."""
    parts = [f"{other} if ({name} := {draw}) < 0.0 else"]
    for k, threshold in enumerate(table):
        parts.append(f"{first + k} if {name} < {threshold!r} else")
    parts.append(f"{first + len(table)} if {name} < 1.0 else {other}")
    return " ".join(parts)
