"""Coherence rules the builder enforced and can vouch for, so the scorer need not check them again.

The traditional plan enforces every coherence rule on the record it builds, and the engine then scores the
record against the same rules: a user's phone, postal codes and email were checked twice. Each function
here does what one rule's :meth:`~pytest_testdata.quality.rules.Rule.enforce` does, with the same draws in
the same order (``tests/test_fast_paths.py`` compares records built both ways), and also says what the
rule's :meth:`~pytest_testdata.quality.rules.Rule.check` would answer afterwards:

- :data:`HELD`: the rule held (or did not apply) and enforcing it changed nothing;
- :data:`MADE`: enforcing it changed the record, and the rule holds now (the new value was checked, or
  holds by how it was computed: a total set to the sum it is compared with);
- :data:`UNSURE`: anything else (the record is scored as usual).

A later rule can undo an earlier one (``same_value`` copying a country after the postal codes were made to
fit the old one). :func:`sure_builder_steps` works out, once per plan, which rules write a path an earlier
rule's check reads: such a rule vouches only when it changed nothing. A record is vouched for when every rule
vouched, no field was drawn after the rules and the cent cleaner did not move a value
(:func:`~pytest_testdata.generators.traditional.straight.record_builder`). The engine trusts that only for
records of the traditional generator's own plan that nothing changed since (not an invalid variant, not
constrained requests, not another strategy's records); see :meth:`CoherenceScorer.scores`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

from pytest_testdata.frozen import Frozen
from pytest_testdata.generators.traditional.drawers import address_drawer, phone_drawer
from pytest_testdata.generators.traditional.pools import (
    REAL_DOMAINS,
    RESERVED_DOMAINS,
    Values,
    address_lengths,
    phone_layouts_fit,
    phones_fit,
    postal_codes_fit,
)
from pytest_testdata.locales.countries import NANP, POSTAL_CODES, postal_code_matches
from pytest_testdata.locales.gazetteer import area_codes_by_state
from pytest_testdata.quality.money import round_cents
from pytest_testdata.quality.regex import compile_user_regex
from pytest_testdata.quality.rules import (
    TOLERANCE,
    EmailFromName,
    FlagIffPositive,
    Ordered,
    PhoneMatchesCountry,
    PostalCodeMatchesCountry,
    RateOf,
    Rule,
    SameValue,
    Sum,
    SumOfProducts,
    _num,
)
from pytest_testdata.quality.validator import format_test

UNSURE, HELD, MADE = 0, 1, 2
Sure = Callable[[dict[str, Any], random.Random, Values], int]
"""``enforce`` that returns :data:`UNSURE`, :data:`HELD` or :data:`MADE`."""


def _top(path: Any) -> TypeGuard[str]:
    return isinstance(path, str) and path != "" and "." not in path and "*" not in path


def _ordered(rule: Ordered) -> tuple[Sure, tuple[str, ...], tuple[str, ...]] | None:
    if not rule._plain_pair:
        return None
    first, second = (name for name, _, _ in rule._fields or ())

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        # Rule.enforce's fast path for two top-level strings; check() is then ``a <= b``.
        a, b = record.get(first), record.get(second)
        if type(a) is str and type(b) is str:
            if b < a:
                record[first], record[second] = b, a
                return MADE
            return HELD
        rule.enforce(record, rng, values)
        return UNSURE
    return sure, (first, second), (first, second)


def _same_value(rule: SameValue) -> tuple[Sure, tuple[str, ...], tuple[str, ...]] | None:
    fields = rule.spec.get("fields")
    if rule.spec.get("source") or not isinstance(fields, (list, tuple)) or len(fields) != 1:
        return None
    path = fields[0]
    head, star, tail = str(path).partition(".*.")
    if not star or not _top(head) or not _top(tail) or tail.isdigit():
        return None

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        # Rule.enforce for one "list.*.key" path: the first element's value copied to every element (the
        # setter writes the key into each dict element, also one that lacked it).
        items = record.get(head)
        if not isinstance(items, list):
            return HELD  # no values: enforce writes nothing, check() does not apply
        found = [item[tail] for item in items if isinstance(item, dict) and tail in item]
        if not found:
            return HELD
        first = found[0]
        changed = False
        for item in items:
            if isinstance(item, dict):
                if not changed and (tail not in item or not (item[tail] is first or (
                        type(item[tail]) is type(first) and item[tail] == first))):
                    changed = True
                item[tail] = first
        if not first == first:  # noqa: SIM201 - a NaN is not equal to itself: check() says False
            return UNSURE
        return MADE if changed else HELD
    return sure, (path,), (path,)


def _email(rule: EmailFromName) -> tuple[Sure, tuple[str, ...], tuple[str, ...]] | None:
    spec = rule.spec
    paths = (spec.get("email"), spec.get("first"), spec.get("last"))
    if not all(isinstance(p, str) for p in paths):
        return None
    general = _email_any(rule)
    sure = _email_top(rule, paths, general) if all(_top(p) for p in paths) else general
    return sure, paths, (paths[0],)  # type: ignore[return-value]


def _email_any(rule: EmailFromName) -> Sure:
    """:func:`_email`'s enforcer for any paths, through the rule's getters and setter."""
    read_first, read_last, write, country_of = rule._first, rule._last, rule._set_email, rule._country
    read_email = rule._email

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        first, last = read_first(record), read_last(record)
        if isinstance(first, str) and isinstance(last, str):
            country = country_of(record) if country_of is not None else None
            email = values.email(first, last, rng, country if isinstance(country, str) else "US")
            write(record, email)
            # Values.email writes the folded first name (or its initial) and the folded last name, both
            # letters a-z only, before its digits and domain: check() finds both in the folded local part.
            # Another value source, or a path the setter could not write, is left to the scorer.
            return MADE if type(values) is Values and read_email(record) is email else UNSURE
        return HELD  # check() does not apply without both names (a later draw of the email unvouches)
    return sure


def _three_parts(path: Any) -> tuple[str, int, str] | None:
    """``("addresses", 0, "country")`` for a path ``addresses.0.country`` (a key, an index, a key), else None."""
    parts = path.split(".") if isinstance(path, str) else []
    if len(parts) != 3 or not (parts[1].isdigit() and parts[1].isascii()) or "*" in parts \
            or parts[0].isdigit() or not parts[0] or not parts[2]:
        return None
    return parts[0], int(parts[1]), parts[2]


def _email_top(rule: EmailFromName, paths: tuple[Any, ...], general: Sure) -> Sure:
    """:func:`_email`'s enforcer for top-level email and names (a user's), on the builder's record (a dict):
    the getters' and setter's steps for a dict written out (``record.get``, ``record[key] = ``), a country
    path of three parts (``addresses.0.country``) read as its getter reads a list of dicts; any other shape
    through the rule's own getters. The same values, draws and answer."""
    email_key, first_key, last_key = paths
    country_of = rule._country
    head, at, key = _three_parts(rule.spec.get("country")) or ("", 0, "")

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        if type(record) is not dict:
            return general(record, rng, values)
        first, last = record.get(first_key), record.get(last_key)
        if isinstance(first, str) and isinstance(last, str):
            if country_of is None:
                country = None
            elif head and type(items := record.get(head)) is list and len(items) > at \
                    and type(items[at]) is dict:
                country = items[at].get(key)
            else:
                country = country_of(record)
            email = values.email(first, last, rng, country if isinstance(country, str) else "US")
            record[email_key] = email
            return MADE if type(values) is Values else UNSURE  # (see _email)
        return HELD
    return sure


def _phone(rule: PhoneMatchesCountry) -> tuple[Sure, tuple[str, ...], tuple[str, ...]] | None:
    spec = rule.spec
    paths = tuple(spec.get(k) for k in ("phone", "country", "region") if k in spec)
    if not all(isinstance(p, str) for p in paths) or "country" not in spec or "phone" not in spec:
        return None
    read_country, read_phone, fits = rule._country, rule._phone, rule._fits
    general = _phone_any(rule, read_country, read_phone, fits)
    phone_key, country_at, region_at = spec.get("phone"), _three_parts(spec.get("country")), \
        _three_parts(spec.get("region"))
    if _top(phone_key) and country_at is not None and (region_at is not None or "region" not in spec):
        return _phone_nanp(rule, phone_key, country_at, region_at, general), paths, (phone_key,)  # type: ignore[return-value]
    return general, paths, (str(spec["phone"]),)  # type: ignore[return-value]


def _phone_nanp(rule: PhoneMatchesCountry, phone_key: str, country_at: tuple[str, int, str],
                region_at: tuple[str, int, str] | None, general: Sure) -> Sure:
    """:func:`_phone`'s enforcer with the usual case of a NANP number written out (the builder runs the rule
    only for US and CA records, every other country's numbers fit by construction): a ``+1 `` number whose
    area code serves the address's state holds, as ``_fits`` says, read without getters (a list of dicts,
    as the rule's three-part getters read it). Anything else goes through the rule's own steps."""
    head, at, key = country_at
    region_head, region_index, region_key = region_at or ("", 0, "")
    read_country, read_region = rule._country, rule._region
    by_country: dict[str, dict[str, frozenset[str]]] = {}  # area_codes_by_state of each country, kept at hand

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        if type(record) is dict:
            items = record.get(head)
            if type(items) is list and len(items) > at and type(items[at]) is dict:
                country = items[at].get(key)
            else:
                country = read_country(record)
            phone = record.get(phone_key)
            if type(country) is str and country in NANP and type(phone) is str and phone.startswith("+1 "):
                # phone_matches: "+1" and a space. Then _fits asks the region (a str) for the area code.
                if read_region is None:
                    return HELD
                items = record.get(region_head)
                if type(items) is list and len(items) > region_index and type(items[region_index]) is dict:
                    region = items[region_index].get(region_key)
                else:
                    region = read_region(record)
                if not isinstance(region, str):
                    return HELD
                codes = by_country.get(country)
                if codes is None:
                    codes = by_country[country] = area_codes_by_state(country)
                in_state = codes.get(region)
                if in_state is None:
                    return HELD  # the data cannot tell: phone_fits_region says None, which is not False
                area = phone[3:6]
                if area in in_state and area.isdigit() and len(area) == 3:
                    return HELD
        return general(record, rng, values)
    return sure


def _phone_any(rule: PhoneMatchesCountry, read_country: Any, read_phone: Any, fits: Any) -> Sure:
    """:func:`_phone`'s enforcer through the rule's getters."""

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        country = read_country(record)
        if isinstance(country, str):
            if fits(record, read_phone(record), country):
                return HELD  # check() asks the same question of the same values
            rule.enforce(record, rng, values)  # draws a number for the country (and region)
            return MADE if rule.check(record) is True else UNSURE  # the drawn number, checked
        return HELD if country is None else UNSURE  # no country: check() does not apply
    return sure


def _postal(rule: PostalCodeMatchesCountry) -> tuple[Sure, tuple[str, ...], tuple[str, ...]] | None:
    path = rule.spec.get("addresses")
    if not _top(path):
        return None
    found_of = rule._found

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        # Rule.enforce's steps: each address (one, or a list of them) with a country gets a postal code of
        # that country's shape if its own has not; the drawn code is checked as check() checks it.
        found = record.get(path) if type(record) is dict else found_of(record)  # (a top-level key's getter)
        status = HELD
        for address in found if isinstance(found, list) else [found]:
            if not isinstance(address, dict) or "country" not in address:
                continue
            country = address["country"]
            code = address.get("postal_code")
            # postal_code_matches(code, country), written out: a call fewer for every address checked
            pattern = POSTAL_CODES.get(country if type(country) is str else str(country))
            if not (isinstance(code, str) and pattern is not None and pattern.match(code)):
                code = address["postal_code"] = values.postal_code(str(address["country"]), rng)
                status = MADE if status and postal_code_matches(code, address["country"]) else UNSURE
        return status
    return sure, (path,), (f"{path}.*.postal_code", f"{path}.postal_code")


def _sum_of_products(rule: SumOfProducts) -> tuple[Sure, tuple[str, ...], tuple[str, ...]] | None:
    items, target = rule.spec.get("items"), rule.spec.get("target")
    if not _top(items) or not _top(target):
        return None
    expected_of, read_items = rule._expected, rule._items
    assert isinstance(target, str)

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        # the items getter of a top-level key reads a dict with .get (paths.getter): no call for the builder's
        expected = expected_of(record.get(items) if type(record) is dict else read_items(record))
        if expected is not None:
            record[target] = expected  # the setter of a top-level key (record is the builder's dict)
            # check() computes the same expected value and finds it: a difference of 0 (if it is finite)
            return MADE if expected - expected == 0.0 else UNSURE
        return UNSURE  # the target keeps what it had (a later draw, or a value nobody checked)
    return sure, (items, target), (target,)


def _rate_of(rule: RateOf) -> tuple[Sure, tuple[str, ...], tuple[str, ...]] | None:
    base, target = rule.spec.get("base"), rule.spec.get("target")
    if not _top(base) or not _top(target) or base == target:
        return None
    try:
        low, high = float(rule.spec["min"]), float(rule.spec["max"])
    except (KeyError, TypeError, ValueError):
        return None
    assert isinstance(base, str) and isinstance(target, str)

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        value = _num(record.get(base))
        if value is not None:
            rate = low + (high - low) * rng.random()  # Rule.enforce's draw
            made = record[target] = round_cents(value * rate)  # round(value * rate, 2)
            # check(), on the values just written
            return MADE if value * low - TOLERANCE <= made <= value * high + TOLERANCE else UNSURE
        return UNSURE
    return sure, (base, target), (target,)


def _sum(rule: Sum) -> tuple[Sure, tuple[str, ...], tuple[str, ...]] | None:
    terms, target = rule.spec.get("terms"), rule.spec.get("target")
    if not _top(target) or not isinstance(terms, (list, tuple)) or not terms \
            or not all(isinstance(t, str) and _top(t.lstrip("-")) for t in terms) \
            or target in [t.lstrip("-") for t in terms]:
        return None
    expected_of = rule._expected
    assert isinstance(target, str)
    # Sum._expected's terms (each top-level: read with .get from the builder's dict, as its getters read it)
    signed = tuple((-1.0, t[1:]) if t.startswith("-") else (1.0, t) for t in terms)

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        if type(record) is dict:
            # Sum._expected(record) written out: the same sum in the same order, no getter calls
            expected: float | None = 0.0
            for sign, key in signed:
                value = record.get(key)
                if type(value) is not float:  # (_num of a float is the float itself)
                    value = _num(value)
                    if value is None:
                        expected = None
                        break
                expected += sign * value  # type: ignore[operator]
            if expected is not None:
                expected = round_cents(expected)
        else:
            expected = expected_of(record)
        if expected is not None:
            record[target] = max(expected, 0.0)
            # check() recomputes the same sum (the target is none of its terms): equal unless it was negative
            return MADE if expected >= 0.0 and expected - expected == 0.0 else UNSURE
        return UNSURE
    return sure, (*(str(t).lstrip("-") for t in terms), target), (target,)


def _flag_iff_positive(rule: FlagIffPositive) -> tuple[Sure, tuple[str, ...], tuple[str, ...]] | None:
    flag, quantity = rule.spec.get("flag"), rule.spec.get("quantity")
    if not _top(flag) or not isinstance(quantity, str):
        return None
    read_quantity = rule._quantity
    assert isinstance(flag, str)

    def sure(record: dict[str, Any], rng: random.Random, values: Values) -> int:
        # Rule.enforce: the flag set to whether the quantity is above zero (a top-level key of the builder's
        # dict); check() then compares that very bool with the same comparison.
        quantity_now = _num(read_quantity(record))
        if quantity_now is None:
            return HELD  # check() does not apply without a number (a later draw of the flag unvouches)
        wanted = quantity_now > 0
        changed = record.get(flag) is not wanted
        record[flag] = wanted
        return MADE if changed else HELD
    return sure, (quantity, flag), (flag,)


_MAKERS: dict[type[Rule], Callable[[Any], tuple[Sure, tuple[str, ...], tuple[str, ...]] | None]] = {
    Ordered: _ordered, SameValue: _same_value, EmailFromName: _email, PhoneMatchesCountry: _phone,
    PostalCodeMatchesCountry: _postal, SumOfProducts: _sum_of_products, RateOf: _rate_of, Sum: _sum,
    FlagIffPositive: _flag_iff_positive,
}


def leaves_alone(rule: Rule, keys: tuple[str, ...]) -> bool:
    """Whether enforcing ``rule`` can neither read nor write the top-level ``keys``: a rule of a kind this
    module knows (:data:`_MAKERS`: each reads and writes only the paths its spec names, and what lies under
    them), none of whose spec's texts contains one of the keys or starts with a wildcard (``*``, also after a
    sign, ``-*``). Text, not paths, is compared: a key named anywhere in the spec (``"x.created_at"``, or the
    rule's own ``kind``) says False, which is only ever too careful."""
    if type(rule) not in _MAKERS:
        return False
    texts: list[str] = []
    pending: list[Any] = [rule.spec]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, Mapping):
            pending += [*value.keys(), *value.values()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            pending += list(value)
        elif not isinstance(value, (int, float, type(None))):
            return False  # (something else: what it names cannot be read)
    return not any(text.lstrip("-").startswith("*") or any(key in text for key in keys) for text in texts)


def overlap(a: str, b: str) -> bool:
    """Whether two paths can name the same value or one lies inside the other (``*`` matches any index)."""
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y and not ((x == "*" and (y == "*" or y.isdigit())) or (y == "*" and x.isdigit())):
            return False
    return True


class Step(Frozen):
    """One rule as the vouching builder runs it."""

    __slots__ = ("sure", "undoes", "writes", "permutes", "always_held", "held_in")  # noqa: RUF023 (in field order: Frozen)

    sure: Sure
    """Its vouching enforcer."""
    undoes: bool
    """It writes a path an earlier rule's check reads: it vouches only when it changed nothing."""
    writes: tuple[str, ...]
    """The paths it may write."""
    permutes: bool
    """It only reorders the values of the paths it writes (``ordered``): each keeps a value one of them had."""
    always_held: bool
    """The plan's drawers make every record hold it, and enforcing it then changes and draws nothing: the
    builder leaves it out (see :func:`held_by_construction`)."""
    held_in: Mapping[str, bool] | None
    """The same, for records of the countries this table says True for (looked up with the record's
    country, each country worked out on first use): the builder runs the rule only for other countries."""

    def __init__(self, sure: Sure, undoes: bool, writes: tuple[str, ...], permutes: bool = False,
                 always_held: bool = False, held_in: Mapping[str, bool] | None = None) -> None:
        setter = object.__setattr__
        setter(self, "sure", sure)
        setter(self, "undoes", undoes)
        setter(self, "writes", writes)
        setter(self, "permutes", permutes)
        setter(self, "always_held", always_held)
        setter(self, "held_in", held_in)


class _PerCountry(dict[str, bool]):
    """``test(country)`` for each country, worked out the first time it is looked up."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        super().__init__()
        self.test = test

    def __missing__(self, country: str) -> bool:
        found = self[country] = self.test(country)
        return found


POSTAL_CODES_FIT = _PerCountry(postal_codes_fit)
PHONES_FIT = _PerCountry(phones_fit)


def _lists_addresses(draw: Any) -> bool:
    """Whether ``draw`` builds a list of the address drawer's objects (plan.py's array drawer tags its items)."""
    return getattr(draw, "items_of", None) is address_drawer


def held_by_construction(rule: Rule, drawers: Mapping[str, Any]) -> tuple[bool, Mapping[str, bool] | None]:
    """Whether the plan's drawers (``drawers``: the top-level fields drawn before the rules) make ``rule``
    hold, so that enforcing it changes and draws nothing: always (``(True, None)``), for records of the
    countries a table says True for (``(False, table)``), or not known (``(False, None)``).

    The address drawer (:func:`~pytest_testdata.generators.traditional.drawers.address_drawer`) writes the
    record's country into every address it builds and a postal code of a place of that country; the phone
    drawer draws a number of the record's country in its international layout. So:

    - ``same_value`` over ``<list>.*.country``, the list built by the address drawer: every address holds
      the record's country (the very same string): the rule holds and its copying writes what is there;
    - ``postal_code_matches_country`` over such a list (or one such address): every postal code a place of
      the country can give has the country's shape (:func:`~pytest_testdata.generators.traditional.pools.\
postal_codes_fit`, checked once per country over all its places);
    - ``phone_matches_country``, the phone from the phone drawer and the country read from the first such
      address (the record's country, or no address at all: the rule does not apply): every international
      layout of the country starts with its calling code and a space
      (:func:`~pytest_testdata.generators.traditional.pools.phones_fit`; not for NANP countries, whose
      numbers are also checked against the address's state).

    The caller makes sure no earlier rule writes what the rule reads (:func:`sure_builder_steps`).
    """
    spec = rule.spec
    if type(rule) is SameValue:
        fields = spec.get("fields")
        if not spec.get("source") and isinstance(fields, (list, tuple)) and len(fields) == 1 \
                and isinstance(fields[0], str):
            head, star, tail = fields[0].partition(".*.")
            if star and tail == "country" and _top(head) and _lists_addresses(drawers.get(head)):
                return True, None
    elif type(rule) is PostalCodeMatchesCountry:
        path = spec.get("addresses")
        if isinstance(path, str) and _top(path) and (
                drawers.get(path) is address_drawer or _lists_addresses(drawers.get(path))):
            return False, POSTAL_CODES_FIT
    elif type(rule) is PhoneMatchesCountry:
        phone, country = spec.get("phone"), spec.get("country")
        if isinstance(phone, str) and _top(phone) and drawers.get(phone) is phone_drawer \
                and isinstance(country, str):
            head, _, rest = country.partition(".")
            if (rest == "0.country" and _lists_addresses(drawers.get(head))) or (
                    rest == "country" and drawers.get(head) is address_drawer):
                return False, PHONES_FIT
    return False, None


def sure_builder_steps(rules: list[Rule], drawn: list[tuple[str, Any]] | None = None) -> list[Step] | None:
    """Each rule's :class:`Step`; None when a rule has no vouching enforcer (the plan's records are then
    scored as usual). With ``drawn`` (the plan's top-level fields and their drawers, drawn before the
    rules), a rule that reads nothing an earlier rule writes is left out of the records it holds for by
    construction (:func:`held_by_construction`)."""
    made = []
    for rule in rules:
        maker = _MAKERS.get(type(rule))
        found = maker(rule) if maker is not None else None
        if found is None:
            return None
        made.append(found)
    drawers = {name: draw for name, draw in drawn or () if draw is not None}
    steps = []
    for j, (rule, (sure, reads, writes)) in enumerate(zip(rules, made, strict=True)):
        undoes = any(overlap(w, c) for _, checks, _ in made[:j] for c in checks for w in writes)
        always, held_in = False, None
        if drawn is not None and not any(overlap(w, r) for _, _, earlier in made[:j] for w in earlier for r in reads):
            always, held_in = held_by_construction(rule, drawers)
        steps.append(Step(sure, undoes, writes, permutes=type(rule) is Ordered, always_held=always,
                          held_in=held_in))
    return steps


def makes(draw: Any, node: Mapping[str, Any]) -> bool:
    """Whether ``draw`` always makes the shape ``node`` asks for: the ``format`` and ``pattern`` it has (at
    least one) are the ones the drawer's ``makes_shape`` names (the identifier drawer a UUID, the timestamp
    drawer a calendar date-time, the SKU drawer ``^[A-Z]{3}-[0-9]{5}$``). A drawer wrapped to fit lengths
    or a caller's regex is another function, without the tag."""
    shape = getattr(draw, "makes_shape", None)
    fmt, pattern = node.get("format"), node.get("pattern")
    if not isinstance(shape, Mapping) or (fmt is None and pattern is None) or node.get("x-patterns"):
        return False  # (x-patterns: a caller's regex merged in, which no drawer's tag covers)
    return (fmt is None or shape.get("format") == fmt) and (pattern is None or shape.get("pattern") == pattern)


def made_shapes(tree: Mapping[str, Any], drawn: list[tuple[str, Any]], steps: list[Step],
                cleaner_writes: tuple[str, ...] = ()) -> frozenset[str]:
    """Paths (``cart_id``, ``items.*.product_id``) whose ``format`` and ``pattern`` the plan's drawers meet by
    construction: the field's drawer always makes that shape (:func:`makes`) and no rule writes the field,
    unless it only reorders fields that all hold values of one such shape (``ordered`` on ``created_at``
    and ``updated_at``), nor does the cent cleaner (``cleaner_writes``). Nothing about a record's draws
    enters into it: it holds for every record the plan builds (and nothing changes after). The validator
    leaves out just those two tests (:meth:`~pytest_testdata.quality.validator.Validator.validate`); the
    fields' other keywords are checked.
    """
    properties = tree.get("properties")
    if not isinstance(properties, Mapping):
        return frozenset()
    made: dict[str, str] = {}
    for name, draw in drawn:
        node = properties.get(name)
        if not isinstance(node, Mapping):
            continue
        if makes(draw, node):
            made[name] = repr(sorted(draw.makes_shape.items()))
        inner = node.get("items")
        fields = getattr(draw, "fields", None)
        if node.get("type") == "array" and isinstance(inner, Mapping) and fields is not None:
            inner_properties = inner.get("properties")
            for field_name, field_draw in fields:
                sub = inner_properties.get(field_name) if isinstance(inner_properties, Mapping) else None
                if isinstance(sub, Mapping) and makes(field_draw, sub):
                    made[f"{name}.*.{field_name}"] = repr(sorted(field_draw.makes_shape.items()))
    for step in steps:
        touched = [path for path in made if any(overlap(w, path) for w in step.writes)]
        kept = step.permutes and all(w in made for w in step.writes) and len({made[w] for w in step.writes}) == 1
        if not kept:
            for path in touched:
                del made[path]
    return frozenset(path for path in made if not any(overlap(w, path) for w in cleaner_writes))


VALUE_MARK = "="
"""Prefix of a :func:`made_values` path in a plan's ``made_shapes``: there the whole value holds (every
keyword of the field), not only its format and pattern."""
_ANNOTATIONS = frozenset(("description", "title", "examples", "default", "$comment", "deprecated", "readOnly",
                          "writeOnly"))


def _annotation(key: str) -> bool:
    """A keyword no check reads (``x-patterns`` is a caller's regex merged in: a check)."""
    return key in _ANNOTATIONS or (key.startswith("x-") and key != "x-patterns")


def _count(value: Any) -> bool:
    return type(value) is int or type(value) is float


def implies(tag: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """Whether every value a drawer tagged ``tag`` (its ``makes_value``: what each value it returns is, in
    keywords) passes every check of ``node``: each keyword of the node is compared with the tag's; a keyword
    this does not know, or one the tag does not say, means no. (An array's ``items`` is left to the caller.)"""
    for key, want in node.items():
        if _annotation(key) or (key == "items" and tag.get("type") == "array"):
            continue
        got = tag.get(key)
        if key == "type":
            ok = type(want) is str and got == want
        elif key in ("minimum", "minLength", "minItems"):
            ok = _count(got) and _count(want) and got >= want
        elif key in ("maximum", "maxLength", "maxItems"):
            ok = _count(got) and _count(want) and got <= want
        elif key in ("format", "pattern"):
            ok = got is not None and got == want
        elif key == "enum":
            ok = isinstance(got, tuple) and isinstance(want, list) and all(
                any(type(g) is type(w) and g == w for w in want) for g in got)
        else:
            ok = False
        if not ok:
            return False
    return "type" in node


def _exact_object(node: Any, names: list[str]) -> bool:
    """Whether a dict with exactly the keys ``names`` passes every check of the object ``node`` but those of
    its properties' values: the names are its properties, it asks for no others (``required`` among them)."""
    if not isinstance(node, Mapping) or node.get("type") != "object":
        return False
    props = node.get("properties")
    if not isinstance(props, Mapping) or len(set(names)) != len(names) or set(props) != set(names):
        return False
    for key, want in node.items():
        if _annotation(key) or key in ("type", "properties"):
            continue
        if key == "required" and isinstance(want, list) and set(want) <= set(props):
            continue
        if key == "additionalProperties" and type(want) is bool:
            continue
        return False
    return True


def made_values(tree: Mapping[str, Any], drawn: list[tuple[str, Any]], steps: list[Step],
                cleaner_writes: tuple[str, ...] = ()) -> frozenset[str]:
    """Paths (marked with :data:`VALUE_MARK`: ``=cart_id``, ``=items``, ``=items.*.quantity``) whose whole value
    passes the schema's checks by construction in every record the plan builds: the drawer's ``makes_value``
    :func:`implies` the field's subschema, and nothing writes the field afterwards (as :func:`made_shapes`:
    no rule, unless it only reorders fields of one such tag, nor the cent cleaner). ``=items`` (a list of
    objects, :func:`~pytest_testdata.generators.traditional.straight.items_builder`) says the list's type
    and length and that each element is a dict with exactly its properties' keys; writes of an element's
    property (``items.*.unit_price``) keep that, and the property itself is then not listed. The validator
    leaves out those checks (quality/acceptor.py); the others are made.
    """
    properties = tree.get("properties")
    if not isinstance(properties, Mapping):
        return frozenset()
    made: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}  # "items": its elements' keys
    for name, draw in drawn:
        node = properties.get(name)
        tag = getattr(draw, "makes_value", None)
        if not isinstance(node, Mapping) or not isinstance(tag, Mapping) or not implies(tag, node):
            continue
        fields = getattr(draw, "fields", None)
        if tag.get("type") == "array":
            inner = node.get("items")
            names = [field_name for field_name, _ in fields or ()]
            if fields is None or not _exact_object(inner, names):
                continue
            assert isinstance(inner, Mapping)
            arrays[name] = names
            for field_name, field_draw in fields:
                sub = inner["properties"][field_name]
                field_tag = getattr(field_draw, "makes_value", None)
                if isinstance(sub, Mapping) and isinstance(field_tag, Mapping) and implies(field_tag, sub):
                    made[f"{name}.*.{field_name}"] = repr(sorted(field_tag.items()))
        made[name] = repr(sorted(tag.items()))
    writes = [*((step.writes, step.permutes) for step in steps), (cleaner_writes, False)]
    for written, permutes in writes:
        kept = permutes and all(w in made for w in written) and len({made[w] for w in written}) == 1
        for path in [path for path in made if any(overlap(w, path) for w in written)]:
            if kept:
                continue
            if path in arrays and all(_inside_element(w, path, arrays[path]) for w in written if overlap(w, path)):
                continue  # a property of each element rewritten: still a list of such dicts
            del made[path]
    return frozenset(VALUE_MARK + path for path in made)


def _inside_element(write: str, array: str, names: list[str]) -> bool:
    """``write`` (``items.*.unit_price``) sets a property of each element of ``array`` among ``names``."""
    head, star, rest = write.partition(".*.")
    return head == array and bool(star) and rest.split(".")[0] in names


_ADDRESS_KEYS = ("street", "city", "state", "postal_code", "country")


def address_tags(countries: tuple[str, ...]) -> dict[str, dict[str, Any]] | None:
    """What every value the address drawer writes for a record of one of ``countries`` is, in keywords, per
    key of its dicts (``pools.address_lengths`` over each country's data); None when a country's data has a
    value that is not a string."""
    tags: dict[str, dict[str, Any]] = {"country": {"type": "string", "enum": tuple(countries)}}
    for country in countries:
        lengths = address_lengths(country)
        if lengths is None:
            return None
        for key, (lo, hi) in lengths.items():
            tag = tags.setdefault(key, {"type": "string", "minLength": lo, "maxLength": hi})
            tag["minLength"], tag["maxLength"] = min(tag["minLength"], lo), max(tag["maxLength"], hi)
    return tags


def made_addresses(tree: Mapping[str, Any], drawn: list[tuple[str, Any]], rules: list[Rule], steps: list[Step],
                   countries: tuple[str, ...], cleaner_writes: tuple[str, ...] = ()) -> frozenset[str]:
    """Paths (marked :data:`VALUE_MARK`: ``=addresses``, ``=addresses.*.street``...) whose whole value passes the
    schema's checks in every record the plan builds for a record country among ``countries``: a top-level
    list drawn by the plan's array drawer of address objects (its ``makes_value``: ``lo`` to ``hi`` items),
    each a dict of exactly the five keys the schema's items list as their only properties, and each key's
    values within what :func:`address_tags` proves of the countries' data. A rule may write into them only
    as the drawer would: ``postal_code_matches_country`` draws a postal code of the address's country (which
    ``same_value`` on the country, held by construction, keeps the record's) through the same pool function;
    any other write, or the cent cleaner's, leaves the paths it touches to the validator."""
    properties = tree.get("properties")
    if not isinstance(properties, Mapping) or not countries:
        return frozenset()
    made: set[str] = set()
    for name, draw in drawn:
        node = properties.get(name)
        tag = getattr(draw, "makes_value", None)
        if not _lists_addresses(draw) or not isinstance(node, Mapping) or not isinstance(tag, Mapping) \
                or not implies(tag, node):
            continue
        inner = node.get("items")
        if not _exact_object(inner, list(_ADDRESS_KEYS)):
            continue
        assert isinstance(inner, Mapping)
        tags = address_tags(countries)
        if tags is None:
            continue
        paths = {f"{name}.*.{key}" for key in _ADDRESS_KEYS
                 if isinstance(inner["properties"][key], Mapping) and implies(tags[key], inner["properties"][key])}
        if any(overlap(write, f"{name}.*.country") for rule, step in zip(rules, steps, strict=True)
               if not (step.always_held and type(rule) is SameValue) for write in step.writes):
            # Another country written in: the postal-code rule would draw a code of that country.
            paths.discard(f"{name}.*.postal_code")
        for rule, step in zip(rules, steps, strict=True):
            if (type(rule) is PostalCodeMatchesCountry and rule.spec.get("addresses") == name) or (
                    step.always_held and type(rule) is SameValue):
                continue  # writes into the list only as the drawer does (see above)
            for write in step.writes:
                if not overlap(write, name):
                    continue
                if not _inside_element(write, name, list(_ADDRESS_KEYS)):
                    paths = set()  # the list itself rewritten: nothing of it vouched for
                    break
                paths = {path for path in paths if not overlap(write, path)}
            else:
                continue
            break
        else:
            if not any(overlap(write, name) for write in cleaner_writes):
                made |= {name, *paths}
    return frozenset(VALUE_MARK + path for path in made)


PHONE_PATTERN = r"^\+[0-9][0-9 -]{6,18}[0-9]$"
"""The built-in schemas' phone pattern: it sees every digit alike (``[0-9]``), so a layout filled with zeros
stands for every number drawn into it (:func:`~pytest_testdata.generators.traditional.pools.phone_layouts_fit`)."""


def emails_fit() -> bool:
    """Whether every address :meth:`Values.email` can give passes the validator's ``email`` format test.

    Its local part is folded names (letters a-z only, ``fold``; ``user`` and ``mail`` when a name folds to
    nothing), at most one ``.`` or ``_``, and digits: never empty, never an ``@`` or a space. The test is
    ``^[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\Z``: such a local part passes it with a domain exactly when ``a@`` and the domain
    do, which is checked here for every domain it picks from (reserved and real)."""
    test = format_test("email")
    domains = {*RESERVED_DOMAINS, *(d for found in REAL_DOMAINS.values() for d in found)}
    return test is not None and all(test(f"a@{domain}") and test(f"first.last1234@{domain}") for domain in domains)


def _only_writer(path: str, rule: Rule, rules: list[Rule], steps: list[Step], cleaner_writes: tuple[str, ...]) -> bool:
    """``rule`` is the one rule that writes ``path`` (a top-level field), and the cent cleaner does not."""
    return all(other is rule or not any(overlap(w, path) for w in step.writes)
               for other, step in zip(rules, steps, strict=True)) \
        and not any(overlap(w, path) for w in cleaner_writes)


def made_rule_shapes(tree: Mapping[str, Any], drawn: list[tuple[str, Any]], rules: list[Rule], steps: list[Step],
                     countries: tuple[str, ...], cleaner_writes: tuple[str, ...] = ()) -> frozenset[str]:
    """Paths (as :func:`made_shapes`: their ``format`` and ``pattern`` tests left out, every other test made)
    that a coherence rule writes and whose shape holds in every record the plan builds for a record country
    among ``countries``:

    - the email of ``email_from_name`` when its names are top-level fields whose drawers always make strings
      (``makes_value``) and no earlier rule writes: the rule then always writes :meth:`Values.email`'s
      address (the deferred drawer never runs), which passes the ``email`` format (:func:`emails_fit`);
    - the phone of ``phone_matches_country`` drawn by the phone drawer, with the country read from the address
      drawer's (the record's country, one of ``countries``): the drawer and the rule both give a number of
      the country in its international layout, and every layout of each country passes the built-in
      :data:`PHONE_PATTERN` (``pools.phone_layouts_fit``). Another pattern, or a format, is checked.

    Only for a field no other rule, nor the cent cleaner, writes; the schema's node asks for exactly that
    format (email) or that pattern (phone) and no caller's regex (``x-patterns``)."""
    properties = tree.get("properties")
    if not isinstance(properties, Mapping) or not countries:
        return frozenset()
    drawers = {name: draw for name, draw in drawn}
    made: set[str] = set()
    for j, rule in enumerate(rules):
        spec = rule.spec
        if type(rule) is EmailFromName:
            path, first, last = spec.get("email"), spec.get("first"), spec.get("last")
            if not (_top(path) and _top(first) and _top(last)):
                continue
            node = properties.get(path)
            names_made = all(isinstance(tag := getattr(drawers.get(p), "makes_value", None), Mapping)
                             and tag.get("type") == "string" for p in (first, last))
            names_kept = not any(overlap(w, p) for earlier in steps[:j] for w in earlier.writes for p in (first, last))
            if isinstance(node, Mapping) and node.get("format") == "email" and "pattern" not in node \
                    and "x-patterns" not in node and names_made and names_kept \
                    and _only_writer(path, rule, rules, steps, cleaner_writes) and emails_fit():
                made.add(path)
        elif type(rule) is PhoneMatchesCountry:
            path, country = spec.get("phone"), spec.get("country")
            if not _top(path) or not isinstance(country, str) or drawers.get(path) is not phone_drawer:
                continue
            node = properties.get(path)
            head, _, rest = country.partition(".")
            from_address = (rest == "0.country" and _lists_addresses(drawers.get(head))) or (
                rest == "country" and drawers.get(head) is address_drawer)
            # The country path: no rule writes it but same_value keeping the record's country everywhere.
            country_kept = all(not any(overlap(w, country) for w in other.writes)
                               or (type(rule_) is SameValue and other.always_held)
                               for rule_, other in zip(rules, steps, strict=True))
            if isinstance(node, Mapping) and node.get("pattern") == PHONE_PATTERN and "format" not in node \
                    and "x-patterns" not in node and from_address and country_kept \
                    and _only_writer(path, rule, rules, steps, cleaner_writes):
                test = compile_user_regex(PHONE_PATTERN, "pattern").test
                if test is not None and all(phone_layouts_fit(c, test) for c in countries):
                    made.add(path)
    return frozenset(made)
