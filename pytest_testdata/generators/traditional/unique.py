"""How long the traditional generator remembers the unique values it handed out: a request, or an engine.

``x-unique`` fields (a user's email) and ``unique: true`` constraints must not repeat. The generator
redraws a record whose value was already handed out *in the current scope*, and the scope decides how
long that memory lives (docs/usage.md, "Unique values"):

- **request** (the agent's default, ``engine.options["unique_scope"] = "request"``): one
  ``GenerateData`` call, or one whole ``GenerateDataStream`` (:func:`unique_scope` around its chunks).
  Nothing survives the call, so an agent that streams millions of records keeps flat memory.
- **engine** (everything else): as long as the engine, that is a pytest session, one ``testdata
  generate`` run, or the process for :func:`pytest_testdata.generate`. It costs about 100 bytes per
  value handed out in that scope.

A scope stores 64-bit fingerprints (BLAKE2b of the field and value), never the values. Each fingerprint
remembers its owner (the seed and the number of the candidate record drawn from it), so drawing the same
candidate again (the same seed twice in one session) gets the same values back instead of colliding with
its own earlier output. UUID fields are not tracked: 122 random bits do not repeat in practice.
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pytest_testdata.types import Record

SCOPES = ("engine", "request")
_CURRENT: contextvars.ContextVar[UniqueScope | None] = contextvars.ContextVar("testdata_unique_scope",
                                                                               default=None)


def fingerprint(*parts: object) -> int:
    """A stable 64-bit number for ``parts`` (the same in every process, unlike ``hash``)."""
    text = "\x1f".join(p if isinstance(p, str) else repr(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def _pair_print(seed: object, candidate: object) -> int:
    """``fingerprint(seed, candidate)`` (the same number), without the generic join, for the usual two ints."""
    if type(seed) is not int or type(candidate) is not int:
        return fingerprint(seed, candidate)
    return int.from_bytes(_blake2b(f"{seed}\x1f{candidate}".encode(), digest_size=8).digest(), "big")


def _print(prefix: str, value: object) -> int:
    """``fingerprint(entity, field, value)`` (the same number) with ``prefix`` the first two and their separators."""
    text = prefix + (value if isinstance(value, str) else repr(value))
    return int.from_bytes(_blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


_blake2b = hashlib.blake2b


class UniqueScope:
    """Fingerprints of the unique values handed out in one scope, each with the owner that drew it."""

    def __init__(self) -> None:
        self._owners: dict[int, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._owners)

    def claim(self, entity: str, fields: tuple[str, ...], record: Record, owner: tuple[int, int]) -> bool:
        """Remember the record's unique values; False (and nothing remembered) if another owner has one."""
        mine = _pair_print(*owner)
        prints = [_print(f"{entity}\x1f{f}\x1f", value) for f in fields if (value := record.get(f)) is not None]
        with self._lock:
            owners = self._owners
            for value_print in prints:
                if owners.get(value_print, mine) != mine:
                    return False
            for value_print in prints:
                owners[value_print] = mine
            return True


def repeats(records: list[Record], fields: tuple[str, ...]) -> bool:
    """True when two records share a value of one of ``fields`` (None never counts)."""
    for name in fields:
        values = [record.get(name) for record in records]
        present = [v if isinstance(v, (str, int, float, bool)) else repr(v) for v in values if v is not None]
        if len(set(present)) != len(present):
            return True
    return False


def current_scope() -> UniqueScope | None:
    """The scope set by :func:`unique_scope` in this context, if any."""
    return _CURRENT.get()


@contextmanager
def unique_scope(scope: UniqueScope | None = None) -> Iterator[UniqueScope]:
    """Generate within ``scope`` (a new one by default): the values handed out inside stay unique together.

    The agent wraps each stream in one, so its chunks never repeat a value of an earlier chunk.
    """
    scope = scope if scope is not None else UniqueScope()
    token = _CURRENT.set(scope)
    try:
        yield scope
    finally:
        _CURRENT.reset(token)


def scope_option(options: dict[str, Any]) -> str:
    """The engine's ``unique_scope`` option, checked (``engine`` when unset)."""
    from pytest_testdata.errors import choice_error

    value = options.get("unique_scope", "engine")
    if value not in SCOPES:
        raise choice_error("option unique_scope", value, SCOPES)
    return str(value)
