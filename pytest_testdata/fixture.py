"""The ``testdata`` fixture's callable: ``testdata("cart")``, ``testdata("user", count=5)``.

One :class:`TestdataFactory` per test. Each call gets its own seed derived from the test's seed and the
call's position, so adding a call at the end of a test never changes the records of earlier calls.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

from pytest_testdata.errors import TestdataError, TestdataUsageError
from pytest_testdata.seeding import derive_seed
from pytest_testdata.types import GenerationRequest, GenerationResult

if TYPE_CHECKING:
    from pytest_testdata.datasets.result import Dataset
    from pytest_testdata.schemas.model import Schema
    from pytest_testdata.schemas.sources import ModelBinding


class EngineLike(Protocol):
    """What the factory needs: the local engine or the remote agent client."""

    def generate(self, request: GenerationRequest) -> GenerationResult: ...


CALL_KEYS = ("strategy", "constraints", "context", "hints", "seed", "variant", "learn_from_history",
             "defect_triggering", "locale", "options", "strict", "coverage")
"""Keyword arguments a call (and the marker, and ``testdata_config``) accepts besides entity and count."""


class TestdataFactory:
    """Callable test-data source bound to one test's seed and the session's defaults."""

    __test__ = False

    def __init__(self, engine: EngineLike | Callable[[], EngineLike], seed: int,
                 defaults: Mapping[str, Any] | None = None,
                 runtime_options: Mapping[str, Any] | None = None) -> None:
        self._engine = engine
        self.seed = seed
        """This test's seed (derived from the session seed and the test's node id)."""
        self.runtime_options = dict(runtime_options or {})
        """Run-time context added to every request's options (keys start with ``_``: the test's node id and
        cassette path); never part of cache or cassette keys."""
        self.defaults = dict(defaults or {})
        self.results: list[GenerationResult] = []
        """Every result this test got, in call order (metadata included)."""
        self.datasets: list[Dataset] = []
        """Every dataset this test got (:meth:`dataset`), in call order."""

    @property
    def engine(self) -> EngineLike:
        if callable(self._engine) and not hasattr(self._engine, "generate"):
            self._engine = self._engine()
        return self._engine

    def __call__(self, entity: str | Any, count: int | None = None, **kwargs: Any) -> Any:
        """One record when ``count`` is omitted, else a list of ``count`` records.

        ``entity`` is an entity name, a :class:`~pytest_testdata.schemas.Schema` or a model class (pydantic,
        dataclass, TypedDict, attrs: registered under its lower-cased class name on first use). Records of
        a model's entity are instances of the model; others are dicts. ``result()`` has the metadata.
        """
        __tracebackhide__ = True
        result = self.result(entity, count if count is not None else 1, **kwargs)
        invalid = {**self.defaults, **kwargs}.get("variant") == "invalid"
        return self.deliver(entity, result, many=count is not None, invalid=invalid)

    def deliver(self, entity: str | Any, result: GenerationResult, *, many: bool, invalid: bool = False) -> Any:
        """The records of a result as the test receives them: model instances for a model's entity (valid
        records only: an invalid variant's records are dicts the model would refuse), else dicts."""
        __tracebackhide__ = True
        binding = None if invalid else self.binding(entity)
        records: list[Any] = result.records
        if binding is not None:
            try:
                records = [binding.build(record) for record in records]
            except TestdataError as exc:
                raise exc.with_traceback(None) from None
        return records if many else records[0]

    def binding(self, entity: str | Any) -> ModelBinding | None:
        """How the records of ``entity`` become model instances (None: they stay dicts)."""
        registry = getattr(self.engine, "registry", None)
        if not isinstance(entity, str):
            from pytest_testdata.schemas.sources import source_from_object

            with _depth_of(registry):
                return source_from_object(entity).binding
        # Remote mode: the agent's client knows the entities the test defined (AgentClient.binding).
        binding = getattr(registry if registry is not None else self.engine, "binding", None)
        return binding(entity) if binding is not None else None

    def result(self, entity: str | Any, count: int = 1, *, _salt: str | None = None,
               **kwargs: Any) -> GenerationResult:
        """The full result (records + metadata: path, reason, seed, coherence, violations, timings)."""
        __tracebackhide__ = True
        try:
            salt = _salt if _salt is not None else f"call {len(self.results)}"
            name = entity if isinstance(entity, str) else self.register(entity).name
            request = self.build_request(name, count, kwargs, salt)
            result = self.engine.generate(request)
        except TestdataError as exc:
            # Drop our internal frames: the user's line and the message are what matter.
            raise exc.with_traceback(None) from None
        self.results.append(result)
        return result

    def build_request(self, entity: str, count: int, kwargs: Mapping[str, Any],
                      salt: str) -> GenerationRequest:
        """Merge defaults and arguments into a checked request with a derived seed."""
        from pytest_testdata.errors import TestdataUsageError, suggest

        unknown = [k for k in kwargs if k not in CALL_KEYS]
        if unknown:
            raise TestdataUsageError(
                f"testdata(): unknown argument {unknown[0]!r}{suggest(unknown[0], ('count', *CALL_KEYS))}. "
                f"Allowed: entity, count, {', '.join(CALL_KEYS)}."
            )
        merged = {**self.defaults, **kwargs}
        if isinstance(self.defaults.get("options"), Mapping) and isinstance(kwargs.get("options"), Mapping):
            merged["options"] = {**self.defaults["options"], **kwargs["options"]}  # a call adds to the defaults
        if merged.get("seed") is None:
            merged["seed"] = derive_seed(self.seed, salt, entity)
        if self.runtime_options:
            merged["options"] = {**(merged.get("options") or {}), **self.runtime_options}
        hints = merged.get("hints")
        if isinstance(hints, str):
            merged["hints"] = hints = (hints,)
        if "coverage" not in kwargs and isinstance(hints, Sequence):
            from pytest_testdata.types import HINT_COVERAGE

            if any(h in HINT_COVERAGE for h in hints):
                # A call's (or marker's) coverage wins over a hint; a hint wins over the defaults' coverage.
                merged.pop("coverage", None)
        return GenerationRequest.checked(entity, count, **merged)

    def register(self, model: Any) -> Schema:
        """Make a :class:`Schema` or model class known to the engine; returns its schema."""
        from pytest_testdata.schemas.sources import source_from_object

        registry = getattr(self.engine, "registry", None)
        define = getattr(self.engine, "define", None)
        if registry is None and define is not None:
            # Remote mode: the client keeps the model and sends its schema with each call that uses it.
            defined: Schema = define(model)
            return defined
        if registry is None:
            source_from_object(model)  # a model no adapter reads is named first, as with any engine
            raise TestdataUsageError(
                f"testdata(): this engine ({type(self.engine).__name__}) cannot take new schemas; "
                "pass an entity name it knows."
            )
        adopted: Schema = registry.adopt(model)  # registered on first use; a clashing name is refused
        return adopted

    def dataset(self, counts: Mapping[Any, int] | None = None, **kwargs: Any) -> Dataset:
        """Linked records of several entities: ``testdata.dataset({"user": 10, "order": 30})`` (or
        ``counts={...}``) or ``testdata.dataset(root="order", count=30)``; ``into=testdata_db`` loads it into a
        database. See docs/datasets.md for every argument."""
        __tracebackhide__ = True
        from pytest_testdata.datasets.calls import run_dataset

        try:
            return run_dataset(self, counts, kwargs)
        except TestdataError as exc:
            raise exc.with_traceback(None) from None

    @property
    def last(self) -> GenerationResult:
        """The most recent result."""
        if not self.results:
            raise LookupError("testdata.last: no testdata call has been made in this test yet")
        return self.results[-1]


def _depth_of(registry: Any) -> AbstractContextManager[Any]:
    """The registry's recursion depth setting as a context (none for a remote engine's registry)."""
    depth = getattr(registry, "depth", None)
    return depth() if callable(depth) else contextlib.nullcontext()


def as_schema(model: Any) -> Schema:
    """A :class:`Schema` from a Schema or a model class; a usage error for anything else."""
    from pytest_testdata.schemas.sources import schema_from_object

    return schema_from_object(model)


def merge_defaults(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Later layers win; ``None`` values do not override."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            if value is not None:
                out[key] = value
    return out


def check_config_keys(config: Mapping[str, Any], source: str) -> None:
    """The ``testdata_config`` fixture may set call defaults only; name any other key."""
    from pytest_testdata.errors import TestdataUsageError, suggest

    if not isinstance(config, Mapping):
        raise TestdataUsageError(f"{source}: expected a dict of call defaults, got {config!r}.")
    for key in config:
        if key not in CALL_KEYS or key in ("seed", "variant"):
            allowed: Sequence[str] = [k for k in CALL_KEYS if k not in ("seed", "variant")]
            raise TestdataUsageError(
                f"{source}: unknown key {key!r}{suggest(str(key), allowed)}. Allowed: {', '.join(allowed)}."
            )
