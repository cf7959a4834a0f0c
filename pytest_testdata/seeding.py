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


def choose_session_seed(configured: int | str, *, explicit: bool, rerun_failed: bool, last: int | None,
                        randomly: int | None) -> tuple[int, str]:
    """The session seed and a note saying where it came from (shown in the report header).

    Highest first: a seed given as a number; ``last`` (the previous run's seed); under ``--lf`` / ``--ff``
    without an explicit seed, the previous run's seed (so failures rerun on the same data); pytest-randomly's
    seed when that plugin is active (one number then governs the test order, ``random``, Faker, factory_boy
    and testdata); else a fresh random seed. ``explicit`` says the seed setting was given (``random``
    given on purpose keeps fresh data even under ``--lf``).
    """
    if isinstance(configured, int):
        return configured, "given"
    if configured == "last":
        if last is not None:
            return last, "replaying the last run's seed"
        return random_seed(), "no previous run's seed found, so a new random one"
    if not explicit and rerun_failed and last is not None:
        return last, "the last run's seed, reused by --lf/--ff so failures rerun on the same data"
    if not explicit and randomly is not None:
        return randomly, "pytest-randomly's seed, which governs Faker and factory_boy too"
    return random_seed(), "random"


def reseed_libraries(seed: int) -> None:
    """Reseed Faker's and factory_boy's shared generators (as pytest-randomly does), if they are loaded."""
    import sys

    factory_random = sys.modules.get("factory.random")
    if factory_random is not None:
        factory_random.reseed_random(seed)
    if "faker" in sys.modules:
        sys.modules["faker"].Faker.seed(seed)
