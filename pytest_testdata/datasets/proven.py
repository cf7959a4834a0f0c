"""What a chunk's validator need not test again in the records the dataset wrote into.

A chunk (:mod:`pytest_testdata.datasets.chunks`) writes references into the records it draws (an order's
``items.*.product_id``) and copies values from the referenced records (each item's ``sku``, its product's),
then validates every record whole. A reference's values are the keys the job hands out, and a copy's are
the referenced records' values: the format and pattern of each such value (a UUID, a SKU's pattern: the
costly tests, regular expressions) can be tested once per job (5,000 products) rather than once per record
that holds it (75,000 order items). Such a path goes into the validator's ``made_shapes``, which leaves out
those tests and makes every other one (type, length, bounds).

A path is *proven* (:func:`proven_paths`) when

- nothing written after the reference or the copy can touch it: no rule of the schema, no other cross-entity
  rule, no money cleaner writes it (worked out as :mod:`pytest_testdata.datasets.trusted` does, from the
  rules' specs; a writer of unknown reach proves nothing);
- every record's value there comes from the job: a reference's keys are the job's; a copy's every key is
  found among the referenced records this process holds whole (not those sent with each chunk,
  :attr:`~pytest_testdata.datasets.chunks.EntityJob.split`), else a record keeps what was drawn;
- every string among those values passes the field's format and patterns (:func:`~pytest_testdata.quality.\
validator.shapes_test`, the reporting checks' own tests).

Everything else is validated as before: one referenced value off its pattern leaves the path to the
validator in every record; an invalid variant's broken record is validated whole
(:meth:`~pytest_testdata.datasets.chunked.ChunkedEntity._break`). Proving costs a test per distinct value in
each process that builds chunks of the job, so it is tried only where a value serves several records on
average (:data:`SHARED`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from pytest_testdata.datasets.coherence import DatasetRule, PurchasedBefore, RecordIndex, SameAsRef
from pytest_testdata.datasets.trusted import cross_writes, overlap, own_writes
from pytest_testdata.quality.rules import Rule
from pytest_testdata.quality.validator import shapes_test

SHARED = 2
"""A reference or a copy is proven only when the job's records are at least this many times its distinct
values (a payment's order, one per payment, is not: testing each once here would save nothing)."""


def later_writes(rules: Sequence[DatasetRule], own: Sequence[Rule],
                 cleaner: Iterable[str]) -> list[tuple[Any, str]] | None:
    """(writer, path) of everything that may write a record after its references are set: the cross-entity
    rules (each its own writer), the schema's rules and the money cleaner (None: some writer of unknown reach)."""
    writes: list[tuple[Any, str]] = [(None, path) for path in cleaner]
    for own_rule in own:
        found = own_writes(own_rule)
        if found is None:
            return None
        writes += [(None, path) for path in found]
    for rule in rules:
        found = cross_writes(rule)
        if found is None:
            return None
        writes += [(rule, path) for path in found]
    return writes


def node_at(tree: Mapping[str, Any], path: str) -> Mapping[str, Any] | None:
    """The subschema the validator compiles for ``path`` (``items.*.sku``), or None."""
    node: Any = tree
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get("items") if part == "*" else (node.get("properties") or {}).get(part)
    return node if isinstance(node, Mapping) else None


def _shapes_hold(values: list[Any], node: Mapping[str, Any] | None) -> bool:
    """Whether the values meet the node's format and patterns (False: the node has none, nothing to prove)."""
    test = shapes_test(node) if node is not None else None
    return test is not None and test(values)


def proven_paths(tree: Mapping[str, Any], rules: Sequence[DatasetRule], writes: list[tuple[Any, str]] | None,
                 count: int, refs: Mapping[str, list[Any]], in_lists: Sequence[tuple[str, list[Any], Any]],
                 split: Iterable[tuple[str, str]], index: RecordIndex,
                 pairs: Mapping[str, Sequence[tuple[Any, Any]]] | None = None) -> frozenset[str]:
    """The proven paths (see the module docstring) of a job: ``count`` records, ``refs`` (top-level reference
    -> each record's key), ``in_lists`` ((path, keys, weights): every list item gets one of the keys),
    ``pairs`` (a ``purchased_before`` rule's name -> each record's (buyer, item), :attr:`EntityJob.pairs`)."""
    if writes is None or count <= 0:
        return frozenset()
    keys_of: dict[str, list[Any]] = {path: list(dict.fromkeys(keys)) for path, keys in refs.items()}
    keys_of.update((path, list(dict.fromkeys(keys))) for path, keys, _ in in_lists)
    out: set[str] = set()

    def untouched(path: str, by: Any = None) -> bool:
        return not any(overlap(path, written) for writer, written in writes if writer is not by)

    def shared(distinct: int) -> bool:
        return 0 < distinct * SHARED <= count

    for path, keys in keys_of.items():
        # (a key of None is put as null or left out: not a string, so no format test; its type is tested)
        if shared(len(keys)) and untouched(path) and _shapes_hold(keys, node_at(tree, path)):
            out.add(path)
    for rule in rules:
        if isinstance(rule, PurchasedBefore) and pairs and rule.name in pairs:
            out.update(path for path in _purchases_proven(tree, rule, pairs[rule.name], count, untouched, shared))
    split = set(split)
    for rule in rules:
        if not isinstance(rule, SameAsRef) or rule.target is None or rule.target in split:
            continue
        handed = keys_of.get(rule.ref_path)
        if handed is None or None in handed or not shared(len(handed)) or not untouched(rule.ref_path):
            continue
        table = index.table(*rule.target)
        if not all(map(table.__contains__, handed)):
            continue  # a record without its referenced one keeps what was drawn: validated
        parents = [table[key] for key in handed]
        prefix = f"{rule.array}.*." if rule.array else ""
        plain = rule._plain is not None
        for local, theirs, read in rule.pairs:
            path = prefix + local
            if "." in local or "*" in local or not untouched(path, rule):
                continue  # (a nested field is written by a setter that may not find its way: validated)
            node = node_at(tree, path)
            if node is None or shapes_test(node) is None:
                continue  # nothing to leave out
            # The value the copy writes (SameAsRef.enforce_all): a plain key's by dict.get, others by the reader.
            values = [parent.get(theirs) if plain and type(parent) is dict else read(parent) for parent in parents]
            if _shapes_hold(values, node):
                out.add(path)
    return frozenset(out)


def _purchases_proven(tree: Mapping[str, Any], rule: PurchasedBefore, chosen: Sequence[tuple[Any, Any]],
                      count: int, untouched: Any, shared: Any) -> list[str]:
    """The buyer and item fields of a ``purchased_before`` rule (a review's ``user_id`` and ``product_id``)
    that are proven: :meth:`PurchasedBefore.assign` sets each record's two top-level keys to its pair, which
    the job chose for every record (a chunk takes its slice, a record drawn again its own), so the values
    there are the pairs' buyers and items, when nothing after it writes them (no other writer, nor the rule's
    own flag or moved timestamps) and the job's distinct values pass the field's format and patterns."""
    if len(chosen) != count or rule.buyer == rule.item:
        return []
    own = [str(rule.flag)] if rule.flag else []
    out = []
    for at, path in enumerate((rule.buyer, rule.item)):
        if "." in path or "*" in path or not untouched(path, rule) \
                or any(overlap(path, written) for written in [*own, *rule.moves]):
            continue  # (a key with a dot is a key to assign, a path to the validator: not the same field)
        try:
            # The pairs' values at this place, as assign's unpacking takes them apart (a pair is a tuple of
            # two: a pair of another length would make assign raise), in one C loop; the set's order does
            # not matter to the test of each value.
            distinct = list(set(map(itemgetter(at), chosen)))
        except (TypeError, IndexError, KeyError):  # an unhashable value, a pair it cannot read: not proven
            continue
        if shared(len(distinct)) and _shapes_hold(distinct, node_at(tree, path)):
            out.append(path)
    return out
