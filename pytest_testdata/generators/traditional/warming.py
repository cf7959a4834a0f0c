"""The code of generated functions while they warm up: :mod:`~pytest_testdata.generators.traditional.straight`'s
builders and :mod:`~pytest_testdata.generators.traditional.cents`' rejection tests.

Each warming-up function is made from one of these functions' code over a namespace of its own
(``types.FunctionType(code, namespace)``): its globals are that namespace, never this module's, and its
``__code__`` is replaced by its own generated code once warm. Written here as functions rather than as source
compiled at import (1.6 million instructions of every fresh process's first record). The module-level names
below only stand for the namespaces' keys, for readers and type checkers.
"""

from __future__ import annotations

from typing import Any

CALLS = 0
"""Calls so far (each builder counts its own)."""
WARM = 0
"""The call at which the builder takes its straight-line code (straight.WARM_CALLS)."""
SPECIALISE: Any = None
"""Gives the builder its straight-line code."""
FIELDS: Any = ()
"""An object's ``(name, drawer)`` pairs."""
LO: Any = None
HI: Any = None
COUNT: Any = None
"""A list's least and most items, and what draws its length (``COUNT(rng, LO, HI)``)."""
REFERENCE: Any = None
"""The plan's own ``build`` (the same steps as a loop)."""
GENERIC: Any = None
"""A rejection test's generic reader (the same answer)."""


def build(state: Any) -> dict[str, Any]:  # an object builder
    global CALLS
    CALLS += 1
    if CALLS >= WARM:
        SPECIALISE(build)
    return {name: draw(state) for name, draw in FIELDS}


def items(state: Any) -> list[dict[str, Any]]:  # a list of objects
    global CALLS
    CALLS += 1
    if CALLS >= WARM:
        SPECIALISE(items)
    n = LO if state.fewest else COUNT(state.rng, LO, HI)
    out = []
    for _ in range(n):
        state.category = None
        out.append({name: draw(state) for name, draw in FIELDS})
    state.category = None
    return out


def record(rng: Any, locale: Any = None, scale: float = 1.0, values: Any = None, fewest: bool = False) -> Any:
    global CALLS
    CALLS += 1
    if CALLS >= WARM:
        SPECIALISE(record)
    return REFERENCE(rng, locale, scale, values, fewest)


def rejected(record: Any) -> bool:  # a cent cleaner's rejection test
    global CALLS
    CALLS += 1
    if CALLS >= WARM:
        SPECIALISE(rejected)
    return bool(GENERIC(record))


def which(record: Any) -> int:  # a cent cleaner's rejection test that says which targets (CentCleaner.which)
    global CALLS
    CALLS += 1
    if CALLS >= WARM:
        SPECIALISE(which)
    return int(GENERIC(record))
