"""The ``currency_of_ref`` rule kind: a currency is the one of the referenced record's country (a cart's
follows its user's)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from operator import ne
from typing import Any

from pytest_testdata.datasets.record_index import ChunkReads, Record, RecordIndex
from pytest_testdata.datasets.rule_base import _NOTHING, Breakage, DatasetRule, _is_key, _setter
from pytest_testdata.locales.countries import CURRENCIES
from pytest_testdata.quality.paths import getter, set_all
from pytest_testdata.schemas.model import Schema


class CurrencyOfRef(DatasetRule):
    kind = "currency_of_ref"
    required = ("ref", "currency", "country")

    def __init__(self, entity: str, spec: Mapping[str, Any], schema: Schema) -> None:
        super().__init__(entity, spec, schema)
        self._country, self._currency = getter(str(spec["country"])), getter(str(spec["currency"]))
        self._set_currency = _setter(str(spec["currency"]))
        self._enum = (schema.subschema(spec["currency"]) or {}).get("enum")
        # The country's path as key, list index, key (addresses.0.country) and the currency's as key, key
        # (totals.currency): the enforcer and check_all read and write them in plain dicts and lists as their
        # getter and setter do (Nones: the getter's and setter's calls).
        country = str(spec["country"]).split(".")
        first, at, last = country if len(country) == 3 and _is_key(country[0]) and country[1].isdigit() \
            and country[1].isascii() and _is_key(country[2]) else (None, "0", None)
        currency = str(spec["currency"]).split(".")
        head, key = currency if len(currency) == 2 and _is_key(currency[0]) and _is_key(currency[1]) else (None, None)
        self._paths: tuple[str | None, int, str | None, str | None, str | None] = (first, int(at), last, head, key)

    @property
    def parent_reads(self) -> tuple[str, ...]:
        return (str(self.spec["country"]),)

    def _wanted(self, record: Record, index: RecordIndex) -> str | None:
        parent = self.parent(record, index)
        return None if parent is None else CURRENCIES.get(str(self._country(parent)))

    def check(self, record: Record, index: RecordIndex) -> tuple[str, str] | None:
        wanted = self._wanted(record, index)
        mine = self._currency(record)
        if wanted is None or mine == wanted:
            return None
        return self.spec["currency"], f"is {mine!r} but the referenced record's country uses {wanted!r}"

    def holds(self, reads: ChunkReads) -> bool:
        """Every currency the one of its referenced record's country, where that country has one (the
        comparison of :meth:`check_all`: ``!=``)."""
        found = self._columns(reads, str(self.spec["currency"]), str(self.spec["country"]))
        if found is None:
            return False
        mine, countries = found
        # (str of a text is the text itself, as the loop takes it; a country without a currency, None, asks
        # nothing there: a currency other than None is then not shown to hold here, the loop says so)
        try:
            return not any(map(ne, mine, map(CURRENCIES.get, map(str, countries))))
        except Exception:  # (a currency the loop does not compare, where the country has none: no proof)
            return False

    def check_all(self, records: Sequence[Record], index: RecordIndex,
                  reads: ChunkReads | None = None) -> list[tuple[int, str, str]]:
        # (the proof first: the parents are found one by one only for the loop; a reference the proof cannot
        # read, where _parents finds none either, is no proof and goes to the loop of each record's check)
        if self._shown(records, index, reads):
            return []
        parents = self._parents(records, index)
        if parents is None:
            return super().check_all(records, index)
        country_of, currency_of, field = self._country, self._currency, self.spec["currency"]
        first, at, last, head, key = self._paths
        out: list[tuple[int, str, str]] = []
        for i, (record, parent) in enumerate(zip(records, parents, strict=True)):
            if parent is None:
                continue
            # country_of(parent) and currency_of(record), read in plain dicts and lists as the getters read them
            value: Any = _NOTHING
            if first is not None and type(parent) is dict:
                node = parent.get(first)
                if type(node) is list and at < len(node):
                    node = node[at]
                    if type(node) is dict:
                        value = node.get(last)
            if value is _NOTHING:
                value = country_of(parent)
            wanted = CURRENCIES.get(value if type(value) is str else str(value))
            mine = _NOTHING
            if head is not None and type(record) is dict:
                node = record.get(head)
                if type(node) is dict:
                    mine = node.get(key)
            if mine is _NOTHING:
                mine = currency_of(record)
            if wanted is not None and mine != wanted:
                out.append((i, field, f"is {mine!r} but the referenced record's country uses {wanted!r}"))
        return out

    def enforce(self, record: Record, index: RecordIndex, rng: random.Random) -> None:
        wanted = self._wanted(record, index)
        if wanted is not None and (self._enum is None or wanted in self._enum):
            self._set_currency(record, wanted)

    def enforcer(self, index: RecordIndex) -> Callable[[Record, random.Random], None]:
        parent_of, country_of, enum, write = self._parent_reader(index), self._country, self._enum, self._set_currency
        table, name = self._parent_table(index)
        first, at, last, head, key = self._paths

        def enforce(record: Record, rng: random.Random) -> None:  # what enforce does
            if name is not None and type(record) is dict:  # parent_of(record), as it reads a plain dict
                found = record.get(name)
                parent = None if found is None else table.get(found)
            else:
                parent = parent_of(record)
            if parent is None:
                return
            value: Any = _NOTHING
            if first is not None and type(parent) is dict:
                node = parent.get(first)
                if type(node) is list and at < len(node):
                    node = node[at]
                    if type(node) is dict:
                        value = node.get(last)
            if value is _NOTHING:
                value = country_of(parent)
            wanted = CURRENCIES.get(value if type(value) is str else str(value))
            if wanted is not None and (enum is None or wanted in enum):
                if head is not None and type(record) is dict:
                    node = record.get(head)
                    if type(node) is dict:
                        node[key] = wanted
                        return
                write(record, wanted)
        return enforce

    def breaks(self, record: Record, index: RecordIndex, rng: random.Random) -> Breakage | None:
        wanted = self._wanted(record, index)
        if wanted is None:
            return None
        enum = (self.schema.subschema(self.spec["currency"]) or {}).get("enum") or sorted(set(CURRENCIES.values()))
        other = rng.choice([c for c in enum if c != wanted])
        set_all(record, self.spec["currency"], other)
        return Breakage(self.spec["currency"], f"{self.spec['currency']} set to {other!r} (the user's is {wanted!r})")
