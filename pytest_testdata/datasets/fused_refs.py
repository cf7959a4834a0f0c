"""A dataset chunk's cross-entity enforcers as one generated function (:func:`chunk_enforcer`).

The rules of ``x-dataset-coherence`` (:mod:`pytest_testdata.datasets.coherence`, a module per kind:
``rule_*.py``) each enforce themselves record by record (``rule.enforcer(index)``). A chunk of orders or
payments runs several of them on every record, and the rules that read the same reference (an order's
customer) would each find the referenced record again. This module writes the source of one function per rule
list, with the rules' field names as literals and the moves of ``after_ref`` written out, which does what the
rules' enforcers do in turn, with the same draws.
``tests/datasets/test_fused_enforcers.py`` holds the two together.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from typing import Any

from pytest_testdata.datasets.moves import MOVE_GLOBALS, hour_tables, shift_lines
from pytest_testdata.datasets.record_index import Record, RecordIndex
from pytest_testdata.datasets.rule_after_ref import AfterRef
from pytest_testdata.datasets.rule_base import _NOTHING, DatasetRule, _key_or_none, _seconds_between
from pytest_testdata.datasets.rule_currency import CurrencyOfRef
from pytest_testdata.datasets.rule_status import StatusMatchesRef
from pytest_testdata.generators.traditional.fastrand import between, pick
from pytest_testdata.generators.traditional.timestamps import (
    _MINUTE_OF,
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
        namespace = {**self._consts, **hour_tables()}
        exec(compile(self.source, "<fused dataset enforcer>", "exec"), namespace)  # our own source
        self.make = namespace["make"]

    def const(self, name: str, i: int, value: Any) -> str:
        """A constant of rule ``i``, by its name in the source (its value in the function's globals)."""
        key = f"{name}{i}"
        self._consts[key] = value
        return key


_FUSED_GLOBALS: dict[str, Any] = {
    **MOVE_GLOBALS, "_NOTHING": _NOTHING, "CURRENCIES": CURRENCIES, "pick": pick, "between": between,
    "_seconds_between": _seconds_between, "MO": _MINUTE_OF,
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
    field written out (:func:`~pytest_testdata.datasets.moves.shift_lines`) with the shift split once."""
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
        lines += shift_lines(name, "        ")
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
        lines += shift_lines(name, "        ")
    return lines


_FUSED_EMITTERS: dict[type[DatasetRule], Callable[[_FusedEnforcers, DatasetRule, int, str], list[str] | None]] = {
    CurrencyOfRef: _currency_lines, AfterRef: _after_lines, StatusMatchesRef: _status_lines,
}
