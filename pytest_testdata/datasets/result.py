"""A generated dataset: each entity's records, lookups by key, and what was checked (per record and rule)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class DatasetViolation:
    """One record of one entity breaking one rule (a schema constraint, a coherence rule or a
    cross-entity rule such as ``payment.amount_matches_order``)."""

    entity: str
    record: int
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.entity} record {self.record}: {self.field}: {self.message} [{self.rule}]"


@dataclass
class EntityMetadata:
    """How one entity's records were made and what checking them found."""

    entity: str
    count: int
    strategy: str
    reason: str
    seed: int
    coherence: float = 1.0
    """Mean share of the entity's own ``x-coherence`` rules its records satisfy."""
    dataset_coherence: float = 1.0
    """Share of cross-entity rule checks (``x-dataset-coherence``) that held."""
    violations: list[DatasetViolation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    provider: str | None = None
    model: str | None = None
    cassette: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["violations"] = [dataclasses.asdict(v) for v in self.violations]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EntityMetadata:
        values = dict(data)
        values["violations"] = [DatasetViolation(**v) for v in values.get("violations", [])]
        return cls(**values)


@dataclass(frozen=True, slots=True)
class BrokenRule:
    """Where an invalid variant broke a cross-entity rule."""

    rule: str
    entity: str
    record: int
    field: str
    message: str


def _spelling(entity: str) -> str:
    """How entity names are compared (``schemas.registry.entity_key``, not imported here): case and spaces
    aside."""
    return entity.strip().lower().replace(" ", "_")


class _Objects(dict[str, list[Any]]):
    """:attr:`Dataset.objects`: a dict whose ``[name]`` also finds an entity by another spelling of its name."""

    def get(self, entity: str, default: Any = None) -> Any:
        try:
            return self[entity]
        except KeyError:
            return default

    def __missing__(self, entity: str) -> list[Any]:
        wanted = _spelling(entity) if isinstance(entity, str) else entity
        for name, objects in self.items():
            if _spelling(name) == wanted:
                return objects
        raise KeyError(f"dataset has no model instances of {entity!r}; it has them for "
                       f"{', '.join(self) or 'no entity (none came from an ORM model, or the dataset was not loaded)'}")


class Dataset:
    """Linked records of several entities; ``ds["order"]`` is the order records in generation order.

    Lookups: ``ds.get("user", user_id)`` finds a record by its key (the field other entities refer
    to); ``ds.lookup("order", "order_id")`` is the whole ``{key: record}`` mapping.
    """

    def __init__(self, seed: int, order: list[str], records: dict[str, list[Record]], keys: dict[str, list[str]],
                 metadata: dict[str, EntityMetadata], plan: dict[str, Any] | None = None,
                 broken: list[BrokenRule] | None = None) -> None:
        self.seed = seed
        self.entities = tuple(order)
        """Entity names in dependency order (parents first)."""
        self._records = records
        self.keys = keys
        """Entity -> its key fields (the primary key first)."""
        self.metadata = metadata
        self.plan = plan or {}
        """The resolved plan: order, counts, references with their cardinalities, what was pulled in."""
        self.broken = broken or []
        self.objects: dict[str, list[Any]] = _Objects()
        """Model instances per entity, for entities that came from ORM models (filled when loaded); looked up
        by any spelling of the entity's name, as ``ds[...]`` is (``ds.objects["Accounts"]``)."""
        self._lookups: dict[tuple[str, str], dict[Any, Record]] = {}

    def __getitem__(self, entity: str) -> list[Record]:
        found = self._records.get(entity)
        if found is None:
            found = self._records.get(self._spelled(entity))
        if found is None:
            raise KeyError(f"dataset has no entity {entity!r}; it holds {', '.join(self.entities)}")
        return found

    def __contains__(self, entity: object) -> bool:
        return isinstance(entity, str) and (entity in self._records or self._spelled(entity) in self._records)

    def _spelled(self, entity: str) -> str:
        """The entity's name here for another spelling of it (``Pet`` for ``pet``), as the registry compares
        names (case and spaces aside); the name itself when none matches."""
        wanted = _spelling(entity)
        return next((name for name in self._records if _spelling(name) == wanted), entity)

    def __iter__(self) -> Iterator[str]:
        return iter(self.entities)

    def __len__(self) -> int:
        return sum(len(r) for r in self._records.values())

    def records(self, entity: str) -> list[Record]:
        """The entity's records."""
        return self[entity]

    def key_field(self, entity: str) -> str:
        """The field that identifies the entity's records."""
        fields = self.keys.get(entity) or self.keys.get(self._spelled(entity)) or []
        if not fields:
            raise KeyError(f"entity {entity!r} has no key field (no x-ref points at it and it has no "
                           f"{entity}_id, id or x-unique field)")
        return fields[0]

    def lookup(self, entity: str, field: str | None = None) -> dict[Any, Record]:
        """``{key: record}`` for the entity (by its key field, or ``field``)."""
        name = field or self.key_field(entity)
        cached = self._lookups.get((entity, name))
        if cached is None:
            cached = {r.get(name): r for r in self[entity]}
            self._lookups[(entity, name)] = cached
        return cached

    def get(self, entity: str, key: Any, field: str | None = None) -> Record:
        """The record of ``entity`` whose key is ``key``; KeyError naming both if there is none."""
        try:
            return self.lookup(entity, field)[key]
        except KeyError:
            raise KeyError(f"no {entity} record with {field or self.key_field(entity)} = {key!r}") from None

    @property
    def counts(self) -> dict[str, int]:
        return {e: len(self._records[e]) for e in self.entities}

    @property
    def violations(self) -> list[DatasetViolation]:
        """Every violation of every entity, in entity order."""
        return [v for e in self.entities for v in self.metadata[e].violations]

    @property
    def valid(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        """One line per entity: count, strategy, coherence, violations."""
        lines = []
        for e in self.entities:
            m = self.metadata[e]
            lines.append(f"{e}: {m.count} records ({m.strategy}), coherence {m.coherence:.3f}, "
                         f"cross-entity {m.dataset_coherence:.3f}, {len(m.violations)} violation(s)")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-compatible form (records, keys, metadata, plan, broken rules)."""
        return {"seed": self.seed, "entities": list(self.entities), "records": self._records, "keys": self.keys,
                "metadata": {e: m.as_dict() for e, m in self.metadata.items()}, "plan": self.plan,
                "broken": [dataclasses.asdict(b) for b in self.broken]}

    def __repr__(self) -> str:
        inside = ", ".join(f"{e}={len(self._records[e])}" for e in self.entities)
        return f"<Dataset seed={self.seed} {inside}>"
