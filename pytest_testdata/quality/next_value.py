"""The least value after another of the same form: what a strict order (``ends_at > starts_at``) moves an
equal value on to.

- an integer: the next integer;
- an ISO 8601 date (``2024-03-01``): the next day;
- an ISO 8601 date-time: the next step of its last digit (a second for ``10:00:00``, a minute for ``10:00``,
  a millisecond for ``10:00:00.250``), written in the same form (separator, digits, zone suffix kept).

Anything else has no next value here (None): the rule then leaves it, and its check reports the order.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?"
                        r"(Z|[+-]\d{2}(?::?\d{2})?)?$")


def next_value(value: Any) -> Any:
    """The least value after ``value`` in its own form (see the module docstring), or None."""
    if type(value) is int:
        return value + 1
    if not isinstance(value, str):
        return None
    found = _TIMESTAMP.match(value)
    if found is None:
        return None
    year, month, day, sep, hour, minute, second, fraction, zone = found.groups()
    try:
        if sep is None:
            if zone:
                return None  # (a date with a zone is no form a drawer writes)
            return (dt.date(int(year), int(month), int(day)) + dt.timedelta(days=1)).isoformat()
        moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                             int((fraction or "0").ljust(6, "0")))
        if second is None:
            step = dt.timedelta(minutes=1)
        elif fraction is None:
            step = dt.timedelta(seconds=1)
        else:
            step = dt.timedelta(microseconds=10 ** (6 - len(fraction)))
        moment += step
    except (ValueError, OverflowError):  # a day that does not exist, or the last moment of year 9999
        return None
    text = f"{moment:%Y-%m-%d}{sep}{moment:%H:%M}"
    if second is not None:
        text += f":{moment:%S}"
    if fraction is not None:
        text += value[found.start(8) - 1] + f"{moment.microsecond:06d}"[:len(fraction)]
    return text + (zone or "")
