"""Which Python values a column type that converts them takes: an application's ``TypeDecorator`` with its own
``process_bind_param`` (the ``GUID`` of SQLAlchemy's backend-agnostic recipe, a ``NaiveDateTime`` that drops
the time zone, an ``EncryptedString``), asked of the type itself.

A decorator says what it stores (``impl``), not what it takes: a ``GUID`` stores ``CHAR(32)`` and takes
``uuid.UUID`` objects (or UUID strings), where an arbitrary string raises. So each kind of value the column
could hold is offered, in order, to the decorator's bind processing for SQLite (its ``process_bind_param``
and then the stored type's own, as an ``INSERT`` would run them), and the first it takes is the column's:

* over a text type: a JSON object (SQLAlchemy's documented ``JSONEncodedDict``, which applications copy, takes
  a dict and stores its JSON text), then a string, then a ``uuid.UUID``;
* over a binary type: bytes, then a ``uuid.UUID``;
* over any other type: a value of that type (a ``datetime`` for ``DateTime``).

Over a text or binary type, a value is taken only if it comes out as what the column stores (text, bytes): a
decorator that converts only what it reads would hand the driver a dict or a UUID it cannot bind. A decorator
that takes none is an error that lists each value offered and what it raised.
The records hold the chosen kind's JSON form (a UUID string, an ISO date-time); the model instances and the
database get the Python value, which the decorator converts as the application's own values are.

Imports SQLAlchemy: used only when a model is passed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import types

PROBE_TEXT = "testdata probe"
"""The text offered to a decorator over a text type: not a UUID, a number or a date, so a decorator that only
takes those refuses it (and is then offered the next kind)."""
PROBE_UUID = uuid.UUID("7d9a2f6e-0c1b-4e8a-9f3d-5b6c7a8e9d01")


def converts(kind: Any) -> bool:
    """Whether ``kind`` is a ``TypeDecorator`` that converts values on their way to or from the database (it
    overrides a processing hook), unlike one that only stores them as another type (SQLModel's
    ``AutoString``)."""
    return isinstance(kind, types.TypeDecorator) and any(
        getattr(type(kind), name) is not getattr(types.TypeDecorator, name) for name in _CONVERTING)


_CONVERTING = ("process_bind_param", "process_result_value", "bind_processor", "result_processor")
"""What a ``TypeDecorator`` overrides when it converts values on their way to or from the database."""


@lru_cache(maxsize=256)
def taken_kind(kind: types.TypeDecorator[Any], plain: Callable[[Any], Any]) -> tuple[Any | None, tuple[str, ...]]:
    """The plain type whose Python values the converting decorator ``kind`` takes (see the module docstring),
    or None with what each value offered raised. ``plain`` reads a stored type that is itself a decorator."""
    from sqlalchemy.dialects import sqlite

    stored = plain(kind.impl_instance)
    if converts(stored):  # a decorator over a decorator: the inner one says what it stores
        inner, refused = taken_kind(stored, plain)
        if inner is None:
            return None, refused
        stored = inner
    offered: list[Any] = [stored]
    stores: type | None = None  # what the driver is handed for a text or binary column (else not checked)
    if isinstance(stored, types.String) and not isinstance(stored, types.Enum):
        offered, stores = [types.JSON(), stored, types.Uuid()], str
    elif isinstance(stored, types.LargeBinary):
        offered, stores = [stored, types.Uuid()], bytes
    dialect = sqlite.dialect()
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    refusals = []
    for candidate in offered:
        sample = _sample(candidate)
        if sample is None:
            refusals.append(f"no value of {candidate!r} can be offered")
            continue
        try:
            out = sample if process is None else process(sample)
        except Exception as exc:  # an application's own code: any error means "not this kind"
            refusals.append(f"{type(sample).__name__} {sample!r} raised {type(exc).__name__}: {exc}")
            continue
        if stores is not None and not isinstance(out, stores):  # (it converts on reads only, or drops the value)
            refusals.append(f"{type(sample).__name__} {sample!r} came out as {type(out).__name__}, which it does "
                            f"not store")
            continue
        return candidate, ()
    return None, tuple(refusals)


def _sample(kind: Any) -> Any:
    """A Python value of ``kind``, as the records' values are converted for the model (None: none to offer)."""
    if isinstance(kind, types.Enum):
        members = list(kind.enum_class) if kind.enum_class is not None else list(kind.enums)
        return members[0] if members else None
    if isinstance(kind, types.Uuid):
        return PROBE_UUID if kind.as_uuid else str(PROBE_UUID)
    if isinstance(kind, types.JSON):
        return {"probe": 1}
    if isinstance(kind, types.Interval):
        return dt.timedelta(hours=1)
    if isinstance(kind, types.LargeBinary):
        return PROBE_TEXT.encode()
    if isinstance(kind, types.Boolean):
        return True
    if isinstance(kind, types.Integer):
        return 1
    if isinstance(kind, types.Numeric) and not isinstance(kind, types.Float) and kind.asdecimal:
        return decimal.Decimal("1.5")
    if isinstance(kind, (types.Numeric, types.Float)):
        return 1.5
    if isinstance(kind, types.DateTime):
        return dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc if kind.timezone else None)
    if isinstance(kind, types.Date):
        return dt.date(2024, 1, 2)
    if isinstance(kind, types.Time):
        return dt.time(3, 4, 5)
    if isinstance(kind, types.String):
        return PROBE_TEXT[:kind.length] if kind.length else PROBE_TEXT
    return None


__all__ = ["converts", "taken_kind"]
