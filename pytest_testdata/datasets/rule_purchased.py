"""The ``purchased_before`` rule kind: a record (a review) is by someone who bought the item, after the
purchase's timestamp (delivery); the buyer and the item come from the ``via`` entity's records."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

from pytest_testdata.datasets.cardinality import shuffle
from pytest_testdata.datasets.moves import mover
from pytest_testdata.datasets.record_index import ChunkReads, Purchases, Record, RecordIndex, _less
from pytest_testdata.datasets.rule_base import DAY, Breakage, DatasetRule, _date_time_fields, _seconds_between
from pytest_testdata.errors import TestdataUsageError
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
from pytest_testdata.schemas.model import Schema


class PurchasedBefore(DatasetRule):
    kind = "purchased_before"
    required = ("buyer", "item", "time", "via", "via_buyer", "via_items", "via_time")

    def __init__(self, entity: str, spec: Mapping[str, Any], schema: Schema) -> None:
        super().__init__(entity, spec, schema)
        self.buyer, self.item, self.time = str(spec["buyer"]), str(spec["item"]), str(spec["time"])
        self.via = str(spec["via"])
        self.flag = spec.get("flag")
        self.min_delay, self.max_delay = int(spec.get("min_seconds", 3600)), int(spec.get("max_seconds", 30 * DAY))
        self.moves = [str(f) for f in spec.get("shift", _date_time_fields(schema))]
        refs = schema.references()
        for path in (self.buyer, self.item):
            if path not in refs:
                raise TestdataUsageError(
                    f"schema {schema.source}: rule {self.name!r}: {path!r} must be a reference (x-ref) of "
                    f"{entity}. References: {', '.join(refs) or 'none'}."
                )

    @property
    def depends_on(self) -> tuple[str, ...]:
        return (self.via,)

    @property
    def owns(self) -> tuple[str, ...]:
        return (self.buyer, self.item)

    @property
    def sets(self) -> tuple[str, ...]:
        return (self.buyer, self.item, *([str(self.flag)] if self.flag else []))

    @property
    def purchases_key(self) -> tuple[str, str, str, str]:
        """What :meth:`RecordIndex.purchases` is asked for this rule."""
        return self.via, str(self.spec["via_buyer"]), str(self.spec["via_items"]), str(self.spec["via_time"])

    def _purchases(self, index: RecordIndex) -> Purchases:
        return index.purchases(*self.purchases_key)

    def check(self, record: Record, index: RecordIndex) -> tuple[str, str] | None:
        if not index.has(self.via):
            return None
        pair = (record.get(self.buyer), record.get(self.item))
        when = self._purchases(index).earliest.get(pair)
        if when is None:
            return self.buyer, (f"{self.buyer} {pair[0]} never received {self.item} {pair[1]} in any "
                                f"{self.via} of the dataset")
        mine = record.get(self.time)
        if isinstance(mine, str) and mine < when:
            return self.time, f"{mine} is before the {self.via} reached the buyer ({when})"
        return None

    def holds(self, reads: ChunkReads) -> bool:
        """Every record's (buyer, item) bought, and its time not before the purchase's (the tests of
        :meth:`check_all`). The keys are read with ``record.get``, as there."""
        if not reads.plain or not reads.index.has(self.via):
            return False
        records, earliest = reads.records, self._purchases(reads.index).earliest
        pairs = zip(map(dict.get, records, repeat(self.buyer)), map(dict.get, records, repeat(self.item)), strict=True)
        try:
            whens: list[Any] = list(map(earliest.get, pairs))
        except TypeError:  # an unhashable buyer or item: check_all raises what it raises
            return False
        if None in whens:  # (a pair never bought; the purchases' times are texts)
            return False
        return _less(list(map(dict.get, records, repeat(self.time))), whens) is False

    def check_all(self, records: Sequence[Record], index: RecordIndex,
                  reads: ChunkReads | None = None) -> list[tuple[int, str, str]]:
        """:meth:`check` of each record, with the purchases looked up once (every review of a dataset)."""
        if not records or not index.has(self.via):
            return []
        if self._shown(records, index, reads):
            return []
        earliest, buyer, item, time = self._purchases(index).earliest, self.buyer, self.item, self.time
        out: list[tuple[int, str, str]] = []
        for i, record in enumerate(records):
            pair = (record.get(buyer), record.get(item))
            when = earliest.get(pair)
            if when is None:
                out.append((i, buyer, f"{buyer} {pair[0]} never received {item} {pair[1]} in any {self.via} of "
                                      "the dataset"))
                continue
            mine = record.get(time)
            if isinstance(mine, str) and mine < when:
                out.append((i, time, f"{mine} is before the {self.via} reached the buyer ({when})"))
        return out

    def enforce(self, record: Record, index: RecordIndex, rng: random.Random) -> None:
        """Set by :meth:`assign` for a whole batch (pairs drawn without repeats while they last)."""

    def pairs_for(self, count: int, index: RecordIndex, rng: random.Random) -> list[tuple[Any, Any]]:
        """(buyer, item) for ``count`` records: purchases drawn without repeats while they last."""
        purchases = self._purchases(index)
        if not purchases.pairs:
            raise TestdataUsageError(
                f"dataset: {count} {self.entity} record(s) need a {self.via} that reached its buyer "
                f"(rule {self.id}: a {self.entity} is by someone who bought the item, after "
                f"{self.spec['via_time']}), and the dataset's {self.via} records have none. Add more "
                f"{self.via} records, or drop {self.entity} from the counts."
            )
        out: list[tuple[Any, Any]] = []
        pool: list[tuple[Any, Any]] = []
        for _ in range(count):
            if not pool:
                pool = list(purchases.pairs)
                shuffle(rng, pool)
            out.append(pool.pop())
        return out

    def assign(self, records: list[Record], index: RecordIndex, rng: random.Random,
               pairs: Sequence[tuple[Any, Any]] | None = None) -> None:
        """Give each record a buyer and item (``pairs``, chosen earlier, or drawn now) and date it after
        the purchase reached the buyer."""
        chosen = self.pairs_for(len(records), index, rng) if pairs is None else pairs
        earliest = self._purchases(index).earliest
        buyer_field, item_field, time, moves = self.buyer, self.item, self.time, self.moves
        flag = str(self.flag) if self.flag else None
        low, high = self.min_delay, self.max_delay
        # between(rng, low, high)'s steps with its constants worked out once (every review's delay)
        span = high - low + 1
        bits = span.bit_length() if high >= low else 0
        days, minutes, seconds = _DAY_NUMBERS, _MINUTE_OF, _SECOND_OF
        day_texts, hours_minutes, seconds_z = _DAYS, _HOURS_MINUTES, _SECONDS
        # The dated field itself (created_at, once among the moves) lands on the purchase's time plus the
        # delay: written from that epoch instead of being read again (see AfterRef.enforcer)
        at = moves.index(time) if moves.count(time) == 1 else -1
        before, later = (moves[:at], moves[at + 1:]) if at >= 0 else ([], [])
        move_later = mover(tuple(later))  # (an empty list: never called)
        # The purchases' times the tables have read, by text (an order's delivery is read for each review of
        # its items): a text's epoch is the same whenever the tables read it (they only grow).
        epochs: dict[str, int] = {}
        for record, (buyer, item) in zip(records, chosen, strict=True):
            record[buyer_field], record[item_field] = buyer, item
            if flag is not None:
                record[flag] = True
            mine, when = record.get(time), earliest[(buyer, item)]
            if not isinstance(mine, str):
                continue
            if bits:
                r = rng.getrandbits(bits)
                while r >= span:
                    r = rng.getrandbits(bits)
                delay = low + r
            else:
                delay = between(rng, low, high)  # (raises what randint says of such bounds)
            # _seconds_between(mine, when) for two timestamps the tables read, as AfterRef.enforcer reads them
            landing = None
            if type(when) is str and len(mine) == 20 == len(when) and mine[19] == "Z" == when[19]:
                a_day, a_minute, a_second = days.get(mine[:10]), minutes.get(mine[10:17]), seconds.get(mine[17:19])
                if a_day is not None and a_minute is not None and a_second is not None:
                    landing = epochs.get(when)
                    if landing is None:
                        b_day, b_minute, b_second = \
                            days.get(when[:10]), minutes.get(when[10:17]), seconds.get(when[17:19])
                        if b_day is not None and b_minute is not None and b_second is not None:
                            landing = epochs[when] = b_day * 86_400 + b_minute + b_second
                    if landing is not None:
                        gap = landing - (a_day * 86_400 + a_minute + a_second)
            if landing is None or at < 0:
                shift_fields(record, moves, _seconds_between(mine, when) + delay)
                continue
            if before:
                shift_fields(record, before, gap + delay)
            moved = landing + delay  # format_ts(landing + delay), written out as in AfterRef.enforcer
            day = moved // 86_400
            text = day_texts.get(day)
            if text is None:
                record[time] = format_ts(moved)
            else:
                moved -= day * 86_400
                record[time] = f"{text}{hours_minutes[moved // 60]}{seconds_z[moved % 60]}"
            if later:
                if type(record) is dict:
                    move_later(record, gap + delay)  # (a review's updated_at: no shift_fields call)
                else:
                    shift_fields(record, later, gap + delay)

    def breaks(self, record: Record, index: RecordIndex, rng: random.Random) -> Breakage | None:
        pair = (record.get(self.buyer), record.get(self.item))
        when = self._purchases(index).earliest.get(pair)
        mine = record.get(self.time)
        if when is None or not isinstance(mine, str):
            return None
        shift_fields(record, self.moves, -(_seconds_between(when, mine) + rng.randint(DAY, 10 * DAY)))
        return Breakage(self.time, f"{self.time} moved to {record.get(self.time)}, before the {self.via} "
                                   f"reached the buyer ({when})")
