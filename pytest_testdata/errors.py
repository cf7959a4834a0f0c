"""The errors pytest-testdata raises.

Every error names the thing that is wrong, shows the value received, lists what is allowed and says how
to fix it. :class:`TestdataUsageError` is what a caller got wrong; the plugin turns it into
``pytest.UsageError`` (command line, ini) or a test error (fixture and marker calls).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class TestdataError(Exception):
    """Base class of every error raised by pytest-testdata."""

    __test__ = False  # keep pytest from collecting this class when a test module imports it


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


class StrategyNotAvailableError(TestdataError):
    """A strategy that exists in the design but cannot run here (not built, or its extra is missing)."""


class GenerationError(TestdataError):
    """Generation failed in a way the caller cannot fix by changing arguments (a provider down...)."""


class MissingDependencyError(TestdataError, ImportError):
    """An optional package is needed for a feature; names the extra that installs it."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package {package!r}, which is not installed. "
            f"Install it with: pip install 'pytest-testdata-agent[{extra}]'"
        )


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

