"""Cross-entity time rules read from timestamp names: a record is created after the record it refers to.

A comment written before its article was published, an invoice dated before its customer signed up: each
record's timestamps are drawn on their own, so without a rule a dataset is full of them, and nobody has seen
such a record in production. The built-in schemas declare ``after_ref`` rules (``x-dataset-coherence``); most
users' schemas (SQLAlchemy models, OpenAPI documents) declare none. So, for an entity that declares no
cross-entity rule of its own, each declared reference (``x-ref``, a model's foreign key) whose two ends both
have a creation timestamp (``created_at``, ``inserted_at``, ``opened_at``... a ``date-time`` string) gets an
``after_ref`` rule: the record's creation follows the referenced record's. A record with a ``published_at``
and no creation timestamp came to be when it was published (an article is published after its author signed
up). The rule moves all the record's timestamps together, keeping their order, and is checked and reported
like a declared one (``ds.violations``, ``ds.metadata[entity].dataset_coherence``).

Not inferred: a reference inside a list, a reference of an entity to itself or one filled in after both
records exist (a cycle's nullable link), a reference by field name only (``petId``), or one to external ids.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_testdata.datasets.coherence import KEYWORD
from pytest_testdata.generators.traditional.timeline import creation_time

if TYPE_CHECKING:
    from pytest_testdata.datasets.graph import Edge
    from pytest_testdata.schemas.model import Schema

_PUBLISHED = ("published_at", "published", "date_published", "publication_date")
"""A record with no creation timestamp came to be, for its readers, when it was published."""


def with_inferred_rules(entity: str, schema: Schema, edges: Sequence[Edge], schemas: Mapping[str, Schema],
                        members: Sequence[str]) -> Schema:
    """``schema`` with the ``after_ref`` rules its timestamps' names give it in its ``x-dataset-coherence``
    (marked ``"inferred": true``), so that whatever reads the schema's rules, a worker process included,
    enforces and checks them; ``schema`` itself when it declares rules of its own or none are inferred."""
    if schema.json_schema.get(KEYWORD):
        return schema
    specs = inferred_time_rules(entity, schema, edges, schemas, members)
    if not specs:
        return schema
    return dataclasses.replace(schema, json_schema={**schema.json_schema, KEYWORD: specs})


def inferred_time_rules(entity: str, schema: Schema, edges: Sequence[Edge], schemas: Mapping[str, Schema],
                        members: Sequence[str]) -> list[dict[str, Any]]:
    """The specs of the ``after_ref`` rules ``entity`` gets from its timestamps' names: one per declared
    reference to another entity of the dataset whose records have a creation (or publication) timestamp."""
    mine = _came_to_be(schema.properties)
    if mine is None:
        return []
    declared = schema.references()
    rules: list[dict[str, Any]] = []
    for edge in edges:
        if edge.child != entity or edge.parent == entity or edge.in_list or edge.deferred or edge.inferred \
                or edge.path not in declared or edge.parent not in members:
            continue
        theirs = _came_to_be(schemas[edge.parent].properties)
        if theirs is None:
            continue
        rules.append({"name": f"{mine}_after_{edge.path}", "kind": "after_ref", "ref": edge.path, "field": mine,
                      "after": theirs, "inferred": True})
    return rules


def _came_to_be(properties: Mapping[str, Any]) -> str | None:
    return creation_time(properties) or creation_time(properties, _PUBLISHED)


__all__ = ["inferred_time_rules", "with_inferred_rules"]
