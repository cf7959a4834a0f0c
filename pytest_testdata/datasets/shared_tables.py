"""Entities whose records are rows of one SQL table: classes of one polymorphic model, asked for together.

``{User: 8, Admin: 2}`` (``Admin(User)``, single-table or joined) asks for eight users and two admins. Each
class alone covers its subclasses' kinds too (``User``: users and admins), so when both are asked for, each
keeps the kinds no other entity of the dataset asks for by a narrower class: ``User``'s records are then
``user`` only, ``Admin``'s ``admin``. The entities of one table are built one after the other (in the dataset's
order, which their references decide), and each keeps its unique values (its keys follow, its e-mails repeat
none) apart from those built before it, as a dataset keeps apart from rows already in its tables
(:attr:`Builder.taken`).

Read from the schemas' ``x-tables`` and ``x-kind-field`` (:mod:`pytest_testdata.schemas.model_tables`), so
the agent plans an inline schema's dataset as the test's process does. Two entities of one table that are not
classes of one polymorphic model (a model and its table, or a table twice) are refused: their rows would compete
for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_testdata.datasets.together import KEYWORD as TOGETHER
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.model_tables import KIND_FIELD, PARTIAL_TABLES, TABLES


def share_tables(members: Sequence[str], schemas: dict[str, Schema]) -> list[list[str]]:
    """The groups of entities that share a table (each entity's schema narrowed to the kinds no narrower entity
    asks for, in ``schemas``). A usage error for a sharing that cannot be kept apart."""
    groups: dict[str, list[str]] = {}
    for name in sorted(members):
        for table in schemas[name].json_schema.get(TABLES) or ():
            groups.setdefault(table, []).append(name)
    narrowed: set[str] = set()
    out: list[list[str]] = []
    for table, names in groups.items():
        if len(names) < 2:
            continue
        kind_fields = {schemas[n].json_schema.get(KIND_FIELD) for n in names}
        if None in kind_fields or len(kind_fields) > 1:
            first, second = names[:2]
            raise TestdataUsageError(
                f"dataset: entities {first!r} and {second!r} are both rows of table {table!r}, and they are not "
                "classes of one polymorphic model (a model and its table, or one table twice), so their rows "
                f"would compete for it. Ask for one of them; for a joined subclass's table, ask for its class.")
        for name in names:
            if name not in narrowed:
                _narrow(name, names, schemas)
                narrowed.add(name)
        out.append(names)
    return out


def built_before(groups: Sequence[Sequence[str]], order: Sequence[str]) -> dict[str, list[str]]:
    """For each entity of a shared table, the entities of its table the dataset builds before it (in the
    dataset's order: references decide it, and the table's entities follow it one after the other)."""
    place = {name: i for i, name in enumerate(order)}
    out: dict[str, set[str]] = {}
    for group in groups:
        for name in group:
            earlier = {n for n in group if place[n] < place[name]}
            if earlier:
                out.setdefault(name, set()).update(earlier)
    return {name: sorted(earlier, key=place.__getitem__) for name, earlier in out.items()}


def kinds_of_schema(schema: Schema) -> list[Any]:
    """The kinds (discriminator values) a model entity's records may be (none for other entities)."""
    field = str(schema.json_schema.get(KIND_FIELD))
    return list(schema.properties.get(field, {}).get("enum") or [])


def _narrow(name: str, group: Sequence[str], schemas: dict[str, Schema]) -> None:
    """``name``'s kinds less those a narrower entity of its table asks for (``User`` less ``Admin``'s)."""
    mine = kinds_of_schema(schemas[name])
    taken: list[Any] = []
    for other in group:
        theirs = kinds_of_schema(schemas[other])
        if other == name or not set(theirs) <= set(mine):
            continue
        if set(theirs) == set(mine):
            raise TestdataUsageError(
                f"dataset: entities {name!r} and {other!r} are rows of the same kinds of table "
                f"({', '.join(map(repr, mine))}): there is no telling their records apart. Ask for one of them.")
        taken += theirs
    left = [k for k in mine if k not in taken]
    if not left:
        raise TestdataUsageError(
            f"dataset: every kind of {name!r} ({', '.join(map(repr, mine))}) is asked for by another entity of its "
            "table, so its records would have none left. Leave it out, or give its own class a "
            "polymorphic_identity.")
    if left != mine:
        schemas[name] = _with_kinds(schemas[name], left)


def _with_kinds(schema: Schema, kinds: list[Any]) -> Schema:
    """The schema with its discriminator's ``enum`` narrowed (a new schema: its digest, and so every cache keyed
    by it, changes with it), less the unique combinations of the joined subclasses' tables that no kind left is
    a row of (``Submission`` without its ``Solve``s: a solve's ``(challenge_id, user_id)`` once)."""
    document = dict(schema.document)
    field = document[KIND_FIELD]
    properties: Mapping[str, Any] = document["properties"]
    document["properties"] = {**properties, field: {**properties[field], "enum": kinds}}
    dropped = [combo for table in (document.get(PARTIAL_TABLES) or {}).values()
               if not set(table["kinds"]) & set(kinds) for combo in table[TOGETHER]]
    if dropped:
        kept = [c for c in document.get(TOGETHER) or () if c not in dropped]
        document[TOGETHER] = kept
        if not kept:
            del document[TOGETHER]
    return Schema.from_json_schema(document, source=schema.source, name=schema.name)


__all__ = ["built_before", "kinds_of_schema", "share_tables"]
