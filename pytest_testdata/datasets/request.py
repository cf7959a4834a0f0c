"""What a caller asks a dataset for: counts per entity (or a root entity and its count), cardinalities,
external ids, strategies, a seed and a variant. :meth:`DatasetRequest.checked` validates every argument.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pytest_testdata.errors import TestdataUsageError, choice_error
from pytest_testdata.types import LOCALES, MAX_COUNT, STRATEGIES, VARIANTS

MAX_DATASET_ROWS = 5_000_000


@dataclass(frozen=True)
class DatasetRequest:
    """A checked dataset request. Entities are names the schema registry knows."""

    counts: Mapping[str, int] = field(default_factory=dict)
    """Records per entity; empty when ``root`` is set."""
    root: str | None = None
    count: int | None = None
    """With ``root``: how many root records; the entities it references (and its direct dependents) are
    sized from the cardinalities."""
    cardinality: Mapping[str, Any] = field(default_factory=dict)
    """``{"order.customer_id": (1, 5), "order.items": {"max": 3}}``; parsed against the schemas."""
    external: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    """``{"user": ("u-1", "u-2")}``: keys of records that exist outside the dataset; references to that
    entity draw from these ids, and no records of it are generated."""
    seed: int = 0
    strategy: str = "traditional"
    strategies: Mapping[str, str] = field(default_factory=dict)
    """Per-entity strategy (``{"review": "llm"}``); others use ``strategy``."""
    context: str | None = None
    locale: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    variant: str = "valid"
    break_rule: str | None = None
    """With ``variant="invalid"``: the cross-entity rule id to break (``payment.amount_matches_order``);
    one is drawn by seed when omitted."""

    @classmethod
    def checked(cls, counts: Mapping[str, Any] | None = None, *, root: str | None = None, count: int | None = None,
                cardinality: Mapping[str, Any] | None = None, external: Mapping[str, Sequence[Any]] | None = None,
                seed: int = 0, strategy: str = "traditional", strategies: Mapping[str, str] | None = None,
                context: str | None = None, locale: str | None = None, options: Mapping[str, Any] | None = None,
                variant: str = "valid", break_rule: str | None = None) -> DatasetRequest:
        """Validate the arguments; raises :class:`TestdataUsageError` naming the bad one."""
        if (counts is None) == (root is None):
            raise TestdataUsageError(
                "dataset: give either counts per entity (dataset({'user': 10, 'order': 30})) or a root entity "
                f"and its count (dataset(root='order', count=30)); got counts={counts!r}, root={root!r}."
            )
        if counts is not None:
            if not isinstance(counts, Mapping) or not counts:
                one = repr(counts) if isinstance(counts, str) else getattr(counts, "__qualname__", None) \
                    if isinstance(counts, type) else None  # one entity given alone: a name or a model class
                hint = f" For one entity with what it references, pass root={one} (and count=N)." if one else ""
                raise TestdataUsageError(
                    f"dataset counts: expected a mapping of entity name to record count such as "
                    f"{{'user': 10, 'order': 30}}, got {counts!r}.{hint}"
                )
            for name, n in counts.items():
                _check_count(f"counts[{name!r}]", n)
            if count is not None:
                raise TestdataUsageError("dataset: count= goes with root=; with counts per entity, leave it out.")
        else:
            if not isinstance(root, str) or not root:
                raise TestdataUsageError(f"dataset root: expected an entity name such as 'order', got {root!r}.")
            count = 10 if count is None else count
            _check_count("count", count)
        total = sum(counts.values()) if counts else 0
        if total > MAX_DATASET_ROWS:
            raise TestdataUsageError(f"dataset: {total:,} records is more than one dataset holds "
                                     f"({MAX_DATASET_ROWS:,}); split it.")
        if cardinality is not None and not isinstance(cardinality, Mapping):
            raise TestdataUsageError(
                f"dataset cardinality: expected a mapping such as {{'order.customer_id': (1, 5)}}, got {cardinality!r}."
            )
        ext: dict[str, tuple[Any, ...]] = {}
        for name, keys in (external or {}).items():
            if isinstance(keys, (str, bytes)) or not isinstance(keys, Sequence) or not keys:
                raise TestdataUsageError(
                    f"dataset external[{name!r}]: expected a non-empty list of ids of {name} records that exist "
                    f"outside the dataset, got {keys!r}."
                )
            ext[name] = tuple(keys)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TestdataUsageError(f"dataset seed: expected a whole number, got {seed!r}.")
        named = [("strategy", strategy), *((f"strategies[{k!r}]", v) for k, v in (strategies or {}).items())]
        for where, value in named:
            if value not in STRATEGIES:
                raise choice_error(f"dataset {where}", value, STRATEGIES)
        if locale is not None and locale not in LOCALES:
            raise choice_error("dataset locale", locale, LOCALES)
        if variant not in VARIANTS:
            raise choice_error("dataset variant", variant, VARIANTS)
        if break_rule is not None and variant != "invalid":
            raise TestdataUsageError(f"dataset: break_rule={break_rule!r} needs variant='invalid'.")
        return cls(counts=dict(counts or {}), root=root, count=count, cardinality=dict(cardinality or {}),
                   external=ext, seed=seed, strategy=strategy, strategies=dict(strategies or {}), context=context,
                   locale=locale, options=dict(options or {}), variant=variant, break_rule=break_rule)

    def named_by(self, known: Callable[[str], str | None]) -> DatasetRequest:
        """This request with each entity named as ``known`` (the registry) names it: ``{"Pet": 5}`` asks for
        OpenAPI's ``Pet`` component, entity ``pet``, and the records come back under ``pet``. A name
        ``known`` does not know stays as written (planning then says it is unknown)."""
        def name(entity: str) -> str:
            return known(entity) or entity

        def path(where: str) -> str:
            entity, dot, rest = where.partition(".")
            return f"{name(entity)}{dot}{rest}"
        return replace(self, counts={name(k): v for k, v in self.counts.items()},
                       root=name(self.root) if self.root is not None else None,
                       cardinality={path(k): v for k, v in self.cardinality.items()},
                       external={name(k): v for k, v in self.external.items()},
                       strategies={name(k): v for k, v in self.strategies.items()},
                       break_rule=path(self.break_rule) if self.break_rule is not None else None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-compatible form (the agent's wire format and cache keys)."""
        return {"counts": dict(self.counts), "root": self.root, "count": self.count,
                "cardinality": {k: list(v) if isinstance(v, tuple) else v for k, v in self.cardinality.items()},
                "external": {k: list(v) for k, v in self.external.items()}, "seed": self.seed,
                "strategy": self.strategy, "strategies": dict(self.strategies), "context": self.context,
                "locale": self.locale, "options": {k: v for k, v in self.options.items() if not k.startswith("_")},
                "variant": self.variant, "break_rule": self.break_rule}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DatasetRequest:
        """The inverse of :meth:`as_dict` (checked)."""
        return cls.checked(data.get("counts") or None, root=data.get("root"), count=data.get("count"),
                           cardinality=data.get("cardinality"), external=data.get("external"),
                           seed=int(data.get("seed", 0)), strategy=data.get("strategy", "traditional"),
                           strategies=data.get("strategies"), context=data.get("context"),
                           locale=data.get("locale"), options=data.get("options"),
                           variant=data.get("variant", "valid"), break_rule=data.get("break_rule"))


def _check_count(where: str, n: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_COUNT:
        raise TestdataUsageError(
            f"dataset {where}: expected a whole number from 1 to {MAX_COUNT:,}, got {n!r}. Leave an entity out "
            "of the counts rather than asking for 0 of it."
        )
