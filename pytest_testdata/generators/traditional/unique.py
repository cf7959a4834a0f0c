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

A scope stores 64-bit fingerprints of the entity, field and value (Python's own ``hash``, SipHash-1-3 with
the process's key: a scope lives in one process), never the values. Each fingerprint remembers its owner
(the 64-bit hash of the seed and the number of the candidate record drawn from it), so drawing the same
candidate again (the same seed twice in one session) gets the same values back instead of colliding with
its own earlier output. UUID fields are not tracked: 122 random bits do not repeat in practice.
(These were BLAKE2b fingerprints, two per record: about a tenth of a user's generation. Two different
values, or owners, share a 64-bit fingerprint about once in 2**64 either way.)
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any

from pytest_testdata.context_value import ContextValue
from pytest_testdata.types import Record

SCOPES = ("engine", "request")
_CURRENT: contextvars.ContextVar[UniqueScope | None] = contextvars.ContextVar("testdata_unique_scope",
                                                                               default=None)


class UniqueScope:
    """Fingerprints of the unique values handed out in one scope, each with the owner that drew it."""

    def __init__(self) -> None:
        self._owners: dict[int, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._owners)

    def claim(self, entity: str, fields: tuple[str, ...], record: Record, owner: tuple[int, int]) -> bool:
        """Remember the record's unique values; False (and nothing remembered) if another owner has one."""
        mine = hash(owner)
        if len(fields) == 1:  # (a user's email) the loops below for one value, without the lists
            field = fields[0]
            value = record.get(field)
            if value is None:
                return True  # nothing to remember (the loops below would look at no fingerprint)
            value_print = hash((entity, field, value if type(value) is str else _text(value)))  # _text, inlined
            lock = self._lock
            # acquire() and release() in a try, not "with": the same steps, about 1,100 machine instructions
            # fewer (a with statement looks up and calls __enter__ and __exit__, the latter with three Nones)
            lock.acquire()
            try:
                owners = self._owners
                if owners.get(value_print, mine) != mine:
                    return False
                owners[value_print] = mine
                return True
            finally:
                lock.release()
        prints = [hash((entity, f, _text(value))) for f in fields if (value := record.get(f)) is not None]
        lock = self._lock
        lock.acquire()  # (not "with": see above)
        try:
            owners = self._owners
            for value_print in prints:
                if owners.get(value_print, mine) != mine:
                    return False
            for value_print in prints:
                owners[value_print] = mine
            return True
        finally:
            lock.release()


def _text(value: object) -> str:
    """The text a value is compared by: a string's own characters, anything else's ``repr`` (so ``1`` and
    ``"1"`` are the same value, as they were)."""
    if type(value) is str:
        return value
    return str.__str__(value) if isinstance(value, str) else repr(value)


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


def unique_scope(scope: UniqueScope | None = None) -> ContextValue[UniqueScope]:
    """Generate within ``scope`` (a new one by default): the values handed out inside stay unique together
    (``with unique_scope() as scope``).

    The agent wraps each stream in one, so its chunks never repeat a value of an earlier chunk.
    """
    return ContextValue(_CURRENT, scope if scope is not None else UniqueScope())


def scope_option(options: dict[str, Any]) -> str:
    """The engine's ``unique_scope`` option, checked (``engine`` when unset)."""
    from pytest_testdata.errors import choice_error

    value = options.get("unique_scope", "engine")
    if value not in SCOPES:
        raise choice_error("option unique_scope", value, SCOPES)
    return str(value)
