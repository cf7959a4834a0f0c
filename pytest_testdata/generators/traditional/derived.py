"""Fields a caller sets itself after generation, left undrawn.

A dataset assigns every reference and copies values from the referenced records (an order item's name,
SKU and price are its product's; the shipping address is the customer's): drawing them first would be
work thrown away (about 40% of an order's). :func:`without_derived` gives the schema the traditional plan
compiles for such a request: each derived field is ``null`` (drawn as None, for nothing) and the schema's
coherence rules are left out, since they read those fields. The caller fills the fields, then enforces
the rules (:mod:`pytest_testdata.datasets.build` does both).

The fields the schema's own rules then compute whatever they held (an order's line totals, subtotal, tax,
discount, total and payment amount: :func:`rule_derived`) are left undrawn too: about ten prices an order
were drawn only to be overwritten.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pytest_testdata.schemas.model import Schema

DERIVED_OPTION = "_derived"
"""The run-time request option naming the derived fields: top-level names and list element fields
(``items.*.name``). Run-time options (a leading ``_``) are never part of a cache or cassette key."""


@lru_cache(maxsize=256)
def without_derived(schema: Schema, derived: frozenset[str]) -> Schema:
    """``schema`` with the derived fields ``null`` and no coherence rules (one object per input, so the
    plan compiled for it is cached too)."""
    tree = schema.json_schema
    properties: dict[str, Any] = dict(tree.get("properties", {}))
    for path in derived:
        head, star, tail = path.partition(".*.")
        node = properties.get(head)
        if not star and node is not None:
            properties[head] = {"type": "null"}
            continue
        if not star and "." in path:  # a field of an object (``totals.subtotal``)
            head, _, tail = path.partition(".")
            node = properties.get(head)
            inner_properties = node.get("properties") if isinstance(node, Mapping) else None
            if isinstance(inner_properties, Mapping) and tail in inner_properties:
                assert isinstance(node, Mapping)
                properties[head] = {**node, "properties": {**inner_properties, tail: {"type": "null"}}}
            continue
        items = node.get("items") if isinstance(node, Mapping) else None
        if star and isinstance(node, Mapping) and isinstance(items, Mapping) \
                and tail in items.get("properties", {}):
            inner = {**items, "properties": {**items["properties"], tail: {"type": "null"}}}
            properties[head] = {**node, "items": inner}
    return dataclasses.replace(schema, json_schema={**tree, "properties": properties}, coherence=())


_ALWAYS_WRITE = ("sum_of_products", "product_each", "rate_of", "sum", "same_value")
"""Rule kinds whose ``enforce`` writes their derived fields whatever they held, once their inputs are numbers
(``same_value`` only with a ``source``: its other fields get the source's value)."""


def rule_derived(schema: Schema) -> frozenset[str]:
    """Fields the schema's own rules compute on every valid record, whatever was drawn there: the targets of
    the kinds in :data:`_ALWAYS_WRITE` whose every input is a field the schema requires as a number (or a
    list of objects requiring the rule's factors as numbers) that no rule writes, or a field an earlier such
    rule computes.
    A dataset enforces those rules on every record after its copies (:mod:`pytest_testdata.datasets.chunks`),
    so a value drawn for them would be thrown away. Paths: top-level names, ``object.field`` and
    ``list.*.field``; a rule reading or writing any other shape is left alone (its fields are drawn)."""
    from pytest_testdata.quality.rules import rules_of

    tree = schema.json_schema
    rules = rules_of(schema)
    # A required number some rule writes is an input only once an earlier rule computed it (made): read
    # before a later rule writes it, it would still be the placeholder, and the rule would write nothing.
    written = {str(path) for rule in rules for path in (*rule.derives(), *_as_list(rule.spec.get("target")),
                                                        *_as_list(rule.spec.get("fields")))}
    made: set[str] = set()
    for rule in rules:
        spec = rule.spec
        if rule.kind not in _ALWAYS_WRITE or (rule.kind == "same_value" and not spec.get("source")):
            continue
        if rule.kind in ("sum_of_products", "product_each"):
            items, factors = spec.get("items"), spec.get("factors")
            if not isinstance(items, str) or not isinstance(factors, (list, tuple)) or not factors:
                continue
            inputs: list[Any] = [f"{items}.*.{factor}" for factor in factors]
        elif rule.kind == "rate_of":
            inputs = [spec.get("base")]
        elif rule.kind == "sum":
            terms = spec.get("terms")
            inputs = [t[1:] if isinstance(t, str) and t.startswith("-") else t
                      for t in (terms if isinstance(terms, (list, tuple)) and terms else [None])]
        else:
            inputs = [spec.get("source")]
        # (a rate derives nothing the invalid variants follow: its value is drawn within the range, always written)
        targets: list[Any] = [spec.get("target")] if rule.kind == "rate_of" else list(rule.derives())
        if all(isinstance(p, str) and (p in made or (p not in written and _required_number(tree, p)))
               for p in inputs) \
                and targets and all(isinstance(t, str) and _required_number(tree, t) for t in targets):
            made.update(str(t) for t in targets)
    return frozenset(made)


def _required_number(tree: Mapping[str, Any], path: str) -> bool:
    """Whether ``path`` (``totals.tax``, ``items.*.quantity``: at most one level of object and one list) names a
    number or integer the schema requires, not nullable, at every step (a required list of objects for ``*``)."""
    parts = path.split(".")
    if not 1 <= len(parts) <= 3 or (len(parts) == 3 and parts[1] != "*") or (len(parts) == 2 and parts[1] == "*"):
        return False
    node: Any = tree
    for number, part in enumerate(parts):
        if part == "*":
            node = node.get("items") if node.get("type") == "array" else None
            if not isinstance(node, Mapping):
                return False
            continue
        properties, required = node.get("properties"), node.get("required") or ()
        kind = node.get("type", "object" if number == 0 else None)  # (an entity's top level may omit it)
        if kind != "object" or not isinstance(properties, Mapping) or part not in required:
            return False
        node = properties.get(part)
        if not isinstance(node, Mapping):
            return False
        if number < len(parts) - 1 and parts[number + 1] != "*" and node.get("type") != "object":
            return False
    return node.get("type") in ("number", "integer")


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [] if value is None else [value]
