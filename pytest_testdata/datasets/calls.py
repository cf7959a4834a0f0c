"""``testdata.dataset(...)``: a dataset in a test, from the local engine or the agent (remote mode),
optionally loaded into a database.

Entities may be named, or given as SQLAlchemy models (registered under their table name on first use).
Each call's seed derives from the test's seed and the call's position, like ``testdata(...)`` calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.datasets.result import Dataset
from pytest_testdata.errors import DatasetCheckError as DatasetCheckError  # re-exported; its home is errors.py
from pytest_testdata.errors import TestdataUsageError, suggest
from pytest_testdata.seeding import derive_seed

DATASET_KEYS = ("root", "count", "cardinality", "external", "seed", "strategy", "strategies", "context", "locale",
                "options", "variant", "break_rule", "into", "check")
MAX_SHOWN = 10


def entity_name(obj: Any, registry: Any, define: Any = None) -> str:
    """An entity name for a name, a Schema or a model class (SQLAlchemy, pydantic, dataclass...: any kind the
    schema sources' adapters read), registering the model's schema on first use (in remote mode, ``define``:
    the agent's client keeps it and sends it with the call)."""
    if isinstance(obj, str):
        return obj
    if registry is None and define is not None:
        name: str = define(obj).name
        for parent in related(obj):
            define(parent)
        return name
    from pytest_testdata.schemas.sources import schema_from_object

    schema = schema_from_object(obj)
    if registry is None:
        raise TestdataUsageError(f"dataset: this engine cannot take new entities such as {schema.name!r}; "
                                 "name entities it knows.")
    registry.register(schema)
    for parent in related(obj):  # a root pulls them in; with counts, the plan names any left out
        from pytest_testdata.schemas.sources.sqlalchemy import PREFIX

        found = schema_from_object(parent)
        # The model's own table, over a schema file's of that name; not over a model's (one named in the
        # counts, as a class: a link table's target would otherwise come back as a bare table)
        if found.name not in registry or not registry.get(found.name).source.startswith(PREFIX):
            registry.register(found)
    return schema.name


def related(obj: Any) -> list[Any]:
    """The models a SQLAlchemy model reaches through its foreign keys (none for other kinds of entity)."""
    from pytest_testdata.schemas.sources.sqlalchemy import is_sqlalchemy_model, referenced_models

    return referenced_models(obj) if is_sqlalchemy_model(obj) else []


def run_dataset(factory: Any, counts: Mapping[Any, int] | None, kwargs: Mapping[str, Any]) -> Dataset:
    """The body of ``TestdataFactory.dataset``."""
    unknown = [k for k in kwargs if k not in DATASET_KEYS]
    if unknown:
        raise TestdataUsageError(
            f"testdata.dataset(): unknown argument {unknown[0]!r}{suggest(unknown[0], DATASET_KEYS)}. "
            f"Allowed: counts, {', '.join(DATASET_KEYS)}.")
    options = dict(kwargs)
    into = options.pop("into", None)
    if into is not None:  # refused before anything is built (an AsyncSession: see check_target)
        from pytest_testdata.datasets.load import check_target

        check_target(into)
    check = bool(options.pop("check", True))
    engine = factory.engine
    registry = getattr(engine, "registry", None)
    define = getattr(engine, "define", None)
    named = {entity_name(k, registry, define): v for k, v in counts.items()} if isinstance(counts, Mapping) \
        else counts  # (anything else is refused by DatasetRequest.checked, with the error a person reads)
    if options.get("root") is not None:
        options["root"] = entity_name(options["root"], registry, define)
    if "strategy" not in options and factory.defaults.get("strategy") not in (None, "auto"):
        options["strategy"] = factory.defaults["strategy"]
    if "locale" not in options and factory.defaults.get("locale"):
        options["locale"] = factory.defaults["locale"]
    if options.get("seed") is None:
        options["seed"] = derive_seed(factory.seed, f"dataset {len(factory.datasets)}")
    request = DatasetRequest.checked(named, **options)
    remote = getattr(engine, "dataset", None)
    dataset: Dataset
    if callable(remote) and into is None:
        dataset = remote(request)
    elif callable(remote):
        from pytest_testdata.datasets.graph import plan_dataset
        from pytest_testdata.datasets.load import load_fetched
        from pytest_testdata.schemas.registry import SchemaRegistry

        plans = getattr(engine, "plan_registry", None)  # the agent's client: built-ins and the test's models
        local = registry if registry is not None else plans() if callable(plans) else SchemaRegistry()
        plan = plan_dataset(request.named_by(local.canonical_name), local)
        # The agent cannot see the database: what its tables already hold travels with the call.
        dataset = load_fetched(lambda taken: remote(request, taken=taken), plan, into)
    elif into is not None:
        from pytest_testdata.datasets.load import build_into

        dataset = build_into(engine, request, into)
    else:
        from pytest_testdata.datasets.build import build_dataset

        dataset = build_dataset(engine, request)
    factory.datasets.append(dataset)
    if check and request.variant == "valid" and dataset.violations:
        found = dataset.violations
        shown = "\n  ".join(str(v) for v in found[:MAX_SHOWN])
        more = f"\n  ... and {len(found) - MAX_SHOWN} more" if len(found) > MAX_SHOWN else ""
        raise DatasetCheckError(
            f"dataset (seed {request.seed}): {len(found)} record(s) break a constraint or rule:\n  {shown}{more}\n"
            "Pass check=False to get the dataset anyway (its violations are in dataset.violations).")
    return dataset
