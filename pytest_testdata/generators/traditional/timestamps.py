"""Timestamps as ISO 8601 UTC strings, drawn relative to a fixed anchor so that runs repeat."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable, MutableMapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

ANCHOR = datetime(2026, 1, 1, tzinfo=timezone.utc)
"""Generated timestamps fall in the two years before this instant (fixed, so seeds reproduce)."""
SPAN_SECONDS = 2 * 365 * 86_400
_ANCHOR_TS = int(ANCHOR.timestamp())
_EPOCH_DAY = date(1970, 1, 1).toordinal()

# datetime.fromtimestamp(...).strftime(...) costs a few microseconds and every record has two or more
# timestamps. Generated timestamps fall on a few hundred days, so the date part is cached per day and
# the time of day is put together from two small tables; the text is the same as strftime's.
_DAYS: dict[int, str] = {}
"""Day number since 1970-01-01 -> ``"2025-03-04"``."""
_DAY_NUMBERS: dict[str, int] = {}
"""The reverse, for :func:`shift`."""
_TWO_DIGITS = [f"{n:02d}" for n in range(60)]  # formatted once: 1,440 f"{h:02d}" calls cost an import 1 ms
_HOURS_MINUTES = tuple([f"T{h}:{m}:" for h in _TWO_DIGITS[:24] for m in _TWO_DIGITS])
_SECONDS = tuple([f"{s}Z" for s in _TWO_DIGITS])


_CACHED_DAYS = range(_ANCHOR_TS // 86_400 - 4_000, _ANCHOR_TS // 86_400 + 4_000)
"""Days cached: about ten years either side of the anchor (bounded, whatever callers format)."""


def _day_text(day: int) -> str:
    # isoformat() is strftime("%Y-%m-%d") for the years 1000 to 9999 (the only ones format_ts asks for, from
    # 1970), at a fifth of its cost: expression_tables formats all of a draw's 731 days at once.
    text = date.fromordinal(_EPOCH_DAY + day).isoformat()
    if day in _CACHED_DAYS:
        _DAYS[day] = text
        _DAY_NUMBERS[text] = day
    return text


def _slow_format(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_ts(epoch: int) -> str:
    """``2025-03-04T05:06:07Z``."""
    if type(epoch) is not int or not 0 <= epoch < 253_402_300_800:  # years 1970..9999 take the fast path
        return _slow_format(epoch)
    day, second = divmod(epoch, 86_400)
    text = _DAYS.get(day) or _day_text(day)
    return f"{text}{_HOURS_MINUTES[second // 60]}{_SECONDS[second % 60]}"


def draw(rng: random.Random) -> str:
    """A timestamp within the two years before the anchor."""
    # rng.randrange(SPAN_SECONDS), inlined: the same getrandbits draws (see fastrand).
    r = rng.getrandbits(26)
    while r >= SPAN_SECONDS:
        r = rng.getrandbits(26)
    # format_ts(_ANCHOR_TS - r), inlined: a whole number of seconds in the two years before the anchor
    # always takes its fast path.
    day, second = divmod(_ANCHOR_TS - r, 86_400)
    text = _DAYS.get(day) or _day_text(day)
    return f"{text}{_HOURS_MINUTES[second // 60]}{_SECONDS[second % 60]}"


def draw_of(state: Any) -> str:
    """:func:`draw` with a record state's ``rng`` (the timestamp drawer itself: a call fewer per timestamp)."""
    rng = state.rng
    r = rng.getrandbits(26)
    while r >= SPAN_SECONDS:
        r = rng.getrandbits(26)
    day, second = divmod(_ANCHOR_TS - r, 86_400)
    text = _DAYS.get(day) or _day_text(day)
    return f"{text}{_HOURS_MINUTES[second // 60]}{_SECONDS[second % 60]}"


# As expressions of a straight-line builder (straight.py): draw_of's first getrandbits draw and, when it is
# refused, draw_of itself (its rejection loop starts afresh with the same draws). An accepted draw ``r`` is
# the moment ``_ANCHOR_TS - r``, written ``_FIRST_TS + t`` with ``t = SPAN_SECONDS - r`` (1 to SPAN_SECONDS):
# the start of the moment's hour is ``_FIRST_TS + 3600 * (t // 3600)`` and its minute and second ``t % 3600``
# (``_FIRST_TS`` is a midnight), so its text is the hour's text and the minute's and second's, from two tables
# built once (:func:`expression_tables`) instead of a divmod, a dict lookup and an f-string in a call.
_FIRST_TS = _ANCHOR_TS - SPAN_SECONDS
"""The first moment a draw can reach, bar one second: a midnight (``SPAN_SECONDS`` is whole days)."""
_DRAWN_DAYS = SPAN_SECONDS // 86_400 + 1
"""Days a draw can fall on: two years of them and the anchor's own (a draw of 0 is the anchor itself)."""

DATE_TIME_EXPRESSION = (
    f"(@HOURS[(@t := {SPAN_SECONDS} - @r) // 3600] + @MINUTES_SECONDS[@t % 3600] "
    f"if (@r := rng.getrandbits(26)) < {SPAN_SECONDS} else @DRAW_OF(state))")
"""What :func:`draw_of` returns, as an expression of a builder's ``state`` and ``rng``."""
DATE_EXPRESSION = (
    f"(@DAYS[({SPAN_SECONDS} - @r) // 86400] "
    f"if (@r := rng.getrandbits(26)) < {SPAN_SECONDS} else @DRAW(rng)[:10])")
"""What ``draw(rng)[:10]`` returns (a ``date``), as an expression of a builder's ``rng``."""


@functools.cache
def expression_tables() -> tuple[list[str], list[str], list[str]]:
    """The texts the expressions read, built once a process (some 17,500 strings, a few milliseconds, paid by
    the first builder compiled with a timestamp, not at import): each hour a draw can fall in (``HOURS[i]`` is
    ``"2024-01-02T05:"`` for the hour ``_FIRST_TS + 3600 * i``), each minute and second of an hour
    (``"06:07Z"``), each day (``"2024-01-02"`` for the day ``_FIRST_TS + 86400 * i``). The days are
    :func:`_day_text`'s, which also caches them for :func:`format_ts` and :func:`shift` (a day drawn by an
    expression is one they read back)."""
    first_day = _FIRST_TS // 86_400
    days = [_DAYS.get(day) or _day_text(day) for day in range(first_day, first_day + _DRAWN_DAYS)]
    hours = [f"{day}{hour}" for day in days for hour in _HOURS_OF_DAY][:SPAN_SECONDS // 3600 + 1]
    minutes_seconds = [f"{minute}:{second}" for minute in _TWO_DIGITS for second in _SECONDS]
    return hours, minutes_seconds, days


_HOURS_OF_DAY = tuple([f"T{h}:" for h in _TWO_DIGITS[:24]])


def _date_time_inline(entity: str | None) -> tuple[str, dict[str, Any]]:
    """:func:`draw_of` as an expression (straight.py's ``inline``; the same for every entity)."""
    hours, minutes_seconds, _ = expression_tables()
    return DATE_TIME_EXPRESSION, {"HOURS": hours, "MINUTES_SECONDS": minutes_seconds, "DRAW_OF": draw_of}


def date_inline(entity: str | None) -> tuple[str, dict[str, Any]]:
    """``draw(state.rng)[:10]`` (a ``date`` drawer) as an expression (straight.py's ``inline``)."""
    return DATE_EXPRESSION, {"DAYS": expression_tables()[2], "DRAW": draw}


draw_of.inline = _date_time_inline  # type: ignore[attr-defined]


_MINUTE_OF = {text: i * 60 for i, text in enumerate(_HOURS_MINUTES)}
"""``"T05:06:"`` -> seconds since midnight (every valid hour and minute, as :func:`format_ts` writes them)."""
_SECOND_OF = {text: s for s, text in enumerate(_TWO_DIGITS)}
_MINUTE_INDEX = {text: i for i, text in enumerate(_HOURS_MINUTES)}
"""``"T05:06:"`` -> minutes since midnight (:func:`shift_fields` adds minutes, not seconds)."""


def _parse(timestamp: str) -> int | None:
    """Seconds since the epoch of ``YYYY-MM-DDTHH:MM:SS`` (what :func:`format_ts` writes), else None."""
    day = _DAY_NUMBERS.get(timestamp[:10])
    # Two table lookups for the time of day (each text in them is one :func:`_parse_slowly` accepts, with
    # the same value); anything else (a day never formatted here, an odd shape) goes the long way.
    minute = _MINUTE_OF.get(timestamp[10:17])
    second = _SECOND_OF.get(timestamp[17:19])
    if day is not None and minute is not None and second is not None:
        return day * 86_400 + minute + second
    return _parse_slowly(timestamp, day)


def _parse_slowly(timestamp: str, day: int | None) -> int | None:
    tail = timestamp[10:19]
    if day is None or len(tail) != 9 or tail[0] != "T" or tail[3] != ":" or tail[6] != ":":
        return None
    hh, mm, ss = tail[1:3], tail[4:6], tail[7:9]
    if not (hh + mm + ss).isascii() or not (hh + mm + ss).isdigit():
        return None
    h, m, s = int(hh), int(mm), int(ss)
    if h > 23 or m > 59 or s > 59:
        return None
    return day * 86_400 + h * 3600 + m * 60 + s


def shift(timestamp: str, seconds: int) -> str:
    """The timestamp moved by ``seconds`` (keeps the ``Z`` format)."""
    epoch = _parse(timestamp) if type(seconds) is int else None
    if epoch is not None:
        return format_ts(epoch + seconds)
    # Anything else (a day never formatted here, an odd shape) goes through strptime, errors included.
    moment = datetime.strptime(timestamp[:19], "%Y-%m-%dT%H:%M:%S") + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def shift_fields(record: MutableMapping[str, Any], fields: Iterable[str], seconds: int) -> None:
    """Each of ``fields`` that holds a string set to :func:`shift` of it by ``seconds`` (a dataset moves an
    order's five timestamps together, and every review's).

    The same text as ``format_ts(_parse(value) + seconds)`` when ``seconds`` is whole and the value parses
    (else ``shift(value, seconds)``), with :func:`_parse`'s table lookups and :func:`format_ts`'s fast path
    inlined: two calls fewer per timestamp. Anything the tables do not answer goes through those functions.
    """
    if type(seconds) is not int:
        for name in fields:
            value = record.get(name)
            if isinstance(value, str):
                record[name] = shift(value, seconds)
        return
    # format_ts(epoch + seconds) with the shift split once into whole days and a minute and second of the
    # day: each timestamp's new minute and second are its own plus those, carried over (no divmod per
    # timestamp); its new day's text is the table's, and a day the table does not hold (outside the cached
    # years: never a generated one) is formatted by format_ts from the epoch itself.
    shift_days = seconds // 86_400
    shift_minutes = (seconds - shift_days * 86_400) // 60
    shift_seconds = seconds - shift_days * 86_400 - shift_minutes * 60
    day_numbers, minute_index, second_of, days = _DAY_NUMBERS, _MINUTE_INDEX, _SECOND_OF, _DAYS
    hours_minutes, seconds_z = _HOURS_MINUTES, _SECONDS
    for name in fields:
        value = record.get(name)
        if not isinstance(value, str):
            continue
        day = day_numbers.get(value[:10])
        minute = minute_index.get(value[10:17])
        second = second_of.get(value[17:19])
        if day is not None and minute is not None and second is not None:
            second += shift_seconds
            minute += shift_minutes
            if second >= 60:
                second -= 60
                minute += 1
            day += shift_days
            if minute >= 1_440:
                minute -= 1_440
                day += 1
            text = days.get(day)
            if text is not None:
                record[name] = f"{text}{hours_minutes[minute]}{seconds_z[second]}"
                continue
            record[name] = format_ts(day * 86_400 + minute * 60 + second)
            continue
        slowly = _parse_slowly(value, day)
        if slowly is not None:
            record[name] = format_ts(slowly + seconds)
            continue
        record[name] = shift(value, seconds)
