"""The request and result types that every door (plugin, CLI, agent) and every strategy shares.

Plain frozen dataclasses rather than pydantic models: a request is built on every fixture call and a
result can carry tens of thousands of records, and validating those through pydantic would cost more
than generating them. The checks a caller needs live in :func:`GenerationRequest.checked`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_testdata.errors import TestdataUsageError, choice_error, suggest
from pytest_testdata.locales.countries import COUNTRY_LOCALES
from pytest_testdata.wire_json import records_json as records_json  # the agent's wire form of records

Record = dict[str, Any]
STRATEGIES: tuple[str, ...] = ("auto", "traditional", "llm", "rag", "hybrid")
HINTS: tuple[str, ...] = ("fast", "realistic", "coherent", "edge_cases", "bulk", "minimal", "maximal")
COVERAGES: tuple[str, ...] = ("all", "required", "realistic", "edges", "maximal")
"""Which shapes records take (docs/schemas.md, "Optional and null shapes"): every optional property present
and nothing null (``all``, the default), only required properties (``required``), a seeded realistic mix
(``realistic``), boundary values (``edges``), or everything at its largest (``maximal``)."""
HINT_COVERAGE: dict[str, str] = {"minimal": "required", "maximal": "maximal", "edge_cases": "edges"}
"""The coverage a hint asks for when the call sets none (``coverage=`` wins over a hint)."""
VARIANTS: tuple[str, ...] = ("valid", "invalid")
LOCALES: tuple[str, ...] = tuple(COUNTRY_LOCALES.values())
CONSTRAINT_KEYS: tuple[str, ...] = ("min", "max", "length", "min_length", "max_length", "enum", "regex", "unique")
MAX_COUNT = 1_000_000
MAX_BOUND = 2**53
"""Largest magnitude of a min/max constraint: every whole number up to it is exact in a double (a bound
of 1e308 overflowed totals to infinity; NaN compares false with everything)."""

MAX_LENGTH = 10_000
"""Largest length bound (``length``, ``min_length``, ``max_length``) a caller may set on a string:
a record is built whole before the request's time budget is checked again, so an unbounded length
(``min_length`` 10**9) would hold a worker and its memory for as long as it takes."""
MAX_ITEMS = 1_000
"""Largest length bound a caller may set on a list (each item may be a whole object: addresses, lines)."""

Variant = Literal["valid", "invalid"]


@dataclass(frozen=True, slots=True)
class FieldConstraint:
    """Constraints a caller sets on one field (``constraints={"total": {"max": 500}}``)."""

    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    enum: tuple[Any, ...] | None = None
    regex: str | None = None
    unique: bool = False

    @classmethod
    def parse(cls, field_name: str, raw: Mapping[str, Any]) -> FieldConstraint:
        """Build from the user's mapping; every mistake raises :class:`TestdataUsageError`."""
        if not isinstance(raw, Mapping):
            raise TestdataUsageError(
                f"constraints[{field_name!r}]: expected a mapping such as {{'min': 0, 'max': 10}}, "
                f"got {raw!r}. Allowed keys: {', '.join(CONSTRAINT_KEYS)}."
            )
        for key in raw:
            if key not in CONSTRAINT_KEYS:
                raise TestdataUsageError(
                    f"constraints[{field_name!r}]: unknown key {key!r}{suggest(str(key), CONSTRAINT_KEYS)}. "
                    f"Allowed keys: {', '.join(CONSTRAINT_KEYS)}."
                )
        lo, hi = raw.get("min"), raw.get("max")
        for key, value in (("min", lo), ("max", hi)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise TestdataUsageError(
                    f"constraints[{field_name!r}][{key!r}]: expected a number, got {value!r}."
                )
            if value is not None and not -MAX_BOUND <= value <= MAX_BOUND:
                raise TestdataUsageError(
                    f"constraints[{field_name!r}][{key!r}]: {value!r} is not a usable bound; min and max must "
                    f"be finite numbers from -2**53 to 2**53 ({MAX_BOUND:,}); NaN and infinities are refused. "
                    "Leave the bound out for no limit."
                )
        if lo is not None and hi is not None and lo > hi:
            raise TestdataUsageError(
                f"constraints[{field_name!r}]: min ({lo!r}) is greater than max ({hi!r}); no value can "
                "satisfy both. Swap them or widen the range."
            )
        min_len, max_len = _length_bounds(field_name, raw)
        enum = raw.get("enum")
        if enum is not None:
            if isinstance(enum, (str, bytes)) or not isinstance(enum, Sequence) or not enum:
                raise TestdataUsageError(
                    f"constraints[{field_name!r}]['enum']: expected a non-empty list of allowed values, "
                    f"got {enum!r}."
                )
            enum = tuple(enum)
        regex = raw.get("regex")
        if regex is not None:
            from pytest_testdata.quality.regex import compile_user_regex

            compile_user_regex(regex, f"constraints[{field_name!r}]['regex']")  # budget, syntax: or raises
        return cls(
            minimum=lo, maximum=hi, min_length=min_len, max_length=max_len, enum=enum, regex=regex,
            unique=bool(raw.get("unique", False)),
        )

    def as_dict(self) -> dict[str, Any]:
        """The non-empty constraints under the user's key names (for keys, cassettes and the wire)."""
        out: dict[str, Any] = {}
        for key, attr in (("min", "minimum"), ("max", "maximum"), ("min_length", "min_length"),
                          ("max_length", "max_length"), ("regex", "regex")):
            value = getattr(self, attr)
            if value is not None:
                out[key] = value
        if self.enum is not None:
            out["enum"] = list(self.enum)
        if self.unique:
            out["unique"] = True
        return out


def _length_bounds(field_name: str, raw: Mapping[str, Any]) -> tuple[int | None, int | None]:
    length = raw.get("length")
    min_len, max_len = raw.get("min_length"), raw.get("max_length")
    if length is not None:
        if isinstance(length, int) and not isinstance(length, bool):
            min_len = max_len = length
        elif isinstance(length, Mapping):
            min_len, max_len = length.get("min", min_len), length.get("max", max_len)
        elif isinstance(length, Sequence) and len(length) == 2:
            min_len, max_len = length[0], length[1]
        else:
            raise TestdataUsageError(
                f"constraints[{field_name!r}]['length']: expected an int, [min, max] or "
                f"{{'min': .., 'max': ..}}, got {length!r}."
            )
    for name, value in (("min_length", min_len), ("max_length", max_len)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise TestdataUsageError(
                f"constraints[{field_name!r}]: {name} must be a whole number >= 0, got {value!r}."
            )
        if value is not None and value > MAX_LENGTH:
            raise TestdataUsageError(
                f"constraints[{field_name!r}]: {name} {value:,} is above the cap of {MAX_LENGTH:,} a length bound "
                f"may have ({MAX_LENGTH:,} characters for a string, {MAX_ITEMS:,} items for a list). Use "
                f"{MAX_LENGTH:,} or less"
                + (", or leave max_length out for no upper bound." if name == "max_length" else ".")
            )
    if min_len is not None and max_len is not None and min_len > max_len:
        raise TestdataUsageError(
            f"constraints[{field_name!r}]: min_length ({min_len}) is greater than max_length ({max_len}). "
            "Swap them or widen the range."
        )
    return min_len, max_len


def check_coverage(value: Any, where: str) -> str:
    """``value`` if it is one of :data:`COVERAGES`, else the usage error naming the allowed values."""
    if value not in COVERAGES:
        raise choice_error(where, str(value), COVERAGES)
    return str(value)


def coverage_of_hints(hints: Sequence[str]) -> str | None:
    """The coverage the hints ask for (``minimal`` -> ``required``...), None when none does; two hints
    asking for different coverage are a usage error."""
    wanted = {HINT_COVERAGE[h] for h in hints if h in HINT_COVERAGE}
    if len(wanted) > 1:
        named = sorted(h for h in hints if h in HINT_COVERAGE)
        raise TestdataUsageError(
            f"hints: {', '.join(repr(h) for h in named)} ask for different shapes ("
            f"{', '.join(f'{h} -> coverage {HINT_COVERAGE[h]!r}' for h in named)}). Keep one of them, or pass "
            "coverage='...' to choose."
        )
    return wanted.pop() if wanted else None


def coverage_of(options: Mapping[str, Any], hints: Sequence[str]) -> str:
    """A request's coverage: its ``options["coverage"]``, else its hints', else ``all``."""
    chosen = options.get("coverage") if options else None
    if chosen is not None:
        return check_coverage(chosen, "options['coverage']")
    return coverage_of_hints(tuple(hints)) or "all" if hints else "all"


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """What a caller asks for. Build with :meth:`checked` to validate the arguments."""

    entity: str
    count: int = 1
    strategy: str = "auto"
    constraints: Mapping[str, FieldConstraint] = field(default_factory=dict)
    context: str | None = None
    hints: tuple[str, ...] = ()
    seed: int | None = None
    variant: Variant = "valid"
    learn_from_history: bool = False
    defect_triggering: bool = False
    locale: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    """Strategy-specific settings (provider, model, store...), passed through untouched. Keys starting
    with ``_`` are run-time context (the test's node id, a cassette path) and never part of a cache or
    cassette key."""
    strict: bool = True
    """True (default): records of a valid variant that still break a constraint, schema rule or coherence
    rule raise :class:`~pytest_testdata.errors.ConstraintViolationError`. False: best effort, the problems
    are only reported in the metadata. Not part of any cache key (the records are the same)."""

    @classmethod
    def checked(
        cls,
        entity: str,
        count: int = 1,
        *,
        strategy: str = "auto",
        constraints: Mapping[str, Any] | None = None,
        context: str | None = None,
        hints: Sequence[str] | str | None = None,
        seed: int | None = None,
        variant: str = "valid",
        learn_from_history: bool = False,
        defect_triggering: bool = False,
        locale: str | None = None,
        options: Mapping[str, Any] | None = None,
        strict: bool = True,
        coverage: str | None = None,
    ) -> GenerationRequest:
        """Validate every argument and return the request; raises :class:`TestdataUsageError`.

        ``coverage`` (one of :data:`COVERAGES`) is carried in ``options["coverage"]``, so it reaches every
        door, cache key and the agent's wire form unchanged; without it, a ``minimal``, ``maximal`` or
        ``edge_cases`` hint chooses (:data:`HINT_COVERAGE`), else the engine's setting (default ``all``)."""
        if not isinstance(entity, str) or not entity:
            shown = repr(entity) if isinstance(entity, str) else f"a {type(entity).__name__}"
            raise TestdataUsageError(f"entity: expected an entity name such as 'cart', got {shown}. Register a "
                                     "Schema or model first (SchemaRegistry.adopt), or pass it to generate().")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1 or count > MAX_COUNT:
            raise TestdataUsageError(
                f"count: expected a whole number from 1 to {MAX_COUNT:,}, got {count!r}. "
                "Ask for at least one record; for an empty list, don't call testdata."
            )
        if strategy not in STRATEGIES:
            raise choice_error("strategy", strategy, STRATEGIES)
        if variant not in VARIANTS:
            raise choice_error("variant", variant, VARIANTS)
        if isinstance(hints, str):
            hints = (hints,)
        hint_tuple = tuple(hints or ())
        for hint in hint_tuple:
            if hint not in HINTS:
                raise choice_error("hints", hint, HINTS)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TestdataUsageError(f"seed: expected a whole number, got {seed!r}.")
        if context is not None and not isinstance(context, str):
            raise TestdataUsageError(f"context: expected a string describing the scenario, got {context!r}.")
        if locale is not None and locale not in LOCALES:
            raise choice_error("locale", locale, LOCALES, "Leave it unset for a mix of countries.")
        if constraints is not None and not isinstance(constraints, Mapping):
            raise TestdataUsageError(
                f"constraints: expected a mapping of field name to constraints, such as "
                f"{{'total': {{'max': 500}}}}, got {constraints!r}."
            )
        if not isinstance(strict, bool):
            raise TestdataUsageError(
                f"strict: expected True (default: unmet constraints raise) or False (best effort: they are "
                f"only reported in metadata.violations), got {strict!r}."
            )
        parsed = {name: FieldConstraint.parse(name, raw) for name, raw in constraints.items()} \
            if constraints else {}
        hinted = coverage_of_hints(hint_tuple) if hint_tuple else None
        options = dict(options) if options else {}
        if coverage is not None:
            options["coverage"] = check_coverage(coverage, "coverage")
        elif "coverage" in options:  # the wire form: the caller's side has settled it already
            check_coverage(options["coverage"], "options['coverage']")
        elif hinted is not None:
            options["coverage"] = hinted
        if cls is not GenerationRequest:  # a subclass may have an __init__ of its own
            return cls(
                entity=entity, count=count, strategy=strategy, constraints=parsed, context=context or None,
                hints=hint_tuple, seed=seed, variant=variant,  # type: ignore[arg-type]
                learn_from_history=bool(learn_from_history), defect_triggering=bool(defect_triggering),
                locale=locale, options=options, strict=strict,
            )
        return _new_request(entity, count, strategy, parsed, context or None, hint_tuple, seed, variant,
                            bool(learn_from_history), bool(defect_triggering), locale, options, strict)

    def replace(self, **changes: Any) -> GenerationRequest:
        """A copy with some fields changed (for example the seed the engine settled on)."""
        if type(self) is not GenerationRequest or not changes.keys() <= _REQUEST_FIELDS:
            return dataclasses.replace(self, **changes)  # (its TypeError names an unknown field)
        values = [changes[name] if name in changes else read(self) for name, read in _REQUEST_READERS]
        return _new_request(*values)

    def key_material(self) -> dict[str, Any]:
        """Everything in the request that determines its output, as JSON-compatible data."""
        return {
            "entity": self.entity, "count": self.count, "strategy": self.strategy,
            "constraints": {k: v.as_dict() for k, v in sorted(self.constraints.items())},
            "context": self.context, "hints": sorted(self.hints), "seed": self.seed, "variant": self.variant,
            "learn_from_history": self.learn_from_history, "defect_triggering": self.defect_triggering,
            "locale": self.locale,
            "options": {k: v for k, v in sorted(self.options.items()) if not k.startswith("_")},
        }


_REQUEST_READERS: tuple[tuple[str, Any], ...] = tuple(
    (f.name, vars(GenerationRequest)[f.name].__get__) for f in dataclasses.fields(GenerationRequest))
"""Each field's name and its slot's reader, in the dataclass's order."""
_REQUEST_FIELDS = frozenset(name for name, _ in _REQUEST_READERS)
_REQUEST_WRITERS = tuple(vars(GenerationRequest)[name].__set__ for name, _ in _REQUEST_READERS)


def _new_request(*values: Any) -> GenerationRequest:
    """A request from its thirteen field values in order, as the dataclass's ``__init__`` makes it.

    Its slots are written directly: a frozen dataclass's ``__init__`` goes through ``object.__setattr__``
    by name for each field, about a third of :meth:`GenerationRequest.checked`'s cost (built on every call
    of every door). Only the engine's own checked values come here.
    """
    request = object.__new__(GenerationRequest)
    for write, value in zip(_REQUEST_WRITERS, values, strict=True):
        write(request, value)
    return request


@dataclass(frozen=True, slots=True)
class Violation:
    """One record breaking one rule, as the validator found it."""

    record: int
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"record {self.record}: {self.field}: {self.message} [{self.rule}]"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled as a call with the fields (the in-process cache copies results so): a slotted
        # dataclass's own state functions walk dataclasses.fields() in Python on every pickle and load.
        return Violation, (self.record, self.field, self.rule, self.message)


@dataclass(slots=True)
class ResultMetadata:
    """Where the records came from and what was checked. Every strategy fills the same fields."""

    entity: str
    count: int
    strategy: str
    """The path that actually ran (never ``auto``)."""
    reason: str
    seed: int
    coherence: float = 1.0
    """Mean coherence score of the records, 0..1."""
    coherence_scores: list[float] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    cache_hit: bool = False
    cassette: str | None = None
    provider: str | None = None
    model: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per phase: ``route``, ``generate``, ``validate``, ``total``."""
    details: dict[str, Any] = field(default_factory=dict)
    """Strategy-specific facts (tokens, attempts, repaired, fallback, broken rule, patterns used...)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-compatible form (for the CLI, the agent's wire format and logs)."""
        data = dataclasses.asdict(self)
        data["violations"] = [dataclasses.asdict(v) for v in self.violations]
        return data

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # As Violation's: half the cost of pickling a slotted dataclass's state (every cached result).
        return ResultMetadata, (self.entity, self.count, self.strategy, self.reason, self.seed, self.coherence,
                                self.coherence_scores, self.violations, self.cache_hit, self.cassette,
                                self.provider, self.model, self.timings, self.details)


@dataclass(slots=True)
class GenerationResult:
    """Records plus the metadata saying how they were made."""

    records: list[Record]
    metadata: ResultMetadata
    objects: list[Any] | None = field(default=None, compare=False, repr=False)
    """The records as instances of the model they were generated for (``generate(Model, ...)`` with a
    pydantic model, dataclass, TypedDict, attrs or SQLAlchemy class, valid variants); None otherwise."""

    @property
    def valid(self) -> bool:
        """True when no record broke a constraint (always False for ``variant="invalid"``)."""
        return not self.metadata.violations

    def __len__(self) -> int:
        return len(self.records)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return GenerationResult, (self.records, self.metadata, self.objects)


@dataclass(slots=True)
class EncodedResult:
    """A result whose records are already in their wire form (:func:`records_json`): what the agent sends.

    Built by :meth:`pytest_testdata.engine.Engine.generate_json`; the in-process cache keeps results of
    such calls in this form, so a repeat skips both copying the records and encoding them again.
    """

    metadata: ResultMetadata
    records_json: str

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return EncodedResult, (self.metadata, self.records_json)

