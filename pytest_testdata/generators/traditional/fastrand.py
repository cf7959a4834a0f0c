"""Draws equal to ``random.Random``'s, with less call overhead.

``rng.choice(seq)`` goes through ``choice -> _randbelow -> getrandbits``: three calls, two in Python, for
one index; a record draws dozens of them. These helpers make the very same ``getrandbits`` calls (the
rejection loop of ``Random._randbelow``), so they return the same values as the methods they replace and
records stay what they were for a seed. Keeping our own copy also means the records no longer depend on
how a Python release implements ``choice``: only ``getrandbits`` and ``random`` matter, and those are
Mersenne Twister output.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def below(rng: random.Random, n: int) -> int:
    """``rng.randrange(n)`` for ``n >= 1``."""
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return r


def pick(rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice(seq)``."""
    n = len(seq)
    if not n:
        return rng.choice(seq)  # raises the usual IndexError
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return seq[r]


def between(rng: random.Random, lo: int, hi: int) -> int:
    """``rng.randint(lo, hi)``."""
    if hi < lo:
        return rng.randint(lo, hi)  # raises the usual ValueError
    n = hi - lo + 1
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return lo + r


# uuid.UUID(int=bits, version=4) clears the variant and version bits and sets them to 10 and 0100.
UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
UUID_SET = (0x8000 << 48) | (4 << 76)


def uuid_key(stream: int) -> int:
    """The constant :func:`uuid_text` mixes into a draw for ``stream``: ``((r ^ stream) & UUID_CLEAR) |
    UUID_SET`` is ``(r & UUID_CLEAR) ^ uuid_key(stream)`` (the set bits are among the cleared ones, so the
    ``|`` is an ``^``, and ``&`` distributes over ``^``): one big-integer operation a draw fewer."""
    return (stream & UUID_CLEAR) ^ UUID_SET


_JOIN = "".join


def uuid_text(bits: int) -> str:
    """The 8-4-4-4-12 text of a 128-bit value (``str(uuid.UUID(int=bits))``): its hex in groups of four
    digits, then the first separator and the last two taken out. About 2,000 machine instructions fewer
    than five slices of the plain hex joined by an f-string, on every identifier of every record."""
    return _JOIN(bits.to_bytes(16, "big").hex("-", 2).replace("-", "", 1).rsplit("-", 2))


def uuid4(rng: random.Random, stream: int = 0) -> str:
    """``str(uuid.UUID(int=rng.getrandbits(128) ^ stream, version=4))`` without building the UUID object.

    ``stream`` (128 bits) separates identifier streams: the same rng state gives unrelated UUIDs for
    different streams, with the same single draw.
    """
    return uuid_text((rng.getrandbits(128) & UUID_CLEAR) ^ uuid_key(stream))
