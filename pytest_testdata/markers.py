"""The ``@pytest.mark.testdata(...)`` marker: parse it at collection, fill the argument at setup.

``@pytest.mark.testdata("order", count=3)`` fills the test's ``order`` argument (``name=`` picks another)
with generated records when the test is set up, never at collection. ``variant="invalid"`` parametrizes
the test over the schema's breakable rules; each case gets a record breaking exactly that rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_testdata.errors import TestdataUsageError, suggest
from pytest_testdata.fixture import CALL_KEYS

MARKER_KEYS = ("count", "name", *CALL_KEYS)
MARKER_HELP = (
    "testdata(entity, count=None, *, name=None, strategy='auto', constraints=None, context=None, "
    "hints=(), seed=None, variant='valid', learn_from_history=False, defect_triggering=False, "
    "locale=None, options=None, strict=True, coverage=None): fill the test argument `name` (default: the "
    "entity name) with generated records at setup; variant='invalid' parametrizes over records that each "
    "break one rule."
)


@dataclass(frozen=True)
class MarkerSpec:
    """A parsed marker."""

    entity: str
    argname: str
    count: int | None
    kwargs: Mapping[str, Any]
    model: Any = None
    """The Schema or model class given instead of a name (registered at collection)."""

    @property
    def invalid(self) -> bool:
        return self.kwargs.get("variant") == "invalid"


def parse_marker(args: tuple[Any, ...], kwargs: Mapping[str, Any], where: str) -> MarkerSpec:
    """Check a marker's arguments; every mistake names the test and the allowed arguments."""
    model, original = None, args
    if args and not isinstance(args[0], str):
        from pytest_testdata.errors import SchemaError
        from pytest_testdata.fixture import as_schema

        try:
            model = args[0]
            args = (as_schema(model).name, *args[1:])
        except SchemaError:
            raise  # a model class whose schema cannot be derived: say why
        except TestdataUsageError:
            args = ()
    if not args or not isinstance(args[0], str):
        raise TestdataUsageError(
            f"{where}: @pytest.mark.testdata needs the entity first: a name, a Schema or a model class "
            f"(pydantic, dataclass, TypedDict, attrs), e.g. @pytest.mark.testdata('order', count=3); "
            f"got args={original!r}."
        )
    if len(args) > 2:
        raise TestdataUsageError(
            f"{where}: @pytest.mark.testdata takes at most two positional arguments (entity, count), "
            f"got {len(args)}: {args!r}. Pass the rest by keyword."
        )
    for key in kwargs:
        if key not in MARKER_KEYS:
            raise TestdataUsageError(
                f"{where}: @pytest.mark.testdata got an unknown argument {key!r}{suggest(key, MARKER_KEYS)}. "
                f"Allowed: {', '.join(MARKER_KEYS)}."
            )
    rest = {k: v for k, v in kwargs.items() if k not in ("count", "name")}
    count = args[1] if len(args) > 1 else kwargs.get("count")
    name = kwargs.get("name") or args[0]
    if not isinstance(name, str) or not name.isidentifier():
        raise TestdataUsageError(f"{where}: name={name!r} is not a valid argument name.")
    return MarkerSpec(args[0], name, count, rest, model)


def fixture_named(metafunc: Any, argname: str) -> str | None:
    """Where the fixture called ``argname`` that a test sees is defined, or None if there is none.

    A marker filling that argument would silently replace the fixture; the plugin refuses that at
    collection. pytest has no public API for "which fixtures does this test see"; ``_arg2fixturedefs`` is
    what pytest's own ``parametrize`` uses, stable across pytest 7-9.
    """
    defs = getattr(metafunc, "_arg2fixturedefs", {}).get(argname)
    if not defs:
        return None
    func = defs[-1].func
    code = getattr(func, "__code__", None)
    if code is None:
        return f"from {getattr(func, '__module__', 'a plugin')}"
    return f"defined in {code.co_filename}:{code.co_firstlineno}"
