"""The base class of the ``x-dataset-coherence`` rule kinds (:class:`DatasetRule`), what breaking a rule
changed (:class:`Breakage`), and the helpers the kinds share: values compared, copied and changed, paths
read and written, a schema's date-time fields and the seconds between two timestamps."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_testdata.datasets.record_index import ChunkReads, Record, RecordIndex
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.generators.traditional.timestamps import _parse as epoch_of
from pytest_testdata.quality.paths import getter, set_all, setter
from pytest_testdata.schemas.model import Schema

TOLERANCE = 0.005
DAY = 86_400


@dataclass(frozen=True)
class Breakage:
    """What breaking a rule changed: the field and a sentence for the report."""

    field: str
    message: str


class DatasetRule:
    """Base class: one declared cross-entity rule of one entity."""

    kind = ""
    required: tuple[str, ...] = ()

    def __init__(self, entity: str, spec: Mapping[str, Any], schema: Schema) -> None:
        self.entity = entity
        self.spec = spec
        self.schema = schema
        for key in ("name", *self.required):
            if key not in spec:
                raise TestdataUsageError(
                    f"schema {schema.source}: x-dataset-coherence rule {spec.get('kind')!r} needs a {key!r}. "
                    f"Its keys: name, kind, {', '.join(self.required)}."
                )
        self.name = str(spec["name"])
        self.id = f"{entity}.{self.name}"
        refs = schema.references()
        self.ref_path = str(spec.get("ref", ""))
        self.target: tuple[str, str] | None = None
        if self.ref_path:
            if self.ref_path not in refs:
                raise TestdataUsageError(
                    f"schema {schema.source}: x-dataset-coherence rule {self.name!r}: ref {self.ref_path!r} is not "
                    f"a reference (x-ref) of {entity}. References: {', '.join(refs) or 'none'}."
                )
            parent, _, parent_field = refs[self.ref_path].partition(".")
            self.target = (parent, parent_field)
        self._ref = getter(self.ref_path) if self.ref_path and "*" not in self.ref_path else None

    @property
    def depends_on(self) -> tuple[str, ...]:
        """Entities whose records this rule reads (they are built before this rule's entity)."""
        return (self.target[0],) if self.target else ()

    @property
    def owns(self) -> tuple[str, ...]:
        """Reference paths this rule assigns itself (instead of the cardinality allocation)."""
        return ()

    @property
    def sets(self) -> tuple[str, ...]:
        """Fields this rule overwrites on every record whose reference resolves (the generator need not
        draw them): an order item's copied name, SKU and price; a review's buyer and product."""
        return ()

    @property
    def parent_reads(self) -> tuple[str, ...]:
        """Paths this rule reads on the referenced record (only those travel to a worker process)."""
        return ()

    def parent(self, record: Record, index: RecordIndex) -> Record | None:
        if self._ref is None or self.target is None:
            return None
        key = self._ref(record)
        return None if key is None else index.table(*self.target).get(key)

    def check(self, record: Record, index: RecordIndex) -> tuple[str, str] | None:
        """None when the record satisfies the rule (or it does not apply), else (field, message)."""
        raise NotImplementedError

    def enforce(self, record: Record, index: RecordIndex, rng: random.Random) -> None:
        raise NotImplementedError

    def enforcer(self, index: RecordIndex) -> Callable[[Record, random.Random], None]:
        """``enforce(record, index, rng)`` as ``enforcer(index)(record, rng)``, for the records of one chunk
        (the index does not change meanwhile): kinds override it to look the referenced table up once."""
        enforce = self.enforce
        return lambda record, rng: enforce(record, index, rng)

    def _parent_reader(self, index: RecordIndex) -> Callable[[Record], Record | None]:
        """:meth:`parent` with ``index`` fixed: the referenced table looked up once, a plain key read
        from a plain record with no call of its own."""
        if self._ref is None or self.target is None:
            return lambda record: None
        table, read, name = index.table(*self.target), self._ref, self.ref_path

        if not name.isidentifier():
            def parent(record: Record) -> Record | None:
                key = read(record)
                return None if key is None else table.get(key)
            return parent

        def plain_parent(record: Record) -> Record | None:
            key = record.get(name) if type(record) is dict else read(record)
            return None if key is None else table.get(key)
        return plain_parent

    def _parent_table(self, index: RecordIndex) -> tuple[dict[Any, Record], str | None]:
        """For an enforcer that reads the referenced record inline: the referenced table and the reference's
        field when :meth:`_parent_reader`'s reader reads it from a plain dict with ``record.get(name)`` and
        looks it up in that table (else None: the reader's call)."""
        if self._ref is None or self.target is None or not self.ref_path.isidentifier():
            return {}, None
        return index.table(*self.target), self.ref_path

    def check_all(self, records: Sequence[Record], index: RecordIndex,
                  reads: ChunkReads | None = None) -> list[tuple[int, str, str]]:
        """:meth:`check` of each record: (record number, field, message) of each failure, in order. Kinds
        override it to look the referenced records up with no call per record, and first try :meth:`holds`
        (``reads``: the records' columns, shared by the rules that check the same records)."""
        check = self.check
        return [(i, *found) for i, record in enumerate(records) if (found := check(record, index)) is not None]

    def holds(self, reads: ChunkReads) -> bool:
        """True only when :meth:`check_all` of the reads' records finds nothing, shown by comparing their
        columns (:class:`ChunkReads`, C loops); False when that is not shown: the records are then checked
        one by one, which says what fails. Each kind's proof restates its check's comparison over columns;
        ``tests/datasets/test_chunk_reads.py`` holds the two together."""
        return False

    def _shown(self, records: Sequence[Record], index: RecordIndex, reads: ChunkReads | None) -> bool:
        """:meth:`holds` for ``records``, with the given reads when they are of these records and index."""
        if reads is None or reads.records is not records or reads.index is not index:
            reads = ChunkReads(records, index)
        return self.holds(reads)

    def _columns(self, reads: ChunkReads, mine: str, theirs: str) -> tuple[list[Any], list[Any]] | None:
        """The columns of ``mine`` in the records whose top-level reference finds a record and of ``theirs`` in
        the records found (:meth:`ChunkReads.mine`, :meth:`ChunkReads.theirs`), when the reference is a plain
        key and both are read; else None."""
        if self.target is None or self._ref is None or not _is_key(self.ref_path):
            return None
        values = reads.mine(self.target, self.ref_path, mine)
        wanted = reads.theirs(self.target, self.ref_path, theirs)
        return None if values is None or wanted is None else (values, wanted)

    def _parents(self, records: Sequence[Record], index: RecordIndex) -> list[Record | None] | None:
        """Each record's :meth:`parent`, for a top-level reference of a plain field (None otherwise)."""
        if self.target is None or self._ref is None or "." in self.ref_path:
            return None
        table, key = index.table(*self.target), self.ref_path
        out: list[Record | None] = []
        for record in records:
            if type(record) is not dict:
                out.append(self.parent(record, index))
                continue
            found = record.get(key)
            out.append(None if found is None else table.get(found))
        return out

    def breaks(self, record: Record, index: RecordIndex, rng: random.Random) -> Breakage | None:
        """Make the record break this rule (and only this one); None if this record cannot."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.kind} {self.id}>"


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= TOLERANCE
    return bool(a == b)


_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


def _setter(path: str) -> Callable[[Any, Any], None]:
    """``set_all`` for a path of plain keys (``totals.currency``): through dicts straight, anything else by
    ``set_all`` itself."""
    parts = path.split(".")
    if len(parts) == 1 or not all(_is_key(p) for p in parts):
        return setter(path)
    *heads, last = parts

    def set_value(record: Any, value: Any) -> None:
        node = record
        for head in heads:
            if type(node) is not dict:
                set_all(record, path, value)
                return
            node = node.get(head, _NOTHING)
            if node is _NOTHING:
                return  # a missing parent: set_all skips it too
        if type(node) is dict:
            node[last] = value
        else:
            set_all(record, path, value)
    return set_value


_NOTHING = object()


def _is_key(path: str) -> bool:
    """A plain key (``price``), not a path (``addresses.0``, ``items.*.sku``)."""
    return "." not in path and "*" not in path and not path.isdigit()


def _short_path(path: str) -> tuple[str, str | None, int | None] | None:
    """How the getter of a short path reads a plain dict, for readers written out inline: ``(key, None,
    None)`` for a plain key (``price``: ``record.get(key)``); ``(key, part, index)`` for two parts under a
    plain key (``totals.total``, ``addresses.0``: the part read from the dict or, by its index, from the list
    found there; any other shape is left to the getter); None for anything else."""
    head, dot, tail = path.partition(".")
    if not _is_key(head):
        return None
    if not dot:
        return head, None, None
    if "." in tail or "*" in tail:
        return None
    return head, tail, int(tail) if tail.isdigit() and tail.isascii() else None


def _key_or_none(path: str) -> str | None:
    """``path`` when it is a plain key (its getter reads a dict with one ``get``), else None."""
    return path if _is_key(path) else None


def clone(value: Any) -> Any:
    """A copy of JSON-like data (an address copied into an order must not be the user's own dict)."""
    if type(value) is dict:
        if set(map(type, value.values())) <= _SCALAR_TYPES:
            return value.copy()  # a flat object (an address): one copy, no call per value
        return {k: clone(v) for k, v in value.items()}
    if type(value) is list:
        return [clone(v) for v in value]
    return value


def _different(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return round(value + rng.choice((1, 2, 5)) + (0.01 if isinstance(value, float) else 0), 2)
    if isinstance(value, str):
        return value + "-X" if len(value) < 4 else value[:-1] + ("X" if value[-1] != "X" else "Y")
    if isinstance(value, dict):  # an address: the same shape, one text changed
        changed = dict(value)
        for key, inner in value.items():
            if isinstance(inner, str) and key not in ("country", "postal_code"):
                changed[key] = _different(inner, rng)
                return changed
    return value if value is None else f"{value}-X"


def _date_time_fields(schema: Schema) -> list[str]:
    return [name for name, sub in schema.properties.items() if sub.get("format") == "date-time"]


def _seconds_between(earlier: str, later: str) -> int:
    if len(earlier) == 20 == len(later) and earlier[19] == "Z" == later[19]:
        # What the generators write (2025-03-04T05:06:07Z): the timestamps module reads it without datetime.
        a, b = epoch_of(earlier), epoch_of(later)
        if a is not None and b is not None:
            return b - a
    from datetime import datetime

    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int((parse(later) - parse(earlier)).total_seconds())
