"""Copies that hold by construction: which ``same_as_ref`` rules a chunk need not check again.

A chunk (:mod:`pytest_testdata.datasets.chunks`) copies each ``same_as_ref`` rule's fields from the
referenced records (an order item's name, SKU and price are its product's), then enforces the schema's own
rules, the other cross-entity rules and the money cleaner, and then checks every record against every rule.
A copy that nothing after it can write (neither its fields nor the reference it follows) still holds when
the records are checked: checking it again would compare each value with the one it was copied from. Such a
copy is *trusted* and its check is skipped in chunks; everything else is checked as before.

What may write a path after the copies is worked out from the rules' specs, conservatively: each built-in
rule kind's writes are listed below; a kind not listed (or a spec it cannot read) may write anything, and
then no copy of that entity is trusted. The invalid variant's broken record is checked against every rule
(:meth:`ChunkedEntity._break`), trusted or not, and a dataset's rules are checked in full wherever records
are not built by chunks (other strategies, :func:`check_records`-style callers).

A copied value that is not equal to itself (a float NaN in the referenced record) is reported as a
mismatch of the copy by its check: a chunk checks a trusted copy whose referenced table holds such a value
(:attr:`~pytest_testdata.datasets.chunks.Kit.unchecked`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pytest_testdata.datasets.coherence import (
    AfterRef,
    CurrencyOfRef,
    DatasetRule,
    PurchasedBefore,
    SameAsRef,
    StatusMatchesRef,
)
from pytest_testdata.quality.rules import Rule, SentimentMatchesRating

ANYTHING = None
"""What a writer of unknown reach may write."""


def _paths(*values: Any) -> tuple[str, ...] | None:
    """The values as paths, or None when one is not a string (a spec this module cannot read)."""
    out: list[str] = []
    for value in values:
        items = value if isinstance(value, (list, tuple)) else [value]
        if not items or not all(isinstance(v, str) and v for v in items):
            return None
        out += items
    return tuple(out)


def own_writes(rule: Rule) -> tuple[str, ...] | None:
    """Paths ``rule.enforce`` may write (None: any; see the module docstring)."""
    spec, kind = rule.spec, rule.kind
    if kind in ("sum_of_products", "rate_of", "sum"):
        return _paths(spec.get("target"))
    if kind == "product_each":
        items, target = spec.get("items"), spec.get("target")
        return _paths(f"{items}.*.{target}") if isinstance(items, str) and isinstance(target, str) else None
    if kind in ("same_value", "ordered", "different"):
        return _paths(spec.get("fields"))
    if kind == "present_iff":
        return _paths(spec.get("field"))
    if kind == "flag_iff_positive":
        return _paths(spec.get("flag"))
    if kind == "email_from_name":
        return _paths(spec.get("email"))
    if kind == "status_timestamps":
        stages = spec.get("stages")
        return _paths(list(stages), "updated_at") if isinstance(stages, dict) and stages else None
    if kind == "postal_code_matches_country":
        return _paths(spec.get("addresses"))  # the addresses' postal codes: anything under them
    if kind == "sentiment_matches_rating" and type(rule).enforce is SentimentMatchesRating.enforce:
        return ()  # (its enforce writes nothing: the strategy draws a review's texts by its rating)
    return ANYTHING  # phone_matches_country, ...: not worked out here


def cross_writes(rule: DatasetRule) -> tuple[str, ...] | None:
    """Paths a cross-entity rule's ``enforce`` (or ``assign``) may write (None: any)."""
    if isinstance(rule, SameAsRef):
        return _paths(list(rule.spec["fields"]))
    if isinstance(rule, CurrencyOfRef):
        return _paths(rule.spec.get("currency"))
    if isinstance(rule, AfterRef):
        return tuple(rule.moves)
    if isinstance(rule, StatusMatchesRef):
        return _paths(rule.spec.get("status"))
    if isinstance(rule, PurchasedBefore):
        return (*rule.sets, *rule.moves)
    return ANYTHING


def overlap(a: str, b: str) -> bool:
    """True when writing one path may change the other: equal, one inside the other, ``*`` matching any
    part (``items.*.unit_price`` and ``items.0``)."""
    return all(x == y or "*" in (x, y) for x, y in zip(a.split("."), b.split("."), strict=False))


def trusted_copies(rules: Sequence[DatasetRule], own: Sequence[Rule], moved: Iterable[str]) -> frozenset[str]:
    """Ids of the ``same_as_ref`` rules among ``rules`` that hold by construction in a chunk: nothing
    written after the copies (``own`` rules, the other cross-entity rules, the money cleaner's ``moved``
    inputs) can touch their fields or their reference."""
    writes: list[str] = list(moved)
    for own_rule in own:
        found = own_writes(own_rule)
        if found is None:
            return frozenset()
        writes += found
    trusted = set()
    for copy in rules:
        if not isinstance(copy, SameAsRef):
            continue
        mine = _paths(copy.ref_path, list(copy.spec["fields"]))
        if mine is None:
            continue
        others: list[str] = []
        for rule in rules:
            if rule is copy:
                continue
            found = cross_writes(rule)
            if found is None:
                break
            others += found
        else:
            if not any(overlap(path, written) for path in mine for written in [*writes, *others]):
                trusted.add(copy.id)
    return frozenset(trusted)
