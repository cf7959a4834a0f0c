"""``with ContextValue(var, value) as value``: a context variable set for the block, reset after it.

What :func:`~pytest_testdata.generators.budget.request_budget` and
:func:`~pytest_testdata.generators.traditional.unique.unique_scope` return: the agent enters both on every
call, and a small class costs a fraction of a ``@contextmanager`` generator's object, frame and
``StopIteration`` per use.
"""

from __future__ import annotations

import contextvars
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ContextValue(Generic[T]):
    """Sets ``var`` to ``value`` on entering the ``with`` block (yielding ``value``), resets it on leaving."""

    __slots__ = ("_token", "_value", "_var")

    def __init__(self, var: contextvars.ContextVar[Any], value: T) -> None:
        self._var = var
        self._value = value

    def __enter__(self) -> T:
        self._token = self._var.set(self._value)
        return self._value

    def __exit__(self, *exc_info: object) -> None:
        self._var.reset(self._token)
