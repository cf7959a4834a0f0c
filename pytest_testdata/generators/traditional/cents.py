"""Money values that float-division validators accept.

JSON Schema says ``"multipleOf": 0.01`` of the number's exact value, but most validators (python-jsonschema,
fastjsonschema, ajv and others) divide in floating point: ``0.07 / 0.01`` is ``7.000000000000001``, so 0.07,
66.99 and about one cent value in seven are rejected. A record a user's validator rejects is a bad record,
whatever the standard says, so money is drawn and derived on cent values whose quotient is whole:

- a drawn price keeps to such a value (the nearest one within its bounds, a cent or two away);
- a derived total (a line total, a sum of line totals, a tax at a rate, a grand total) is made clean by
  moving the record's free inputs by the fewest cents: one item's unit price when a line or the items' sum
  is rejected, the value of a ``rate_of`` rule (a tax, a discount: any value in its rate range is as good)
  for the rest. The deriving rules are computed again after each move, so every declared rule still holds
  exactly, and a caller's bound on a total stays met (the moves are cents).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from pytest_testdata.frozen import Frozen
from pytest_testdata.quality.money import cents_of, round_cents
from pytest_testdata.quality.paths import Getter, Setter, _plain_parts, all_getter, getter, setter
from pytest_testdata.quality.rules import Rule, ValueSource

CENT = 0.01
_STEPS = tuple(c for n in range(1, 11) for c in (n, -n))
"""Cents to try, nearest first: the longest run of rejected cent values below 10,000.00 is nine
(1.11 to 1.19), so one of ten steps each way always lands on an accepted one."""
TRIES = 8
"""Passes before a record's money is left as it is (the validator then says so)."""
DERIVING = ("product_each", "sum_of_products", "sum", "same_value")
"""Rule kinds that compute a value from others (run again after an input moved); the rest are left alone."""


def is_clean(value: object) -> bool:
    """True when ``value / 0.01`` is whole in floating point (what the common validators compute)."""
    if type(value) is int:
        return True
    return type(value) is not float or (value / CENT).is_integer()


def clean_multiple(k: int, step: float, low: float | None = None, high: float | None = None, *,
                   upward_first: bool = False) -> float:
    """``k * step`` as a float that float-division validators accept (``value / step`` is whole): ``66.99 /
    0.01`` is 6698.999..., so 66.99 is rejected by jsonschema and others; the nearest multiple within
    ``[low, high]`` that is accepted is taken instead, up to ten steps each way (rejected values come in
    runs: for cents, 1.11 to 1.19 is one of nine), the lower neighbour first unless ``upward_first``.
    Values keep the step's decimal places (``12.35``, never ``12.350000000000001``); with no accepted
    neighbour, ``k * step`` itself. The one place a value is moved onto a clean multiple: drawn prices,
    ``multipleOf`` steps of user schemas, coverage's boundary values."""
    places = _places(step)
    cents = step == CENT and places == 2
    for offset in _UP_FIRST if upward_first else _DOWN_FIRST:
        # round((k + offset) * step, places); for cents, the same value without the decimal string
        value = cents_of(k + offset) if cents and type(k) is int else round((k + offset) * step, places)
        quotient = value / step
        if math.isfinite(quotient) and int(quotient) == quotient and (low is None or value >= low) \
                and (high is None or value <= high):
            return value
    return round(k * step, places)


_UP_FIRST = (0, *_STEPS)
_DOWN_FIRST = (0, *(c for n in range(1, 11) for c in (-n, n)))


@lru_cache(maxsize=64)
def _places(step: float) -> int:
    """Decimal places of a step as written (0.01 -> 2, 0.5 -> 1, 5 -> 0, 1e-05 -> 5), read from its text as
    ``Decimal(str(step)).as_tuple().exponent`` would be (without importing decimal, whose C module cost a
    fresh process's first order about 2 ms); ``inf`` and ``nan`` have none."""
    mantissa, _, exponent_text = str(step).lower().partition("e")
    fraction = mantissa.partition(".")[2]
    if not exponent_text and not mantissa.lstrip("+-").replace(".", "", 1).isdigit():
        return 0  # inf, nan
    exponent = (int(exponent_text) if exponent_text else 0) - len(fraction)
    return -exponent if exponent < 0 else 0


def clean_price(value: float, low: float, high: float) -> float:
    """``value`` (on the cent), or the nearest clean cent value within ``[low, high]``."""
    if (value / CENT).is_integer():
        return value
    moved = clean_multiple(round(value * 100), CENT, low, high, upward_first=True)
    return moved if (moved / CENT).is_integer() and low <= moved <= high else value


def money_paths(node: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths (``items.*.unit_price``) of every ``multipleOf: 0.01`` number in a schema tree."""
    out: list[str] = []
    if node.get("multipleOf") == CENT:
        out.append(prefix)
    for name, sub in (node.get("properties") or {}).items():
        if isinstance(sub, Mapping):
            out += money_paths(sub, f"{prefix}.{name}" if prefix else name)
    items = node.get("items")
    if isinstance(items, Mapping):
        out += money_paths(items, f"{prefix}.*" if prefix else "*")
    return out


def _as_list(value: object) -> list[object]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [] if value is None else [value]


class Knob(Frozen):
    """A money input that may move by a few cents: ``items.*.unit_price``, read by a (sum of) products."""

    __slots__ = ("items", "factor", "factors", "line", "whole")  # noqa: RUF023 (in field order: Frozen)

    items: str
    factor: str
    factors: tuple[str, ...]
    """All the factors of the product (``quantity``, ``unit_price``)."""
    line: str | None
    """The item's derived line field (``line_total``), when a ``product_each`` rule writes one."""
    whole: tuple[int, int] | None
    """For a whole-number factor (a quantity, moved when the prices are fixed: a dataset's order items carry
    their product's price), its bounds; None for a money factor."""

    def __init__(self, items: str, factor: str, factors: tuple[str, ...], line: str | None,
                 whole: tuple[int, int] | None = None) -> None:
        setter = object.__setattr__
        setter(self, "items", items)
        setter(self, "factor", factor)
        setter(self, "factors", factors)
        setter(self, "line", line)
        setter(self, "whole", whole)


class _Rate(Frozen):
    """A ``rate_of`` rule whose target the cleaner moves (a tax, a discount), with what settling it needs."""

    __slots__ = ("rule", "base", "target", "write", "low", "high", "derive", "others")  # noqa: RUF023 (field order)

    rule: Rule
    base: Getter
    target: Getter
    write: Setter
    low: float
    """The rule's ``min`` rate."""
    high: float
    derive: tuple[Rule, ...]
    """The deriving rules to run again after the target moved (those that read it, or read what they derive)."""
    others: tuple[Callable[[Any], list[Any]], ...]
    """Readers of the cleaner's targets that moving this one does not change."""

    def __init__(self, rule: Rule, base: Getter, target: Getter, write: Setter, low: float, high: float,
                 derive: tuple[Rule, ...], others: tuple[Callable[[Any], list[Any]], ...]) -> None:
        setter = object.__setattr__
        for name, value in (("rule", rule), ("base", base), ("target", target), ("write", write), ("low", low),
                            ("high", high), ("derive", derive), ("others", others)):
            setter(self, name, value)


def _any_rejected(readers: Sequence[Callable[[Any], list[Any]]], record: Any) -> bool:
    """True when a value read by one of ``readers`` is a float a float-division validator rejects."""
    for read in readers:
        for value in read(record):
            if type(value) is float and not (value / CENT).is_integer():  # not is_clean(value)
                return True
    return False


class CentCleaner:
    """Makes the rule-derived money of one schema's records clean (see the module's docstring)."""

    def __init__(self, targets: Sequence[str], knobs: Sequence[Knob], item_targets: Sequence[str] = ()) -> None:
        self.targets = tuple(targets)
        self.knobs = tuple(knobs)
        self.item_targets = tuple(item_targets)
        """Targets computed from the items alone (line totals, the sum of the items): a price must move."""
        self._plain_targets = tuple(p for p in self.targets if "." not in p and "*" not in p)
        self._nested_targets = tuple(p for p in self.targets if p not in self._plain_targets)
        # Each path's compiled reader, looked up once here (not per call: a dirty order is asked a few
        # dozen times while its cents are settled).
        two = [p for p in self._nested_targets if p.count(".") == 1 and _plain_parts(p) is not None
               and not p.partition(".")[2].isdigit()]
        self._two_part = tuple((p, *p.split(".")) for p in two)
        """``totals.total``: a dict in a dict, read with two ``get``s (another shape by the path's reader)."""
        self._nested_readers = tuple(map(all_getter, [p for p in self._nested_targets if p not in two]))
        self._target_readers = tuple((p, all_getter(p)) for p in self.targets)
        self._item_readers = tuple(map(all_getter, self.item_targets))
        self._by_rules: dict[tuple[Rule, ...], tuple[tuple[Rule, ...], tuple[_Rate, ...]]] = {}
        """What :meth:`clean` works out from a rule list (:meth:`_prepared`), by list."""

    def writes(self) -> tuple[str, ...]:
        """Paths :meth:`clean` may write itself (besides what the rules it re-runs write): its targets and the
        prices (or quantities) it moves."""
        return (*self.targets, *(f"{knob.items}.*.{knob.factor}" for knob in self.knobs),
                *(f"{knob.items}.*.{knob.line}" for knob in self.knobs if knob.line))

    @classmethod
    def for_schema(cls, json_schema: Mapping[str, Any], rules: Sequence[Rule],
                   fixed: frozenset[str] = frozenset()) -> CentCleaner | None:
        """The cleaner for a schema's rules, or None when no rule derives a ``multipleOf: 0.01`` value.

        ``fixed`` paths (``items.*.unit_price``: a dataset copies each product's price) never move; a
        whole-number factor of the same product (the quantity) moves instead.
        """
        money = set(money_paths(json_schema))
        derived = {path for rule in rules for path in rule.derives()}
        written = derived | {str(path) for rule in rules for key in ("target", "fields")
                             for path in _as_list(rule.spec.get(key))}
        targets = [path for path in written if path in money]
        if not targets:
            return None
        knobs: dict[tuple[str, str], Knob] = {}
        for rule in rules:
            if rule.kind in ("sum_of_products", "product_each"):
                items = str(rule.spec.get("items"))
                factors = tuple(str(f) for f in rule.spec.get("factors") or ())
                line = str(rule.spec.get("target")) if rule.kind == "product_each" else None
                for factor in factors:
                    path = f"{items}.*.{factor}"
                    if path in money and path not in derived:
                        whole = None
                        if path in fixed:
                            factor, whole = _whole_factor(json_schema, items, factors, fixed | derived)
                            if whole is None:
                                continue
                        known = knobs.get((items, factor))
                        knobs[(items, factor)] = Knob(items, factor, factors, line or (known.line if known else None),
                                                      whole)
        item_targets = sorted({str(rule.spec.get("target")) if rule.kind == "sum_of_products" else
                               f"{rule.spec.get('items')}.*.{rule.spec.get('target')}"
                               for rule in rules if rule.kind in ("sum_of_products", "product_each")} & set(targets))
        return cls(sorted(targets), list(knobs.values()), item_targets)

    def dirty(self, record: Mapping[str, Any]) -> bool:
        """True when a derived money value of the record would be rejected by a float-division validator."""
        # Every generated record is asked this: top-level targets (a cart's subtotal, tax, total) are read
        # straight from the dict, the rest through the path walker.
        if type(record) is dict:
            for key in self._plain_targets:
                value = record.get(key)
                if type(value) is float and not (value / CENT).is_integer():
                    return True
            for path, head, key in self._two_part:
                node = record.get(head)
                if type(node) is dict:
                    value = node.get(key)
                    if type(value) is float and not (value / CENT).is_integer():
                        return True
                elif node is not None and any(not is_clean(value) for value in _read_all(path)(record)):
                    return True
            readers = self._nested_readers
        else:
            readers = tuple(read for _, read in self._target_readers)
        for read in readers:
            for value in read(record):
                if type(value) is float and not (value / CENT).is_integer():  # not is_clean(value)
                    return True
        return False


    def clean(self, record: dict[str, Any], rules: Sequence[Rule], rng: random.Random,
              values: ValueSource) -> None:
        """Move the record's free money inputs by the fewest cents until its derived money is clean.

        Prices move by a few cents (:meth:`_nudge`) when a line total or a sum of the items is rejected;
        then the derived values are computed again; then each ``rate_of`` value (a tax, a discount) moves to
        the nearest accepted value its rate range allows, computing the derived values after each try.
        Small moves keep a caller's bound on a total (``total`` between 100 and 120) met.
        """
        derive, rates = self._prepared(rules)
        for _ in range(TRIES):
            if self._done(record, rates):
                return
            if self._items_dirty(record):
                self._nudge(record)
                for rule in derive:
                    rule.enforce(record, rng, values)
            for rate in rates:
                # A nudged price moved the base: a rate settled before (the discount) may be out of its range
                # now although every value is clean, so "clean" alone does not end the loop.
                if self._settle(rate, record, rng, values) and self._done(record, rates):
                    return
        # Out of tries: the declared rules come first (a rejected cent is reported by the validator).
        for rule in rules:
            if rule.check(record) is False:
                rule.enforce(record, rng, values)

    def _prepared(self, rules: Sequence[Rule]) -> tuple[tuple[Rule, ...], tuple[_Rate, ...]]:
        """The deriving rules and the rates to settle of a rule list, worked out once per list (a third of
        carts are cleaned, and this depends on the rules' specs only)."""
        key = tuple(rules)
        found = self._by_rules.get(key)
        if found is None:
            derive = tuple(rule for rule in rules if rule.kind in DERIVING)
            rates = tuple(self._rate(rule, derive) for rule in rules
                          if rule.kind == "rate_of" and str(rule.spec.get("target")) in self.targets)
            found = self._by_rules[key] = (derive, rates)
        return found

    def _rate(self, rule: Rule, derive: tuple[Rule, ...]) -> _Rate:
        target = str(rule.spec["target"])
        # Only the rules that read the moved value (or what those derive) change when it moves; the others
        # would compute what they already hold.
        reading = _reading(target, derive)
        moving = {target, *(path for r in reading for path in r.derives())}
        return _Rate(rule, _read(str(rule.spec["base"])), _read(target), _write(target), float(rule.spec["min"]),
                     float(rule.spec["max"]), reading,
                     tuple(read for path, read in self._target_readers if path not in moving))

    def _done(self, record: dict[str, Any], rates: Sequence[_Rate]) -> bool:
        """Every derived money value is clean and every rate (tax, discount) within its range."""
        if self.dirty(record):
            return False
        for rate in rates:  # noqa: SIM110  (a loop, not all() over a generator: a third of carts come here twice)
            if rate.rule.check(record) is False:
                return False
        return True

    def _items_dirty(self, record: Mapping[str, Any]) -> bool:
        for read in self._item_readers:
            for value in read(record):
                if type(value) is float and not (value / CENT).is_integer():  # not is_clean(value)
                    return True
        return False

    def _settle(self, rate: _Rate, record: dict[str, Any], rng: random.Random, values: ValueSource) -> bool:
        """Try the accepted values of a ``rate_of`` target nearest its current one; True once all is clean."""
        base, current, write = rate.base(record), rate.target(record), rate.write
        if type(base) not in (int, float) or type(current) not in (int, float) \
                or not (math.isfinite(base) and math.isfinite(current)):
            return False  # (a NaN or infinite price upstream: no cent value to move to)
        low, high = base * rate.low, base * rate.high
        # A moved quantity or price changed the base: start from the range the rate allows now.
        cents = round(min(max(current, low), high) * 100)
        derive = rate.derive
        # A rejected value this move cannot change (another rate's target, rejected too) stays rejected
        # whatever this value is: take the nearest accepted one without trying the others (the same result).
        hopeless = _any_rejected(rate.others, record)
        first = None
        dirty = self.dirty
        for step in _SETTLE_STEPS:  # the accepted values nearest the current one, tried in this order
            value = round((cents + step) * CENT, 2)
            if not (low <= value <= high and (value / CENT).is_integer()):  # (a float: is_clean(value))
                continue
            if first is None:
                first = value
                if hopeless:
                    break
            write(record, value)
            for rule in derive:
                rule.enforce(record, rng, values)
            if not dirty(record):
                return True
        if first is not None:  # none made everything clean: keep the nearest, the next rate or pass may finish it
            write(record, first)
            for rule in derive:
                rule.enforce(record, rng, values)
        return False

    def _nudge(self, record: dict[str, Any]) -> None:
        """Move one item's unit price by the fewest cents so that the price, its line total and the sum of
        all the items' products are accepted values.

        Items of quantity 1 first (a cent there moves the sum by a cent; a quantity of 3 moves it in steps
        of 3, which can stay inside a run of rejected values), prices down first (a caller's maximum is the
        common bound), up for prices near zero.
        """
        for knob in self.knobs:
            for items in _read_all(knob.items)(record):
                if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
                    continue
                products = [_product(item, knob.factors) for item in items]
                if None in products:
                    continue
                total = sum(products)  # type: ignore[arg-type]
                # A rejected line total first (only moving that item's price can fix it), then the smallest
                # quantities, the last item first among equals. No random draws here: the generator redraws
                # a candidate from the same rng state to meet a caller's bound, and cleaning must not shift it.
                order = sorted(range(len(items)), key=lambda i: (
                    knob.line is None or is_clean(items[i].get(knob.line)),
                    _product(items[i], knob.factors, skip=knob.factor), -i))
                for index in order:
                    if self._move(items[index], knob, total - products[index]):  # type: ignore[operator]
                        return

    @staticmethod
    def _move(item: dict[str, Any], knob: Knob, rest: float) -> bool:
        """Move ``item``'s price to the nearest value keeping price, line and sum accepted; False if none."""
        price, others = item.get(knob.factor), _product(item, knob.factors, skip=knob.factor)
        if others is None:
            return False
        if knob.whole is not None:
            if type(price) is not int:
                return False
            for step in (-1, 1, -2, 2, -3, 3, -4, 4):
                count = price + step
                if knob.whole[0] <= count <= knob.whole[1] and is_clean(round(others * count, 2)) \
                        and is_clean(round(rest + others * count, 2)):
                    item[knob.factor] = count
                    return True
            return False
        if type(price) is not float:
            return False
        for cents in range(1, 40):
            moved = round_cents(price + (cents if price < 0.45 else -cents) * CENT)  # round(..., 2)
            line = round_cents(others * moved)
            if is_clean(moved) and is_clean(line) and is_clean(round_cents(rest + others * moved)):
                item[knob.factor] = moved
                return True
        return False


_SETTLE_STEPS = (0, *_STEPS, *range(11, 31), *range(-11, -31, -1))


# Compiled path accessors (equal to get / get_all / set_all), one per path: a third of carts are cleaned.
_read: Callable[[str], Getter] = lru_cache(maxsize=1024)(getter)
_read_all: Callable[[str], Callable[[Any], list[Any]]] = lru_cache(maxsize=1024)(all_getter)
_write: Callable[[str], Setter] = lru_cache(maxsize=1024)(setter)


@lru_cache(maxsize=1024)
def _reading(path: str, rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The rules (in their order) whose result can change when ``path`` changes: those that read it, those
    that read what those derive, and so on; a rule that declares no reads is always kept. (Worked out once
    per target and rule list: it depends on the rules' specs only.)"""
    changed = {path}
    kept: set[int] = set()
    grew = True
    while grew:  # to a fixed point: a rule may read what a later one in the list derives
        grew = False
        for index, rule in enumerate(rules):
            reads = rule.reads()
            if index not in kept and (not reads or any(
                    r == c or r.startswith(c + ".") or c.startswith(r + ".") for r in reads for c in changed)):
                kept.add(index)
                changed.update(rule.derives())
                grew = True
    return tuple(rule for index, rule in enumerate(rules) if index in kept)


def _whole_factor(json_schema: Mapping[str, Any], items: str, factors: Sequence[str],
                  frozen: frozenset[str]) -> tuple[str, tuple[int, int] | None]:
    """A whole-number factor of the items (``quantity``) that may move, with its bounds (None: there is none)."""
    node: Any = json_schema
    for part in items.split("."):
        node = (node.get("properties") or {}).get(part, {}) if isinstance(node, Mapping) else {}
    props = (node.get("items") or {}).get("properties") or {} if isinstance(node, Mapping) else {}
    for factor in factors:
        sub = props.get(factor)
        if isinstance(sub, Mapping) and sub.get("type") == "integer" and f"{items}.*.{factor}" not in frozen:
            low = int(sub.get("minimum", 1))
            return factor, (low, int(sub.get("maximum", low + 100)))
    return "", None


def _product(item: Mapping[str, Any], factors: Sequence[str], skip: str | None = None) -> float | None:
    """The product of an item's numeric factors (leaving out ``skip``); None when one is not a number."""
    out = 1.0
    for factor in factors:
        if factor == skip:
            continue
        value = item.get(factor)
        if type(value) is not float and type(value) is not int:
            return None
        out *= value
    return out
