"""A base for small immutable value classes, in place of ``@dataclass(frozen=True)`` on the first record's path.

Creating a dataclass generates and compiles its methods' source: about half a millisecond a class, paid at
import by every fresh process (bench_cold_start.py), for some twenty classes of the traditional generator.
A subclass lists its fields in ``__slots__`` and writes its ``__init__`` (setting them with
:func:`object.__setattr__`); it gets what a frozen dataclass gives: equality and hashing over the fields (only
with an instance of the very same class), a repr naming them, assignment refused, and copies and pickles.
"""

from __future__ import annotations

from typing import Any


class Frozen:
    """Fields are the ``__slots__`` of the class and its bases, bases' first (a dataclass's order)."""

    __slots__ = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _fields(type(self)))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _fields(type(self)))
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt by its __init__ (positional, in field order), since assignment is refused.
        return type(self), self._values()


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    found = _FIELDS.get(cls)
    if found is None:
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            slots = klass.__dict__.get("__slots__", ())
            names.extend([slots] if isinstance(slots, str) else slots)
        found = _FIELDS[cls] = tuple(names)
    return found
