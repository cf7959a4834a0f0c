"""The ``same_as_ref`` rule kind: fields equal the referenced record's fields (an order item's product
name, SKU and price; a payment's amount and currency, its order's)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from operator import eq
from typing import Any

from pytest_testdata.datasets.fused_copies import short_copier
from pytest_testdata.datasets.record_index import ChunkReads, Record, RecordIndex
from pytest_testdata.datasets.rule_base import (
    _SCALAR_TYPES,
    Breakage,
    DatasetRule,
    _different,
    _equal,
    _is_key,
    _key_or_none,
    _short_path,
    clone,
)
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.quality.paths import get, getter, set_all, setter
from pytest_testdata.schemas.model import Schema


class SameAsRef(DatasetRule):
    kind = "same_as_ref"
    required = ("ref", "fields")

    def __init__(self, entity: str, spec: Mapping[str, Any], schema: Schema) -> None:
        super().__init__(entity, spec, schema)
        fields = spec["fields"]
        if not isinstance(fields, Mapping) or not fields:
            raise TestdataUsageError(
                f"schema {schema.source}: rule {self.name!r}: \"fields\" must map this record's fields to the "
                f"referenced record's, such as {{\"amount\": \"totals.total\"}}; got {fields!r}."
            )
        head, star, _ = self.ref_path.partition(".*.")
        self.array = head if star else None
        self.pairs: list[tuple[str, str, Callable[[Any], Any]]] = []
        for mine, theirs in fields.items():
            if self.array and not str(mine).startswith(f"{self.array}.*."):
                raise TestdataUsageError(
                    f"schema {schema.source}: rule {self.name!r}: with ref {self.ref_path!r}, each field must be "
                    f"in the same list ({self.array}.*.<field>); got {mine!r}."
                )
            local = str(mine).partition(".*.")[2] if self.array else str(mine)
            self.pairs.append((local, str(theirs), getter(str(theirs))))
        self._locals = [(local, getter(local), setter(local), read) for local, _, read in self.pairs]
        self._compare = [(local, theirs, mine_of, read) for (local, theirs, _), (_, mine_of, _, read)
                         in zip(self.pairs, self._locals, strict=True)]
        self._key_local = getter(self.ref_path.partition(".*.")[2] if self.array else self.ref_path)
        plain = [(local, theirs) for local, theirs, _ in self.pairs if _is_key(local) and _is_key(theirs)]
        self._plain = plain if len(plain) == len(self.pairs) else None
        """(field, referenced field) when every one is a plain key: copied with no call per value."""
        keyed = [(local, read) for local, _, read in self.pairs if _is_key(local)]
        self._keyed = keyed if len(keyed) == len(self.pairs) else None
        """(field, the referenced field's reader) when every field of this record is a plain key (a payment's
        ``amount`` from its order's ``totals.total``): written and read with no call per value."""
        self._again = [i > 0 and self.pairs[i - 1][1] == theirs for i, (_, theirs, _) in enumerate(self.pairs)]
        """Per pair: it reads the referenced field the pair before it read (an order's two addresses, both
        the customer's ``addresses.0``): :meth:`enforce_all` reads it once (a getter reads and changes
        nothing) and copies it for each."""
        short = [(local, _short_path(theirs), read, again) for (local, theirs, read), again
                 in zip(self.pairs, self._again, strict=True) if _is_key(local)]
        self._short = [(local, *where, read, again) for local, where, read, again in short if where is not None] \
            if self.array is None and len(short) == len(self.pairs) and all(w is not None for _, w, _, _ in short) \
            else None
        """Per pair when every field of this record is a plain key and every referenced field a short path
        (:func:`_short_path`; a payment's ``amount`` from ``totals.total``, an order's addresses from
        ``addresses.0``): (field, key, part, index, reader, read before), read from a plain dict with no
        call (the reader for any other shape)."""
        self._key_name = _key_or_none(self.ref_path.partition(".*.")[2] if self.array else self.ref_path)
        """The reference's field when it is a plain key: read from a plain dict without the getter's call."""

    @property
    def sets(self) -> tuple[str, ...]:
        return tuple(str(mine) for mine in self.spec["fields"])

    @property
    def parent_reads(self) -> tuple[str, ...]:
        return tuple(theirs for _, theirs, _ in self.pairs)

    def _units(self, record: Record) -> list[Record]:
        if self.array is None:
            return [record]
        lines = record.get(self.array)
        return [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []

    def _parent_of(self, unit: Record, index: RecordIndex) -> Record | None:
        assert self.target is not None
        key = self._key_local(unit)
        return None if key is None else index.find(self.target[0], self.target[1], key)

    def check(self, record: Record, index: RecordIndex) -> tuple[str, str] | None:
        assert self.target is not None
        table, key_of = index.table(*self.target), self._key_local
        for at, unit in enumerate(self._units(record)):
            key = key_of(unit)
            parent = table.get(key) if key is not None else None
            if parent is None:
                continue
            for local, theirs, mine_of, read in self._compare:
                mine, wanted = mine_of(unit), read(parent)
                if mine != wanted and not _equal(mine, wanted):
                    where = f"{self.array}.{at}.{local}" if self.array else local
                    return where, (f"is {mine!r} but the referenced {self.target[0]} has {theirs} = {wanted!r}")
        return None

    def enforce(self, record: Record, index: RecordIndex, rng: random.Random) -> None:
        assert self.target is not None
        table, key_of, locals_ = index.table(*self.target), self._key_local, self._locals
        for unit in self._units(record):
            key = key_of(unit)
            parent = table.get(key) if key is not None else None
            if parent is not None:
                for _, _, write, read in locals_:
                    write(unit, clone(read(parent)))

    def enforce_all(self, records: Sequence[Record], index: RecordIndex) -> None:
        """:meth:`enforce` on each record (it draws nothing, so the records may be done in one pass): the
        short paths' copy written out (:mod:`~pytest_testdata.datasets.fused_copies`) when it applies, each
        other record through :meth:`_copy_each`."""
        assert self.target is not None
        if self._plain is None and self._short is not None and self._key_name is not None:
            copy = short_copier(self._key_name, tuple(self._short))  # (written once per rule: cached there)
            copy(records, index.table(*self.target), lambda record: self._copy_each((record,), index))
            return
        self._copy_each(records, index)

    def _copy_each(self, records: Sequence[Record], index: RecordIndex) -> None:
        """:meth:`enforce_all`'s loop, each shape of record and referenced record as its own branch."""
        assert self.target is not None
        table, key_of, locals_, plain = index.table(*self.target), self._key_local, self._locals, self._plain
        keyed, array, short, name = self._keyed, self.array, self._short, self._key_name
        again = list(zip(keyed, self._again, strict=True)) if keyed is not None and any(self._again) else None
        prepared: dict[Any, dict[str, Any]] = {}
        for record in records:
            # self._units(record), without the call and the list: the record, or its list's dict items
            if array is None:
                units: Sequence[Any] = (record,)
            else:
                lines = record.get(array)
                if not isinstance(lines, list):
                    continue
                units = lines
            for unit in units:
                if type(unit) is dict:
                    # key_of(unit), read as its getter reads a plain key of a plain dict
                    key = unit.get(name) if name is not None else key_of(unit)
                    if key is None:
                        continue
                    if plain is not None:
                        # A referenced record's values already prepared (below) for an earlier unit: its
                        # product found for this key and a dict, as now (the table does not change), so the
                        # branch below would write them again: written without looking it up (an order's line
                        # of a product another line of the chunk had).
                        copied = prepared.get(key)
                        if copied is not None:
                            unit.update(copied)
                            continue
                elif array is not None and not isinstance(unit, dict):
                    continue
                else:
                    key = key_of(unit)
                    if key is None:
                        continue
                parent = table.get(key)
                if parent is None:
                    continue
                if plain is not None and type(unit) is dict and type(parent) is dict:
                    # What the getter and setter below do for plain keys: the referenced values, read once per
                    # referenced record and call (a product's name, SKU and price for each of its order lines;
                    # nothing here writes a referenced record), written with one update when all are scalars.
                    copied = prepared.get(key)
                    if copied is None:
                        copied = {local: parent.get(theirs) for local, theirs in plain}
                        if not set(map(type, copied.values())) <= _SCALAR_TYPES:
                            for local, value in copied.items():
                                unit[local] = value if type(value) in _SCALAR_TYPES else clone(value)
                            continue
                        prepared[key] = copied
                    unit.update(copied)
                elif short is not None and type(unit) is dict and type(parent) is dict:
                    # the keyed copy below with each short path read as its getter reads a plain dict, a
                    # field read before not read again, and a flat dict (an address) copied as clone does
                    value = flat = None
                    for local, head, part, at, read, same in short:
                        if not same:
                            value = parent.get(head)
                            if part is not None:
                                if type(value) is dict:
                                    value = value.get(part)
                                elif type(value) is list and at is not None:
                                    value = value[at] if at < len(value) else None
                                else:
                                    value = read(parent)
                            flat = type(value) is dict and set(map(type, value.values())) <= _SCALAR_TYPES
                        if flat:
                            unit[local] = value.copy()
                        else:
                            unit[local] = value if type(value) in _SCALAR_TYPES else clone(value)
                elif again is not None and type(unit) is dict:
                    value = None
                    for (local, read), same in again:
                        if not same:
                            value = read(parent)
                        unit[local] = value if type(value) in _SCALAR_TYPES else clone(value)
                elif keyed is not None and type(unit) is dict:
                    for local, read in keyed:  # what the setter below does for a plain key of a dict
                        value = read(parent)
                        unit[local] = value if type(value) in _SCALAR_TYPES else clone(value)
                else:
                    for _, _, write, read in locals_:
                        write(unit, clone(read(parent)))

    def holds(self, reads: ChunkReads) -> bool:
        """Every copied field equal to its referenced field in every record whose reference finds one (the
        comparisons of :meth:`check_all`'s usual case, which a copy of plain keys of a record takes)."""
        if self.array is not None or self._keyed is None:
            return False
        for local, theirs, _ in self.pairs:
            found = self._columns(reads, local, theirs)
            # (== of each pair, as the loop's usual case compares them, NaN and all)
            if found is None or not all(map(eq, *found)):
                return False
        return True

    def check_all(self, records: Sequence[Record], index: RecordIndex,
                  reads: ChunkReads | None = None) -> list[tuple[int, str, str]]:
        assert self.target is not None
        if self._shown(records, index, reads):
            return []
        table, key_of, compare, plain = index.table(*self.target), self._key_local, self._compare, self._plain
        keyed = self._keyed if plain is None else None
        short = self._short if plain is None else None
        array, name = self.array, self._key_name
        out: list[tuple[int, str, str]] = []
        for i, record in enumerate(records):
            # (the record itself as unit 0, without an enumerate object made for each record)
            for at, unit in ((0, record),) if array is None else enumerate(self._units(record)):
                # key_of(unit), read as its getter reads a plain key of a plain dict
                key = unit.get(name) if name is not None and type(unit) is dict else key_of(unit)
                parent = table.get(key) if key is not None else None
                if parent is None:
                    continue
                if plain is not None and type(unit) is dict and type(parent) is dict \
                        and all(unit.get(local) == parent.get(theirs) for local, theirs in plain):
                    continue  # the usual case: every value equal (the loop below says which is not)
                if short is not None and type(unit) is dict and type(parent) is dict:
                    # the keyed comparison below, each short path read as its getter reads a plain dict (a
                    # field read before not read again)
                    value = None
                    for local, head, part, index_, read, same in short:
                        if not same:
                            value = parent.get(head)
                            if part is not None:
                                if type(value) is dict:
                                    value = value.get(part)
                                elif type(value) is list and index_ is not None:
                                    value = value[index_] if index_ < len(value) else None
                                else:
                                    value = read(parent)
                        if not unit.get(local) == value:  # noqa: SIM201 (as the keyed loop compares)
                            break
                    else:
                        continue
                elif keyed is not None and type(unit) is dict:
                    for local, read in keyed:  # the same usual case, for referenced fields of any path
                        if not unit.get(local) == read(parent):  # noqa: SIM201 (as the line above compares)
                            break
                    else:
                        continue
                failed = self._unequal(unit, parent, compare)
                if failed is not None:
                    local, theirs, mine, wanted = failed
                    where = f"{self.array}.{at}.{local}" if self.array else local
                    out.append((i, where, f"is {mine!r} but the referenced {self.target[0]} has {theirs} = "
                                          f"{wanted!r}"))
                    break
        return out

    @staticmethod
    def _unequal(unit: Record, parent: Record, compare: list[tuple[str, str, Callable[[Any], Any],
                                                                   Callable[[Any], Any]]]) -> tuple[Any, ...] | None:
        """The first (field, referenced field, value, referenced value) that differ, or None."""
        for local, theirs, mine_of, read in compare:
            mine, wanted = mine_of(unit), read(parent)
            if mine != wanted and not _equal(mine, wanted):
                return local, theirs, mine, wanted
        return None

    def breaks(self, record: Record, index: RecordIndex, rng: random.Random) -> Breakage | None:
        for at, unit in enumerate(self._units(record)):
            if self._parent_of(unit, index) is None:
                continue
            local = self.pairs[0][0]
            value = get(unit, local)
            set_all(unit, local, _different(value, rng))
            where = f"{self.array}.{at}.{local}" if self.array else local
            return Breakage(where, f"{where} changed from {value!r} to {get(unit, local)!r}")
        return None
