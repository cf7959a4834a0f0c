"""factory_boy factories built from the same plan the traditional strategy runs.

``factory_for("cart")`` returns a ``factory.DictFactory`` subclass: ``CartFactory()`` builds one coherent
record, ``CartFactory.build_batch(5)`` five, and keyword overrides work as in any factory_boy factory.
Subclass it to add declarations or traits; coherence rules (totals, ordered timestamps...) are applied
after the declarations, so derived fields follow overridden inputs.
"""

from __future__ import annotations

import random
from typing import Any

import factory
import factory.random

from pytest_testdata.generators.traditional.drawers import RecordState, pick_country
from pytest_testdata.generators.traditional.plan import plan_for
from pytest_testdata.generators.traditional.pools import VALUES
from pytest_testdata.schemas.registry import SchemaRegistry, project_registry
from pytest_testdata.schemas.sources import ModelBinding


def _state(rng: random.Random, entity: str) -> RecordState:
    return RecordState(rng, pick_country(rng, None), entity=entity)


def factory_for(entity: str | Any, registry: SchemaRegistry | None = None) -> type[factory.DictFactory]:
    """A factory_boy factory for an entity: a name, a :class:`Schema` or a model class (pydantic, dataclass,
    TypedDict, attrs), seeded by factory_boy's random.

    Names are looked up in ``registry``, by default the project's: inside a pytest session the session's
    (``testdata_schemas`` included, also at import time of a test module), elsewhere the one the current
    directory's project configures. A model's factory builds instances of the model.
    ``factory.random.reseed_random(n)`` (which the pytest plugin calls per test) makes it reproducible.
    """
    binding: ModelBinding | None
    if isinstance(entity, str):
        registry = registry if registry is not None else project_registry()
        schema, binding = registry.get(entity), registry.binding(entity)
    else:
        from pytest_testdata.schemas.sources import source_from_object

        source = source_from_object(entity)
        schema, binding = source.schema, source.binding
    plan = plan_for(schema)

    def make_state() -> RecordState:
        return _state(factory.random.randgen, schema.name)

    declarations: dict[str, Any] = {"_state": factory.LazyFunction(make_state)}
    for name, draw in plan.fields:
        declarations[name] = factory.LazyAttribute(
            lambda o, _draw=draw, _name=name: _remember(o._state, _name, _draw(o._state))
        )

    class Meta:
        exclude = ("_state",)

    root = plan.root

    @classmethod  # type: ignore[misc]
    def _build(cls: Any, model_class: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        record = dict(*args, **kwargs)
        if root is not None:
            # The whole record comes from one drawer (a top-level oneOf, if/then/else...): plan.fields is
            # empty then, so draw it here and let the caller's keyword overrides win over drawn values.
            drawn = root(make_state())
            record = {**(drawn if isinstance(drawn, dict) else {}), **record}
        for rule in plan.rules:
            rule.enforce(record, factory.random.randgen, VALUES)
        if plan.cents is not None and plan.cents.dirty(record):  # as Plan.build: money validators accept
            plan.cents.clean(record, plan.rules, factory.random.randgen, VALUES)
        return binding.build(record) if binding is not None else record

    attrs = {"Meta": Meta, "_build": _build, "_create": _build, **declarations}
    return type(f"{schema.name.title().replace('_', '')}Factory", (factory.DictFactory,), attrs)


def _remember(state: RecordState, name: str, value: Any) -> Any:
    # Later drawers (an email from the names, a review body from the rating) read the record so far.
    state.record[name] = value
    return value
