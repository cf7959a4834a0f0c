"""References a record's own rules may have written after the dataset assigned them, checked to find their
records.

The dataset assigns each reference a key of a record it holds (or an external id), so a reference holds by
construction, and is not looked up again; but a rule of the entity's schema enforced afterwards may write
the field (``present_iff`` filling a value it requires, ``different`` moving a tied integer). Those
references, and every reference of an entity with a rule whose writes are not worked out
(:func:`~pytest_testdata.datasets.trusted.own_writes`), are looked up in the keys of the entity they refer to:
one that finds no record is a violation (rule ``reference``), never a dangling id that only the database
would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pytest_testdata.datasets.graph import Edge
from pytest_testdata.datasets.trusted import ANYTHING, own_writes
from pytest_testdata.quality.rules import Rule

RULE = "reference"


def written(edges: Iterable[Edge], rules: Sequence[Rule]) -> list[Edge]:
    """The top-level references of ``edges`` (one entity's) that one of its own ``rules`` may write."""
    paths: set[str] = set()
    for rule in rules:
        writes = own_writes(rule)
        if writes is ANYTHING:
            return [e for e in edges if not e.in_list]
        paths.update(writes)
    return [e for e in edges if not e.in_list and e.path in paths]


def unresolved(records: Sequence[dict[str, Any]], edges: Sequence[Edge],
               keys_of: Callable[[Edge], list[Any]]) -> list[tuple[int, str, str, str]]:
    """Each record whose reference along one of ``edges`` finds no record: (record, field, "reference",
    message)."""
    out = []
    for edge in edges:
        keys = {k for k in keys_of(edge) if isinstance(k, (str, int, float, bool))}
        for i, record in enumerate(records):
            value = record.get(edge.path)
            if value is not None and (not isinstance(value, (str, int, float, bool)) or value not in keys):
                out.append((i, edge.path, RULE, f"{value!r} is no {edge.parent} record's {edge.parent_field} (a rule "
                                                 "of the entity wrote it after the dataset assigned the reference)"))
    return out


__all__ = ["RULE", "unresolved", "written"]
