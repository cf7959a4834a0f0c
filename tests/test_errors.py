"""Errors and warnings live in one module, under one root each, and are exported from the package."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest

import pytest_testdata
from pytest_testdata import errors

INTERNAL = {
    "pytest_testdata.cache.codec.CorruptEntry": "a cache entry that fails to decode; the cache treats it as a miss",
    "pytest_testdata.cache.codec.OtherForm": "an in-process entry in the agent's wire form met by a caller wanting "
    "records; the cache counts it as a miss",
    "pytest_testdata.agent.service.Reject": "the agent's early refusal, turned into a gRPC status before it leaves",
    "pytest_testdata.agent.inline.InlineRefused": "a call's inline schema the agent refuses, turned into a gRPC "
    "status (INVALID_ARGUMENT or FAILED_PRECONDITION) before it leaves",
    "pytest_testdata.schemas.sources.references._FileRefused": "a file: reference met where files may not be "
    "read; bundle() turns it into a SchemaError naming the pointer",
    "pytest_testdata.llm.openai_compat._FormatRejected": "a ProviderError that makes the provider retry another format",
    "pytest_testdata.quality.validator._Reported": "control flow inside the validator's compiled checks",
    "pytest_testdata.schemas.sources.sql_checks._Unreadable": "a CHECK constraint's part not read; read_checks "
    "turns it into a TestdataUsageError naming the constraint",
    "pytest_testdata.wire_json._Refused": "a value orjson would write differently; the records' JSON is written by "
    "the standard library instead",
    "pytest_testdata.generators.budget.BudgetExceeded": "stops generation at a call's deadline; the agent answers "
    "DEADLINE_EXCEEDED",
    "pytest_testdata.generators.budget.CallerGone": "stops generation when the client went away; nobody is left "
    "to read it",
    "pytest_testdata.quality.regex._Refusal": "why a pattern is refused, raised deep in the budget walk; "
    "compile_user_regex turns it into RegexRefused naming where the pattern came from",
    "pytest_testdata.schemas.sources.expansion._TooBig": "stops expanding a schema past its node budget; the loader "
    "unrolls less, or reports a SchemaError",
    "pytest_testdata.datasets.tables._NotPlain": "a record that is not a plain dict met by the compiled fast read "
    "of a table's values; caught at once, and the table is read the general way",
    "pytest_testdata.datasets.references.ReferenceRefused": "a chunk of rows whose reference the loader's own "
    "check refuses, raised inside the chunk's savepoint; the loader bisects and reports a DatasetLoadError "
    "naming the entity, record and field",
    "pytest_testdata.schemas.sources.metaschema._Unexpected": "the library's meta-schema has a shape the static "
    "reading does not know; caught at once, and the original meta-schema is used",
}
"""Exception classes defined elsewhere on purpose: none of them reaches a user."""


def _all_classes() -> list[type]:
    found = []
    for module_info in pkgutil.walk_packages(pytest_testdata.__path__, "pytest_testdata."):
        if module_info.name.endswith(("_pb2", "_pb2_grpc", "__main__")):
            continue
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == module.__name__ and issubclass(value, BaseException):
                found.append(value)
    return found


def test_every_error_and_warning_is_defined_in_errors_py_under_its_root() -> None:
    strays = []
    for cls in _all_classes():
        name = f"{cls.__module__}.{cls.__qualname__}"
        if name in INTERNAL:
            continue
        if cls.__module__ != "pytest_testdata.errors":
            strays.append(name)
    assert strays == [], "define these in pytest_testdata/errors.py (or list them in INTERNAL with a reason)"
    for name in errors.__all__:
        cls = getattr(errors, name)
        root = errors.TestdataWarning if issubclass(cls, Warning) else errors.TestdataError
        assert issubclass(cls, root), name
        assert cls.__doc__, f"{name} needs a docstring"
        assert getattr(pytest_testdata, name) is cls, f"{name} is not exported from pytest_testdata"
        assert name in pytest_testdata.__all__


def test_the_old_homes_still_import() -> None:
    from pytest_testdata.agent.client import AgentUnavailableError
    from pytest_testdata.datasets.calls import DatasetCheckError
    from pytest_testdata.datasets.load import DatasetLoadError
    from pytest_testdata.generators.llm import LLMFallbackWarning
    from pytest_testdata.llm.base import ProviderError
    from pytest_testdata.quality.regex import RegexRefused
    from pytest_testdata.recording.cassettes import StaleCassetteError
    from pytest_testdata.store.base import StoreUnavailableError

    assert (AgentUnavailableError, LLMFallbackWarning, ProviderError, StaleCassetteError, StoreUnavailableError) == (
        errors.AgentUnavailableError, errors.LLMFallbackWarning, errors.ProviderError, errors.StaleCassetteError,
        errors.StoreUnavailableError)
    assert (DatasetCheckError, DatasetLoadError, RegexRefused) == (
        errors.DatasetCheckError, errors.DatasetLoadError, errors.RegexRefused)


def test_one_filter_turns_every_warning_of_the_plugin_into_an_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", pytest_testdata.TestdataWarning)
        with pytest.raises(pytest_testdata.LLMFallbackWarning):
            warnings.warn(pytest_testdata.LLMFallbackWarning("fell back"), stacklevel=1)


def test_usage_errors_are_value_errors_and_missing_packages_import_errors() -> None:
    assert issubclass(pytest_testdata.TestdataUsageError, ValueError)
    assert issubclass(pytest_testdata.UnknownEntityError, LookupError)
    assert issubclass(pytest_testdata.MissingDependencyError, ImportError)
    assert issubclass(pytest_testdata.ConstraintViolationError, pytest_testdata.TestdataError)
    assert not issubclass(pytest_testdata.ConstraintViolationError, ValueError)  # the request itself was fine
