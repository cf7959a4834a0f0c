"""Values already in the caller's database, sent with a remote dataset call (``GenerateDatasetRequest.taken_json``).

In local mode a dataset loaded into a database first reads what its unique fields already hold there
(:meth:`~pytest_testdata.datasets.load.DatabaseSink.taken`): a whole-number key follows the largest one, and a
text value there is not drawn again. The agent cannot see the caller's database, so remote mode reads those
values itself and sends them with the call; the agent's build keeps its records apart from them as a local
build does, so a dataset after seeded rows (or a second dataset in one test) loads in both modes.

Text values are sent up to :data:`MAX_TEXT_BYTES` of JSON in all; past that, a field's text values are left
out (its whole numbers are still sent), and a repeat is the database's error naming the record, as a local
load leaves a table of more than 100,000 rows to the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_testdata.errors import TestdataUsageError

FEATURE = "taken-values"
"""What ``HealthCheck`` announces: the agent honours ``taken_json`` (an older one would ignore the field)."""
MAX_TEXT_BYTES = 1 << 20
"""At most this much JSON of text values in one call (the agent's messages are 4 MiB by default)."""

Taken = dict[str, dict[str, set[Any]]]


def taken_json(taken: Mapping[str, Mapping[str, set[Any]]]) -> str:
    """The wire form of what :meth:`DatabaseSink.taken` read (empty when there is nothing to send)."""
    out: dict[str, dict[str, list[Any]]] = {}
    budget = MAX_TEXT_BYTES
    for entity, fields in sorted(taken.items()):
        for field, values in sorted(fields.items()):
            numbers = sorted(v for v in values if type(v) is int)
            texts = sorted(v for v in values if type(v) is str)
            size = len(json.dumps(texts, ensure_ascii=False)) if texts else 0
            if size > budget:
                texts = []  # left to the database (see the module docstring)
            budget -= size if texts else 0
            if numbers or texts:
                out.setdefault(entity, {})[field] = [*numbers, *texts]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) if out else ""


def taken_from_json(text: str, entities: Mapping[str, Any]) -> Taken:
    """What a call's ``taken_json`` says, checked against the dataset's entities (``entities``: name -> schema);
    anything else is a :class:`TestdataUsageError` naming it."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TestdataUsageError(f"taken_json: not JSON ({exc}). Send an object such as "
                                 '{"user": {"email": ["ann@example.com"]}}, or leave it empty.') from None
    if not isinstance(data, dict):
        raise TestdataUsageError(f"taken_json: expected a JSON object of entities, got {type(data).__name__}.")
    out: Taken = {}
    for entity, fields in data.items():
        schema = entities.get(entity)
        if schema is None:
            raise TestdataUsageError(f"taken_json: entity {entity!r} is not in this dataset (it has: "
                                     f"{', '.join(sorted(entities))}).")
        if not isinstance(fields, dict):
            raise TestdataUsageError(f"taken_json[{entity!r}]: expected an object of fields, got {fields!r}.")
        for field, values in fields.items():
            if field not in schema.properties:
                raise TestdataUsageError(f"taken_json[{entity!r}]: {field!r} is no field of {entity} (it has: "
                                         f"{', '.join(sorted(schema.properties))}).")
            if not isinstance(values, list) or not all(type(v) in (int, str) for v in values):
                raise TestdataUsageError(f"taken_json[{entity!r}][{field!r}]: expected a list of whole numbers "
                                         f"and strings, got {str(values)[:200]}.")
            out.setdefault(entity, {})[field] = set(values)
    return out


__all__ = ["FEATURE", "MAX_TEXT_BYTES", "taken_from_json", "taken_json"]
