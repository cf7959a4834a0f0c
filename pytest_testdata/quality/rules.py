"""Coherence rules: the ``x-coherence`` kinds a schema can declare.

Each rule can *check* a record (the coherence scorer, for every strategy) and *enforce* itself on a
record (the traditional strategy, after drawing independent values). Keeping both in one class keeps
generation and scoring from drifting apart.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from itertools import pairwise
from math import floor
from typing import Any, Protocol

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.locales.countries import NANP, phone_matches, postal_code_matches
from pytest_testdata.locales.gazetteer import latin_spelling, phone_fits_region
from pytest_testdata.quality.money import round_cents
from pytest_testdata.quality.paths import (
    Getter,
    Setter,
    _plain_parts,
    all_getter,
    get,
    get_all,
    getter,
    set_all,
    setter,
)

Record = dict[str, Any]
TOLERANCE = 0.011  # money is rounded to cents; allow one cent of rounding drift


class ValueSource(Protocol):
    """What enforcing a rule may need to draw (implemented by the traditional strategy's pools)."""

    def phone(self, country: str, rng: random.Random, region: str | None = None) -> str: ...
    def postal_code(self, country: str, rng: random.Random) -> str: ...
    def email(self, first: str, last: str, rng: random.Random, country: str = "US") -> str: ...
    def later_timestamp(self, after: str, rng: random.Random) -> str: ...


class Rule:
    """Base class: one declared rule.

    Rules read their paths through accessors compiled once (:mod:`pytest_testdata.quality.paths`): the
    scorer checks every record of every batch, and re-splitting ``"addresses.0.country"`` per record
    cost more than the check itself.
    """

    kind = ""
    bounds: Mapping[str, tuple[int | None, int | None]] = {}
    """The least and most whole number each field takes (its schema's ``minimum``/``maximum``), for the rules
    that move a value by one (:class:`StrictlyOrdered`, :class:`Different`); set by :func:`rules_of`."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec

    def check(self, record: Record) -> bool | None:
        """True if the record satisfies the rule, False if not, None if the rule does not apply."""
        raise NotImplementedError

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        """Change the record so that it satisfies the rule."""
        raise NotImplementedError

    def derives(self) -> tuple[str, ...]:
        """Paths (``items.*.line_total``) whose value this rule computes from other fields.

        Invalid variants use it: replacing a derived value with a bad one necessarily breaks this rule
        too, and the variant says so instead of claiming one broken rule.
        """
        return ()

    def reads(self) -> tuple[str, ...]:
        """Paths a derivation computes from (declared by the rules that have :meth:`derives`)."""
        return ()

    def overwrites(self) -> tuple[str, ...]:
        """Top-level fields :meth:`enforce` always sets when its inputs are there, whatever they held.

        The traditional plan draws no value for them (a drawn subtotal or email would be thrown away);
        a field the rule left alone (its inputs were missing) is drawn after the rules.
        """
        return ()

    def keyed_by(self) -> tuple[str, ...]:
        """Paths whose value the rule looks up in a table (a country): a value outside it breaks the rule."""
        return ()

    def describe(self) -> str:
        return f"{self.kind}({', '.join(f'{k}={v}' for k, v in self.spec.items() if k != 'kind')})"

    def _getter(self, key: str) -> Getter:
        """``get(record, spec[key])``, compiled. A malformed spec fails when used, as it always did."""
        path = self.spec.get(key)
        if not isinstance(path, str):
            return lambda record: get(record, self.spec[key])
        return getter(path)

    def _setter(self, key: str) -> Setter:
        """``set_all(record, spec[key], value)``, compiled the same way."""
        path = self.spec.get(key)
        if not isinstance(path, str):
            return lambda record, value: set_all(record, self.spec[key], value)
        return setter(path)


def _key_in(path: Any) -> tuple[str, str] | None:
    """(object, key) of a path of two plain parts (``totals.tax``), whose getter reads a dict in a dict with
    two ``get``s and whose setter writes it with one; None for any other path."""
    parts = _plain_parts(path) if isinstance(path, str) else None
    if parts is None or len(parts) != 2 or parts[0][1] is not None or parts[1][1] is not None:
        return None
    return parts[0][0], parts[1][0]


def _top_level(path: Any) -> tuple[str, ...]:
    return (path,) if isinstance(path, str) and "." not in path else ()


def _num(value: Any) -> float | None:
    kind = type(value)
    if kind is float:
        return value  # type: ignore[no-any-return]  # float(value) is this same float; skip the call
    if kind is int:
        return float(value)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class SumOfProducts(Rule):
    kind = "sum_of_products"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._items = self._getter("items")
        self._target = self._getter("target")
        self._set_target = self._setter("target")
        items = spec.get("items")
        self._plain = (items, *found) if isinstance(items, str) and _plain_parts(items) == [(items, None)] \
            and (found := _key_in(spec.get("target"))) is not None else None
        """(items key, target object, target key) when the items are a top-level key and the target a key of
        a top-level object (``items``, ``totals.subtotal``): :meth:`enforce` reads and writes a plain dict
        directly, as the getter and setter do there."""

    def _expected(self, items: Any) -> float | None:
        if not isinstance(items, list):
            return None
        factors = self.spec["factors"]
        pair = factors if isinstance(factors, (list, tuple)) and len(factors) == 2 else None
        first, second = pair if pair is not None else (None, None)
        total = 0.0
        for item in items:
            if pair is not None and type(item) is dict:
                # Fast path for the usual quantity x unit_price of plain numbers; equal to the loop below.
                a, b = item.get(first), item.get(second)
                if type(a) is int and type(b) is float:  # (a quantity and a price: the branch below, first)
                    total += a * b
                    continue
                if type(a) is float or type(b) is float:
                    # float(a) * float(b) without the calls: with a float on either side, Python converts the
                    # other (an int) exactly as float() does
                    if (type(a) is float or type(a) is int) and (type(b) is float or type(b) is int):
                        total += a * b
                        continue
                elif type(a) is int and type(b) is int:
                    total += float(a) * float(b)
                    continue
            product = 1.0
            for factor in factors:
                value = _num(item.get(factor)) if isinstance(item, dict) else None
                if value is None:
                    return None
                product *= value
            total += product
        return round_cents(total)  # round(total, 2), cheaper (quality/money.py)

    def derives(self) -> tuple[str, ...]:
        return (str(self.spec.get("target")),)

    def reads(self) -> tuple[str, ...]:
        return (str(self.spec.get("items")),)

    def overwrites(self) -> tuple[str, ...]:
        return _top_level(self.spec.get("target"))

    def check(self, record: Record) -> bool | None:
        items = self._items(record)
        expected, actual = self._expected(items), _num(self._target(record))
        if expected is None or actual is None:
            return None if expected is None else False
        return abs(expected - actual) <= TOLERANCE * max(1, len(items or []))

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        if self._plain is not None and type(record) is dict:
            items_key, head, key = self._plain
            expected = self._expected(record.get(items_key))
            if expected is not None:
                node = record.get(head)
                if type(node) is dict:
                    node[key] = expected
                else:
                    self._set_target(record, expected)
            return
        expected = self._expected(self._items(record))
        if expected is not None:
            self._set_target(record, expected)


class ProductEach(Rule):
    kind = "product_each"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._items = self._getter("items")

    def derives(self) -> tuple[str, ...]:
        return (f"{self.spec.get('items')}.*.{self.spec.get('target')}",)

    def reads(self) -> tuple[str, ...]:
        return (str(self.spec.get("items")),)

    def check(self, record: Record) -> bool | None:
        items = self._items(record)
        if not isinstance(items, list) or not items:
            return None
        for item in items:
            factors = [_num(item.get(f)) for f in self.spec["factors"]] if isinstance(item, dict) else [None]
            actual = _num(item.get(self.spec["target"])) if isinstance(item, dict) else None
            if None in factors or actual is None:
                return False
            product = 1.0
            for f in factors:
                product *= f  # type: ignore[operator]
            if abs(round_cents(product) - actual) > TOLERANCE:  # round(product, 2): product is a float
                return False
        return True

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        factors = target = None
        for item in self._items(record) or []:
            if factors is None:
                factors = self.spec["factors"]
            product = 1.0
            for factor in factors:
                product *= item[factor]
            if target is None:  # (looked up where it always was: after the first item's factors)
                target = self.spec["target"]
            # round(product, 2), cheaper: a float times numbers is a float (a number type that is not
            # goes to round itself). round_cents(product), inlined (a call per item line of every order).
            if type(product) is float and -1e9 < product < 1e9:
                scaled = product * 100.0
                whole = floor(scaled + 0.5)
                if whole and -0.49 < scaled - whole < 0.49:
                    item[target] = whole / 100
                    continue
            item[target] = round(product, 2)


class RateOf(Rule):
    kind = "rate_of"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._base = self._getter("base")
        self._target = self._getter("target")
        self._set_target = self._setter("target")
        self._in_one: tuple[str, str, str, float, float] | None = None
        """(object, base key, target key, min, max) when the base and the target are keys of one top-level
        object (``totals.subtotal``, ``totals.tax``) and the bounds are numbers: :meth:`check` and
        :meth:`enforce` read and write in that dict, with the bounds as ``float`` made them once (the cent
        cleaner asks the check after each of its passes)."""
        base, target = _key_in(spec.get("base")), _key_in(spec.get("target"))
        if base is not None and target is not None and base[0] == target[0]:
            try:
                bounds = float(spec["min"]), float(spec["max"])
            except (KeyError, TypeError, ValueError):
                pass  # (a malformed spec fails when enforced, as it always did)
            else:
                self._in_one = (base[0], base[1], target[1], *bounds)

    def overwrites(self) -> tuple[str, ...]:
        return _top_level(self.spec.get("target"))

    def check(self, record: Record) -> bool | None:
        if self._in_one is not None and type(record) is dict:
            head, base_key, target_key, low, high = self._in_one
            node = record.get(head)
            if type(node) is dict:  # the steps below in a dict in a dict (what the getters read there)
                base, target = node.get(base_key), node.get(target_key)
                if type(base) is not float:  # (_num of a float is the float itself)
                    base = _num(base)
                if type(target) is not float:
                    target = _num(target)
                if base is None or target is None:
                    return None
                return bool(base * low - TOLERANCE <= target <= base * high + TOLERANCE)
        base, target = _num(self._base(record)), _num(self._target(record))
        if base is None or target is None:
            return None
        lo, hi = base * float(self.spec["min"]), base * float(self.spec["max"])
        return lo - TOLERANCE <= target <= hi + TOLERANCE

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        if self._in_one is not None and type(record) is dict:
            head, base_key, target_key, low, high = self._in_one
            node = record.get(head)
            if type(node) is dict:  # the steps below in a dict in a dict (what the getter and setter do there)
                base = node.get(base_key)
                if type(base) is not float:
                    base = _num(base)
                if base is not None:
                    rate = low + (high - low) * rng.random()
                    node[target_key] = round_cents(base * rate)
                return
        base = _num(self._base(record))
        if base is not None:
            low, high = float(self.spec["min"]), float(self.spec["max"])
            rate = low + (high - low) * rng.random()  # rng.uniform(low, high), inlined: the same value
            self._set_target(record, round_cents(base * rate))


class Sum(Rule):
    kind = "sum"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._target = self._getter("target")
        self._set_target = self._setter("target")
        terms = spec.get("terms")
        self._terms: list[tuple[float, Getter]] | None = None
        if isinstance(terms, (list, tuple)) and all(isinstance(t, str) for t in terms):
            self._terms = [(-1.0, getter(t[1:])) if t.startswith("-") else (1.0, getter(t)) for t in terms]
        self._in_one: tuple[str, list[tuple[float, str]]] | None = None
        """(the object, each term's sign and key) when every term is a key of one top-level object
        (``totals.subtotal``, ``-totals.discount``): read from that dict with one ``get`` each."""
        if self._terms is not None and terms:
            keyed = [(-1.0, t[1:]) if t.startswith("-") else (1.0, t) for t in terms]
            parts = [_plain_parts(path) for _, path in keyed]
            if all(p is not None and len(p) == 2 and p[0][1] is None and p[1][1] is None for p in parts):
                heads = {p[0][0] for p in parts if p is not None}
                if len(heads) == 1:
                    self._in_one = (heads.pop(), [(sign, path.partition(".")[2]) for sign, path in keyed])

    def _expected(self, record: Record) -> float | None:
        total = 0.0
        if self._in_one is not None and type(record) is dict:
            head, keys = self._in_one
            node = record.get(head)
            if type(node) is dict:
                # What the getters below read of a dict in a dict (each term's two-part getter: two gets)
                for sign, key in keys:
                    value = node.get(key)
                    if type(value) is not float:
                        value = _num(value)
                        if value is None:
                            return None
                    total += sign * value
                # round_cents(total), inlined (an order's total, again after each of the cent cleaner's tries)
                if -1e9 < total < 1e9:  # (total is a float: 0.0 plus floats)
                    scaled = total * 100.0
                    whole = floor(scaled + 0.5)
                    if whole and -0.49 < scaled - whole < 0.49:
                        return whole / 100
                return round(total, 2)
        if self._terms is None:  # a malformed spec: fail (or not) exactly where the generic code does
            for term in self.spec["terms"]:
                sign, path = (-1.0, term[1:]) if term.startswith("-") else (1.0, term)
                value = _num(get(record, path))
                if value is None:
                    return None
                total += sign * value
            return round_cents(total)
        for sign, read in self._terms:
            value = read(record)
            if type(value) is not float:  # (_num of a float is the float itself: no call for money)
                value = _num(value)
                if value is None:
                    return None
            total += sign * value
        return round_cents(total)

    def derives(self) -> tuple[str, ...]:
        return (str(self.spec.get("target")),)

    def reads(self) -> tuple[str, ...]:
        return tuple(str(t).lstrip("-") for t in self.spec.get("terms") or ())

    def overwrites(self) -> tuple[str, ...]:
        return _top_level(self.spec.get("target"))

    def check(self, record: Record) -> bool | None:
        expected, actual = self._expected(record), _num(self._target(record))
        if expected is None:
            return None
        return actual is not None and abs(expected - actual) <= TOLERANCE * len(self.spec["terms"])

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        expected = self._expected(record)
        if expected is not None:
            self._set_target(record, max(expected, 0.0))


_TIMESTAMP = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([T ]([01]\d|2[0-3]):[0-5]\d|\Z)")
"""The start of an ISO 8601 date or date-time: what ordering timestamps by their text needs."""


class Ordered(Rule):
    """Timestamps in non-decreasing order: ISO 8601 strings of one format, or integers (seconds since 1970);
    nulls are skipped."""

    kind = "ordered"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        fields = spec.get("fields")
        self._fields: list[tuple[str, Getter, Setter]] | None = None
        if isinstance(fields, (list, tuple)) and all(isinstance(f, str) for f in fields):
            self._fields = [(f, getter(f), setter(f)) for f in fields]
        self._plain_pair = self._fields is not None and len(self._fields) == 2 and not any(
            "." in f or "*" in f for f, _, _ in self._fields)
        self._keys = tuple(f for f, _, _ in self._fields) if self._fields is not None and not any(
            "." in f or "*" in f for f, _, _ in self._fields) else None
        """The fields, when each is a top-level key (read with ``get``, written with ``[]`` in a dict)."""

    def _present(self, record: Record) -> list[Any]:
        if self._fields is None:
            return [v for v in (get(record, f) for f in self.spec["fields"]) if v is not None]
        return [v for v in (read(record) for _, read, _ in self._fields) if v is not None]

    def check(self, record: Record) -> bool | None:
        if self._fields is not None and len(self._fields) == 2:
            # Fast path for the usual created_at/updated_at pair; for two strings, "already sorted"
            # is exactly a <= b.
            a, b = self._fields[0][1](record), self._fields[1][1](record)
            if type(a) is str and type(b) is str:
                if a <= b:
                    return True
                return None if not (_TIMESTAMP.match(a) and _TIMESTAMP.match(b)) else False
        present = self._present(record)
        if len(present) < 2:
            return None
        if all(isinstance(v, str) for v in present) and present == sorted(present):
            return True
        if all(type(v) is int for v in present):  # seconds (or milliseconds) since 1970
            return present == sorted(present)
        # A value that is no timestamp at all (a broken format) has no place in an order: the rule does
        # not apply to it (the format check reports it), and enforcing the order must not move it around.
        return None if not all(isinstance(v, str) and _TIMESTAMP.match(v) for v in present) else False

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        if self._plain_pair and type(record) is dict:
            # Fast path for two top-level strings: swap them if they are out of order. (Writing a value
            # back to the key it came from changes nothing, so "in order" needs no writes.)
            (first, _, _), (second, _, _) = self._fields  # type: ignore[misc]
            a, b = record.get(first), record.get(second)
            if type(a) is str and type(b) is str:
                if b < a:
                    record[first], record[second] = b, a
                return
        keys = self._keys
        if keys is not None and type(record) is dict:
            # Strings already in order (every record the drawers made): sorting would give back the very
            # same objects and write nothing, as below; a value of another type goes the steps below.
            previous = ""
            for key in keys:
                value = record.get(key)
                if value is None:
                    continue
                if type(value) is not str or value < previous:
                    break
                previous = value
            else:
                return
            # The steps below for top-level keys (their getters and setters are record.get and
            # record[key] = ...): the values present, sorted, written back in order. Already in order,
            # sorted() (stable) gives back the very same objects and the writes would change nothing.
            found = [record.get(key) for key in keys]
            present = [value for value in found if value is not None]
            if not _comparable(present):
                return
            # Written back in order, each key once. When the values were in order after all (integers),
            # sorted() (stable) gives back the very same objects, and writing a key's own value back
            # changes nothing (the key is there: its place in the dict stays).
            in_order = iter(sorted(present))
            for key, value in zip(keys, found, strict=True):
                if value is not None:
                    record[key] = next(in_order)
            return
        if self._fields is None:
            fields = [f for f in self.spec["fields"] if get(record, f) is not None]
            if not _comparable([get(record, f) for f in fields]):
                return
            ordered = sorted(get(record, f) for f in fields)
            for path, value in zip(fields, ordered, strict=True):
                set_all(record, path, value)
            return
        present = [(read(record), write) for _, read, write in self._fields]
        present = [(value, write) for value, write in present if value is not None]
        if not _comparable([value for value, _ in present]):
            return
        ordered = sorted(value for value, _ in present)
        for (_, write), value in zip(present, ordered, strict=True):
            write(record, value)


class StrictlyOrdered(Ordered):
    """``ordered`` with ``"strict": true``: each value after the one before it (a database's ``CHECK (ends_at >
    starts_at)``); two equal values are out of order. Enforcing it sorts the values as ``ordered`` does, then
    moves each value that equals the one before it on to the least value after it
    (:func:`~pytest_testdata.quality.next_value.next_value`: an integer's next, a date's next day, a
    date-time's next second, written in its own form); when an integer has no room above (its field's
    maximum, :attr:`Rule.bounds`), the earlier value moves one down instead. Drawn timestamps rarely tie;
    small integers and dates do."""

    def check(self, record: Record) -> bool | None:
        held = super().check(record)
        if held is not True:
            return held
        present = self._present(record)
        return all(a != b for a, b in pairwise(present))  # (in order already: a tie is the only fault)

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        super().enforce(record, rng, values)
        from pytest_testdata.quality.next_value import next_value

        present = [(path, write, value) for path, read, write in self._fields or ()
                   if (value := read(record)) is not None]
        found = [value for _, _, value in present]
        for k in range(1, len(found)):
            if type(found[k]) is not type(found[k - 1]) or found[k] > found[k - 1]:
                continue
            moved = next_value(found[k - 1])
            high = self.bounds.get(present[k][0], (None, None))[1]
            if moved is not None and (high is None or moved <= high):
                present[k][1](record, moved)
                found[k] = moved
                continue
            # No room above (a whole number at its field's maximum): the earlier value goes one down instead,
            # when its own least and the value before it leave room.
            low = self.bounds.get(present[k - 1][0], (None, None))[0]
            lowered = found[k - 1] - 1 if type(found[k - 1]) is int else None
            if lowered is None or (low is not None and lowered < low) or (k >= 2 and lowered <= found[k - 2]):
                return  # (no room either way: the check reports the tie)
            present[k - 1][1](record, lowered)
            found[k - 1] = lowered


class Different(Rule):
    """The fields hold different values (a database's ``CHECK (from_account_id <> to_account_id)``: a transfer
    between two accounts, a match between two teams); nulls are skipped. In a dataset, references of one
    entity are kept apart when they are assigned (``datasets/apart.py``). Enforcing it moves a value that
    equals an earlier field's: a bounded integer to the nearest free one within its field's bounds
    (:attr:`Rule.bounds`), any other to the next value of its form (an integer's next, a date's next day:
    :func:`~pytest_testdata.quality.next_value.next_value`); a value of another form is left, and the check
    reports it."""

    kind = "different"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        fields = spec.get("fields")
        paths = fields if isinstance(fields, (list, tuple)) else ()
        self._fields = [(str(f), getter(f), setter(f)) for f in paths]

    def check(self, record: Record) -> bool | None:
        present = [value for value in (read(record) for _, read, _ in self._fields) if value is not None]
        if len(present) < 2:
            return None
        return len({_key(value) for value in present}) == len(present)

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        from pytest_testdata.quality.next_value import next_value

        seen: set[Any] = set()
        for path, read, write in self._fields:
            value = read(record)
            if value is None:
                continue
            if _key(value) in seen:
                low, high = self.bounds.get(path, (None, None))
                if type(value) is int and (low is not None or high is not None):
                    # The nearest free whole number within the field's bounds, above first
                    value = next((v for step in range(1, len(seen) + 2) for v in (value + step, value - step)
                                  if (low is None or v >= low) and (high is None or v <= high)
                                  and _key(v) not in seen), value)
                while _key(value) in seen:
                    moved = next_value(value)
                    if moved is None:
                        return  # (no next value of its form: the check reports the tie)
                    value = moved
                write(record, value)
            seen.add(_key(value))


def _key(value: Any) -> Any:
    """A value as a set member (lists and objects by their text; True apart from 1)."""
    return (type(value) is bool, value) if isinstance(value, (str, int, float)) else repr(value)


def _comparable(values: list[Any]) -> bool:
    """All strings or all integers: values an order can sort (a string among integers, as an invalid variant
    may leave, is reported by the type check and left where it is)."""
    kinds = set(map(type, values))  # (no Python call per value: the rule is enforced on every order)
    return kinds <= _STR or kinds <= _INT


_STR, _INT = frozenset((str,)), frozenset((int,))


class FlagIffPositive(Rule):
    kind = "flag_iff_positive"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._quantity = self._getter("quantity")
        self._flag = self._getter("flag")
        self._set_flag = self._setter("flag")

    def derives(self) -> tuple[str, ...]:
        return (str(self.spec.get("flag")),)

    def overwrites(self) -> tuple[str, ...]:
        return _top_level(self.spec.get("flag"))

    def check(self, record: Record) -> bool | None:
        quantity = _num(self._quantity(record))
        flag = self._flag(record)
        if quantity is None or not isinstance(flag, bool):
            return None
        return flag == (quantity > 0)

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        quantity = _num(self._quantity(record))
        if quantity is not None:
            self._set_flag(record, quantity > 0)


class PresentIff(Rule):
    """A field is set exactly when another field's value is in a set; a field that should be set and is not gets
    a value of its own schema (:attr:`fill`)."""

    kind = "present_iff"
    fill: Callable[[random.Random], Any] | None = None
    """Draws a value of the field's schema (set by :func:`rules_of`; a rule built without its schema draws four
    digits, what the built-in ``card_last_four`` holds)."""

    def value(self, rng: random.Random) -> Any:
        """A value for the field, where it should be set and is empty (an LLM's record that left it out)."""
        return self.fill(rng) if self.fill is not None else f"{rng.randrange(10000):04d}"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._when = self._getter("when")
        self._field = self._getter("field")
        self._set_field = self._setter("field")
        when, field = _key_in(spec.get("when")), _key_in(spec.get("field"))
        self._in_one = (when[0], when[1], field[1]) if when is not None and field is not None \
            and when[0] == field[0] else None
        """(object, when's key, field's key) when both are keys of one top-level object (``payment.method``,
        ``payment.card_last_four``): :meth:`enforce` reads and writes in that dict."""

    def check(self, record: Record) -> bool | None:
        when = self._when(record)
        if when is None:
            return None
        return (self._field(record) is not None) == (when in self.spec["in"])

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        if self._in_one is not None and type(record) is dict:
            head, when_key, field_key = self._in_one
            node = record.get(head)
            if type(node) is dict:  # the steps below in a dict in a dict (what the getters and setter do there)
                applies = node.get(when_key) in self.spec["in"]
                if applies and node.get(field_key) is None:
                    node[field_key] = self.value(rng)
                elif not applies:
                    node[field_key] = None
                return
        applies = self._when(record) in self.spec["in"]
        current = self._field(record)
        if applies and current is None:
            self._set_field(record, self.value(rng))
        elif not applies:
            self._set_field(record, None)


class StatusTimestamps(Rule):
    """A lifecycle timestamp is set exactly when the status has reached that stage."""

    kind = "status_timestamps"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._status = self._getter("status")
        stages = spec.get("stages")
        self._stages: list[tuple[Any, Getter, Setter]] | None = None
        if isinstance(stages, Mapping) and all(isinstance(f, str) for f in stages):
            self._stages = [(allowed, getter(f), setter(f)) for f, allowed in stages.items()]
        self._keys: list[tuple[Any, str]] | None = None
        """(stages, field) when every field is a top-level key: read with ``get`` and written with ``[]``
        in a dict, what its getter and setter do there."""
        if self._stages is not None and stages and all(_plain_parts(f) == [(f, None)] for f in stages):
            self._keys = [(allowed, f) for f, allowed in stages.items()]

    def _compiled_stages(self) -> list[tuple[Any, Getter, Setter]]:
        if self._stages is not None:
            return self._stages
        compiled: list[tuple[Any, Getter, Setter]] = []
        for f, allowed in self.spec["stages"].items():  # a malformed spec fails here, as it always did
            compiled.append((allowed, partial(_get_at, path=f), partial(_set_at, path=f)))
        return compiled

    def check(self, record: Record) -> bool | None:
        status = self._status(record)
        if status is None:
            return None
        return all((read(record) is not None) == (status in stages)
                   for stages, read, _ in self._compiled_stages())

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        status = self._status(record)
        previous = record.get("created_at")
        if self._keys is not None and type(record) is dict:  # the loop below, for top-level keys of a dict
            for stages, key in self._keys:
                if status in stages:
                    current = record.get(key)
                    if current is None or (previous is not None and current < previous):
                        current = values.later_timestamp(previous, rng) if previous else current
                    record[key] = current
                    previous = current
                else:
                    record[key] = None
            updated = record.get("updated_at")
            if previous is not None and isinstance(updated, str) and updated < previous:
                record["updated_at"] = values.later_timestamp(previous, rng)
            return
        for stages, read, write in self._compiled_stages():
            if status in stages:
                current = read(record)
                if current is None or (previous is not None and current < previous):
                    current = values.later_timestamp(previous, rng) if previous else current
                write(record, current)
                previous = current
            else:
                write(record, None)
        updated = record.get("updated_at")
        if previous is not None and isinstance(updated, str) and updated < previous:
            record["updated_at"] = values.later_timestamp(previous, rng)


def _get_at(record: Any, path: Any) -> Any:
    return get(record, path)


def _set_at(record: Any, value: Any, path: Any) -> None:
    set_all(record, path, value)


class SameValue(Rule):
    kind = "same_value"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        fields = spec.get("fields")
        self._readers: list[Callable[[Any], list[Any]]] | None = None
        self._writers: list[Setter] | None = None
        if isinstance(fields, (list, tuple)) and all(isinstance(f, str) for f in fields):
            self._readers = [all_getter(f) for f in fields]
            self._writers = [setter(f) for f in fields]
        source = spec.get("source")
        self._source = all_getter(source) if isinstance(source, str) and source else None
        whence = _key_in(source)
        keys = [_key_in(f) for f in fields] if self._writers is not None and isinstance(fields, (list, tuple)) \
            else []
        self._copies: tuple[str, str, list[tuple[tuple[str, str], Setter]]] | None = None
        """(source object, source key, each field's (object, key) and setter) when the source and every field
        are keys of top-level objects (``totals.total`` to ``payment.amount``): read and written in the dicts."""
        if whence is not None and keys and all(k is not None for k in keys) and self._writers is not None:
            self._copies = (*whence, [(k, w) for k, w in zip(keys, self._writers, strict=True)])  # type: ignore[misc]

    def _values(self, record: Record) -> list[Any]:
        if self._readers is None:
            return [v for path in self.spec["fields"] for v in get_all(record, path)]
        if len(self._readers) == 1:  # one path (``addresses.*.country``): its reader's own fresh list
            return self._readers[0](record)
        return [v for read in self._readers for v in read(record)]

    def derives(self) -> tuple[str, ...]:
        source = self.spec.get("source")
        fields = self.spec.get("fields") or ()
        return tuple(str(f) for f in fields if f != source) if source else ()

    def check(self, record: Record) -> bool | None:
        found = self._values(record)
        if len(found) < 2:
            return None
        first = found[0]
        for value in found[1:]:  # noqa: SIM110 (a plain loop: all() over a generator costs more per record)
            if not value == first:  # noqa: SIM201 (the rule is "equal", whatever a type's != says)
                return False
        return True

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        """Copy the ``source`` field's value (default: the first listed) to the others."""
        source = self.spec.get("source")
        if not source and self._readers is not None and self._writers is not None:
            # The first value of _values(record), read up to the first field that has one (the readers read
            # and change nothing): an order's two addresses' countries, every order of a dataset.
            for read in self._readers:
                found = read(record)
                if found:
                    first = found[0]
                    for write in self._writers:
                        write(record, first)
                    return
            return
        if self._copies is not None and type(record) is dict:
            head, key, copies = self._copies
            node = record.get(head)
            if type(node) is dict:  # what the source's reader and the setters do in dicts in a dict
                if key in node:
                    value = node[key]
                    for (field_head, field_key), write in copies:
                        parent = record.get(field_head)
                        if type(parent) is dict:
                            parent[field_key] = value
                        else:
                            write(record, value)
                return
        if not source:
            found = self._values(record)
        else:
            found = self._source(record) if self._source is not None else get_all(record, source)
        if found:
            if self._writers is None:
                for path in self.spec["fields"]:
                    set_all(record, path, found[0])
                return
            for write in self._writers:
                write(record, found[0])


_NOT_LOWER_ASCII = bytes(c for c in range(128) if not ord("a") <= c <= ord("z"))
"""ASCII bytes that :func:`fold` drops (``bytes.translate`` deletes them in C: ``str.translate`` with a
dict looks up every character in Python's dict, about a third of the email rule's cost per user)."""


def fold(text: str) -> str:
    """Lower-case ASCII letters only: ``"Zoë O'Brien"`` -> ``"zoeobrien"``."""
    if text.isascii():
        # ASCII text is its own NFKD form: skip the normalisation and the regex (the common case, and
        # the scorer folds every email it checks).
        return text.lower().encode("ascii").translate(None, _NOT_LOWER_ASCII).decode("ascii")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_text.lower())


fold_name = lru_cache(maxsize=4096)(fold)
""":func:`fold` with a cache, for names: they repeat (they come from pools), email addresses do not."""


def latin_name(name: str) -> str:
    """:func:`fold_name`, or for a name in another script its Latin spelling folded (``佐藤`` -> ``sato``)."""
    folded = fold_name(name)
    if folded or name.isascii():
        return folded
    spelled = latin_spelling(name)
    return fold_name(spelled) if spelled else ""


class EmailFromName(Rule):
    kind = "email_from_name"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._email = self._getter("email")
        self._first = self._getter("first")
        self._last = self._getter("last")
        self._set_email = self._setter("email")
        # Optional: where the record's country is, so the address gets a domain of that country.
        self._country = self._getter("country") if "country" in spec else None

    def derives(self) -> tuple[str, ...]:
        return (str(self.spec.get("email")),)

    def overwrites(self) -> tuple[str, ...]:
        return _top_level(self.spec.get("email"))

    def check(self, record: Record) -> bool | None:
        email, first, last = self._email(record), self._first(record), self._last(record)
        if not (isinstance(email, str) and isinstance(first, str) and isinstance(last, str)):
            return None
        local = fold(email.split("@", 1)[0])
        return latin_name(first)[:1] in local and latin_name(last) in local

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        first, last = self._first(record), self._last(record)
        if isinstance(first, str) and isinstance(last, str):
            country = self._country(record) if self._country is not None else None
            self._set_email(record, values.email(first, last, rng, country if isinstance(country, str) else "US"))


class PhoneMatchesCountry(Rule):
    """The phone has the country's calling code and, with an optional ``region`` path (the address's state),
    where the country's numbers are all geographic (US, CA), an area code of that state."""

    kind = "phone_matches_country"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._country = self._getter("country")
        self._phone = self._getter("phone")
        self._set_phone = self._setter("phone")
        self._region = self._getter("region") if "region" in spec else None

    def _fits(self, record: Record, phone: Any, country: Any) -> bool:
        if not phone_matches(phone, country):
            return False
        region = self._region(record) if self._region is not None else None
        if not isinstance(region, str) or country not in NANP:
            return True
        return phone_fits_region(phone, country, region) is not False

    def derives(self) -> tuple[str, ...]:
        return (str(self.spec.get("phone")),)  # a phone is drawn for its country: another one breaks this

    def keyed_by(self) -> tuple[str, ...]:
        return (str(self.spec.get("country")),)

    def check(self, record: Record) -> bool | None:
        country = self._country(record)
        phone = self._phone(record)
        if country is None or phone is None:
            return None
        return self._fits(record, phone, country)

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        country = self._country(record)
        if isinstance(country, str) and not self._fits(record, self._phone(record), country):
            region = self._region(record) if self._region is not None else None
            self._set_phone(record, values.phone(country, rng, region if isinstance(region, str) else None))


class PostalCodeMatchesCountry(Rule):
    kind = "postal_code_matches_country"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._found = self._getter("addresses")

    def _addresses(self, record: Record) -> list[dict[str, Any]]:
        found = self._found(record)
        found = found if isinstance(found, list) else [found]
        return [a for a in found if isinstance(a, dict) and "country" in a]

    def derives(self) -> tuple[str, ...]:
        found = self.spec.get("addresses")
        return (f"{found}.postal_code", f"{found}.*.postal_code")  # an object, or a list of them

    def keyed_by(self) -> tuple[str, ...]:
        found = self.spec.get("addresses")
        return (f"{found}.country", f"{found}.*.country")

    def check(self, record: Record) -> bool | None:
        addresses = self._addresses(record)
        if not addresses:
            return None
        for address in addresses:  # noqa: SIM110 (a plain loop: cheaper than all() over a generator)
            if not postal_code_matches(address.get("postal_code"), address["country"]):
                return False
        return True

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        found = self._found(record)
        for address in found if isinstance(found, list) else [found]:  # what _addresses() lists, in order
            if isinstance(address, dict) and "country" in address \
                    and not postal_code_matches(address.get("postal_code"), address["country"]):
                address["postal_code"] = values.postal_code(str(address["country"]), rng)


POSITIVE_WORDS = frozenset(
    "love loved great excellent perfect amazing fantastic happy recommend best superb wonderful solid "  # noqa: SIM905
    "reliable comfortable sturdy worth impressed delighted beautiful easy fast brilliant".split()
)
NEGATIVE_WORDS = frozenset(
    "broke broken poor terrible awful disappointed disappointing waste refund returned cheap flimsy "  # noqa: SIM905
    "worst useless bad faulty defective stopped failed avoid regret slow leaking".split()
)


_WORD = re.compile(r"[a-z]+")
_IS_POSITIVE, _IS_NEGATIVE = POSITIVE_WORDS.__contains__, NEGATIVE_WORDS.__contains__
_POSITIVE_B = frozenset(w.encode() for w in POSITIVE_WORDS)
_NEGATIVE_B = frozenset(w.encode() for w in NEGATIVE_WORDS)
_LETTERS_ONLY = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))
"""ASCII bytes lower-cased, every byte that is not a letter a space: split, the runs of ``[a-z]+``."""


def sentiment(text: str) -> int:
    """Crude lexicon sentiment: positive minus negative words (enough to catch a 1-star rave)."""
    # Every review is checked: this was most of a review's scoring. ASCII text (str.lower() of it is
    # ASCII A-Z to a-z) is cut into the same words in C; each lexicon word found is counted (a review
    # holds one or two of them).
    if text.isascii():
        found = text.encode("ascii").translate(_LETTERS_ONLY).split()
        good, bad = _POSITIVE_B.intersection(found), _NEGATIVE_B.intersection(found)
        return (sum(map(found.count, good)) if good else 0) - (sum(map(found.count, bad)) if bad else 0)
    words = _WORD.findall(text.lower())
    return sum(map(_IS_POSITIVE, words)) - sum(map(_IS_NEGATIVE, words))


_LEXICON_B = _POSITIVE_B | _NEGATIVE_B


def leans(text: str, positive: bool) -> bool:
    """``sentiment(text) > 0`` when ``positive``, else ``sentiment(text) < 0``: what a rating's check asks.

    For ASCII text, words of one side only decide it without counting them (the counts, a pass over the
    words for each lexicon word found, were a third of a review's check): with no word of the asked side
    the answer is no, with some and none of the other side yes; with both, they are counted as
    :func:`sentiment` counts them.
    """
    if not text.isascii():
        score = sentiment(text)
        return score > 0 if positive else score < 0
    found = text.encode("ascii").translate(_LETTERS_ONLY).split()
    hits = _LEXICON_B.intersection(found)  # (one pass over the words for both sides)
    if not hits:
        return False  # a score of 0
    asked, other = (_POSITIVE_B, _NEGATIVE_B) if positive else (_NEGATIVE_B, _POSITIVE_B)
    if hits.isdisjoint(asked):  # (a look at the one to three words found, no new set)
        return False
    if hits.isdisjoint(other):
        return True
    return sum(map(found.count, hits & asked)) > sum(map(found.count, hits & other))


class SentimentMatchesRating(Rule):
    kind = "sentiment_matches_rating"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self._rating = self._getter("rating")
        texts = spec.get("texts")
        # Compiled readers (every review is checked); a malformed spec fails when used, as it always did.
        self._texts: list[Getter] | None = [getter(p) for p in texts] if isinstance(texts, (list, tuple)) \
            and all(isinstance(p, str) for p in texts) else None
        rating = spec.get("rating")
        keys = tuple(texts) if isinstance(texts, (list, tuple)) and self._texts is not None else None
        self._keys: tuple[str, tuple[str, ...]] | None = (rating, keys) if keys is not None \
            and isinstance(rating, str) and all(_plain_parts(p) == [(p, None)] for p in (rating, *keys)) else None
        """(rating key, text keys) when each is a top-level key: read with ``get`` in a dict (their getters)."""

    def check(self, record: Record) -> bool | None:
        keys = self._keys
        if keys is not None and type(record) is dict:
            # The steps below for top-level keys of a dict (every review a dataset scores comes here)
            rating_key, text_keys = keys
            rating = record.get(rating_key)
            texts = []
            for key in text_keys:
                text = record.get(key)
                if isinstance(text, str):
                    texts.append(text)
            if not isinstance(rating, int) or not texts:
                return None
            if 2 < rating < 4:
                return True
            if rating >= 4:
                return leans(" ".join(texts), True)
            if rating <= 2:
                return leans(" ".join(texts), False)
            return True
        rating = self._rating(record)
        if self._texts is None:
            texts = [t for t in (get(record, p) for p in self.spec["texts"]) if isinstance(t, str)]
        else:
            texts = [t for t in (read(record) for read in self._texts) if isinstance(t, str)]
        if not isinstance(rating, int) or not texts:
            return None
        if 2 < rating < 4:
            return True  # a 3-star review fits any sentiment: no need to read it
        score = sentiment(" ".join(texts))
        if rating >= 4:
            return score > 0
        if rating <= 2:
            return score < 0
        return True

    def enforce(self, record: Record, rng: random.Random, values: ValueSource) -> None:
        """The traditional strategy draws review texts by rating, so there is nothing to change."""


RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls for cls in (SumOfProducts, ProductEach, RateOf, Sum, Ordered, FlagIffPositive, PresentIff,
                              StatusTimestamps, SameValue, EmailFromName, PhoneMatchesCountry,
                              PostalCodeMatchesCountry, SentimentMatchesRating, Different)
}


def rules_of(schema: Any) -> list[Rule]:
    """The schema's ``x-coherence`` rules (:func:`build_rules`), each rule that moves a value by one given its
    fields' whole-number bounds (:attr:`Rule.bounds`)."""
    rules = build_rules(schema.coherence, schema.source)
    for rule in rules:
        if isinstance(rule, PresentIff) and isinstance(rule.spec.get("field"), str):
            rule.fill = _filler(schema.subschema(rule.spec["field"]), rule.spec["field"])
        if isinstance(rule, (StrictlyOrdered, Different)):
            rule.bounds = {path: found for path in rule.spec.get("fields") or ()
                           if (found := _whole_bounds(schema.subschema(path))) != (None, None)}
    return rules


def _filler(sub: Mapping[str, Any] | None, path: str) -> Callable[[random.Random], Any] | None:
    """Draws a value of a field's schema, never null (the traditional strategy's drawer, compiled on first use:
    only a record that left the field out needs it). None for a path the schema does not define."""
    if sub is None:
        return None
    node = dict(sub)
    kinds = node.get("type")
    if isinstance(kinds, list) and "null" in kinds and len(kinds) > 1:
        rest = [k for k in kinds if k != "null"]
        node["type"] = rest[0] if len(rest) == 1 else rest
    compiled: list[Callable[[Any], Any]] = []

    def fill(rng: random.Random) -> Any:
        from pytest_testdata.generators.traditional.drawers import RecordState
        from pytest_testdata.generators.traditional.plan import value_drawer

        if not compiled:
            compiled.append(value_drawer(node, path.rsplit(".", 1)[-1]))
        return compiled[0](RecordState(rng, "US"))

    return fill


def _whole_bounds(sub: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    """The least and most whole number a field's schema allows (None: no bound, or not a whole number)."""
    kinds = sub.get("type") if sub else None
    if not sub or "integer" not in (kinds if isinstance(kinds, list) else [kinds]):
        return None, None
    low = sub.get("minimum")
    if isinstance(sub.get("exclusiveMinimum"), (int, float)) and not isinstance(sub["exclusiveMinimum"], bool):
        low = max(low if low is not None else -math.inf, math.floor(sub["exclusiveMinimum"]) + 1)
    high = sub.get("maximum")
    if isinstance(sub.get("exclusiveMaximum"), (int, float)) and not isinstance(sub["exclusiveMaximum"], bool):
        high = min(high if high is not None else math.inf, math.ceil(sub["exclusiveMaximum"]) - 1)
    return (math.ceil(low) if isinstance(low, (int, float)) else None,
            math.floor(high) if isinstance(high, (int, float)) else None)


def build_rules(specs: tuple[Mapping[str, Any], ...], source: str = "<schema>") -> list[Rule]:
    """Instantiate a schema's declared rules; an unknown kind is a usage error naming the allowed kinds."""
    rules = []
    for spec in specs:
        kind = spec.get("kind")
        if kind not in RULE_KINDS:
            raise TestdataUsageError(
                f"schema {source}: unknown coherence rule kind {kind!r}. Allowed: {', '.join(RULE_KINDS)}."
            )
        rules.append(StrictlyOrdered(spec) if kind == "ordered" and spec.get("strict") is True
                     else RULE_KINDS[kind](spec))
    return rules

