"""The cent cleaner of a record whose money is top-level fields (a cart's subtotal, tax and total), for the
vouching builder: the same moves as :meth:`CentCleaner.clean`, and whether the record's rules still hold.

A third of carts have a rejected cent value and are cleaned; the general cleaner reads and writes its
targets through compiled path walkers and runs the deriving rules through their ``enforce`` methods, and a
cleaned cart was then scored rule by rule although every rule holds. Here, for the shape a cart has (every
money target a top-level key of the builder's dict, the items' prices the only knob, rules of the four
kinds below with top-level paths), the steps are the general cleaner's, in the same order, with the same
float operations, on the same values: ``tests/test_fast_paths.py`` compares records cleaned both ways.

What it adds is the answer to "do the rules still hold?", tracked as the cleaner moves values (as the
vouching enforcers of :mod:`~pytest_testdata.generators.traditional.vouch` do):

- a ``sum_of_products`` or ``sum`` rule is re-run after every move of what it reads (that is how the
  general cleaner works); each run writes the value its ``check`` computes, so the rule holds if that value
  is finite (and, for a sum, not negative: its ``enforce`` writes zero instead);
- every ``rate_of`` rule is one the cleaner settles, and its ``check`` is asked (True, not only "not
  False") when the cleaner stops;
- an ``ordered`` rule reads nothing the cleaner or the deriving rules write (checked once, here).

A record the cleaner gives up on (out of tries) is not vouched for: the scorer checks it as usual.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from pytest_testdata.generators.traditional.cents import _SETTLE_STEPS, CENT, TRIES, CentCleaner
from pytest_testdata.generators.traditional.vouch import overlap
from pytest_testdata.quality.money import cents_of
from pytest_testdata.quality.rules import Ordered, RateOf, Rule, Sum, SumOfProducts, ValueSource


def _top(path: Any) -> bool:
    return isinstance(path, str) and path != "" and "." not in path and "*" not in path


def plain_dirty(cents: CentCleaner) -> Callable[[Any], bool]:
    """``cents.dirty`` as one generated function when every target is a top-level key (else the method)."""
    if cents._nested_targets:
        return cents.dirty
    lines = ["def dirty(record):", "    if type(record) is not dict:", "        return GENERIC(record)"]
    for key in cents._plain_targets:
        lines += [f"    v = record.get({key!r})",
                  "    if type(v) is float and not (v / 0.01).is_integer():", "        return True"]
    lines.append("    return False")
    namespace: dict[str, Any] = {"GENERIC": cents.dirty}
    exec(compile("\n".join(lines) + "\n", "<plain cent check>", "exec"), namespace)  # our own source
    function: Callable[[Any], bool] = namespace["dirty"]
    return function


class PlainCleaner:
    """:meth:`CentCleaner.clean` for one plan's rules, returning whether the rules still hold afterwards."""

    def __init__(self, cents: CentCleaner, rules: Sequence[Rule]) -> None:
        self.cents = cents
        self.rules = tuple(rules)
        self.derive, self.rates = cents._prepared(list(rules))
        self.dirty = plain_dirty(cents)
        # Per deriving rule: (index, is a sum_of_products, its top-level target, its items key).
        self._derive = tuple(self._deriving(rule) for rule in self.derive)
        self._rate_derive = tuple(tuple(self._deriving(rule) for rule in rate.derive) for rate in self.rates)
        self._rates = tuple((rate, str(rate.rule.spec["base"]), str(rate.rule.spec["target"]),
                             tuple(p for p in cents._plain_targets if p not in _moving(rate)))
                            for rate in self.rates)
        self._item_targets = cents.item_targets

    def _deriving(self, rule: Rule) -> tuple[int, bool, str, str]:
        index = self.rules.index(rule)
        if type(rule) is SumOfProducts:
            return index, True, str(rule.spec["target"]), str(rule.spec["items"])
        return index, False, str(rule.spec["target"]), ""

    @classmethod
    def for_plan(cls, cents: CentCleaner | None, rules: Sequence[Rule]) -> PlainCleaner | None:
        """The cleaner for a plan's cent cleaner and rules, or None when they are not of the shape above."""
        if cents is None or cents._nested_targets or not cents.knobs:
            return None
        if any(not _top(k.items) or k.whole is not None or k.line is not None for k in cents.knobs):
            return None
        if any(not _top(p) for p in cents.item_targets):
            return None
        if len(set(map(id, rules))) != len(rules):
            return None
        for rule in rules:
            kind = type(rule)
            if kind is SumOfProducts:
                if not (_top(rule.spec.get("items")) and _top(rule.spec.get("target"))):
                    return None
            elif isinstance(rule, Sum) and kind is Sum:
                terms = rule.spec.get("terms")
                if not _top(rule.spec.get("target")) or rule._terms is None or not isinstance(terms, (list, tuple)) \
                        or not all(_top(str(t).lstrip("-")) for t in terms):
                    return None
            elif kind is RateOf:
                if not (_top(rule.spec.get("base")) and _top(rule.spec.get("target"))) \
                        or str(rule.spec.get("target")) not in cents.targets:
                    return None  # (a rate the cleaner does not settle could be broken by a moved base)
            elif not isinstance(rule, Ordered) or kind is not Ordered or not rule._plain_pair:
                return None
        written = (*cents.writes(), *(p for rule in rules if type(rule) in (SumOfProducts, Sum)
                                      for p in rule.derives()))
        for rule in rules:
            if type(rule) is Ordered and any(overlap(w, f) for f, _, _ in rule._fields or () for w in written):
                return None
        return cls(cents, rules)

    def clean(self, record: dict[str, Any], rng: random.Random, values: ValueSource) -> bool:
        """:meth:`CentCleaner.clean` (the same moves); True when every rule holds afterwards, given that each
        held before."""
        if type(record) is not dict:
            self.cents.clean(record, list(self.rules), rng, values)
            return False
        held = [True] * len(self.rules)  # per rule: still holds (as far as the moves so far go)
        for _ in range(TRIES):
            if self._done(record, held):
                return all(held)
            if self._items_dirty(record):
                self.cents._nudge(record)
                self._run(self._derive, record, held)
            for rate, derive, plan in zip(self.rates, self._rate_derive, self._rates, strict=True):
                if self._settle(rate, derive, plan, record, held) and self._done(record, held):
                    return all(held)
        # Out of tries: the declared rules come first (a rejected cent is reported by the validator).
        for rule in self.rules:
            if rule.check(record) is False:
                rule.enforce(record, rng, values)
        return False

    def _run(self, derive: tuple[tuple[int, bool, str, str], ...], record: dict[str, Any], held: list[bool]) -> None:
        """The deriving rules' ``enforce`` (top-level paths of a dict: their getters and setters are ``get``
        and ``[]``), noting whether each holds afterwards."""
        rules = self.rules
        for index, products, target, items in derive:
            rule: Any = rules[index]
            if products:  # SumOfProducts.enforce
                expected = rule._expected(record.get(items))
                if expected is not None:
                    record[target] = expected
                held[index] = expected is not None and expected - expected == 0.0
            else:  # Sum.enforce
                expected = rule._expected(record)
                if expected is not None:
                    record[target] = max(expected, 0.0)
                held[index] = expected is not None and expected >= 0.0 and expected - expected == 0.0

    def _done(self, record: dict[str, Any], held: list[bool]) -> bool:
        """CentCleaner._done; each rate's check noted (it holds only if True)."""
        if self.dirty(record):
            return False
        rules = self.rules
        for rate in self.rates:
            outcome = rate.rule.check(record)
            if outcome is False:
                return False
            held[rules.index(rate.rule)] = outcome is True
        return True

    def _items_dirty(self, record: dict[str, Any]) -> bool:
        for key in self._item_targets:
            value = record.get(key)
            if type(value) is float and not (value / CENT).is_integer():
                return True
        return False

    def _settle(self, rate: Any, derive: tuple[tuple[int, bool, str, str], ...],
                plan: tuple[Any, str, str, tuple[str, ...]], record: dict[str, Any], held: list[bool]) -> bool:
        """CentCleaner._settle for top-level base and target."""
        _, base_key, target, others = plan
        base: Any = record.get(base_key)
        current: Any = record.get(target)
        if type(base) not in (int, float) or type(current) not in (int, float) \
                or not (math.isfinite(base) and math.isfinite(current)):
            return False
        low, high = base * rate.low, base * rate.high
        cents = round(min(max(current, low), high) * 100)
        hopeless = False
        for key in others:  # _any_rejected(rate.others, record)
            value = record.get(key)
            if type(value) is float and not (value / CENT).is_integer():
                hopeless = True
                break
        first = None
        dirty = self.dirty
        for step in _SETTLE_STEPS:
            value = cents_of(cents + step)  # round((cents + step) * CENT, 2)
            if not (low <= value <= high and (value / CENT).is_integer()):
                continue
            if first is None:
                first = value
                if hopeless:
                    break
            record[target] = value
            self._run(derive, record, held)
            if not dirty(record):
                return True
        if first is not None:
            record[target] = first
            self._run(derive, record, held)
        return False


def _moving(rate: Any) -> set[str]:
    """The paths a move of a rate's target changes: the target and what the rules re-run after it derive."""
    return {str(rate.rule.spec["target"]), *(path for rule in rate.derive for path in rule.derives())}
