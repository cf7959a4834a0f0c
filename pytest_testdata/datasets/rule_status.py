"""The ``status_matches_ref`` rule kind: a status is allowed for the referenced record's status (a
refunded payment belongs to a refunded order)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pytest_testdata.datasets.record_index import _STR, ChunkReads, Record, RecordIndex
from pytest_testdata.datasets.rule_base import Breakage, DatasetRule, _key_or_none
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.generators.traditional.fastrand import pick
from pytest_testdata.quality.paths import getter, set_all, setter
from pytest_testdata.schemas.model import Schema


class StatusMatchesRef(DatasetRule):
    kind = "status_matches_ref"
    required = ("ref", "status", "ref_status", "allowed")

    def __init__(self, entity: str, spec: Mapping[str, Any], schema: Schema) -> None:
        super().__init__(entity, spec, schema)
        allowed = spec["allowed"]
        if not isinstance(allowed, Mapping) or not all(isinstance(v, list) and v for v in allowed.values()):
            raise TestdataUsageError(
                f"schema {schema.source}: rule {self.name!r}: \"allowed\" must map each referenced status to a "
                f"non-empty list of this record's statuses; got {allowed!r}."
            )
        self.allowed = {str(k): [str(s) for s in v] for k, v in allowed.items()}
        self._status, self._ref_status = getter(str(spec["status"])), getter(str(spec["ref_status"]))

    @property
    def parent_reads(self) -> tuple[str, ...]:
        return (str(self.spec["ref_status"]),)

    def _allowed_for(self, record: Record, index: RecordIndex) -> tuple[str, list[str]] | None:
        parent = self.parent(record, index)
        if parent is None:
            return None
        status = str(self._ref_status(parent))
        return (status, self.allowed[status]) if status in self.allowed else None

    def check(self, record: Record, index: RecordIndex) -> tuple[str, str] | None:
        found = self._allowed_for(record, index)
        mine = self._status(record)
        if found is None or mine in found[1]:
            return None
        return self.spec["status"], (f"is {mine!r} but the referenced record is {found[0]!r}, which allows "
                                     f"{', '.join(found[1])}")

    def holds(self, reads: ChunkReads) -> bool:
        """Every status allowed for its referenced record's (the test of :meth:`check_all`), all of them
        texts: each distinct pair of the two statuses tested once."""
        found = self._columns(reads, str(self.spec["status"]), str(self.spec["ref_status"]))
        if found is None:
            return False
        mine, theirs = found
        if not set(map(type, theirs)) <= _STR or not set(map(type, mine)) <= _STR:
            return False
        allowed = self.allowed
        pairs = set(zip(theirs, mine, strict=True))  # (texts: equal ones answer alike)
        return not any(status in allowed and status_ not in allowed[status] for status, status_ in pairs)

    def check_all(self, records: Sequence[Record], index: RecordIndex,
                  reads: ChunkReads | None = None) -> list[tuple[int, str, str]]:
        if self.target is None or self._ref is None or "." in self.ref_path:
            return super().check_all(records, index)
        if self._shown(records, index, reads):
            return []
        status_of, ref_status_of, allowed = self._status, self._ref_status, self.allowed
        path, ref_path = _key_or_none(str(self.spec["status"])), _key_or_none(str(self.spec["ref_status"]))
        table, key = index.table(*self.target), self.ref_path
        out: list[tuple[int, str, str]] = []
        for i, record in enumerate(records):
            if type(record) is dict:  # what _parents reads, in the same pass
                found = record.get(key)
                parent = None if found is None else table.get(found)
            else:
                parent = self.parent(record, index)
            if parent is None:
                continue
            # the getters' own reading of a plain key in a plain dict (status), without their call
            theirs = parent.get(ref_path) if ref_path is not None and type(parent) is dict else ref_status_of(parent)
            status = theirs if type(theirs) is str else str(theirs)
            if status not in allowed:
                continue
            mine = record.get(path) if path is not None and type(record) is dict else status_of(record)
            if mine not in allowed[status]:
                out.append((i, self.spec["status"], f"is {mine!r} but the referenced record is {status!r}, "
                                                    f"which allows {', '.join(allowed[status])}"))
        return out

    def enforce(self, record: Record, index: RecordIndex, rng: random.Random) -> None:
        found = self._allowed_for(record, index)
        if found is not None and self._status(record) not in found[1]:
            set_all(record, self.spec["status"], pick(rng, found[1]))

    def enforcer(self, index: RecordIndex) -> Callable[[Record, random.Random], None]:
        parent_of, status_of, ref_status_of = self._parent_reader(index), self._status, self._ref_status
        allowed, path = self.allowed, self.spec["status"]
        # set_all's steps compiled for the path (the enforcer runs on every payment of a dataset)
        write = setter(path) if isinstance(path, str) else lambda record, value: set_all(record, path, value)

        table, name = self._parent_table(index)
        status, ref_status = _key_or_none(str(path)), _key_or_none(str(self.spec["ref_status"]))

        def enforce(record: Record, rng: random.Random) -> None:  # what enforce does
            plain = type(record) is dict
            if name is not None and plain:  # parent_of(record), as it reads a plain dict
                found = record.get(name)
                parent = None if found is None else table.get(found)
            else:
                parent = parent_of(record)
            if parent is None:
                return
            # the getters' own reading of a plain key in a plain dict (status), without their call
            theirs = parent.get(ref_status) if ref_status is not None and type(parent) is dict \
                else ref_status_of(parent)
            options = allowed.get(theirs if type(theirs) is str else str(theirs))
            if options is not None and \
                    (record.get(status) if status is not None and plain else status_of(record)) not in options:
                write(record, pick(rng, options))
        return enforce

    def breaks(self, record: Record, index: RecordIndex, rng: random.Random) -> Breakage | None:
        found = self._allowed_for(record, index)
        enum = (self.schema.subschema(self.spec["status"]) or {}).get("enum") or []
        others = [s for s in enum if found is not None and s not in found[1]]
        if not others:
            return None
        chosen = rng.choice(others)
        set_all(record, self.spec["status"], chosen)
        assert found is not None
        return Breakage(self.spec["status"], f"{self.spec['status']} set to {chosen!r} on a {found[0]!r} record")
