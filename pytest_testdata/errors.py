"""Every error and warning pytest-testdata raises, under one root each.

Errors (all subclasses of :class:`TestdataError`):

- :class:`TestdataUsageError` (also a ``ValueError``): the caller passed something not allowed (bad entity,
  count, constraint, option, marker). :class:`UnknownEntityError` (also a ``LookupError``), :class:`SchemaError`
  and :class:`RegexRefused` (a pattern outside the supported syntax or budget) are ones.
- :class:`DatasetCheckError`: a valid-variant dataset whose records break a rule; :class:`DatasetLoadError`:
  the database refused a record of a dataset being loaded into it.
- :class:`ConstraintViolationError`: a valid-variant request whose records still break a constraint, a
  schema rule or a coherence rule (raised unless best effort was asked for: ``strict=False``).
- :class:`StrategyNotAvailableError`: a strategy that cannot run here.
- :class:`MissingDependencyError` (also an ``ImportError``): an optional package is missing; names the extra.
- :class:`GenerationError`: generation failed for a reason the caller cannot fix by changing arguments:
  :class:`ProviderError` (an LLM provider could not answer), :class:`CassetteError` (with
  :class:`CassetteMissingError`, :class:`StaleCassetteError`), :class:`StoreUnavailableError` (the pattern
  store), :class:`AgentUnavailableError` (remote mode).

Warnings (all subclasses of :class:`TestdataWarning`, itself a ``UserWarning``), so
``-W error::pytest_testdata.TestdataWarning`` turns every one of them into an error:

- :class:`LLMFallbackWarning`: records asked of an LLM came from the traditional strategy instead.

Every error names the thing that is wrong, shows the value received, lists what is allowed and says how
to fix it. The plugin turns usage errors into ``pytest.UsageError`` (command line, ini) or a test error
(fixture and marker calls); the ``testdata`` command prints them as one line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_testdata.types import GenerationResult

__all__ = [
    "AgentUnavailableError", "CassetteError", "CassetteMissingError", "ConstraintViolationError",
    "DatasetCheckError", "DatasetLoadError", "GenerationError", "LLMFallbackWarning", "MissingDependencyError",
    "ProviderError", "RegexRefused", "StaleCassetteError", "StoreUnavailableError", "StrategyNotAvailableError",
    "TestdataError", "TestdataUsageError", "TestdataWarning", "UnknownEntityError",
]


class TestdataError(Exception):
    """Base class of every error raised by pytest-testdata."""

    __test__ = False  # keep pytest from collecting this class when a test module imports it


class TestdataWarning(UserWarning):
    """Base class of every warning pytest-testdata emits."""

    __test__ = False


class TestdataUsageError(TestdataError, ValueError):
    """A caller passed a value that is not allowed (bad entity, count, constraint, option...)."""


class UnknownEntityError(TestdataUsageError, LookupError):
    """An entity name that no loaded schema defines."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(
            f"unknown entity {name!r}{suggest(name, self.known)}. Known entities: {', '.join(self.known)}. "
            "Add a schema file to a folder named in `testdata_schemas` (ini) or --testdata-schemas "
            "to define a new one."
        )


class SchemaError(TestdataUsageError):
    """A schema that cannot be honoured, found when it is loaded: one line naming the file, the JSON
    pointer of the place, the keyword, what is wrong and the fix."""

    def __init__(self, file: str, pointer: str, keyword: str, problem: str, fix: str) -> None:
        self.file = file
        self.pointer = pointer or "/"
        self.keyword = keyword
        self.problem = problem
        self.fix = fix
        super().__init__(f"schema {file}: at {self.pointer}, {keyword!r}: {problem}. Fix: {fix}")


class RegexRefused(TestdataUsageError):
    """A user's regular expression (a ``pattern`` or ``patternProperties`` key, a constraint) that is malformed,
    uses a construct outside the supported syntax, or is above the generation budget (see quality/regex.py)."""


class StrategyNotAvailableError(TestdataError):
    """A strategy that exists in the design but cannot run here (not built, or its extra is missing)."""


class GenerationError(TestdataError):
    """Generation failed in a way the caller cannot fix by changing arguments (a provider down...)."""


class ProviderError(GenerationError):
    """A provider could not answer (down, timing out, rate-limited past the retries, rejecting the request).

    The LLM generator moves on to the next provider in the chain, then to the traditional strategy.
    """

    def __init__(self, provider: str, message: str) -> None:
        self.provider = provider
        super().__init__(f"{provider}: {message}")


class CassetteError(GenerationError):
    """A cassette problem the test cannot get past by itself (missing, stale)."""


class CassetteMissingError(CassetteError):
    """Replay only (record mode ``none``, or offline), and the test has no cassette."""


class StaleCassetteError(CassetteError):
    """The cassette has recordings for this test, but none made from the inputs the test now sends."""


class StoreUnavailableError(GenerationError):
    """The pattern store cannot be reached or opened (a server down, a bad URL, an unreadable file)."""


class DatasetCheckError(TestdataError):
    """A valid-variant dataset whose records break a constraint or rule (``check=False`` to accept it)."""


class DatasetLoadError(TestdataError):
    """The database refused a record while loading a dataset: names the entity, the record, the field and
    the database's reason."""

    def __init__(self, entity: str, table: str, record: int | None, field: str | None, reason: str,
                 values: Mapping[str, object] | None = None) -> None:
        self.entity, self.table, self.record, self.field, self.reason = entity, table, record, field, reason
        where = f"{entity} record {record}" if record is not None else f"a {entity} record"
        what = f", field {field!r}" if field else ""
        shown = ""
        if values is not None:
            text = repr({k: values[k] for k in list(values)[:8]})
            shown = f" The record: {text[:300]}{'...' if len(text) > 300 else ''}."
        super().__init__(
            f"loading the dataset into the database: {where}{what} (table {table!r}) was refused: {reason}.{shown} "
            "Check the table's constraints against the schema (a constraint the schema does not declare, or rows "
            "already in the table with the same unique values).")


class AgentUnavailableError(TestdataError):
    """The agent could not be reached (or did not answer in time) at the address tried."""


class MissingDependencyError(TestdataError, ImportError):
    """An optional package is needed for a feature; names the extra that installs it."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package {package!r}, which is not installed. "
            f"Install it with: pip install 'pytest-testdata-agent[{extra}]'"
        )


class ConstraintViolationError(TestdataError):
    """Records of a valid-variant request still break a constraint, a schema rule or a coherence rule.

    ``problems`` lists each one as ``(record index, field, rule, message with the value)``; ``result`` is
    the result that was refused (records and metadata), for a caller that wants to look. Ask for best
    effort (``strict=False``, ``--testdata-best-effort``) to get such records with the problems in
    ``metadata.violations`` instead.
    """

    SHOWN = 3
    KIND = "constraint-violation"
    """How the agent labels this error on the wire (trailer ``testdata-error``)."""

    def __init__(self, entity: str, problems: Sequence[tuple[int, str, str, str]], count: int,
                 result: GenerationResult | None = None, *, message: str | None = None) -> None:
        self.entity = entity
        self.problems = list(problems)
        self.result = result
        if message is not None:
            super().__init__(message)
            return
        broken = len({p[0] for p in self.problems})
        shown = "; ".join(f"record {i}: {field}: {message} [{rule}]"
                          for i, field, rule, message in self.problems[:self.SHOWN])
        more = len(self.problems) - self.SHOWN
        super().__init__(
            f"{entity}: {broken} of {count} records break the request's rules: {shown}"
            + (f"; and {more} more" if more > 0 else "")
            + ". Loosen or fix the constraint (a derived field such as a total must still fit its parts), "
            "or ask for best effort (strict=False, --testdata-best-effort) to get the records with these "
            "problems in metadata.violations."
        )

    @classmethod
    def from_message(cls, message: str) -> ConstraintViolationError:
        """The error as a remote agent reported it (the message only; no records, no problem list)."""
        return cls(message.split(":", 1)[0], (), 0, message=message)


class LLMFallbackWarning(TestdataWarning):
    """Records asked of an LLM came from the traditional strategy instead, or for ``hybrid`` from the retrieved
    patterns (the message says why)."""


def suggest(value: str, allowed: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest allowed value, or an empty string."""
    matches = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def choice_error(thing: str, value: object, allowed: Iterable[str], fix: str = "") -> TestdataUsageError:
    """Build the usual error for a value outside a fixed set of choices."""
    allowed_list = list(allowed)
    hint = suggest(str(value), allowed_list) if isinstance(value, str) else ""
    message = f"{thing}: {value!r} is not allowed{hint}. Allowed: {', '.join(allowed_list)}."
    if fix:
        message += f" {fix}"
    return TestdataUsageError(message)

