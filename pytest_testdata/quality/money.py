"""``round(value, 2)`` for money, at a tenth of the cost and with the same result.

``round(x, 2)`` of a float converts it to a correctly rounded decimal string and back: about 3,000
machine instructions, and a cart rounds ten money values (prices, a subtotal, a tax, a total, the cent
cleaner's tries). For a float below a billion whose hundredfold is not near a half, the answer is known
without the string: ``x * 100`` is within 2e-5 of the exact hundredfold, so the nearest whole number ``m``
of the product is the nearest of the exact value, ``round(x, 2)`` is the decimal ``m / 100``, and the
float nearest to it is ``m / 100`` (Python divides integers correctly rounded). Anything else (an int, a
NaN, a huge value, a hundredfold near a half such as 1.005's, a result of zero, whose sign round keeps)
goes to ``round`` itself. ``tests/test_fast_paths.py`` compares the two on about two million values.
"""

from __future__ import annotations

from math import floor


def round_cents(value: float) -> float:
    """``round(value, 2)``, the same value and type (an int stays an int)."""
    if type(value) is float and -1e9 < value < 1e9:
        scaled = value * 100.0
        # floor(scaled + 0.5) is round(scaled) whenever the test below passes (a whole number within 0.49 of
        # scaled is its nearest; the addition's error is under 1e-5 here), at half the cost of round().
        whole = floor(scaled + 0.5)
        if whole and -0.49 < scaled - whole < 0.49:
            return whole / 100
    return round(value, 2)


def cents_of(k: int) -> float:
    """``round(k * 0.01, 2)`` for a whole number of cents ``k``: ``k * 0.01`` is within a relative 1.5e-16 of
    ``k / 100`` (below 1e13 cents, far less than half a cent), so it rounds to that decimal, and the float
    nearest to it is ``k / 100``."""
    if k and -10**13 < k < 10**13:
        return k / 100
    return round(k * 0.01, 2)
