"""Whether every rule still holds after the cent cleaner, for records of any shape (an order's money is in
``items.*.line_total`` and ``totals.*``, not in top-level keys as a cart's).

:class:`~pytest_testdata.generators.traditional.cents.CentMoves` runs each deriving rule again after it moves a
value; the runs here do what the rule's ``enforce`` does and also say whether the rule holds afterwards,
confirming what they wrote by reading it back (a path whose parent is not a dict is not written, so the rule
is then not known to hold). :func:`tracked` says when those answers, the ``rate_of`` checks the cleaner asks
last, and "the other rules read nothing that was written" add up to "every rule holds", worked out once per
rule list from the rules' specs: a chunk of a dataset then scores a cleaned order 1.0 without the scorer's
check (43% of a dataset's orders are cleaned).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from pytest_testdata.quality.money import round_cents
from pytest_testdata.quality.paths import _plain_parts, getter
from pytest_testdata.quality.rules import ProductEach, Rule, SameValue, Sum, SumOfProducts, ValueSource

Run = Callable[[Any, random.Random, ValueSource], bool]


def _strings(*values: Any) -> tuple[str, ...] | None:
    """The values (strings or lists of them) as paths; None when one is not a non-empty string."""
    out: list[str] = []
    for value in values:
        items = value if isinstance(value, (list, tuple)) else [value]
        if not all(isinstance(v, str) and v for v in items):
            return None
        out += items
    return tuple(out)


def reach(rule: Rule) -> tuple[str, ...] | None:
    """Every path the rule's ``check`` reads and its ``enforce`` writes (None: not known for this kind or spec);
    a path stands for everything under it."""
    spec, kind = rule.spec, rule.kind
    if kind == "sum_of_products":
        return _strings(spec.get("items"), spec.get("target"))
    if kind == "product_each":
        return _strings(spec.get("items"))  # (its target is a field of each item: under the items' path)
    if kind == "sum":
        terms = spec.get("terms")
        if not isinstance(terms, (list, tuple)) or not all(isinstance(t, str) for t in terms):
            return None
        return _strings([t.lstrip("-") for t in terms], spec.get("target"))
    if kind == "same_value":
        source = spec.get("source")
        return _strings(spec.get("fields"), *([source] if source else []))
    if kind == "rate_of":
        return _strings(spec.get("base"), spec.get("target"))
    if kind in ("ordered", "different"):
        return _strings(spec.get("fields"))
    if kind == "present_iff":
        return _strings(spec.get("field"), spec.get("when"))
    if kind == "flag_iff_positive":
        return _strings(spec.get("quantity"), spec.get("flag"))
    if kind == "status_timestamps":
        stages = spec.get("stages")
        return _strings(spec.get("status"), list(stages)) if isinstance(stages, dict) and stages else None
    if kind == "postal_code_matches_country":
        return _strings(spec.get("addresses"))
    return None


def _plain(path: str) -> bool:
    """A top-level key or a key of a top-level dict (``totals.total``): read back with at most two gets."""
    parts = path.split(".")
    return len(parts) <= 2 and all(p and p != "*" and not p.isdigit() for p in parts)


def run_writes(rule: Rule) -> tuple[str, ...] | None:
    """Paths the tracked run of a deriving rule (:func:`run_of`) may change; None when it has none."""
    if type(rule) in (SumOfProducts, Sum, ProductEach):
        return rule.derives()
    if type(rule) is SameValue and rule._writers is not None:
        fields = [str(f) for f in rule.spec["fields"]]
        source = rule.spec.get("source")
        if all(map(_plain, fields)) and (not source or (isinstance(source, str) and _plain(source))):
            kept = source or fields[0]  # written back with the very value read from it (its run checks so)
            return tuple(f for f in fields if f != kept)
    return None


def run_of(rule: Rule) -> Run | None:
    """The rule's ``enforce`` (the same writes, draws and errors), returning whether the rule holds afterwards
    (False when that cannot be told); None for a rule with no such run (:func:`run_writes`)."""
    if run_writes(rule) is None:
        return None
    kind = type(rule)
    if kind is SumOfProducts:
        return _products_run(rule)  # type: ignore[arg-type]
    if kind is Sum:
        return _sum_run(rule)  # type: ignore[arg-type]
    if kind is ProductEach:
        return _each_run(rule)  # type: ignore[arg-type]
    return _same_run(rule)  # type: ignore[arg-type]


def _products_run(rule: SumOfProducts) -> Run:
    items, expected_of, write, target = rule._items, rule._expected, rule._set_target, rule._target

    def run(record: Any, rng: random.Random, values: ValueSource) -> bool:
        expected = expected_of(items(record))  # SumOfProducts.enforce
        if expected is None:
            return False
        write(record, expected)
        # check() computes the same sum: it holds when the value is finite and was written where check reads
        return expected - expected == 0.0 and target(record) is expected
    return run


def _sum_run(rule: Sum) -> Run:
    total_of, write, target = rule._expected, rule._set_target, rule._target

    def run(record: Any, rng: random.Random, values: ValueSource) -> bool:
        expected = total_of(record)  # Sum.enforce
        if expected is None:
            return False
        written = max(expected, 0.0)
        write(record, written)
        return expected >= 0.0 and expected - expected == 0.0 and target(record) is written

    head = rule._in_one[0] if rule._in_one is not None else None
    found = _pair(str(rule.spec.get("target")))
    if head is None or found is None or found[0] != head:
        return run
    key = found[1]

    def run_in_one(record: Any, rng: random.Random, values: ValueSource) -> bool:
        # The terms and the target in one object (totals): the steps of run, in that dict.
        node = record.get(head) if type(record) is dict else None
        if type(node) is not dict:
            return run(record, rng, values)
        expected = total_of(record)  # Sum.enforce
        if expected is None:
            return False
        # (its setter's write; its getter reads the same object back); max(expected, 0.0) without the call
        node[key] = 0.0 if expected < 0.0 else expected  # (expected: a float)
        return expected >= 0.0 and expected - expected == 0.0
    return run_in_one


def _each_run(rule: ProductEach) -> Run:
    items_of, enforce = rule._items, rule.enforce

    def run(record: Any, rng: random.Random, values: ValueSource) -> bool:
        enforce(record, rng, values)
        items = items_of(record)
        if items is None:
            return True  # check: does not apply
        if type(items) is not list:
            return False
        factors, target = rule.spec["factors"], rule.spec["target"]
        # enforce wrote round_cents(1.0 * each factor) into every item; check computes the same product from
        # the same numbers (ints through float(), which is how a float times an int converts it), so it holds
        # for items whose factors are all plain numbers (a NaN product is equal to itself as check compares).
        for item in items:
            if type(item) is not dict:
                return False
            product = 1.0
            for factor in factors:
                value = item.get(factor)
                if type(value) is not float and type(value) is not int:
                    return False
                product *= value
            if item.get(target) != round_cents(product) and product == product:
                return False
        return True
    return run


def _same_run(rule: SameValue) -> Run:
    fields = [str(f) for f in rule.spec["fields"]]
    source = rule.spec.get("source")
    kept, enforce = getter(str(source or fields[0])), rule.enforce
    reads = [getter(f) for f in fields]

    def run(record: Any, rng: random.Random, values: ValueSource) -> bool:
        before = kept(record)
        enforce(record, rng, values)
        if type(record) is not dict or kept(record) is not before or not before == before:  # noqa: SIM201 (NaN)
            return False
        # enforce wrote the kept value into every field: each now holds that very object (a parent that is
        # not a dict was not written, and the value read there is not it)
        for read in reads:  # noqa: SIM110 (a plain loop: all() over a generator costs more per record)
            if read(record) is not before:
                return False
        return True

    whence = _pair(str(source)) if source else None
    keys = [found for found in map(_pair, fields) if found is not None]
    if not source and len(keys) == len(fields) and rule._readers is not None:
        return _first_run(keys, run)
    if whence is None or len(keys) != len(fields):
        return run
    source_head, source_key = whence

    def run_pairs(record: Any, rng: random.Random, values: ValueSource) -> bool:
        # Fields and source of two plain parts (payment.amount from totals.total) in dicts: what run does
        # there (the source's value written into each field, the very object read back); any other shape,
        # or no source value, by run itself.
        node = record.get(source_head) if type(record) is dict else None
        if type(node) is not dict or source_key not in node:
            return run(record, rng, values)
        parents = []
        for head, key in keys:
            parent = record.get(head)
            if type(parent) is not dict:
                return run(record, rng, values)
            parents.append((parent, key))
        value = node[source_key]
        for parent, key in parents:
            parent[key] = value
        return bool(value == value)  # (a NaN is not equal to itself: False, as in run)
    return run_pairs


def _first_run(keys: list[tuple[str, str]], run: Run) -> Run:
    """:func:`_same_run`'s ``run`` for a ``same_value`` without a source whose fields are keys of top-level
    objects (an order's two addresses' countries, run once per clean of every dirty order): on dicts in a
    dict, its steps written out (the getters and setters of such paths read and write those dicts);
    any other shape by ``run`` itself. ``tests/test_fast_paths.py::test_a_rule_the_cent_cleaner_runs_once_``
    ``leaves_what_running_it_every_time_leaves`` compares the two."""

    if not keys:
        return run
    (first_head, first_key), rest = keys[0], keys[1:]

    def run_first(record: Any, rng: random.Random, values: ValueSource) -> bool:
        if type(record) is not dict:
            return run(record, rng, values)
        # Every field already holds the first one's very value (the common case: the addresses' countries
        # were made equal when drawn): the writes below would change nothing, and the answer is whether that
        # value is equal to itself (not a NaN). Any other case by the steps below.
        first = record.get(first_head)
        if type(first) is dict and first_key in first:
            before = first[first_key]
            for head, key in rest:
                node = record.get(head)
                if type(node) is not dict or node.get(key, _ABSENT) is not before:
                    break
            else:
                if before == before:  # (a NaN is not equal to itself: the steps below say False)
                    return True
        nodes = []
        for head, key in keys:
            node = record.get(head)
            if type(node) is not dict:
                return run(record, rng, values)
            nodes.append((node, key))
        kept, kept_key = nodes[0]
        before = kept.get(kept_key)
        # SameValue.enforce without a source: the first field that has a value, into every field
        for node, key in nodes:
            if key in node:
                value = node[key]
                for other, other_key in nodes:
                    other[other_key] = value
                break
        if kept.get(kept_key) is not before or not before == before:  # noqa: SIM201 (NaN)
            return False
        for node, key in nodes:  # noqa: SIM110 (as run)
            if node.get(key) is not before:
                return False
        return True
    return run_first


_ABSENT = object()
"""What a missing key reads as in :func:`_first_run`'s test (no field value is this object)."""


def _pair(path: str) -> tuple[str, str] | None:
    """(object, key) of a path of two plain parts (``totals.total``); None for any other."""
    parts = _plain_parts(path)
    if parts is None or len(parts) != 2 or parts[0][1] is not None or parts[1][1] is not None:
        return None
    return parts[0][0], parts[1][0]


def tracked(rules: Sequence[Rule], derive: Sequence[tuple[int, Rule]], rates: Sequence[tuple[int, str,
            tuple[int, ...]]], moved: Sequence[str]) -> bool:
    """Whether the tracked runs, the rates' last checks and the untouched rules add up to every rule holding
    after :meth:`CentMoves.clean` (given that each held before):

    - every deriving rule has a tracked run (:func:`run_of`), and none reads what a later one writes (a run
      after a move goes down the list once);
    - after a rate's target moves, the rules run again are ``rates``' third item (rule places): every
      deriving rule whose paths meet what moved is among them;
    - every other rule (not deriving, not a settled rate) reads nothing the cleaner (``moved``) or a run
      writes, so it holds as it did.
    """
    from pytest_testdata.generators.traditional.vouch import overlap  # (vouch imports the drawers, which import cents)

    def meets(paths: Sequence[str], others: Sequence[str]) -> bool:
        return any(overlap(a, b) for a in paths for b in others)

    if len(set(map(id, rules))) != len(rules):
        return False
    writes: dict[int, tuple[str, ...]] = {}
    reaches: dict[int, tuple[str, ...]] = {}
    for index, rule in derive:
        found, paths = run_writes(rule), reach(rule)
        if found is None or paths is None:
            return False
        writes[index], reaches[index] = found, paths
    for index, _ in derive:
        if any(meets(reaches[index], writes[later]) for later, _ in derive if later > index):
            return False
    for _, target, again in rates:
        changed = [target, *(p for i in again for p in writes[i])]
        if any(i not in again and meets(reaches[i], changed) for i, _ in derive):
            return False
    written = [*moved, *(target for _, target, _ in rates), *(p for found in writes.values() for p in found)]
    settled = {index for index, _, _ in rates} | set(writes)
    for index, rule in enumerate(rules):
        if index not in settled:
            paths = reach(rule)
            if paths is None or meets(paths, written):
                return False
    return True
