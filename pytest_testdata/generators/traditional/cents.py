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
from types import FunctionType
from typing import Any

from pytest_testdata.frozen import Frozen
from pytest_testdata.generators.traditional import warming
from pytest_testdata.quality.money import cents_of, round_cents
from pytest_testdata.quality.paths import Getter, Setter, _plain_parts, all_getter, getter, setter
from pytest_testdata.quality.rules import (
    TOLERANCE,
    Ordered,
    ProductEach,
    RateOf,
    Rule,
    SameValue,
    Sum,
    SumOfProducts,
    ValueSource,
    _key_in,
)

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

    __slots__ = ("index", "check", "base", "target", "write", "low", "high", "derive", "others", "moving", "where",  # noqa: RUF023
                 "quick")

    index: int
    """Its place in the rule list."""
    check: Callable[[Any], bool | None]
    base: Getter
    target: Getter
    write: Setter
    low: float
    """The rule's ``min`` rate."""
    high: float
    derive: tuple[_Step, ...]
    """The deriving rules to run again after the target moved (those that read it, or read what they derive)."""
    others: Callable[[Any], bool]
    """Whether a target that moving this one does not change holds a rejected value."""
    moving: Callable[[Any], bool] | None
    """While this target is settled and :attr:`others` found nothing rejected: the cleaner's whole rejection
    test, reading only the targets that the target's writes and :attr:`derive`'s runs can reach (the rest
    are among those :attr:`others` read, and nothing in the loop writes them: they stay accepted). None
    when that cannot be told from the rules' specs (the whole test is asked)."""

    where: tuple[str, str, str] | None
    """(object, base key, target key) when the base and the target are keys of one top-level object
    (``totals.subtotal``, ``totals.tax``): read and written in that dict, as their getters and setter do."""
    quick: _Quick | None
    """How :meth:`CentMoves._settle_quick` tries a value without the rules' runs (an order's tax and
    discount); None: each try runs :attr:`derive` (:meth:`CentMoves._settle`)."""

    def __init__(self, index: int, check: Callable[[Any], bool | None], base: Getter, target: Getter,
                 write: Setter, low: float, high: float, derive: tuple[_Step, ...],
                 others: Callable[[Any], bool], moving: Callable[[Any], bool] | None,
                 where: tuple[str, str, str] | None, quick: _Quick | None = None) -> None:
        setter = object.__setattr__
        for name, value in (("index", index), ("check", check), ("base", base), ("target", target),
                            ("write", write), ("low", low), ("high", high), ("derive", derive), ("others", others),
                            ("moving", moving), ("where", where), ("quick", quick)):
            setter(self, name, value)


class _Quick(Frozen):
    """What settling a rate in one object needs to try a value by arithmetic instead of by the rules' runs.

    The shape (an order's ``totals.tax`` and ``totals.discount``): the runs after the rate's target moves are
    a ``sum`` of keys of the same object into another key of it (``totals.total``), then a ``same_value``
    copying that total into keys of other top-level objects (``payment.amount``), then rules run once per
    clean that touch none of these (the addresses' countries); the targets the rate's moves can reach are
    the rate's target, the total and the copies."""

    __slots__ = ("total", "before", "sign", "after", "copies", "once", "test", "rest")  # noqa: RUF023 (field order)

    total: tuple[int, str]
    """The sum's place in the rule list and its target key (in the rate's object)."""
    before: tuple[tuple[float, str], ...]
    """The sum's terms before the rate's target (sign, key): they do not move while the rate is settled."""
    sign: float
    """The rate target's sign in the sum."""
    after: tuple[tuple[float, str], ...]
    """The sum's terms after the rate's target."""
    copies: tuple[int, tuple[tuple[str, str], ...]]
    """The ``same_value``'s place and its fields (object, key), the total's own among them."""
    once: tuple[_Step, ...]
    """The rest of the rate's runs: rules run once per clean (:func:`_once`)."""
    test: bool
    """Whether the rejection test the general settle asks (:attr:`_Rate.moving`) reads the total or a copy
    (else only the rate's target, which every tried value passes)."""

    rest: Callable[[Any], bool]
    """:attr:`_Rate.others` without the items' targets (line totals, their sum: a move of this rate writes
    none of them), for when those were just found accepted."""

    def __init__(self, total: tuple[int, str], before: tuple[tuple[float, str], ...], sign: float,
                 after: tuple[tuple[float, str], ...], copies: tuple[int, tuple[tuple[str, str], ...]],
                 once: tuple[_Step, ...], test: bool, rest: Callable[[Any], bool]) -> None:
        setter = object.__setattr__
        for name, value in (("total", total), ("before", before), ("sign", sign), ("after", after),
                            ("copies", copies), ("once", once), ("test", test), ("rest", rest)):
            setter(self, name, value)


_Run = Callable[[Any, random.Random, ValueSource], bool]
_Step = tuple[int, _Run, bool]
"""A deriving rule's place in the rule list, its run (its ``enforce``, returning whether the rule holds
afterwards: False when that is not known), and whether it is run once per clean (:func:`_once`)."""


def _any_rejected(readers: Sequence[Callable[[Any], list[Any]]], record: Any) -> bool:
    """True when a value read by one of ``readers`` is a float a float-division validator rejects."""
    for read in readers:
        for value in read(record):
            if type(value) is float and not (value / CENT).is_integer():  # not is_clean(value)
                return True
    return False


def _run_of(rule: Rule) -> _Run:
    """``rule.enforce`` returning whether the rule holds afterwards: for a ``sum_of_products`` and a ``sum``
    (the deriving rules whose result the cleaner moves), the value written is the one ``check`` computes, so
    the rule holds when it is a finite number (for a sum, not negative: ``enforce`` writes zero instead);
    for any other rule, not known (False)."""
    if type(rule) is SumOfProducts:
        items, expected_of, write = rule._items, rule._expected, rule._set_target

        def run_products(record: Any, rng: random.Random, values: ValueSource) -> bool:
            expected = expected_of(items(record))  # SumOfProducts.enforce
            if expected is None:
                return False
            write(record, expected)
            return expected - expected == 0.0
        return run_products
    if type(rule) is Sum:
        total_of, write = rule._expected, rule._set_target

        def run_sum(record: Any, rng: random.Random, values: ValueSource) -> bool:
            expected = total_of(record)  # Sum.enforce
            if expected is None:
                return False
            write(record, max(expected, 0.0))
            return expected >= 0.0 and expected - expected == 0.0
        return run_sum
    enforce = rule.enforce

    def run(record: Any, rng: random.Random, values: ValueSource) -> bool:
        enforce(record, rng, values)
        return False
    return run


def _run_all(steps: tuple[_Step, ...], record: Any, rng: random.Random, values: ValueSource,
             held: list[bool], ran: list[bool]) -> None:
    for index, run, once in steps:
        if once and ran[index]:
            continue  # (its run again would write what it holds, and say True again: see _once)
        held[index] = holds = run(record, rng, values)
        if once and holds:
            ran[index] = True


def _once(rules: tuple[Rule, ...], places: tuple[int, ...], written: tuple[str, ...]) -> frozenset[int]:
    """The places of the deriving rules that need no run once a run of theirs said the rule holds, for the rest
    of a :meth:`CentMoves.clean` (an order's ``same_value`` of its two addresses' countries, which reads no
    money): a ``same_value`` rule (its ``enforce`` draws nothing; once its run said True, every field holds
    the very object a run would read and write again, so another run changes nothing and says True again)
    whose paths meet nothing the cleaner writes (``written``) nor any other deriving rule's paths, so nothing
    between two runs changes what the second would read. (A run that said False, having just written the
    fields, may say True the next time: such a rule is run again, as before.)"""
    from pytest_testdata.generators.traditional.cent_runs import reach  # (imports vouch, which imports the drawers)
    from pytest_testdata.generators.traditional.vouch import overlap

    paths = {i: reach(rules[i]) for i in places}
    out = set()
    if any(found is None for found in paths.values()):
        return frozenset()
    for i in places:
        rule, mine = rules[i], paths[i] or ()
        if not isinstance(rule, SameValue) or type(rule) is not SameValue or rule._writers is None:
            continue
        others = [*written, *(p for k in places if k != i for p in paths[k] or ())]
        if not any(overlap(a, b) for a in mine for b in others):
            out.add(i)
    return frozenset(out)


_BAD = "type(v) is float and not (v / 0.01).is_integer()"
"""A value a float-division validator rejects (``not is_clean(v)``), as generated code tests it."""


def _rejection_test(paths: Sequence[str], generic: Callable[[Any], int],
                    first: Sequence[str] = ()) -> Callable[[Any], Any]:
    """A function equal to ``generic``: True when a value at one of ``paths`` is a float a float-division
    validator rejects. It is generated for a plain dict (every cleaned record is asked, a dirty order a few
    dozen times while its cents are settled): a top-level key is read with one ``get``, a two-part path
    (``totals.total``) with two, ``items.*.line_total`` by a loop over the list; anything of another shape
    on the way (a dict subclass, a value where a dict or list goes) by the path's reader, and a record
    that is not a dict by ``generic``.

    With ``first`` (:attr:`CentCleaner.which`), the function says which: 2 when a value at one of ``first``
    is rejected (those are tested first), else 1 when one at ``paths`` is, else 0; ``generic`` answers the
    same way.

    The function asks ``generic`` itself for its first :data:`WARM_CALLS` records and compiles its own code
    only then (its ``__code__`` is replaced, as straight.py's builders' is): compiling the tests of an order
    cost a fresh process's first record some 5 million instructions, and a few records never need them."""
    names: dict[str, Any] = {"GENERIC": generic, "ANY": _any_rejected}
    lines = ["def rejected(record):", "    if type(record) is not dict:", "        return GENERIC(record)"]
    segments = ((first, "2"), (paths, "1")) if first else ((paths, "True"),)
    count = 0
    for group, answer in segments:
        heads: dict[str, list[tuple[str, int]]] = {}
        for path in group:
            i, count = count, count + 1
            names[f"R{i}"] = (all_getter(path),)
            head, star, tail = path.partition(".*.")
            if "." not in path and "*" not in path:
                lines += [f"    v = record.get({path!r})", f"    if {_BAD}:", f"        return {answer}"]
            elif path.count(".") == 1 and _plain_parts(path) is not None and not path.partition(".")[2].isdigit():
                top, _, key = path.partition(".")
                heads.setdefault(top, []).append((key, i))
            elif star and not any(c in head + tail for c in ".*") and not tail.isdigit():
                lines += [f"    n = record.get({head!r})", "    if type(n) is list:", "        for item in n:",
                          "            if type(item) is dict:", f"                v = item.get({tail!r})",
                          f"                if {_BAD}:", f"                    return {answer}",
                          f"            elif isinstance(item, dict) and ANY(R{i}, record):",
                          f"                return {answer}",
                          f"    elif n is not None and ANY(R{i}, record):", f"        return {answer}"]
            else:
                lines += [f"    if ANY(R{i}, record):", f"        return {answer}"]
        for top, keys in heads.items():
            j, count = count, count + 1
            names[f"H{j}"] = tuple(names[f"R{i}"][0] for _, i in keys)
            lines += [f"    n = record.get({top!r})", "    if type(n) is dict:"]
            for key, _ in keys:
                lines += [f"        v = n.get({key!r})", f"        if {_BAD}:", f"            return {answer}"]
            lines += [f"    elif n is not None and ANY(H{j}, record):", f"        return {answer}"]
    lines.append("    return 0" if first else "    return False")
    names.update(CALLS=0, WARM=WARM_CALLS, SPECIALISE=_specialise, SOURCE="\n".join(lines) + "\n")
    warm = warming.which if first else warming.rejected
    function: Any = FunctionType(warm.__code__, names, "rejected")  # no compilation
    names[warm.__name__] = function  # what its code calls itself
    return function  # type: ignore[no-any-return]


WARM_CALLS = 64
"""How many records a rejection test hands to its generic reader before its own code is compiled."""


def _specialise(function: Any) -> None:
    """Give a warmed-up rejection test its own code (the names it reads are in its globals already)."""
    compiled: dict[str, Any] = {}
    exec(compile(function.__globals__["SOURCE"], "<cent check>", "exec"), compiled)  # our own source
    function.__code__ = compiled["rejected"].__code__


class CentCleaner:
    """Makes the rule-derived money of one schema's records clean (see the module's docstring)."""

    def __init__(self, targets: Sequence[str], knobs: Sequence[Knob], item_targets: Sequence[str] = ()) -> None:
        self.targets = tuple(targets)
        self.knobs = tuple(knobs)
        self.item_targets = tuple(item_targets)
        """Targets computed from the items alone (line totals, the sum of the items): a price must move."""
        self._target_readers = tuple((p, all_getter(p)) for p in self.targets)
        self._item_readers = tuple(map(all_getter, self.item_targets))
        self._by_rules: dict[tuple[Rule, ...], CentMoves] = {}
        """What :meth:`clean` works out from a rule list (:meth:`moves`), by list."""
        self._items_dirty: Callable[[Any], bool] = _rejection_test(self.item_targets, self._any_item_rejected)
        rest = [path for path in self.targets if path not in self.item_targets]
        self._rest_readers = tuple(read for path, read in self._target_readers if path in rest)
        self.which: Callable[[Any], int] = _rejection_test(rest, self._which, self.item_targets)
        """Which derived money value of the record a float-division validator would reject: 2 when an items'
        target (a line total, their sum) is, else 1 when another target is, else 0. A dataset's chunk asks it
        of every order, and hands the answer to :meth:`CentMoves.clean` (``items``), whose first pass would
        otherwise test the items' targets again."""
        self.dirty: Callable[[Any], int] = self.which
        """Truthy when a derived money value of the record would be rejected (:attr:`which`, read as a truth
        value: one compiled test answers both questions)."""

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

    def _any_item_rejected(self, record: Any) -> bool:
        return _any_rejected(self._item_readers, record)

    def _which(self, record: Any) -> int:
        if _any_rejected(self._item_readers, record):
            return 2
        return 1 if _any_rejected(self._rest_readers, record) else 0

    def moves(self, rules: Sequence[Rule]) -> CentMoves:
        """How :meth:`clean` cleans a record under a rule list, worked out once per list (a third of carts are
        cleaned, and it depends on the rules' specs only)."""
        key = tuple(rules)
        found = self._by_rules.get(key)
        if found is None:
            found = self._by_rules[key] = CentMoves(self, key)
        return found

    def clean(self, record: dict[str, Any], rules: Sequence[Rule], rng: random.Random,
              values: ValueSource) -> bool:
        """Move the record's free money inputs by the fewest cents until its derived money is clean
        (:meth:`CentMoves.clean`); True when every rule is known to hold afterwards."""
        return self.moves(rules).clean(record, rng, values)

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
                # round_cents(x) is round(x, 2) (quality/money.py): others and rest are floats
                if knob.whole[0] <= count <= knob.whole[1] and is_clean(round_cents(others * count)) \
                        and is_clean(round_cents(rest + others * count)):
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
_QUICK_STEPS = (*_SETTLE_STEPS, None)
""":meth:`CentMoves._settle_quick`'s steps: those of :meth:`CentMoves._settle`, then its last write."""


class CentMoves:
    """How a :class:`CentCleaner` cleans records under one rule list: the deriving rules it runs again after a
    move, the ``rate_of`` values it settles, and whether it can tell that every rule still holds afterwards.

    That last answer is what lets a vouching builder keep a cleaned record vouched for (a third of carts are
    cleaned: without it they were scored rule by rule although every rule holds). It is tracked as the
    values move, for a rule list of the shape :attr:`vouches` describes:

    - a ``sum_of_products`` or ``sum`` rule is run again after every move of what it reads; each run writes
      the value its ``check`` computes, so the rule holds if that value is finite (and, for a sum, not
      negative: its ``enforce`` writes zero instead);
    - every ``rate_of`` rule is one the cleaner settles, and its ``check`` is asked (True, not only "not
      False") when the cleaner stops;
    - an ``ordered`` rule reads nothing the cleaner or the deriving rules write (checked once, here).

    A record the cleaner gives up on (out of tries) is not vouched for: the scorer checks it as usual.
    """

    def __init__(self, cents: CentCleaner, rules: tuple[Rule, ...]) -> None:
        self.cents = cents
        self.rules = rules
        self.dirty = cents.dirty
        from pytest_testdata.generators.traditional import cent_runs  # (imports vouch, which imports the drawers)

        places = tuple(i for i, rule in enumerate(rules) if rule.kind in DERIVING)
        derive = tuple(rules[i] for i in places)
        settled = [(i, rule) for i, rule in enumerate(rules)
                   if rule.kind == "rate_of" and str(rule.spec.get("target")) in cents.targets]
        self.vouches = _vouches(cents, rules)
        """Whether :meth:`clean` can say that every rule holds afterwards: every money target a top-level
        key, the items' prices the only knob, rules of the kinds above over top-level paths, each once; or
        any shape whose runs :func:`cent_runs.tracked` accounts for (an order's nested money)."""
        runs = [_run_of(rules[i]) for i in places]
        tracking = False  # (the runs are cent_runs.run_of's, which :class:`_Quick` restates)
        if not self.vouches and cents.knobs:
            tracked = [cent_runs.run_of(rules[i]) for i in places]
            again = [tuple(places[k] for k in _reading(str(rule.spec["target"]), derive)) for _, rule in settled]
            if all(run is not None for run in tracked) and cent_runs.tracked(
                    rules, [(i, rules[i]) for i in places],
                    [(i, str(rule.spec["target"]), a) for (i, rule), a in zip(settled, again, strict=True)],
                    cents.writes()):
                self.vouches, runs, tracking = True, tracked, True  # type: ignore[assignment]
        once = _once(rules, places, cents.writes())
        self.derive: tuple[_Step, ...] = tuple((i, run, i in once) for i, run in zip(places, runs, strict=True))
        """Every deriving rule, run again after a price moved."""
        self.rates = tuple(self._rate(i, rule, derive, tracking) for i, rule in settled)

    def _rate(self, index: int, rule: Rule, derive: tuple[Rule, ...], tracking: bool) -> _Rate:
        target = str(rule.spec["target"])
        # Only the rules that read the moved value (or what those derive) change when it moves; the others
        # would compute what they already hold.
        reading = _reading(target, derive)
        moving = {target, *(path for k in reading for path in derive[k].derives())}
        others = [(path, read) for path, read in self.cents._target_readers if path not in moving]
        low, high = float(rule.spec["min"]), float(rule.spec["max"])
        where = _where(rule)
        tested = self._tested(target, [derive[k] for k in reading], [path for path, _ in others])
        steps = tuple(self.derive[k] for k in reading)
        rest = [(path, read) for path, read in others if path not in self.cents.item_targets]
        quick = self._quick(where, steps, tested, self._others(rest)) if tracking else None
        return _Rate(index, rule.check, _read(str(rule.spec["base"])), _read(target),
                     _write(target), low, high, steps, self._others(others),
                     None if tested is None else self._moving(tested), where, quick)

    def _tested(self, target: str, runs: list[Rule], others: list[str]) -> list[str] | None:
        """The targets :attr:`_Rate.moving` tests: those that settling ``target`` can write (the target itself,
        and what the rules run after it write: a sum's or a product's target, or else every path the rule
        reads or writes, :func:`cent_runs.reach`), when every other target is one :attr:`_Rate.others`
        reads; else None."""
        from pytest_testdata.generators.traditional.cent_runs import reach
        from pytest_testdata.generators.traditional.vouch import overlap

        reached = [target]
        for rule in runs:
            # (these kinds' enforce, and their runs, write their derived paths and nothing else)
            paths = rule.derives() if type(rule) in (Sum, SumOfProducts, ProductEach) else reach(rule)
            if paths is None:
                return None
            reached += paths
        tested = [path for path in self.cents.targets if any(overlap(path, r) for r in reached)]
        if any(path not in others for path in self.cents.targets if path not in tested):
            return None
        return tested

    def _moving(self, tested: list[str]) -> Callable[[Any], bool]:
        """:attr:`_Rate.moving`: the rejection test of the ``tested`` targets (:meth:`_tested`)."""
        reads = [read for path, read in self.cents._target_readers if path in tested]
        return _rejection_test(tested, lambda record: _any_rejected(reads, record))

    def _quick(self, where: tuple[str, str, str] | None, steps: tuple[_Step, ...],
               tested: list[str] | None, others: Callable[[Any], bool]) -> _Quick | None:
        """:attr:`_Rate.quick` for a rate of the shape :class:`_Quick` describes, whose deriving rules run as
        :func:`cent_runs.run_of` makes them (the runs :meth:`_settle_quick` restates); else None."""
        if where is None or tested is None or len(steps) < 2:
            return None
        head, base_key, target_key = where
        (total_at, _, once_total), (copy_at, _, once_copy), *later = steps
        if once_total or once_copy or not all(once for _, _, once in later):
            return None
        total, copy = self.rules[total_at], self.rules[copy_at]
        found = _key_in(total.spec.get("target"))
        if type(total) is not Sum or total._in_one is None or total._in_one[0] != head or found is None \
                or found[0] != head:
            return None
        keys = total._in_one[1]
        names = [key for _, key in keys]
        total_key = found[1]
        if names.count(target_key) != 1 or total_key in names or total_key in (base_key, target_key):
            return None  # (a try must change the sum's target term only, and nothing it or the base reads)
        source, fields = copy.spec.get("source"), copy.spec.get("fields")
        if type(copy) is not SameValue or copy._writers is None or not isinstance(source, str) \
                or _key_in(source) != (head, total_key) or not isinstance(fields, (list, tuple)):
            return None
        pairs = [_key_in(field) for field in fields]
        if any(pair is None or (pair[0] == head and pair[1] != total_key) for pair in pairs):
            return None  # (a copy into the rate's object could change what the next try reads)
        written = {f"{head}.{target_key}", f"{head}.{total_key}", *map(str, fields)}
        if not set(tested) <= written or written & set(self.cents.item_targets):
            return None
        at = names.index(target_key)
        return _Quick((total_at, total_key), tuple(keys[:at]), keys[at][0], tuple(keys[at + 1:]),
                      (copy_at, tuple(pair for pair in pairs if pair is not None)), tuple(later),
                      any(path != f"{head}.{target_key}" for path in tested), others)

    @staticmethod
    def _others(readers: list[tuple[str, Callable[[Any], list[Any]]]]) -> Callable[[Any], bool]:
        reads = [read for _, read in readers]
        return _rejection_test([path for path, _ in readers], lambda record: _any_rejected(reads, record))

    def clean(self, record: dict[str, Any], rng: random.Random, values: ValueSource, dirty: bool = False,
              items: bool | None = None) -> bool:
        """Move the record's free money inputs by the fewest cents until its derived money is clean; True when
        every rule is known to hold afterwards (given that each held before: see :attr:`vouches`).

        ``dirty``: the caller has just found :attr:`dirty` true of the record (a dataset's chunk asks it of
        every order first), so the first look at whether it is done, which would say no and change nothing,
        is skipped. ``items``: whether an items' target is rejected, when the caller has just asked
        (:attr:`CentCleaner.which`, nothing written since): the first pass's test of the items' targets,
        which would give the same answer from the same values, is skipped.

        Prices move by a few cents (:meth:`CentCleaner._nudge`) when a line total or a sum of the items is
        rejected; then the derived values are computed again; then each ``rate_of`` value (a tax, a
        discount) moves to the nearest accepted value its rate range allows, computing the derived values
        after each try. Small moves keep a caller's bound on a total (``total`` between 100 and 120) met.
        """
        cents = self.cents
        held = [True] * len(self.rules)  # per rule: still holds (as far as the moves so far go)
        ran = [False] * len(self.rules)  # per rule of _once: a run of it said True in this clean
        for _ in range(TRIES):
            if dirty:  # (known: _done would say False, first of all from the same test, and note nothing)
                dirty = False
            elif self._done(record, held):
                return self.vouches and type(record) is dict and all(held)
            fresh = True  # the items' targets (line totals, their sum) were just found accepted
            if items is None:
                items = cents._items_dirty(record)
            if items:
                cents._nudge(record)
                _run_all(self.derive, record, rng, values, held, ran)
                fresh = False
            items = None  # (a later pass asks: the moves below write the items' targets)
            for rate in self.rates:
                # A nudged price moved the base: a rate settled before (the discount) may be out of its range
                # now although every value is clean, so "clean" alone does not end the loop. (A settle that
                # says True has just found the record clean, as _done's first test would: only the ranges.)
                if rate.quick is None:
                    settled = self._settle(rate, record, rng, values, held, ran)
                else:
                    settled = self._settle_quick(rate, record, rng, values, held, ran, fresh)
                fresh = False  # (the first settle wrote values: the items' targets are not asked again)
                if settled and self._in_range(record, held):
                    return self.vouches and type(record) is dict and all(held)
        # Out of tries: the declared rules come first (a rejected cent is reported by the validator).
        for rule in self.rules:
            if rule.check(record) is False:
                rule.enforce(record, rng, values)
        return False

    def _done(self, record: dict[str, Any], held: list[bool]) -> bool:
        """Every derived money value is clean and every rate (tax, discount) within its range (noted: each
        holds only if its check says True)."""
        return not self.dirty(record) and self._in_range(record, held)

    def _in_range(self, record: dict[str, Any], held: list[bool]) -> bool:
        """Every rate (tax, discount) within its range (noted: each holds only if its check says True)."""
        node = None
        for rate in self.rates:
            where = rate.where
            # RateOf.check's steps in a dict in a dict (its _in_one: the same keys and float bounds), for
            # float values (after each pass of every dirty order: a call fewer per rate); else the check.
            if where is not None and type(record) is dict and type(node := record.get(where[0])) is dict \
                    and type(base := node.get(where[1])) is float and type(target := node.get(where[2])) is float:
                if not base * rate.low - TOLERANCE <= target <= base * rate.high + TOLERANCE:
                    return False
                held[rate.index] = True
                continue
            outcome = rate.check(record)
            if outcome is False:
                return False
            held[rate.index] = outcome is True
        return True

    def _settle(self, rate: _Rate, record: dict[str, Any], rng: random.Random, values: ValueSource,
                held: list[bool], ran: list[bool]) -> bool:
        """Try the accepted values of a ``rate_of`` target nearest its current one; True once all is clean."""
        where, write = rate.where, rate.write
        if where is not None and type(record) is not dict:
            where = None
        node: Any = record.get(where[0]) if where is not None else None
        base: Any
        current: Any
        if type(node) is dict:  # (what the getters read in a dict in a dict)
            base, current = node.get(where[1]), node.get(where[2])  # type: ignore[index]
        else:
            base, current = rate.base(record), rate.target(record)
        if type(base) not in (int, float) or type(current) not in (int, float) \
                or not (math.isfinite(base) and math.isfinite(current)):
            return False  # (a NaN or infinite price upstream: no cent value to move to)
        low, high = base * rate.low, base * rate.high
        # A moved quantity or price changed the base: start from the range the rate allows now.
        # round(min(max(current, low), high) * 100) without the two calls: max keeps its first argument unless
        # the second is greater, min unless the second is less (the same value, a NaN included)
        floor_ = low if low > current else current
        cents = round((high if high < floor_ else floor_) * 100)
        derive = rate.derive
        # A rejected value this move cannot change (another rate's target, rejected too) stays rejected
        # whatever this value is: take the nearest accepted one without trying the others (the same result).
        hopeless = rate.others(record)
        first = None
        # Not hopeless: every target this loop cannot write is accepted and stays so, and the test of the
        # others (rate.moving) says what the whole one would.
        dirty = rate.moving or self.dirty
        for step in _SETTLE_STEPS:  # the accepted values nearest the current one, tried in this order
            k = cents + step
            # cents_of(k), inlined: round((cents + step) * CENT, 2)
            value = k / 100 if k and -10**13 < k < 10**13 else round(k * 0.01, 2)
            if not (low <= value <= high and (value / CENT).is_integer()):  # (a float: is_clean(value))
                continue
            if first is None:
                first = value
                if hopeless:
                    break
            if where is not None and type(node := record.get(where[0])) is dict:
                node[where[2]] = value  # what the target's setter does in a dict in a dict
            else:
                write(record, value)
            _run_all(derive, record, rng, values, held, ran)
            if not dirty(record):
                return True
        if first is not None:  # none made everything clean: keep the nearest, the next rate or pass may finish it
            write(record, first)
            _run_all(derive, record, rng, values, held, ran)
        return False

    def _settle_quick(self, rate: _Rate, record: dict[str, Any], rng: random.Random, values: ValueSource,
                      held: list[bool], ran: list[bool], fresh: bool = False) -> bool:
        """:meth:`_settle` for a rate of :attr:`_Rate.quick`'s shape (an order's tax or discount), on a plain
        dict whose sum terms, base and target are floats (anything else: :meth:`_settle`). The same values
        are tried in the same order with the same writes and answers, but each try is worked out here
        instead of by the runs: the total as ``Sum._expected`` computes it in one dict (the same additions
        in the same order: the terms before the target do not move, so their part is added up once), then
        written floored at zero with whether the sum holds (``cent_runs``' ``run_in_one``), copied into the
        ``same_value``'s fields (``run_pairs``), the rules run once per clean run as before, and the moving
        targets tested (the target is clean by choice; the total and its copies are one float). The nearest
        accepted value is kept the same way when none made everything clean (_settle's write and runs).

        ``fresh``: :meth:`clean` has just found the items' targets accepted and written nothing since, so
        whether this move is hopeless is asked of the other targets only (:attr:`_Quick.rest`).

        ``tests/test_fast_paths.py::test_a_rate_settled_by_arithmetic_settles_as_its_runs_do`` and
        ``test_the_cent_cleaners_shortcuts_leave_what_its_general_steps_leave`` hold the two together."""
        quick, where = rate.quick, rate.where
        assert quick is not None and where is not None
        head, base_key, target_key = where
        node = record.get(head) if type(record) is dict else None
        if type(node) is not dict:
            return self._settle(rate, record, rng, values, held, ran)
        base, current = node.get(base_key), node.get(target_key)
        # (x - x == 0.0: x is finite, as math.isfinite says of a float)
        if type(base) is not float or type(current) is not float or not (base - base == 0.0
                                                                          and current - current == 0.0):
            return self._settle(rate, record, rng, values, held, ran)
        copied, fields = quick.copies
        parents = []
        for field_head, key in fields:
            parent = record.get(field_head)
            if type(parent) is not dict:
                return self._settle(rate, record, rng, values, held, ran)
            parents.append((parent, key))
        start = 0.0  # Sum._expected's first terms
        for sign, key in quick.before:
            term = node.get(key)
            if type(term) is not float:
                return self._settle(rate, record, rng, values, held, ran)
            start += sign * term
        after = []
        for sign, key in quick.after:
            term = node.get(key)
            if type(term) is not float:
                return self._settle(rate, record, rng, values, held, ran)
            after.append(sign * term)
        # From here as _settle (its comments say why)
        low, high = base * rate.low, base * rate.high
        floor_ = low if low > current else current
        cents = round((high if high < floor_ else floor_) * 100)
        hopeless = quick.rest(record) if fresh else rate.others(record)
        first = None
        summed, total_key = quick.total
        sign, once, test = quick.sign, quick.once, quick.test
        last = False  # the value tried is the nearest accepted one again, kept whatever the total
        for step in _QUICK_STEPS:
            if step is None:  # none made everything clean: keep the nearest (_settle's write and runs after its loop)
                if first is None:
                    return False
                value, last = first, True
            else:
                k = cents + step
                value = k / 100 if k and -10**13 < k < 10**13 else round(k * 0.01, 2)
                if not (low <= value <= high and (value / CENT).is_integer()):
                    continue
                if first is None:
                    first = value
                    last = hopeless  # (_settle breaks out here and keeps it)
            node[target_key] = value
            total = start + sign * value
            for term in after:
                total += term
            total = round_cents(total)  # (Sum._expected writes it out: a call here keeps one copy fewer)
            written = 0.0 if total < 0.0 else total
            node[total_key] = written
            held[summed] = total >= 0.0 and total - total == 0.0
            for parent, key in parents:
                parent[key] = written
            held[copied] = written == written
            for index, run, _ in once:  # _run_all of steps that are all run once per clean
                if not ran[index]:
                    held[index] = holds = run(record, rng, values)
                    if holds:
                        ran[index] = True
            if last:
                return False
            if not test or (written / CENT).is_integer():
                return True
        raise AssertionError("unreachable: the loop ends at its None step")


def _where(rule: Rule) -> tuple[str, str, str] | None:
    """:attr:`_Rate.where` of a ``rate_of`` rule."""
    found = rule._in_one if type(rule) is RateOf else None
    return None if found is None else (found[0], found[1], found[2])


def _top(path: Any) -> bool:
    return isinstance(path, str) and path != "" and "." not in path and "*" not in path


def _vouches(cents: CentCleaner, rules: tuple[Rule, ...]) -> bool:
    """Whether :meth:`CentMoves.clean` can tell that the rules still hold after it (:class:`CentMoves`)."""
    from pytest_testdata.generators.traditional.vouch import overlap  # (vouch imports the drawers, which import this)

    if not cents.knobs or not all(map(_top, cents.targets)) or not all(map(_top, cents.item_targets)):
        return False
    if any(not _top(k.items) or k.whole is not None or k.line is not None for k in cents.knobs):
        return False
    if len(set(map(id, rules))) != len(rules):
        return False
    for rule in rules:
        kind = type(rule)
        if kind is SumOfProducts:
            if not (_top(rule.spec.get("items")) and _top(rule.spec.get("target"))):
                return False
        elif isinstance(rule, Sum) and kind is Sum:
            terms = rule.spec.get("terms")
            if not _top(rule.spec.get("target")) or rule._terms is None or not isinstance(terms, (list, tuple)) \
                    or not all(_top(str(t).lstrip("-")) for t in terms):
                return False
        elif kind is RateOf:
            if not (_top(rule.spec.get("base")) and _top(rule.spec.get("target"))) \
                    or str(rule.spec.get("target")) not in cents.targets:
                return False  # (a rate the cleaner does not settle could be broken by a moved base)
        elif not isinstance(rule, Ordered) or kind is not Ordered or not rule._plain_pair:
            return False
    written = (*cents.writes(), *(p for rule in rules if type(rule) in (SumOfProducts, Sum) for p in rule.derives()))
    return not any(overlap(w, f) for rule in rules if type(rule) is Ordered
                   for f, _, _ in rule._fields or () for w in written)


# Compiled path accessors (equal to get / get_all / set_all), one per path: a third of carts are cleaned.
_read: Callable[[str], Getter] = lru_cache(maxsize=1024)(getter)
_read_all: Callable[[str], Callable[[Any], list[Any]]] = lru_cache(maxsize=1024)(all_getter)
_write: Callable[[str], Setter] = lru_cache(maxsize=1024)(setter)


@lru_cache(maxsize=1024)
def _reading(path: str, rules: tuple[Rule, ...]) -> tuple[int, ...]:
    """The places in ``rules`` (in their order) of the rules whose result can change when ``path`` changes:
    those that read it, those that read what those derive, and so on; a rule that declares no reads is always
    kept. (Worked out once per target and rule list: it depends on the rules' specs only.)"""
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
    return tuple(sorted(kept))


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
