"""Hooks a ``conftest.py`` or a plugin implements to extend pytest-testdata (registered by ``pytest_addhooks``).

Implement them in the rootdir's ``conftest.py`` (or a plugin): they are called once per session (and once
per xdist worker) when the plugin first needs its schemas or its engine, which can be before the
``conftest.py`` files of sub-folders are loaded. Example (``conftest.py``)::

    from pytest_testdata.schemas import Schema

    @pytest.hookspec
def pytest_testdata_register_schemas(registry, config):
        registry.register(Schema.from_json_schema({
            "title": "invoice", "type": "object", "required": ["number"],
            "properties": {"number": {"type": "integer", "minimum": 1000, "maximum": 9999}},
        }))

    @pytest.hookspec
def pytest_testdata_register_providers(providers, config):
        providers.register("echo", lambda options, model: EchoProvider())

A registered provider is used by the ``llm`` strategy when a call names it (``options={"provider": "echo"}``,
also through ``testdata_config``); with the provider setting ``auto`` (the default) it is tried first, before
the built-in ones (registering it is the deliberate choice). In remote mode the agent's own
schemas and providers count: registered providers are not sent to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_testdata.generators.traditional.kinds import ValueKinds
    from pytest_testdata.llm.base import Provider
    from pytest_testdata.schemas.registry import SchemaRegistry

ProviderFactory = Callable[[Mapping[str, Any], "str | None"], "Provider"]
"""``factory(options, model) -> Provider``: ``options`` are the engine's settings (read one with
:func:`pytest_testdata.llm.providers.setting`), ``model`` the model a call asked for, or None."""

BUILTIN_PROVIDERS = ("auto", "anthropic", "openai", "local", "none")


class ProviderRegistry:
    """Collects the LLM providers registered through :func:`pytest_testdata_register_providers`."""

    def __init__(self) -> None:
        self.factories: dict[str, ProviderFactory] = {}

    def register(self, name: str, factory: ProviderFactory) -> None:
        """Make ``name`` a provider the ``llm`` strategy can use; ``factory(options, model)`` builds it."""
        from pytest_testdata.errors import TestdataUsageError

        if not isinstance(name, str) or not name.isidentifier():
            raise TestdataUsageError(
                f"pytest_testdata_register_providers: provider name {name!r} is not a plain name; use letters, "
                "digits and underscores, such as 'my_model'."
            )
        if name in BUILTIN_PROVIDERS or name in self.factories:
            taken = ", ".join(sorted({*BUILTIN_PROVIDERS, *self.factories}))
            raise TestdataUsageError(
                f"pytest_testdata_register_providers: the provider name {name!r} is taken (taken: {taken}). "
                "Choose another name."
            )
        if not callable(factory):
            raise TestdataUsageError(
                f"pytest_testdata_register_providers: the factory of {name!r} must be callable as "
                f"factory(options, model) and return a provider, got {factory!r}."
            )
        self.factories[name] = factory


@pytest.hookspec
def pytest_testdata_register_schemas(registry: SchemaRegistry, config: pytest.Config) -> None:
    """Register entity schemas with ``registry.register(schema)`` or ``registry.register_model(Model)``.

    Called once, when the plugin first needs its schemas (at collection if a test has a ``testdata``
    marker). The built-in schemas and the ``testdata_schemas`` folders are loaded already; a schema
    registered here with the same name replaces them.
    """


@pytest.hookspec
def pytest_testdata_register_providers(providers: ProviderRegistry, config: pytest.Config) -> None:
    """Register LLM providers with ``providers.register(name, factory)``.

    A provider is any object with ``name``, ``transport`` (``"http"`` when it calls a server through
    httpx, so generation cassettes record it; ``"local"`` otherwise), ``model`` and
    ``complete(call) -> LLMReply`` (see :class:`pytest_testdata.llm.base.Provider`); it raises
    :class:`pytest_testdata.ProviderError` when it cannot answer, and the chain moves on.
    """


@pytest.hookspec
def pytest_testdata_register_value_kinds(kinds: ValueKinds, config: pytest.Config) -> None:
    """Add kinds of realistic value and map field names to them (docs/schemas.md, "Realistic values from
    field names").

    ``kinds.register(name, draw=None, *, values=None, field_names=(), parents=(), siblings=())`` adds a
    kind (``draw(rng)`` returns one value from the seeded ``random.Random`` it is given, or ``values`` lists
    them) that ``x-gen: name`` names and fields named like ``field_names`` get; ``kinds.map(kind,
    field_names, parents=())`` gives fields of those names a kind that exists (``"username"``...). Called
    once, with the schema hooks; what it registers is removed when the session ends. The traditional
    strategy in this process uses them; an agent (remote mode) uses its own.
    """
