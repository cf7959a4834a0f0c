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

A reference of an entity to itself (a reply's ``parent_id``) gets its own rules (:func:`inferred_self_rules`):
the referenced record shares the record's references to things that are not people, and came to be before it.
They are met when the reference is filled in, by choosing the parent (``datasets/deferred.py``).

Not inferred: a reference inside a list, a cycle's nullable link to another entity (filled in after both
records exist), a reference by field name only (``petId``), or one to external ids.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_testdata.datasets.coherence import KEYWORD
from pytest_testdata.generators.traditional.field_names import PERSON, PERSON_SIBLINGS
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
    specs = [*inferred_time_rules(entity, schema, edges, schemas, members),
             *inferred_self_rules(entity, schema, edges, schemas, members)]
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


def inferred_self_rules(entity: str, schema: Schema, edges: Sequence[Edge], schemas: Mapping[str, Schema],
                        members: Sequence[str]) -> list[dict[str, Any]]:
    """The rules a reference of ``entity`` to itself gets (a reply's ``parent_id``, a ``manager_id``): the
    referenced record shares the record's references to things that are not people (a reply is on its parent's
    article, a manager in the employee's department; not by its author), and came to be before it."""
    declared = schema.references()
    own = [e for e in edges if e.child == entity and e.parent == entity and not e.in_list and e.path in declared]
    if not own:
        return []
    scopes = [e.path for e in edges if e.child == entity and e.parent != entity and not e.in_list and not e.deferred
              and not e.inferred and e.path in declared and e.parent in members
              and not _about_a_person(e.path, e.parent, schemas[e.parent])]
    mine = _came_to_be(schema.properties)
    rules: list[dict[str, Any]] = []
    for edge in own:
        rules += [{"name": f"same_{scope}_as_{edge.path}", "kind": "same_as_ref", "ref": edge.path,
                   "fields": {scope: scope}, "inferred": True} for scope in scopes]
        if mine is not None:
            rules.append({"name": f"{mine}_after_{edge.path}", "kind": "after_ref", "ref": edge.path, "field": mine,
                          "after": mine, "inferred": True})
    return rules


def _about_a_person(path: str, entity: str, schema: Schema) -> bool:
    """Whether a reference points at a person (``author_id``, a ``user``, an entity with an email): a reply
    shares its parent's article, not its author."""
    words = {_stem(path), _stem(entity)}
    if words & PERSON:
        return True
    return any(name in PERSON_SIBLINGS or (isinstance(sub, Mapping) and sub.get("format") == "email")
               for name, sub in schema.properties.items())


def _stem(name: str) -> str:
    """``author_id`` -> ``author``, ``authorId`` -> ``author``, ``Users`` -> ``user``."""
    low = name.lower()
    for tail in ("_id", "id", "_uuid", "_key"):
        if low.endswith(tail) and len(low) > len(tail):
            low = low[: -len(tail)]
            break
    return low[:-1] if low.endswith("s") and not low.endswith("ss") else low


def _came_to_be(properties: Mapping[str, Any]) -> str | None:
    return creation_time(properties) or creation_time(properties, _PUBLISHED)


__all__ = ["inferred_self_rules", "inferred_time_rules", "with_inferred_rules"]
