"""Timestamps moved by a whole number of seconds, written out as source for generated functions.

:func:`~pytest_testdata.generators.traditional.timestamps.shift_fields` moves a record's timestamps in a loop,
parsing and formatting each. The dataset's generated code (a chunk's fused cross-entity enforcers,
:mod:`pytest_testdata.datasets.fused_refs`, and a review's purchase, ``PurchasedBefore.assign``) writes each
move out instead (:func:`shift_lines`), with the field's name a literal and the drawers' hour tables
(:func:`hour_tables`) for a timestamp of their span: the same texts ``shift_fields`` writes.
``tests/datasets/test_fused_enforcers.py`` holds the two together.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from pytest_testdata.generators.traditional.timestamps import (
    _DAY_NUMBERS,
    _DAYS,
    _FIRST_TS,
    _HOURS_MINUTES,
    _MINUTE_INDEX,
    _SECOND_OF,
    _SECONDS,
    expression_tables,
    format_ts,
    shift_fields,
)

Record = dict[str, Any]

MOVE_GLOBALS: dict[str, Any] = {
    "format_ts": format_ts, "shift_fields": shift_fields, "DN": _DAY_NUMBERS, "MI": _MINUTE_INDEX,
    "SO": _SECOND_OF, "DT": _DAYS, "HM": _HOURS_MINUTES, "SZ": _SECONDS,
    # a timestamp's day, hour and minute, second: ``v[D_]`` is ``v[:10]`` without a slice object made each time
    "D_": slice(None, 10), "HM_": slice(10, 17), "S_": slice(17, 19),
}
"""What the written-out moves read (with :func:`hour_tables`)."""


def shift_lines(name: str, indent: str) -> list[str]:
    """``shift_fields(r, [name], g)`` for an int ``g``: the timestamp read and written with the hour tables when
    it is one of their span and lands in it; else shift_fields' loop body for one field (the shift split into
    days, minutes and seconds carried over), the field's name a literal, a table's miss a KeyError; a value
    the day tables do not read through shift_fields itself."""
    lines = [f"v = r.get({name!r})",
             "if isinstance(v, str):",
             "    x = HS.get(v[H_])",  # (a day out of the span, as an order's last update often is: no KeyError)
             "    if x is not None:",
             "        try:",
             "            x += QS[v[Q_]] + g",
             "        except KeyError:",
             "            x = None",
             "    if x is not None and 0 <= x < SPAN:",
             f"        r[{name!r}] = HOURS[x // 3600] + MINUTES_SECONDS[x % 3600]",
             "    else:",
             "        try:",
             "            d, mi, s = DN[v[D_]], MI[v[HM_]], SO[v[S_]]",
             "        except KeyError:",
             "            d = None",
             "        if d is None:",
             f"            shift_fields(r, ({name!r},), g)",
             "        else:",
             "            sd = g // 86400",
             "            sm = (g - sd * 86400) // 60",
             "            s += g - sd * 86400 - sm * 60",
             "            mi += sm",
             "            if s >= 60:",
             "                s -= 60",
             "                mi += 1",
             "            d += sd",
             "            if mi >= 1440:",
             "                mi -= 1440",
             "                d += 1",
             "            y = DT.get(d)",
             f"            r[{name!r}] = f'{{y}}{{HM[mi]}}{{SZ[s]}}' if y is not None else \\",
             "                format_ts(d * 86400 + mi * 60 + s)"]
    return [indent + line for line in lines]


@functools.lru_cache(maxsize=64)
def mover(names: tuple[str, ...]) -> Callable[[Record, int], None]:
    """``shift_fields(record, names, g)`` for a plain dict record and an int ``g``, as one function with each move
    written out as the fused enforcer writes it (:func:`shift_lines`): ``move(record, g)``."""
    lines = [line for name in names for line in shift_lines(name, "    ")] or ["    pass"]
    source = "def move(r, g):\n" + "".join(f"{line}\n" for line in lines)
    namespace = {**MOVE_GLOBALS, **hour_tables()}
    exec(compile(source, "<fused timestamp moves>", "exec"), namespace)  # our own source
    return namespace["move"]  # type: ignore[no-any-return]


@functools.cache
def hour_tables() -> dict[str, Any]:
    """The hour tables of the fused enforcers (built once a process, from the texts the timestamp drawers' tables
    hold already: :func:`expression_tables`): ``HOURS[i]`` is the text of the hour ``FIRST + 3600 * i`` of the
    drawers' span (``"2024-01-02T05:"``), ``MINUTES_SECONDS[j]`` that of second ``j`` of an hour (``"06:07Z"``);
    ``HS`` and ``QS`` read them back (to ``3600 * i`` and ``j``). A timestamp ``v`` of the span is
    ``FIRST + HS[v[:14]] + QS[v[14:]]``, and that moment ``x`` seconds after ``FIRST`` (``0 <= x < SPAN``) is
    ``HOURS[x // 3600] + MINUTES_SECONDS[x % 3600]``: what format_ts writes, in two slices and one concatenation
    instead of its three parts."""
    hours, minutes_seconds, _ = expression_tables()
    return {"HOURS": hours, "MINUTES_SECONDS": minutes_seconds, "SPAN": 3600 * len(hours), "FIRST": _FIRST_TS,
            "HS": dict(zip(hours, range(0, 3600 * len(hours), 3600), strict=True)),
            "QS": {text: j for j, text in enumerate(minutes_seconds)}, "H_": slice(None, 14), "Q_": slice(14, None)}
