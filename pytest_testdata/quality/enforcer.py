"""A schema's coherence rules enforced by one generated function: ``fused_enforcer(rules)(record, rng, values)``.

Why: a dataset enforces an order's eleven rules on every order it builds (the prices and totals are left
undrawn, then derived), one ``enforce`` call per rule and more inside (path getters and setters, ``_num``,
``round_cents``): each Python call costs about 2,000 instructions, a good part of the ~93,000 an order's rules
took. The function generated here does, on a plain ``dict`` record, exactly what the rules' ``enforce`` calls
do in order: the same reads and writes, the same draws from ``rng`` and ``values``, the same arithmetic (so
the same floats), written out in one body.

Exactness is kept by construction, rule by rule: each rule's code handles only the shapes its ``enforce``
handles by its own fast path (a dict in a dict, a list of dicts with an int quantity and a float price) and
calls that rule's own ``enforce`` for anything else, before it has written anything (its reads change
nothing). A rule kind without an emitter here, a subclass (which may enforce differently) or a spec of
another shape is always its own ``enforce`` call; a record that is not a plain ``dict`` goes through every
rule's ``enforce``. ``tests/test_fused_enforcer.py`` compares the two on orders, payments, carts, users,
products and reviews of every shape.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from functools import lru_cache
from math import floor
from typing import Any

from pytest_testdata.quality.paths import _plain_parts
from pytest_testdata.quality.rules import (
    Ordered,
    PostalCodeMatchesCountry,
    PresentIff,
    ProductEach,
    RateOf,
    Record,
    Rule,
    SameValue,
    SentimentMatchesRating,
    StatusTimestamps,
    Sum,
    SumOfProducts,
    ValueSource,
    _key_in,
    _num,
)

Enforcer = Callable[[Record, random.Random, ValueSource], None]


@lru_cache(maxsize=64)
def _code(source: str) -> Any:
    """Compiled once per process for each source (it names its constants other than keys, never their values)."""
    return compile(source, "<fused enforcer>", "exec")


def _top(path: Any) -> str | None:
    """The key of a path that is one plain top-level key (``status``, ``items``); None for any other."""
    return path if isinstance(path, str) and _plain_parts(path) == [(path, None)] else None


def _round(value: str, out: str) -> list[str]:
    """Lines putting ``round_cents(value)`` in ``out`` for a float ``value`` (:func:`quality.money.round_cents`
    written out: the same steps, the same float)."""
    return [f"if -1e9 < {value} < 1e9:",
            f"    s_ = {value} * 100.0",
            "    w_ = floor(s_ + 0.5)",
            f"    {out} = w_ / 100 if w_ and -0.49 < s_ - w_ < 0.49 else round({value}, 2)",
            "else:",
            f"    {out} = round({value}, 2)"]


def _indent(lines: list[str], depth: int = 1) -> list[str]:
    return ["    " * depth + line for line in lines]


class FusedEnforcer:
    """The generated function for one rule list (:attr:`source` shows it); call it as ``enforce``."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._consts: dict[str, Any] = {"floor": floor, "_num": _num}
        body: list[str] = []
        for index, rule in enumerate(rules):
            emit = _EMITTERS.get(type(rule))  # the class itself: a subclass may enforce otherwise
            lines = emit(self, rule, index) if emit is not None else None
            body += [f"# {index}: {rule.kind}", *(lines if lines is not None else [self._call(rule, index)])]
        # a record that is not a plain dict: every rule's own enforce, in order
        general = [f"        {self._call(rule, i)}" for i, rule in enumerate(rules)]
        self.source = "\n".join(["def enforce(r, rng, values):", "    if type(r) is not dict:", *general,
                                  "        return", *_indent(body), ""])
        namespace = dict(self._consts)
        exec(_code(self.source), namespace)  # the constants' names are in the source, their values here
        self.function: Enforcer = namespace["enforce"]

    def __call__(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        self.function(record, rng, values)

    def const(self, name: str, index: int, value: Any) -> str:
        """A constant of rule ``index``: a string as its literal (a key: LOAD_CONST, not a global's look-up),
        anything else in the function's namespace, by its name in the source."""
        if type(value) is str:
            return repr(value)
        key = f"{name}{index}"
        self._consts[key] = value
        return key

    def _enforce_of(self, rule: Rule, index: int) -> str:
        return self.const("E", index, rule.enforce)

    def _call(self, rule: Rule, index: int) -> str:
        return f"{self._enforce_of(rule, index)}(r, rng, values)"

    def fallback(self, rule: Rule, index: int) -> str:
        """The rule's own ``enforce``: for the shapes its code here does not take (nothing written yet)."""
        return self._call(rule, index)


# -- one emitter per rule class: lines doing what the rule's enforce does on a plain dict record, calling the
# rule's enforce (``fused.fallback``) for any other shape; None when the spec is not of a shape handled here --

def _product_each(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    items, factors, target = _top(rule.spec.get("items")), rule.spec.get("factors"), rule.spec.get("target")
    if items is None or not isinstance(target, str) or not isinstance(factors, (list, tuple)) or not factors \
            or not all(isinstance(f, str) for f in factors):
        return None
    names = [fused.const(f"F{n}_", i, f) for n, f in enumerate(factors)]
    t = fused.const("T", i, target)
    # ProductEach.enforce for a list of items: the product of the factors from 1.0, each by item[factor]
    return [f"v = r.get({fused.const('K', i, items)})",
            "if type(v) is list:",
            "    for it in v:",
            "        p = 1.0",
            *[f"        p *= it[{name}]" for name in names],
            "        if type(p) is float and -1e9 < p < 1e9:",
            "            s_ = p * 100.0",
            "            w_ = floor(s_ + 0.5)",
            "            if w_ and -0.49 < s_ - w_ < 0.49:",
            f"                it[{t}] = w_ / 100",
            "                continue",
            f"        it[{t}] = round(p, 2)",
            "else:",
            f"    {fused.fallback(rule, i)}"]


def _sum_of_products(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    plain = rule._plain  # type: ignore[attr-defined]
    factors = rule.spec.get("factors")
    if plain is None or not (isinstance(factors, (list, tuple)) and len(factors) == 2):
        return None
    items, head, key = plain
    a, b = fused.const("A", i, factors[0]), fused.const("B", i, factors[1])
    expected = fused.const("X", i, rule._expected)  # type: ignore[attr-defined]
    # SumOfProducts._expected: its first branch (an int quantity, a float price) for every item, the float
    # total rounded; an item of any other shape has the whole sum taken by _expected itself
    return [f"v = r.get({fused.const('K', i, items)})",
            "if type(v) is list:",
            "    t = 0.0",
            "    for it in v:",
            "        if type(it) is dict:",
            f"            a = it.get({a}); b = it.get({b})",
            "            if type(a) is int and type(b) is float:",
            "                t += a * b",
            "                continue",
            f"        t = {expected}(v)",
            "        break",
            "    else:",
            *_indent(_round("t", "t"), 2),
            "else:",
            f"    t = {expected}(v)",
            "if t is not None:",
            f"    n = r.get({fused.const('H', i, head)})",
            "    if type(n) is dict:",
            f"        n[{fused.const('N', i, key)}] = t",
            "    else:",
            f"        {fused.const('S', i, rule._set_target)}(r, t)"]  # type: ignore[attr-defined]


def _rate_of(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    in_one = rule._in_one  # type: ignore[attr-defined]
    if in_one is None:
        return None
    head, base_key, target_key, low, high = in_one
    # RateOf.enforce in one dict: the rate low + (high - low) * rng.random() (high - low is the same float
    # worked out once), the target round_cents(base * rate)
    return [f"n = r.get({fused.const('H', i, head)})",
            "if type(n) is dict:",
            f"    x = n.get({fused.const('K', i, base_key)})",
            "    if type(x) is not float:",
            "        x = _num(x)",
            "    if x is not None:",
            f"        x = x * ({fused.const('L', i, low)} + {fused.const('D', i, high - low)} * rng.random())",
            *_indent(_round("x", "x"), 2),
            f"        n[{fused.const('T', i, target_key)}] = x",
            "else:",
            f"    {fused.fallback(rule, i)}"]


def _sum(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    in_one, target = rule._in_one, _key_in(rule.spec.get("target"))  # type: ignore[attr-defined]
    if in_one is None or target is None:
        return None
    head, keys = in_one
    # Sum._expected in one dict: the terms in order, None at the first that is no number (nothing read
    # after it); the total rounded (round_cents); enforce writes max(total, 0.0): 0.0 only when it is larger
    done = ["t = 0.0 if 0.0 > t else t",
            f"m = r.get({fused.const('G', i, target[0])})",
            "if type(m) is dict:",
            f"    m[{fused.const('T', i, target[1])}] = t",
            "else:",
            f"    {fused.const('S', i, rule._set_target)}(r, t)"]  # type: ignore[attr-defined]
    inner = [*_round("t", "t"), *done]
    for number in reversed(range(len(keys))):
        sign, key = keys[number]
        inner = [f"x = n.get({fused.const(f'K{number}_', i, key)})",
                 "if type(x) is not float:",
                 "    x = _num(x)",
                 "if x is not None:",
                 # (total += sign * value: x times 1.0 or -1.0 is x or -x exactly, and 0.0 + x is x but -0.0)
                 f"    t {'=' if number == 0 else '+='} {'0.0 + ' if number == 0 else ''}{'-' if sign < 0 else ''}x",
                 *_indent(inner)]
    return [f"n = r.get({fused.const('H', i, head)})",
            "if type(n) is dict:",
            *_indent(inner),
            "else:",
            f"    {fused.fallback(rule, i)}"]


def _same_value(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    source, fields = rule.spec.get("source"), rule.spec.get("fields")
    if not isinstance(fields, (list, tuple)) or not fields or not all(isinstance(f, str) for f in fields):
        return None
    keys = [_key_in(f) for f in fields]
    if any(k is None for k in keys):
        return None
    pairs = [(fused.const(f"H{n}_", i, k[0]), fused.const(f"K{n}_", i, k[1]))  # type: ignore[index]
             for n, k in enumerate(keys)]
    nodes = [f"n{n}" for n in range(len(pairs))]
    if source:
        copies = rule._copies  # type: ignore[attr-defined]
        if copies is None:
            return None
        head, key, _ = copies
        h, k = fused.const("SH", i, head), fused.const("SK", i, key)
        # SameValue.enforce's copies: the source's value (when the key is there) into each field's dict
        lines = [f"n = r.get({h})",
                 "if type(n) is dict:",
                 f"    if {k} in n:",
                 f"        x = n[{k}]"]
        for n, (field_head, field_key) in enumerate(pairs):
            lines += [f"        m = r.get({field_head})",
                      "        if type(m) is dict:",
                      f"            m[{field_key}] = x",
                      "        else:",
                      f"            {fused.const(f'W{n}_', i, rule._writers[n])}(r, x)"]  # type: ignore[attr-defined]
        return [*lines, "else:", f"    {fused.fallback(rule, i)}"]
    # No source: the first field that has a value, into every field (each a key of a dict in the record)
    lines = [f"{node} = r.get({field_head})" for node, (field_head, _) in zip(nodes, pairs, strict=True)]
    lines.append(f"if {' and '.join(f'type({node}) is dict' for node in nodes)}:")
    for n, (node, (_, field_key)) in enumerate(zip(nodes, pairs, strict=True)):
        lines += [f"    {'if' if n == 0 else 'elif'} {field_key} in {node}:",
                  f"        x = {node}[{field_key}]",
                  *[f"        {other}[{other_key}] = x" for other, (_, other_key) in zip(nodes, pairs, strict=True)]]
    return [*lines, "else:", f"    {fused.fallback(rule, i)}"]


def _present_iff(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    in_one = rule._in_one  # type: ignore[attr-defined]
    if in_one is None or "in" not in rule.spec:
        return None
    head, when_key, field_key = in_one
    f = fused.const("F", i, field_key)
    return [f"n = r.get({fused.const('H', i, head)})",
            "if type(n) is dict:",
            f"    if n.get({fused.const('W', i, when_key)}) in {fused.const('IN', i, rule.spec['in'])}:",
            f"        if n.get({f}) is None:",
            f"            n[{f}] = {fused.const('V', i, rule.value)}(rng)",  # type: ignore[attr-defined]
            "    else:",
            f"        n[{f}] = None",
            "else:",
            f"    {fused.fallback(rule, i)}"]


def _status_timestamps(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    stages = rule._keys  # type: ignore[attr-defined]
    if stages is None:
        return None
    status = _top(rule.spec.get("status"))
    read = f"r.get({fused.const('K', i, status)})" if status is not None \
        else f"{fused.const('G', i, rule._status)}(r)"  # type: ignore[attr-defined]
    lines = [f"x = {read}", "p = r.get('created_at')"]
    for n, (allowed, key) in enumerate(stages):
        k = fused.const(f"K{n}_", i, key)
        lines += [f"if x in {fused.const(f'S{n}_', i, allowed)}:",
                  f"    c = r.get({k})",
                  "    if c is None or (p is not None and c < p):",
                  "        c = values.later_timestamp(p, rng) if p else c",
                  f"    r[{k}] = c",
                  "    p = c",
                  "else:",
                  f"    r[{k}] = None"]
    return [*lines,
            "u = r.get('updated_at')",
            "if p is not None and isinstance(u, str) and u < p:",
            "    r['updated_at'] = values.later_timestamp(p, rng)"]


def _postal_code(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    key = _top(rule.spec.get("addresses"))
    if key is None:
        return None
    from pytest_testdata.locales.countries import postal_code_matches

    matches = fused.const("M", i, postal_code_matches)
    return [f"a = r.get({fused.const('K', i, key)})",
            "if type(a) is dict:",
            f"    if 'country' in a and not {matches}(a.get('postal_code'), a['country']):",
            "        a['postal_code'] = values.postal_code(str(a['country']), rng)",
            "else:",
            f"    {fused.fallback(rule, i)}"]


def _ordered(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    keys = rule._keys  # type: ignore[attr-defined]
    if keys is None or len(keys) < 2:
        return None
    k = [fused.const(f"K{n}_", i, key) for n, key in enumerate(keys)]
    if rule._plain_pair:  # type: ignore[attr-defined]
        # two strings: swapped when out of order; any other values by the rule's enforce
        return [f"a = r.get({k[0]}); b = r.get({k[1]})",
                "if type(a) is str and type(b) is str:",
                "    if b < a:",
                f"        r[{k[0]}], r[{k[1]}] = b, a",
                "else:",
                f"    {fused.fallback(rule, i)}"]
    # strings already in order (nulls skipped) need no write; anything else by the rule's enforce
    lines = ["p = ''", "o = True"]
    for n, key in enumerate(k):
        step = [f"x = r.get({key})",
                "if x is not None:",
                "    if type(x) is not str or x < p:",
                "        o = False",
                "    else:",
                "        p = x"]
        lines += step if n == 0 else ["if o:", *_indent(step)]
    return [*lines, "if not o:", f"    {fused.fallback(rule, i)}"]


def _nothing(fused: FusedEnforcer, rule: Rule, i: int) -> list[str] | None:
    return ["pass"]  # SentimentMatchesRating.enforce changes nothing (review texts are drawn by rating)


_EMITTERS: dict[type[Rule], Callable[[FusedEnforcer, Rule, int], list[str] | None]] = {
    ProductEach: _product_each, SumOfProducts: _sum_of_products, RateOf: _rate_of, Sum: _sum,
    SameValue: _same_value, PresentIff: _present_iff, StatusTimestamps: _status_timestamps,
    PostalCodeMatchesCountry: _postal_code, Ordered: _ordered, SentimentMatchesRating: _nothing,
}


def fused_enforcer(rules: Sequence[Rule]) -> Enforcer:
    """One function doing what ``for rule in rules: rule.enforce(record, rng, values)`` does."""
    return _fused(tuple(rules))


@lru_cache(maxsize=64)
def _fused(rules: tuple[Rule, ...]) -> Enforcer:
    # By the rule objects themselves (a job's kit keeps its list for every chunk it builds: writing the source
    # out again cost about 0.4 ms a chunk)
    return FusedEnforcer(rules).function
