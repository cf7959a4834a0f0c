"""What the cross-entity rules look records up in: the records built so far, by entity and key field
(:class:`RecordIndex`); a chunk's records and the records they refer to, read into columns for the rules'
proofs (:class:`ChunkReads`, with the helpers that read and compare columns); who bought what when
(:class:`Purchases`, for ``purchased_before``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import compress, repeat
from operator import is_not, itemgetter, lt
from typing import Any

from pytest_testdata.quality.paths import get, getter

Record = dict[str, Any]


class RecordIndex:
    """What rules look records up in: the records built so far, by entity and key field."""

    def __init__(self) -> None:
        self._by_field: dict[tuple[str, str], dict[Any, Record]] = {}
        self._records: dict[str, list[Record]] = {}
        self._purchases: dict[tuple[str, str, str, str], Purchases] = {}

    def add(self, entity: str, records: list[Record], key_fields: Sequence[str],
            tables: dict[str, dict[Any, Record]] | None = None) -> None:
        """Index an entity's records under each of its key fields. ``tables``: the lookups already made of
        exactly these records, in this order, part by part (:meth:`extend`), while the workers built them."""
        self._records[entity] = records
        if tables is None:
            tables = {key_field: {} for key_field in key_fields}
            self.extend(tables, records)
        for key_field in key_fields:
            self._by_field[(entity, key_field)] = tables[key_field]

    @staticmethod
    def extend(tables: dict[str, dict[Any, Record]], records: list[Record]) -> None:
        """Add the next records to lookups by key field (``tables``: key field -> lookup). Extended part by
        part, in order, they are the lookups of all the parts at once: ``dict.update`` of the same pairs, a
        repeated key at its first place with its last record, as one dict made of them all."""
        plain = set(map(type, records)) <= {dict}
        for key_field, table in tables.items():
            if plain and key_field.isidentifier():  # what getter(key_field) reads, with no call per record
                keys = map(dict.get, records, repeat(key_field))  # (dict.get itself: the records are dicts)
                table.update(zip(keys, records, strict=True))
                continue
            read = getter(key_field)
            table.update((read(r), r) for r in records)

    def find(self, entity: str, field: str, key: Any) -> Record | None:
        """The record of ``entity`` whose ``field`` is ``key``, or None."""
        table = self._by_field.get((entity, field))
        return None if table is None else table.get(key)

    def table(self, entity: str, field: str) -> dict[Any, Record]:
        """``entity``'s records by ``field`` (empty when not indexed): :meth:`find` without a call per key."""
        return self._by_field.get((entity, field)) or {}

    def has(self, entity: str) -> bool:
        return entity in self._records

    def records(self, entity: str) -> list[Record]:
        return self._records.get(entity, [])

    def purchases(self, entity: str, buyer: str, items: str, time: str) -> Purchases:
        """Who bought what when, from ``entity``'s records (built once per dataset)."""
        key = (entity, buyer, items, time)
        if key not in self._purchases:
            self._purchases[key] = Purchases(self.records(entity), buyer, items, time)
        return self._purchases[key]

    @classmethod
    def of_tables(cls, tables: Mapping[tuple[str, str], dict[Any, Record]],
                  purchases: Mapping[tuple[str, str, str, str], dict[tuple[Any, Any], str]]) -> RecordIndex:
        """An index of given lookup tables and purchases, for building one chunk of an entity in a worker
        process (:mod:`pytest_testdata.datasets.chunks`): what the entity's rules read, nothing more."""
        index = cls()
        index._by_field = dict(tables)
        for key, earliest in purchases.items():
            index._records.setdefault(key[0], [])
            index._purchases[key] = Purchases.known(earliest)
        return index


class ChunkReads:
    """A chunk's records and the records they refer to, read into columns (lists made by C loops, no Python
    step per record) for the rules' proofs that a chunk holds (:meth:`DatasetRule.holds`): the check of a
    rule whose columns agree finds nothing, and is not run record by record. The rules of one reference (an
    order's three of its customer, a payment's three of its order) share the referenced records found once,
    and every column read once serves each rule that reads it (an order's ``addresses.0`` of its customer,
    for its two copied addresses and its currency's country).

    A column is read only where every value on the way is a plain dict (or a plain list, by an index each
    holds): what the rules' getters read there with a ``get`` or an index; anything else is None (no proof:
    the rule checks each record as before)."""

    def __init__(self, records: Sequence[Record], index: RecordIndex) -> None:
        self.records = records
        self.index = index
        self._plain: bool | None = None
        self._resolved: dict[tuple[tuple[str, str], str], tuple[Sequence[Record], list[Record]] | None] = {}
        self._columns: dict[tuple[Any, str], list[Any] | None] = {}
        self._kinds: dict[tuple[Any, str], frozenset[type]] = {}
        """The types of each column read (by the column's cache key; ``""`` for the rows themselves): what its
        next steps need, worked out once."""

    @property
    def plain(self) -> bool:
        """Every record is a plain dict (read with ``dict.get``, as the rules' loops read one)."""
        if self._plain is None:
            self._plain = set(map(type, self.records)) <= _DICT
        return self._plain

    def resolved(self, target: tuple[str, str], key: str) -> tuple[Sequence[Record], list[Record]] | None:
        """(the records whose top-level ``key`` finds a record of ``target``, those records), in order: what
        :meth:`DatasetRule.parent` finds for each record, the records without one left out; None when the
        records are not all plain dicts, or a key is not hashable (the rule's loop says what then)."""
        if (target, key) not in self._resolved:
            self._resolved[(target, key)] = self._resolve(target, key)
        return self._resolved[(target, key)]

    def _resolve(self, target: tuple[str, str], key: str) -> tuple[Sequence[Record], list[Record]] | None:
        table = self.index.table(*target)
        # (the loops skip a key of None; a table holding one would find a record for it here)
        if not self.plain or None in table:
            return None
        try:
            parents = list(map(table.get, map(dict.get, self.records, repeat(key))))
        except TypeError:  # an unhashable key: the rule's loop raises what it raises
            return None
        units = self.records
        if None in parents:  # (only the records without one: a record is not equal to None)
            found = list(map(is_not, parents, repeat(None)))
            units, parents = list(compress(units, found)), list(compress(parents, found))
        self._kinds[(("mine", target, key), "")] = _DICT  # (plain records, or some of them)
        # (the found records' types are worked out by the first column read of them)
        return units, parents  # type: ignore[return-value]  # (no None left)

    def mine(self, target: tuple[str, str], key: str, path: str) -> list[Any] | None:
        """:meth:`column` of the records that find one by ``key`` (:meth:`resolved`)."""
        found = self.resolved(target, key)
        return None if found is None else self.column(("mine", target, key), found[0], path)

    def theirs(self, target: tuple[str, str], key: str, path: str) -> list[Any] | None:
        """:meth:`column` of the records they find (:meth:`resolved`)."""
        found = self.resolved(target, key)
        return None if found is None else self.column(("theirs", target, key), found[1], path)

    def column(self, of: Any, rows: Sequence[Any], path: str) -> list[Any] | None:
        """What ``getter(path)`` reads in each of ``rows`` (named ``of`` for the cache: the same rows, the
        same name), when each step finds a plain dict (read with ``get``) or a plain list long enough for the
        step's index; None otherwise. Each shorter path on the way is kept and serves the next rule."""
        if (of, path) in self._columns:
            return self._columns[(of, path)]
        head, dot, last = path.rpartition(".")
        nodes = self.column(of, rows, head) if dot else rows
        out = None
        if nodes is not None and _plain_parts_of(path) is not None:
            kinds = self._kinds.get((of, head))
            if kinds is None:
                kinds = self._kinds[(of, head)] = frozenset(map(type, nodes))
            out = _step(nodes, last, kinds)
        self._columns[(of, path)] = out
        return out


_DICT = frozenset((dict,))
_LIST = frozenset((list,))
_STR = frozenset((str,))


def _plain_parts_of(path: str) -> bool | None:
    """True when the path's getter walks it part by part (no ``*``, no digit that is not ASCII), else None."""
    return None if any(p == "*" or (p.isdigit() and not p.isascii()) for p in path.split(".")) else True


def _step(nodes: Sequence[Any], part: str, kinds: frozenset[type]) -> list[Any] | None:
    """Each node's ``part`` as the getters read it: a dict's key, a list's item at the index (every list
    long enough); None when the nodes (of types ``kinds``) are not all dicts or all lists."""
    if kinds <= _DICT:
        return list(map(dict.get, nodes, repeat(part)))
    if kinds <= _LIST and part.isdigit() and part.isascii():
        at = int(part)
        if min(map(len, nodes)) > at:
            return list(map(itemgetter(at), nodes))
    return None


def _less(mine: list[Any], theirs: list[Any]) -> bool | None:
    """Whether ``mine[i] < theirs[i]`` for some i where both are texts (the test of an ``after_ref`` or
    ``purchased_before`` check): ``<`` of every pair, in C; None when it raises for a pair that is not two
    texts (such a pair is not compared by the check, so nothing is shown)."""
    try:
        return any(map(lt, mine, theirs))
    except Exception:  # (only a pair the check leaves alone can raise: no proof then)
        return None


class Purchases:
    """(buyer, item) pairs with the earliest time each was bought, from records that have that time."""

    def __init__(self, records: list[Record], buyer: str, items: str, time: str) -> None:
        head, _, tail = items.partition(".*.")
        read_buyer, read_time = getter(buyer), getter(time)
        earliest: dict[tuple[Any, Any], str] = {}
        for record in records:
            when = read_time(record)
            who = read_buyer(record)
            if not isinstance(when, str) or who is None:
                continue
            lines = record.get(head) if tail else [record]
            for line in lines if isinstance(lines, list) else ():
                what = line.get(tail) if tail and isinstance(line, dict) else get(line, items)
                pair = (who, what)
                if what is not None and (pair not in earliest or when < earliest[pair]):
                    earliest[pair] = when
        self.earliest = earliest
        self.pairs = list(earliest)

    @classmethod
    def known(cls, earliest: dict[tuple[Any, Any], str]) -> Purchases:
        """Purchases already worked out (by the process that holds the ``via`` records)."""
        out = cls([], "", "", "")
        out.earliest, out.pairs = earliest, list(earliest)
        return out
