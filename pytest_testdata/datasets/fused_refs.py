"""A dataset chunk's cross-entity enforcers as one generated function (:func:`chunk_enforcer`).

The rules of :mod:`pytest_testdata.datasets.coherence` each enforce themselves record by record
(``rule.enforcer(index)``). A chunk of orders or payments runs several of them on every record, and the rules
that read the same reference (an order's customer) would each find the referenced record again. This
module writes the source of one function per rule list, with the rules' field names as literals and the
moves of ``after_ref`` written out, which does what the rules' enforcers do in turn, with the same draws.
``tests/datasets/test_fused_enforcers.py`` holds the two together.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from typing import Any

from pytest_testdata.datasets.coherence import (
    _NOTHING,
    AfterRef,
    CurrencyOfRef,
    DatasetRule,
    Record,
    RecordIndex,
    StatusMatchesRef,
    _key_or_none,
    _seconds_between,
)
from pytest_testdata.generators.traditional.fastrand import between, pick
from pytest_testdata.generators.traditional.timestamps import (
    _DAY_NUMBERS,
    _DAYS,
    _FIRST_TS,
    _HOURS_MINUTES,
    _MINUTE_INDEX,
    _MINUTE_OF,
    _SECOND_OF,
    _SECONDS,
    expression_tables,
    format_ts,
    shift_fields,
)
from pytest_testdata.locales.countries import CURRENCIES
from pytest_testdata.quality.paths import setter

# -- a chunk's enforcers as one function ----------------------------------------------------------------------

Enforcer = Callable[[Record, random.Random], None]


def chunk_enforcer(rules: Sequence[DatasetRule], index: RecordIndex) -> Enforcer | None:
    """What ``for rule in rules: rule.enforcer(index)(record, rng)`` does to a record, as one function (None
    for no rule): the cross-entity rules a chunk enforces record by record (an order's currency and
    ``after_ref``, a payment's ``after_ref`` and status). Its source is written once per rule list
    (:class:`_FusedEnforcers`), so a rule's field names are literals and a move of ``after_ref`` is written
    out, not looped over in :func:`shift_fields`; rules reading the same reference (an order's customer) find
    the referenced record once. Built per chunk (a worker's chunk has its own referenced tables)."""
    if not rules:
        return None
    fused = _fused_enforcers(tuple(rules))
    return fused.make([index.table(*target) for target in fused.targets],  # type: ignore[no-any-return]
                      [rule.enforcer(index) for rule in rules])


@functools.lru_cache(maxsize=64)
def _fused_enforcers(rules: tuple[DatasetRule, ...]) -> _FusedEnforcers:
    # By the rule objects themselves: a job's kit keeps its list for every chunk it builds
    return _FusedEnforcers(rules)


class _FusedEnforcers:
    """The source of one rule list's fused enforcer (:attr:`source` shows it) and its maker,
    ``make(tables, enforcers)``: ``tables`` the referenced tables of :attr:`targets`, ``enforcers`` each rule's
    own ``enforcer(index)``.

    A record that is not a plain dict goes through each rule's own enforcer, in order. On a plain dict each
    rule of a kind written here runs as lines restating its enforcer's plain-dict path (see the emitters:
    ``tests/datasets/test_fused_enforcers.py`` compares them with ``enforce`` record by record); any other
    rule, or a shape not written here, is its own enforcer's call. A referenced record is found once for the
    rules reading the same reference field, as long as no rule between them writes that field."""

    def __init__(self, rules: Sequence[DatasetRule]) -> None:
        self.targets: list[tuple[str, str]] = []
        self._consts: dict[str, Any] = dict(_FUSED_GLOBALS)
        body: list[str] = []
        found: dict[str, str] = {}
        """A plain reference field -> the variable holding the record it finds, while none of the rules since
        has written that field."""
        for i, rule in enumerate(rules):
            emit = _FUSED_EMITTERS.get(type(rule))  # the class itself: a subclass may enforce otherwise
            lines = None
            if emit is not None and rule.target is not None and rule._ref is not None \
                    and rule.ref_path.isidentifier():  # what _parent_table reads inline
                parent = found.get(rule.ref_path)
                if parent is None or self.targets[int(parent[1:])] != rule.target:
                    parent = found[rule.ref_path] = f"p{len(self.targets)}"
                    self.targets.append(rule.target)
                    # _parent_reader's plain_parent, in the plain dict's branch
                    body += [f"# the {rule.target[0]} of {rule.ref_path}",
                             f"k = r.get({rule.ref_path!r})", f"{parent} = None if k is None else T{parent[1:]}.get(k)"]
                lines = emit(self, rule, i, parent)
            body += [f"# {i}: {rule.kind} {rule.name}", *(lines if lines is not None else [f"F{i}(r, rng)"])]
            writes = _fused_writes(rule)
            found = {} if writes is None else {name: v for name, v in found.items() if name not in writes}
        tables = "".join(f"    T{n} = tables[{n}]\n" for n in range(len(self.targets)))
        own = "".join(f"    F{i} = enforcers[{i}]\n" for i in range(len(rules)))
        general = "".join(f"            F{i}(r, rng)\n" for i in range(len(rules)))
        self.source = (f"def make(tables, enforcers):\n{tables}{own}"
                       "    def enforce(r, rng):\n"
                       f"        if type(r) is not dict:\n{general}            return\n"
                       + "".join(f"        {line}\n" for line in body) + "    return enforce\n")
        namespace = {**self._consts, **_hour_tables()}
        exec(compile(self.source, "<fused dataset enforcer>", "exec"), namespace)  # our own source
        self.make = namespace["make"]

    def const(self, name: str, i: int, value: Any) -> str:
        """A constant of rule ``i``, by its name in the source (its value in the function's globals)."""
        key = f"{name}{i}"
        self._consts[key] = value
        return key


_FUSED_GLOBALS: dict[str, Any] = {
    "_NOTHING": _NOTHING, "CURRENCIES": CURRENCIES, "pick": pick, "between": between, "format_ts": format_ts,
    "shift_fields": shift_fields, "_seconds_between": _seconds_between, "DN": _DAY_NUMBERS, "MO": _MINUTE_OF,
    "MI": _MINUTE_INDEX, "SO": _SECOND_OF, "DT": _DAYS, "HM": _HOURS_MINUTES, "SZ": _SECONDS,
    # a timestamp's day, hour and minute, second: ``v[D_]`` is ``v[:10]`` without a slice object made each time
    "D_": slice(None, 10), "HM_": slice(10, 17), "S_": slice(17, 19),
}


def _fused_writes(rule: DatasetRule) -> frozenset[str] | None:
    """The top-level fields ``rule``'s enforcer may write in a record (None: any)."""
    if type(rule) is AfterRef:
        return frozenset(rule.moves)  # (shift_fields writes each move as a key; the dated field is one of them)
    if type(rule) is CurrencyOfRef:
        return frozenset([str(rule.spec["currency"]).split(".")[0]])
    if type(rule) is StatusMatchesRef:
        return frozenset([str(rule.spec["status"]).split(".")[0]])
    return None


def _currency_lines(fused: _FusedEnforcers, rule: DatasetRule, i: int, p: str) -> list[str] | None:
    """CurrencyOfRef.enforcer on a plain dict whose referenced record is ``p``: the country read at its key,
    index and key, the currency written at its key and key."""
    assert isinstance(rule, CurrencyOfRef)
    first, at, last, head, key = rule._paths
    if first is None or head is None:
        return None
    country, write = fused.const("COUNTRY", i, rule._country), fused.const("WRITE", i, rule._set_currency)
    enum = rule._enum
    if isinstance(enum, list) and all(type(c) is str for c in enum):
        enum = frozenset(enum)  # (a currency is a str: in the list when in the set)
    enum = "" if enum is None else f" and w in {fused.const('ENUM', i, enum)}"
    return [f"if {p} is not None:",
            "    v = _NOTHING",
            f"    if type({p}) is dict:",
            f"        n = {p}.get({first!r})",
            f"        if type(n) is list and {at} < len(n):",
            f"            n = n[{at}]",
            "            if type(n) is dict:",
            f"                v = n.get({last!r})",
            "    if v is _NOTHING:",
            f"        v = {country}({p})",
            "    w = CURRENCIES.get(v if type(v) is str else str(v))",
            f"    if w is not None{enum}:",
            f"        n = r.get({head!r})",
            "        if type(n) is dict:",
            f"            n[{key!r}] = w",
            "        else:",
            f"            {write}(r, w)"]


def _status_lines(fused: _FusedEnforcers, rule: DatasetRule, i: int, p: str) -> list[str] | None:
    """StatusMatchesRef.enforcer on a plain dict whose referenced record is ``p``."""
    assert isinstance(rule, StatusMatchesRef)
    path, ref_path = rule.spec["status"], _key_or_none(str(rule.spec["ref_status"]))
    if not isinstance(path, str):
        return None
    status = _key_or_none(path)
    theirs = f"{p}.get({ref_path!r}) if type({p}) is dict else " if ref_path is not None else ""
    mine = f"r.get({status!r})" if status is not None else f"{fused.const('STATUS', i, rule._status)}(r)"
    return [f"if {p} is not None:",
            f"    v = {theirs}{fused.const('REF_STATUS', i, rule._ref_status)}({p})",
            f"    o = {fused.const('ALLOWED', i, rule.allowed)}.get(v if type(v) is str else str(v))",
            f"    if o is not None and {mine} not in o:",
            f"        {fused.const('WRITE', i, setter(path))}(r, pick(rng, o))"]


def _after_lines(fused: _FusedEnforcers, rule: DatasetRule, i: int, p: str) -> list[str]:
    """AfterRef.enforcer on a plain dict whose referenced record is ``p``, each move before and after the dated
    field written out (:func:`_shift_lines`) with the shift split once."""
    assert isinstance(rule, AfterRef)
    field, after, moves = _key_or_none(rule.field), _key_or_none(rule.after), rule.moves
    low, high = rule.min_delay, rule.max_delay
    span = high - low + 1
    bits = span.bit_length() if high >= low else 0
    at = moves.index(field) if field is not None and moves.count(field) == 1 else -1
    mine = f"r.get({field!r})" if field is not None else f"{fused.const('MINE', i, rule._mine)}(r)"
    theirs = f"{p}.get({after!r}) if type({p}) is dict else " if after is not None else ""
    every = fused.const("MOVES", i, moves)
    lines = [f"m = {mine}",
             f"t = None if {p} is None else {theirs}{fused.const('THEIRS', i, rule._theirs)}({p})",
             "if isinstance(m, str) and isinstance(t, str) and m < t:",
             # _seconds_between's fast path as the enforcer reads it: both epochs counted from FIRST (the hour
             # tables' first second), from the hour tables (HS, QS: only a whole timestamp of their span is in
             # them) or else the day tables; a table's miss a KeyError
             "    landing = None",
             "    if len(m) == 20 == len(t) and m[19] == 'Z' == t[19]:",
             "        try:",
             "            landing = HS[t[H_]] + QS[t[Q_]]",
             "            e = HS[m[H_]] + QS[m[Q_]]",
             "        except KeyError:",
             "            try:",
             "                landing = DN[t[D_]] * 86400 + MO[t[HM_]] + SO[t[S_]] - FIRST",
             "                e = DN[m[D_]] * 86400 + MO[m[HM_]] + SO[m[S_]] - FIRST",
             "            except KeyError:",
             "                landing = None"]
    if bits:  # between(rng, low, high) with its constants worked out
        lines += [f"    x = rng.getrandbits({bits})", f"    while x >= {span}:", f"        x = rng.getrandbits({bits})",
                  f"    delay = {low} + x"]
    else:
        lines += [f"    delay = between(rng, {low}, {high})"]
    # (after the draw, as enforce: a time the tables do not read goes the long way with the delay drawn)
    lines += ["    if landing is None:",
              f"        shift_fields(r, {every}, _seconds_between(m, t) + delay)"]
    if at < 0:
        return [*lines, "    else:", f"        shift_fields(r, {every}, landing - e + delay)"]
    before, later = moves[:at], moves[at + 1:]
    lines += ["    else:",
              "        g = landing - e + delay"]
    for name in before:
        lines += _shift_lines(name, "        ")
    # format_ts(FIRST + landing + delay) written out: the hour's text and the minute's and second's within the
    # hour tables' span, else the day's text from its table (format_ts for a day it does not hold)
    lines += ["        x = landing + delay",
              "        if 0 <= x < SPAN:",
              f"            r[{field!r}] = HOURS[x // 3600] + MINUTES_SECONDS[x % 3600]",
              "        else:",
              "            x += FIRST",
              "            d = x // 86400",
              "            y = DT.get(d)",
              "            if y is None:",
              f"                r[{field!r}] = format_ts(x)",
              "            else:",
              "                x -= d * 86400",
              f"                r[{field!r}] = f'{{y}}{{HM[x // 60]}}{{SZ[x % 60]}}'"]
    for name in later:
        lines += _shift_lines(name, "        ")
    return lines


def _shift_lines(name: str, indent: str) -> list[str]:
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
def _mover(names: tuple[str, ...]) -> Callable[[Record, int], None]:
    """``shift_fields(record, names, g)`` for a plain dict record and an int ``g``, as one function with each move
    written out as the fused enforcer writes it (:func:`_shift_lines`): ``move(record, g)``."""
    lines = [line for name in names for line in _shift_lines(name, "    ")] or ["    pass"]
    source = "def move(r, g):\n" + "".join(f"{line}\n" for line in lines)
    namespace = {**_FUSED_GLOBALS, **_hour_tables()}
    exec(compile(source, "<fused timestamp moves>", "exec"), namespace)  # our own source
    return namespace["move"]  # type: ignore[no-any-return]


@functools.cache
def _hour_tables() -> dict[str, Any]:
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


_FUSED_EMITTERS: dict[type[DatasetRule], Callable[[_FusedEnforcers, DatasetRule, int, str], list[str] | None]] = {
    CurrencyOfRef: _currency_lines, AfterRef: _after_lines, StatusMatchesRef: _status_lines,
}
