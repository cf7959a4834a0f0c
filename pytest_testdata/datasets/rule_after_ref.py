"""The ``after_ref`` rule kind: a timestamp follows one of the referenced record (a payment is made after
its order was placed); enforcing it moves all the record's timestamps together."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pytest_testdata.datasets.record_index import ChunkReads, Record, RecordIndex, _less
from pytest_testdata.datasets.rule_base import (
    DAY,
    Breakage,
    DatasetRule,
    _date_time_fields,
    _key_or_none,
    _seconds_between,
)
from pytest_testdata.generators.traditional.fastrand import between
from pytest_testdata.generators.traditional.timestamps import (
    _DAY_NUMBERS,
    _DAYS,
    _HOURS_MINUTES,
    _MINUTE_OF,
    _SECOND_OF,
    _SECONDS,
    format_ts,
    shift_fields,
)
from pytest_testdata.quality.paths import get, getter
from pytest_testdata.schemas.model import Schema


class AfterRef(DatasetRule):
    kind = "after_ref"
    required = ("ref", "field", "after")

    def __init__(self, entity: str, spec: Mapping[str, Any], schema: Schema) -> None:
        super().__init__(entity, spec, schema)
        self.field, self.after = str(spec["field"]), str(spec["after"])
        self.min_delay, self.max_delay = int(spec.get("min_seconds", 60)), int(spec.get("max_seconds", 3 * DAY))
        self.moves = [str(f) for f in spec.get("shift", _date_time_fields(schema))]
        self._mine, self._theirs = getter(self.field), getter(self.after)

    @property
    def parent_reads(self) -> tuple[str, ...]:
        return (self.after,)

    def _times(self, record: Record, index: RecordIndex) -> tuple[Any, Any]:
        parent = self.parent(record, index)
        return self._mine(record), (None if parent is None else self._theirs(parent))

    def check(self, record: Record, index: RecordIndex) -> tuple[str, str] | None:
        mine, theirs = self._times(record, index)
        if not isinstance(mine, str) or not isinstance(theirs, str) or mine >= theirs:
            return None
        return self._late(mine, theirs)

    def holds(self, reads: ChunkReads) -> bool:
        """No time before its referenced record's (the comparison of :meth:`check_all`)."""
        found = self._columns(reads, self.field, self.after)
        return found is not None and _less(*found) is False

    def check_all(self, records: Sequence[Record], index: RecordIndex,
                  reads: ChunkReads | None = None) -> list[tuple[int, str, str]]:
        if self.target is None or self._ref is None or "." in self.ref_path:
            return super().check_all(records, index)
        if self._shown(records, index, reads):
            return []
        mine_of, theirs_of = self._mine, self._theirs
        field, after = _key_or_none(self.field), _key_or_none(self.after)
        table, key = index.table(*self.target), self.ref_path
        out: list[tuple[int, str, str]] = []
        for i, record in enumerate(records):
            if type(record) is dict:  # what _parents reads, in the same pass
                found = record.get(key)
                parent = None if found is None else table.get(found)
            else:
                parent = self.parent(record, index)
            # The getters' own reading of a plain key in a dict (created_at), without their call.
            mine = record.get(field) if field is not None and type(record) is dict else mine_of(record)
            theirs = None if parent is None else \
                parent.get(after) if after is not None and type(parent) is dict else theirs_of(parent)
            if isinstance(mine, str) and isinstance(theirs, str) and mine < theirs:
                out.append((i, *self._late(mine, theirs)))
        return out

    def _late(self, mine: str, theirs: str) -> tuple[str, str]:
        return self.field, f"{mine} is before the referenced {self.target[0] if self.target else ''}'s " \
                           f"{self.after} {theirs}"

    def enforce(self, record: Record, index: RecordIndex, rng: random.Random) -> None:
        mine, theirs = self._times(record, index)
        if isinstance(mine, str) and isinstance(theirs, str) and mine < theirs:
            delay = between(rng, self.min_delay, self.max_delay)
            shift_fields(record, self.moves, _seconds_between(mine, theirs) + delay)

    def enforcer(self, index: RecordIndex) -> Callable[[Record, random.Random], None]:
        parent_of, mine_of, theirs_of = self._parent_reader(index), self._mine, self._theirs
        table, name = self._parent_table(index)
        low, high, moves = self.min_delay, self.max_delay, self.moves
        field, after = _key_or_none(self.field), _key_or_none(self.after)

        # between(rng, low, high)'s steps with its constants worked out once (an order's delay after sign-up)
        span = high - low + 1
        bits = span.bit_length() if high >= low else 0
        days, minutes, seconds = _DAY_NUMBERS, _MINUTE_OF, _SECOND_OF
        day_texts, hours_minutes, seconds_z = _DAYS, _HOURS_MINUTES, _SECONDS
        # The moved field itself (created_at, once among the moves): shifted by gap + delay it lands on the
        # referenced time plus the delay, which is written from that epoch (read already) instead of being
        # read again; the moves before and after it are shifted in their order, as shift_fields does.
        at = moves.index(field) if field is not None and moves.count(field) == 1 else -1
        before, later = (moves[:at], moves[at + 1:]) if at >= 0 else ([], [])

        def enforce(record: Record, rng: random.Random) -> None:  # what enforce does
            if name is not None and type(record) is dict:  # parent_of(record), as it reads a plain dict
                found = record.get(name)
                parent = None if found is None else table.get(found)
            else:
                parent = parent_of(record)
            # The getters' own reading of a plain key in a dict (created_at), without their call.
            mine = record.get(field) if field is not None and type(record) is dict else mine_of(record)
            theirs = None if parent is None else \
                parent.get(after) if after is not None and type(parent) is dict else theirs_of(parent)
            if isinstance(mine, str) and isinstance(theirs, str) and mine < theirs:
                # _seconds_between(mine, theirs) for two timestamps the tables read (every generated one): the
                # epochs as timestamps._parse finds them; anything else through the function itself.
                gap = landing = None
                if len(mine) == 20 == len(theirs) and mine[19] == "Z" == theirs[19]:
                    a_day, a_minute, a_second = days.get(mine[:10]), minutes.get(mine[10:17]), seconds.get(mine[17:19])
                    b_day, b_minute, b_second = \
                        days.get(theirs[:10]), minutes.get(theirs[10:17]), seconds.get(theirs[17:19])
                    if a_day is not None and a_minute is not None and a_second is not None and b_day is not None \
                            and b_minute is not None and b_second is not None:
                        landing = b_day * 86_400 + b_minute + b_second
                        gap = landing - (a_day * 86_400 + a_minute + a_second)
                if bits:
                    r = rng.getrandbits(bits)
                    while r >= span:
                        r = rng.getrandbits(bits)
                    delay = low + r
                else:
                    delay = between(rng, low, high)  # (raises what randint says of such bounds)
                if gap is None:  # (after the draw, as enforce: a time it cannot read raises with the delay drawn)
                    gap = _seconds_between(mine, theirs)
                if landing is None or at < 0 or type(record) is not dict:
                    shift_fields(record, moves, gap + delay)
                    return
                # shift_fields(record, moves, gap + delay), the moved field written from the epoch the tables
                # read it at plus the shift (what shift_fields writes for it)
                if before:
                    shift_fields(record, before, gap + delay)
                # format_ts(landing + delay) written out (a whole epoch from 1970 on: its fast path), the
                # day's text from its table (format_ts for a day it does not hold)
                moved = landing + delay
                day = moved // 86_400
                text = day_texts.get(day)
                if text is None:
                    record[field] = format_ts(moved)  # type: ignore[index]
                else:
                    moved -= day * 86_400
                    record[field] = f"{text}{hours_minutes[moved // 60]}{seconds_z[moved % 60]}"  # type: ignore[index]
                if later:
                    shift_fields(record, later, gap + delay)
        return enforce

    def breaks(self, record: Record, index: RecordIndex, rng: random.Random) -> Breakage | None:
        mine, theirs = self._times(record, index)
        if not isinstance(mine, str) or not isinstance(theirs, str):
            return None
        shift_fields(record, self.moves, -(_seconds_between(theirs, mine) + rng.randint(DAY, 10 * DAY)))
        return Breakage(self.field, f"{self.field} moved to {get(record, self.field)}, before the "
                                    f"{self.target[0] if self.target else ''}'s {self.after} {theirs}")
