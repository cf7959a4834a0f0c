"""Fields a caller sets itself after generation, left undrawn.

A dataset assigns every reference and copies values from the referenced records (an order item's name,
SKU and price are its product's; the shipping address is the customer's): drawing them first would be
work thrown away (about 40% of an order's). :func:`without_derived` gives the schema the traditional plan
compiles for such a request: each derived field is ``null`` (drawn as None, for nothing) and the schema's
coherence rules are left out, since they read those fields. The caller fills the fields, then enforces
the rules (:mod:`pytest_testdata.datasets.build` does both).
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
        items = node.get("items") if isinstance(node, Mapping) else None
        if star and isinstance(node, Mapping) and isinstance(items, Mapping) \
                and tail in items.get("properties", {}):
            inner = {**items, "properties": {**items["properties"], tail: {"type": "null"}}}
            properties[head] = {**node, "items": inner}
    return dataclasses.replace(schema, json_schema={**tree, "properties": properties}, coherence=())
