"""Seeds: one per session (printed, replayable), one per test from (session seed, node id), one per call.

Derivation hashes its inputs with SHA-256 rather than Python's ``hash()`` (salted per process), so a
test gets the same seed in every process: serial runs, xdist workers and the remote agent agree.
"""

from __future__ import annotations

import hashlib
import random

SEED_BITS = 63


def derive_seed(*parts: object) -> int:
    """A stable 63-bit seed from any parts (``derive_seed(1234, "tests/test_x.py::test_a")``)."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> (64 - SEED_BITS)


def random_seed() -> int:
    """A fresh session seed, small enough to read and type back (``--testdata-seed 48213``)."""
    return random.SystemRandom().randrange(1, 10**9)
