"""A request's time budget: generation stops when the deadline passes or the caller goes away.

The agent runs each engine call inside :func:`request_budget` with the call's deadline (the client's
gRPC deadline, capped by the agent's own budget) and a test for "the client is gone". Generators call
:func:`checkpoint` between records; it costs a context-variable read when no budget is set (the plugin,
the CLI), and raises :class:`BudgetExceeded` or :class:`CallerGone` once the call should stop, so a
worker thread is free again within one record's time instead of finishing work nobody will read.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable

from pytest_testdata.context_value import ContextValue
from pytest_testdata.errors import TestdataError
from pytest_testdata.frozen import Frozen

CHECK_EVERY = 64
"""Records between two checks in tight loops (a check costs about a microsecond with a budget set)."""


class BudgetExceeded(TestdataError):
    """The request ran past its deadline (the caller's, or the agent's own budget)."""


class CallerGone(TestdataError):
    """The caller cancelled the call or disconnected; nobody will read the result."""


class Budget(Frozen):
    """When a request must stop: a monotonic deadline and a test for a departed caller."""

    __slots__ = ("deadline", "gone", "seconds", "source")

    deadline: float | None
    gone: Callable[[], bool]
    seconds: float | None
    source: str
    """Who set the deadline, for the message: "the call's deadline" or "the agent's budget of 60 s"."""

    def __init__(self, deadline: float | None, gone: Callable[[], bool], seconds: float | None, source: str) -> None:
        setter = object.__setattr__
        setter(self, "deadline", deadline)
        setter(self, "gone", gone)
        setter(self, "seconds", seconds)
        setter(self, "source", source)

    def check(self) -> None:
        """Raise when the request should stop."""
        if self.gone():
            raise CallerGone("the caller cancelled the call or went away; generation stopped")
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise BudgetExceeded(f"the request ran past {self.source} and was stopped; ask for fewer records "
                                 "per call, use GenerateDataStream, or allow a longer deadline")


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("testdata_budget", default=None)


def checkpoint() -> None:
    """Stop the current request if its budget is spent (no-op outside :func:`request_budget`)."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.check()


def request_budget(seconds: float | None, gone: Callable[[], bool] = lambda: False,
                   source: str = "its deadline") -> ContextValue[Budget]:
    """Run the body with a budget of ``seconds`` (None: no deadline, only the ``gone`` test): ``with
    request_budget(...) as budget``. Checked once here, so a budget already spent raises at once."""
    deadline = time.monotonic() + seconds if seconds is not None else None
    budget = Budget(deadline, gone, seconds, source)
    budget.check()
    return ContextValue(_CURRENT, budget)
