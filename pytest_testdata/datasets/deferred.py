"""The references filled in once both records exist, chosen so the rules on them hold.

A reference that closes a cycle (a user's favourite order) or points at its own entity (a reply's parent
comment, an employee's manager) cannot be filled while its records are built: it is filled afterwards
(``deferred``). Its records are already drawn, validated and perhaps written to a database by then, so the
cross-entity rules on such a reference are met by *choosing* the record it points at, never by changing the
record: a reply's parent is a comment of the same article written before it (``same_as_ref`` on
``article_id``, ``after_ref`` on ``created_at``), and a reply no comment can answer starts a thread of its own.

For each record: the candidates are the referenced entity's records that agree with it on every
``same_as_ref`` field pair, came to be before it (the first ``after_ref``; for a reference to its own entity,
strictly before it, or earlier in the list when no time rule orders them, so no record is its own ancestor),
and pass every other rule on the reference. One of them is drawn uniformly; the share of empty references
is the reference's cardinality's (``x-cardinality`` ``empty``), as for the others.
"""

from __future__ import annotations

import json
import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

from pytest_testdata.datasets.chunks import put_reference
from pytest_testdata.datasets.coherence import AfterRef, DatasetRule, RecordIndex, SameAsRef
from pytest_testdata.quality.paths import getter

if TYPE_CHECKING:
    from pytest_testdata.datasets.graph import Edge

Record = dict[str, Any]
TRIES = 8
"""Draws among the candidates before a record whose other rules no candidate meets is left empty."""


def rules_on(edge: Edge, rules: Sequence[DatasetRule]) -> list[DatasetRule]:
    """The rules of ``edge``'s entity that look through ``edge`` (their ``ref`` is its path)."""
    return [r for r in rules if r.ref_path == edge.path and r.entity == edge.child]


class Candidates:
    """The records one reference may point at, grouped by the ``same_as_ref`` values and ordered by the
    first ``after_ref``'s timestamp (or, for a reference to its own entity with no time rule, by position)."""

    def __init__(self, edge: Edge, rules: Sequence[DatasetRule], parents: Sequence[Record]) -> None:
        self.edge = edge
        self.own = edge.parent == edge.child
        self.pairs = [(getter(mine), getter(theirs)) for r in rules if isinstance(r, SameAsRef) and r.array is None
                      for mine, theirs, _ in r.pairs]
        timed = [r for r in rules if isinstance(r, AfterRef)]
        self.time = (getter(timed[0].field), getter(timed[0].after)) if timed else None
        key_of = getter(edge.parent_field)
        groups: dict[Hashable, list[tuple[Any, int, Any]]] = {}
        for i, parent in enumerate(parents):
            key = key_of(parent)
            if key is None:
                continue
            when = self._order(self.time[1](parent), i) if self.time else (i,)
            groups.setdefault(self._scope(parent, theirs=True), []).append((when, i, key))
        self.groups = {scope: sorted(members) for scope, members in groups.items()}
        self.orders = {scope: [m[0] for m in members] for scope, members in self.groups.items()}

    @staticmethod
    def _order(moment: Any, i: int) -> tuple[Any, ...]:
        return (moment if isinstance(moment, str) else "", i)

    def _scope(self, record: Record, theirs: bool) -> Hashable:
        return tuple(_hashable((read_theirs if theirs else read_mine)(record)) for read_mine, read_theirs in self.pairs)

    def eligible(self, record: Record, position: int) -> tuple[Sequence[tuple[Any, int, Any]], int]:
        """The candidates for ``record`` (number ``position`` of its entity) by the grouping rules alone: the
        first ``n`` of the returned list (a prefix, so a large group is not copied for every record)."""
        scope = self._scope(record, theirs=False)
        members = self.groups.get(scope)
        if not members:
            return (), 0
        orders = self.orders[scope]
        if self.time is not None:
            moment = self.time[0](record)
            if not isinstance(moment, str):
                return members, (0 if self.own else len(members))
            # Strictly earlier for its own entity (no record is its own ancestor); at the same moment allowed
            # otherwise, as ``after_ref`` allows it.
            cut = bisect_left(orders, (moment,)) if self.own else bisect_right(orders, (moment, float("inf")))
            return members, cut
        if self.own:
            return members, bisect_left(orders, (position,))
        return members, len(members)

    def choose(self, record: Record, position: int, rng: random.Random, holds: Callable[[Record], bool]) -> Any:
        """A key for ``record``'s reference that passes ``holds``, or None when no candidate does."""
        pool, n = self.eligible(record, position)
        for _ in range(min(TRIES, n)):
            key = pool[rng.randrange(n)][2]
            record[self.edge.path] = key
            if holds(record):
                return key
        return None


def fill_deferred(edge: Edge, children: list[Record], parents: Sequence[Record], rules: Sequence[DatasetRule],
                  index: RecordIndex, rng: random.Random) -> None:
    """Fill ``edge`` on every child record with a parent that meets the rules on it (see the module)."""
    candidates = Candidates(edge, rules, parents)
    n = len(children)
    empty = set(rng.sample(range(n), round(n * edge.card.empty))) if edge.card.empty else set()
    taken: set[Any] = set()  # a unique reference's keys already pointed at (each once: edge.unique)
    path = edge.path

    def holds(record: Record) -> bool:
        if edge.unique and record[path] in taken:
            return False
        return all(rule.check(record, index) is None for rule in rules)

    for i, record in enumerate(children):
        key = None if i in empty else candidates.choose(record, i, rng, holds)
        put_reference(record, edge.path, key, edge.absent_when_empty)
        if edge.unique and key is not None:
            taken.add(key)


def break_deferred(rule: DatasetRule, edge: Edge, children: list[Record], parents: Sequence[Record],
                   others: Sequence[DatasetRule], index: RecordIndex, rng: random.Random) -> int | None:
    """Point one child at a record that breaks ``rule`` while every other rule on the reference holds (a
    reply to a later comment of the same article): the number of the child, or None when none can."""
    order = list(range(len(children)))
    rng.shuffle(order)
    keys = [k for k in (getter(edge.parent_field)(p) for p in parents) if k is not None]
    for i in order:
        record = children[i]
        before = record.get(edge.path)
        rng.shuffle(keys)
        for key in keys[:64]:
            if edge.parent == edge.child and _ancestor(children, edge, record, key, index):
                continue
            record[edge.path] = key
            if rule.check(record, index) is not None and all(o.check(record, index) is None for o in others):
                return i
        put_reference(record, edge.path, before, edge.absent_when_empty)
    return None


def _ancestor(children: list[Record], edge: Edge, record: Record, key: Any, index: RecordIndex) -> bool:
    """Whether pointing ``record`` at ``key`` would make it its own ancestor (a loop of replies)."""
    own_key = record.get(edge.parent_field)
    seen = 0
    while key is not None and seen <= len(children):
        if key == own_key:
            return True
        parent = index.find(edge.parent, edge.parent_field, key)
        key = None if parent is None else parent.get(edge.path)
        seen += 1
    return False


def _hashable(value: Any) -> Hashable:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return value  # type: ignore[no-any-return]


__all__ = ["Candidates", "break_deferred", "fill_deferred", "rules_on"]
