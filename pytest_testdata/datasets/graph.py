"""The dataset's dependency graph: references (``x-ref``) between the entities, their cardinalities, the
order to build them in, and how many records each gets.

An entity is built after every entity it refers to. A reference cycle is broken at a nullable link
(that link is filled in once both sides exist, and loaded into a database by an update); a cycle with no
nullable link is an error, as is a reference to an entity no schema defines, a rule that needs an entity
the dataset lacks (reviews but no orders) and counts that no cardinality can satisfy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pytest_testdata.datasets.cardinality import Cardinality
from pytest_testdata.datasets.coherence import DatasetRule, dataset_rules
from pytest_testdata.datasets.inferred_rules import with_inferred_rules
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.datasets.shared_tables import built_before, kinds_of_schema, share_tables
from pytest_testdata.datasets.together import Combination, check_capacity, combinations
from pytest_testdata.errors import TestdataUsageError, suggest
from pytest_testdata.generators.traditional.field_names import snake
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry

DEFAULT_REF = Cardinality()
"""Undeclared references: long-tailed, about three children per parent, none required."""
NULLABLE_EMPTY = 0.1
"""Undeclared nullable references stay empty this often ("optional references sometimes empty")."""


@dataclass(frozen=True)
class Edge:
    """One reference: ``child.path`` holds a key of ``parent.parent_field``."""

    child: str
    path: str
    parent: str
    parent_field: str
    nullable: bool
    card: Cardinality
    deferred: bool = False
    """Part of a cycle: filled in after every entity is built."""
    owned: bool = False
    """Assigned by a cross-entity rule (a review's buyer and product come from an order)."""
    inferred: bool = False
    """Read from the field's name (``petId``), not declared with ``x-ref``."""
    absent_when_empty: bool = False
    """Optional but not nullable (its type has no ``null``): left empty, the field is left out, not null."""
    unique: bool = False
    """The field is unique (``x-unique``: a model's ``unique=True`` foreign key, a joined subclass's primary
    key): one-to-one, each parent referred to at most once (its cardinality is at most 1)."""

    @property
    def in_list(self) -> bool:
        return ".*." in self.path

    @property
    def name(self) -> str:
        return f"{self.child}.{self.path}"


@dataclass
class DatasetPlan:
    """Everything the builder needs, worked out once from the request and the schemas."""

    order: list[str]
    counts: dict[str, int]
    schemas: dict[str, Schema]
    edges: list[Edge]
    lists: dict[tuple[str, str], Cardinality]
    rules: dict[str, list[DatasetRule]]
    keys: dict[str, list[str]]
    external: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    pulled_in: dict[str, str] = field(default_factory=dict)
    """Entities a root request pulled in, with why (``"referenced by order.customer_id"``)."""
    together: dict[str, list[Combination]] = field(default_factory=dict)
    """Per entity, the fields whose combination must not repeat (:mod:`pytest_testdata.datasets.together`)."""
    apart: dict[str, list[Combination]] = field(default_factory=dict)
    """Per entity, groups of references that point at different records (:mod:`pytest_testdata.datasets.apart`)."""
    shared: dict[str, list[str]] = field(default_factory=dict)
    """Per entity whose table others share (classes of one model): those built before it, whose unique values it
    keeps apart from (:mod:`pytest_testdata.datasets.shared_tables`)."""

    def edges_of(self, entity: str) -> list[Edge]:
        return [e for e in self.edges if e.child == entity]

    def derived(self, entity: str) -> frozenset[str]:
        """Fields of ``entity`` the builder sets on every record after generation (references, values
        copied from a referenced record, and then what the schema's own rules compute from those:
        :func:`~pytest_testdata.generators.traditional.derived.rule_derived`), which the generator
        therefore need not draw. A rule's fields count only when its reference always resolves (not
        nullable, not external, not filled later)."""
        edges = self.edges_of(entity)
        out = {e.path for e in edges}
        always = {e.path for e in edges if e.card.empty == 0 and not e.nullable and not e.deferred
                  and e.parent not in self.external}
        for rule in self.rules.get(entity, ()):
            if not rule.ref_path or rule.ref_path in always:
                out.update(rule.sets)
        if out:  # the schema's own rules are enforced after the copies: what they compute is not drawn either
            from pytest_testdata.generators.traditional.derived import rule_derived

            out.update(rule_derived(self.schemas[entity]))
        return frozenset(out)

    def describe(self) -> dict[str, Any]:
        """For metadata and ``testdata dataset --explain``."""
        return {"order": self.order, "counts": self.counts,
                "references": {e.name: {"to": f"{e.parent}.{e.parent_field}", "cardinality": e.card.describe(),
                                        "deferred": e.deferred, "by_rule": e.owned,
                                        "by_field_name": e.inferred} for e in self.edges},
                "rules": {r.id: {"kind": r.kind, "inferred": r.spec.get("inferred") is True}
                          for n in self.order for r in self.rules.get(n, ())},
                "pulled_in": self.pulled_in, "external": {k: len(v) for k, v in self.external.items()},
                **({"shared": {n: {"after": earlier, "kinds": kinds_of_schema(self.schemas[n])}
                               for n, earlier in self.shared.items()}} if self.shared else {})}


def _null_allowed(sub: Mapping[str, Any]) -> bool:
    types = sub.get("type")
    return (isinstance(types, list) and "null" in types) or types == "null"


def _nullable(schema: Schema, path: str, sub: Mapping[str, Any]) -> bool:
    """May stay empty: null is allowed, or the top-level field is not required (then it is left out)."""
    if _null_allowed(sub):
        return True
    if "." not in path:
        return path not in schema.json_schema.get("required", [])
    return False


ONE_TO_ONE = Cardinality(min=0, max=1, mean=1.0, skew="even")
"""A unique reference's default: each parent referred to at most once, the referred ones drawn at random."""


def _ref_cardinality(where: str, sub: Mapping[str, Any], nullable: bool, overrides: Mapping[str, Any],
                     unique: bool = False, ruled: bool = False) -> Cardinality:
    """``ruled``: a ``present_iff`` rule says which records hold the reference (a file's ``challenge_id``, for
    challenge files), so by default none is left empty for the rule to fill with what is no key."""
    empty = NULLABLE_EMPTY if nullable and not ruled else 0.0
    base = (ONE_TO_ONE if unique else DEFAULT_REF).with_empty(empty)
    if "x-cardinality" in sub:
        base = Cardinality.parse(f"{where} (x-cardinality)", sub["x-cardinality"], base)
    if where in overrides:
        base = Cardinality.parse(where, overrides[where], base)
    if base.empty and not nullable:
        raise TestdataUsageError(f"cardinality[{where!r}]: empty={base.empty} but the reference is required; "
                                 "only a nullable reference can stay empty.")
    if base.empty and ruled:
        raise TestdataUsageError(
            f"cardinality[{where!r}]: empty={base.empty}, but a present_iff rule of the schema says which records "
            "hold the reference (and the rest leave it empty); a record it requires one of could not be left "
            "empty. Leave 'empty' out of its cardinality.")
    if unique and (base.max is None or base.max > 1):
        bounds = "no max" if base.max is None else f"a max of {base.max}"
        raise TestdataUsageError(
            f"cardinality[{where!r}]: {bounds} lets one record be referred to by several, but {where} is "
            f"unique (x-unique: a unique or primary-key column), so each is referred to at most once. Give a "
            f"max of 1 (1 for exactly one each, (0, 1) for at most one), or drop the field's uniqueness.")
    return base


def _unique_reference(path: str, sub: Mapping[str, Any]) -> bool:
    """A top-level reference whose field is unique: one-to-one (a list item's ``x-unique`` is not the
    dataset's to keep)."""
    return "." not in path and bool(sub.get("x-unique"))


def _references(schema: Schema, registry: SchemaRegistry, overrides: Mapping[str, Any]) -> list[Edge]:
    edges = []
    ruled = {spec.get("field") for spec in schema.coherence if spec.get("kind") == "present_iff"}
    for path, sub in schema.walk():
        if "x-ref" not in sub:
            continue
        target = str(sub["x-ref"])
        parent, dot, parent_field = target.partition(".")
        where = f"{schema.name}.{path}"
        if dot and parent not in registry and schema.source.startswith("sqlalchemy:"):
            raise TestdataUsageError(
                f"dataset: the model of table {schema.name!r} has a foreign key {where} -> {target}, and table "
                f"{parent!r} is not in the dataset. Add its model to the dataset (dataset({{..., {parent}Model: N}})), "
                f"or pass external={{'{parent}': [ids...]}} for {parent} rows that already exist in the database."
            )
        if not dot or parent not in registry:
            known = registry.names()
            raise TestdataUsageError(
                f"dataset: {where} refers to {target!r}, and no schema defines an entity {parent!r}"
                f"{suggest(parent, known)}. Known entities: {', '.join(known)}. Fix the x-ref "
                "(\"entity.field\") or load the schema that defines it."
            )
        parent = registry.get(parent).name  # (the entity's own spelling: "Accounts.id" refers to accounts)
        if registry.get(parent).subschema(parent_field) is None:
            fields = registry.get(parent).fields
            raise TestdataUsageError(
                f"dataset: {where} refers to {target!r}, but {parent} has no field {parent_field!r}"
                f"{suggest(parent_field, fields)}. Its fields: {', '.join(fields)}."
            )
        nullable, unique = _nullable(schema, path, sub), _unique_reference(path, sub)
        edges.append(Edge(schema.name, path, parent, parent_field, nullable,
                          _ref_cardinality(where, sub, nullable, overrides, unique, path in ruled),
                          absent_when_empty=nullable and not _null_allowed(sub), unique=unique))
    return edges


def _inferred_references(schema: Schema, registry: SchemaRegistry, named: Mapping[str, str],
                         overrides: Mapping[str, Any]) -> list[Edge]:
    """References a schema implies by its field names alone, to the entities of ``named``: an OpenAPI
    ``Order.petId`` holds a ``Pet``'s ``id`` when the dataset has pets. Only a top-level ``<entity>_id``
    (any spelling: ``petId``, ``payment_intent_id`` for ``PaymentIntent``) without ``x-ref``, whose entity
    is in ``named`` (:func:`_name_keys`), has a primary key (``id``/``<entity>_id``/``x-primary-key``) and
    a key of the same JSON type."""
    edges = []
    for name, sub in schema.properties.items():
        key = snake(name)
        if "x-ref" in sub or not key.endswith("_id") or _loose(key[:-3]) not in named:
            continue
        target = named[_loose(key[:-3])]  # as the dataset spells it (counts={"Pet": 5})
        if _loose(target) == _loose(schema.name):
            continue
        parent = registry.get(target)
        primary = _primary_key(parent)
        if primary is None or _json_type(sub) != _json_type(parent.properties.get(primary, {})):
            continue
        nullable, unique = _nullable(schema, name, sub), _unique_reference(name, sub)
        edges.append(Edge(schema.name, name, target, primary, nullable,
                          _ref_cardinality(f"{schema.name}.{name}", sub, nullable, overrides, unique),
                          inferred=True, absent_when_empty=nullable and not _null_allowed(sub), unique=unique))
    return edges


def _loose(name: str) -> str:
    """An entity's name as a field name may spell it: ``PaymentIntent``, ``payment_intent`` and
    ``payment-intent`` are one (``paymentintent``)."""
    return snake(name).replace("_", "")


def _name_keys(names: list[str]) -> dict[str, str]:
    """:func:`_loose` spelling -> the name, for the entities a field name may refer to."""
    return {_loose(n): n for n in names}


def _all_references(schema: Schema, registry: SchemaRegistry, named: Mapping[str, str],
                    overrides: Mapping[str, Any]) -> list[Edge]:
    """The declared references, then those inferred from field names that no declared one covers."""
    edges = _references(schema, registry, overrides)
    declared = {e.path for e in edges}
    return edges + [e for e in _inferred_references(schema, registry, named, overrides) if e.path not in declared]


def _json_type(sub: Mapping[str, Any]) -> str | None:
    types = sub.get("type")
    if isinstance(types, list):
        types = next((t for t in types if t != "null"), None)
    return "number" if types == "integer" else types if isinstance(types, str) else None


def _list_cardinalities(schema: Schema, overrides: Mapping[str, Any]) -> dict[tuple[str, str], Cardinality]:
    out = {}
    for path, sub in schema.walk():
        if sub.get("type") != "array" or "." in path:
            continue
        where = f"{schema.name}.{path}"
        lo, hi = int(sub.get("minItems", 0)), sub.get("maxItems")
        base = Cardinality(min=lo, max=hi, mean=(lo + hi) / 2 if hi is not None else lo + 2, skew="uniform")
        declared = "x-cardinality" in sub
        if declared:
            base = Cardinality.parse(f"{where} (x-cardinality)", sub["x-cardinality"], base)
        if where in overrides:
            base = Cardinality.parse(where, overrides[where], base)
        if declared or where in overrides:
            if base.min < lo or (hi is not None and (base.max is None or base.max > hi)):
                raise TestdataUsageError(
                    f"cardinality[{where!r}]: {base.describe()} goes beyond the schema's minItems/maxItems "
                    f"({lo}..{hi}). Stay within them.")
            out[(schema.name, path)] = base
    return out


def plan_dataset(request: DatasetRequest, registry: SchemaRegistry, *, check_external: bool = True) -> DatasetPlan:
    """Work out entities, order, counts, edges and rules; every bad input is one clear usage error.

    ``check_external=False`` leaves the external ids unchecked against the fields that hold them: for the
    command line, whose ids are text until the plan tells which fields take integers."""
    wanted = [request.root] if request.root else list(request.counts)
    for name in [*wanted, *request.external, *request.strategies]:
        registry.get(name)  # UnknownEntityError with a suggestion
    _check_not_external(wanted, request)
    overrides = dict(request.cardinality)
    schemas: dict[str, Schema] = {}
    edges_of: dict[str, list[Edge]] = {}

    # By field name (_inferred_references): with counts, to the entities asked for; with a root, to any
    # entity the registry knows, which is then pulled in as a declared reference's entity is.
    named = _name_keys([*(registry.names() if request.root else ()), *wanted, *request.external])

    def load(name: str) -> None:
        if name not in schemas:
            schemas[name] = registry.get(name)
            edges_of[name] = _all_references(schemas[name], registry, named, overrides)

    for name in wanted:
        load(name)
    pulled: dict[str, str] = {}
    if request.root:
        _pull_in(request.root, registry, schemas, edges_of, load, pulled, request, named, overrides)
    members = [n for n in schemas if n not in request.external]
    sharing = share_tables(members, schemas)  # classes of one model asked for together (narrowed in schemas)
    rules = {n: dataset_rules(schemas[n]) for n in members}
    _check_members(members, edges_of, rules, request)
    counts = dict(request.counts) if request.counts else _root_counts(request, members, edges_of, rules)
    _check_overrides(overrides, schemas, edges_of)
    edges = [e for n in members for e in edges_of[n]]
    owned = {(n, p) for n in members for r in rules[n] for p in r.owns}
    edges = [replace(e, owned=(e.child, e.path) in owned) for e in edges]
    order, edges = _order(members, edges, rules)
    shared = built_before(sharing, order)
    # After the order: a reference the inferred rule follows is already a dependency, so it adds none.
    for n in members:
        schema = with_inferred_rules(n, schemas[n], edges, schemas, members)
        if schema is not schemas[n]:
            schemas[n], rules[n] = schema, dataset_rules(schema)
    _check_counts(edges, counts, request)
    _check_external_used(edges, request)
    if check_external:
        _check_external_fit(edges, schemas, request)
    together, apart = _together(members, schemas, edges, counts, request)
    keys: dict[str, list[str]] = {n: [] for n in members}
    for e in edges:
        if e.parent in keys and e.parent_field not in keys[e.parent]:
            keys[e.parent].append(e.parent_field)
    for n in members:
        primary = _primary_key(schemas[n])
        if primary and primary not in keys[n]:
            keys[n].insert(0, primary)
    lists = {k: v for n in members for k, v in _list_cardinalities(schemas[n], overrides).items()}
    return DatasetPlan(order, {n: counts[n] for n in order}, schemas, edges, lists, rules, keys,
                       dict(request.external), pulled, together, apart, shared)


def _together(members: list[str], schemas: Mapping[str, Schema], edges: list[Edge], counts: Mapping[str, int],
              request: DatasetRequest) -> tuple[dict[str, list[Combination]], dict[str, list[Combination]]]:
    """Each member's ``x-unique-together`` combinations, checked, and room enough for its records; and its
    groups of references kept apart (:mod:`pytest_testdata.datasets.apart`)."""
    from pytest_testdata.datasets.apart import groups

    out: dict[str, list[Combination]] = {}
    apart: dict[str, list[Combination]] = {}
    for name in members:
        combos = combinations(schemas[name].json_schema, f"dataset: the {name} schema")
        mine = [e for e in edges if e.child == name and not e.in_list and not e.owned]
        # kept apart as they are assigned: not those filled in after a cycle
        found = groups(name, schemas[name].coherence, combos,
                       {e.path: (e.parent, _parent_count(e, counts, request)) for e in mine if not e.deferred})
        if found:
            apart[name] = found
        if not combos:
            continue
        parents = {e.path: (e.parent, _parent_count(e, counts, request)) for e in mine if not e.nullable}
        check_capacity(name, combos, parents, counts[name], found)
        out[name] = combos
    return out, apart


def _primary_key(schema: Schema) -> str | None:
    """``x-primary-key``, else ``<entity>_id``/``id``, else the first unique top-level field."""
    declared = schema.json_schema.get("x-primary-key")
    if isinstance(declared, str):
        return declared
    for name in (f"{schema.name}_id", "id"):
        if name in schema.properties:
            return name
    return next((p for p in schema.unique_fields() if "." not in p), None)


def _pull_in(root: str, registry: SchemaRegistry, schemas: dict[str, Schema], edges_of: dict[str, list[Edge]],
             load: Any, pulled: dict[str, str], request: DatasetRequest, named: Mapping[str, str],
             overrides: Mapping[str, Any]) -> None:
    """The root's referenced entities (transitively, and what its rules read) plus its direct dependents."""
    todo = [root]
    while todo:
        name = todo.pop()
        needs = [(e.parent, f"referenced by {e.name}") for e in edges_of[name]]
        needs += [(d, f"read by rule {r.id}") for r in dataset_rules(schemas[name]) for d in r.depends_on]
        for parent, why in needs:
            if parent not in schemas and parent not in request.external:
                load(parent)
                pulled[parent] = why
                todo.append(parent)
    for other in registry.names():
        if other in schemas or other in request.external:
            continue
        schema = registry.get(other)
        declared = [(path, *t.partition(".")[::2]) for path, t in schema.references().items()]
        if any(e in schemas and schemas[e].subschema(f) is None for _, e, f in declared):
            continue  # written for another entity of that name (a built-in payment's order, not yours)
        targets = {path: entity for path, entity, _ in declared}
        for e in _inferred_references(schema, registry, named, {}):  # by field name, as declared ones
            targets.setdefault(e.path, e.parent)
        refs = [path for path, target in targets.items() if target == root]
        if refs and all(t in schemas or t in request.external for t in targets.values()):
            load(other)
            pulled[other] = f"refers to {root} ({other}.{refs[0]})"


def _check_not_external(wanted: list[str], request: DatasetRequest) -> None:
    """An entity is built by the dataset or exists elsewhere (external ids), never both: a count or root
    for an entity with external ids would otherwise be dropped without a word."""
    for name in wanted:
        ids = request.external.get(name)
        if ids is None:
            continue
        if request.root is not None:
            raise TestdataUsageError(
                f"dataset: root={name!r} is also given external ids ({len(ids)}): the root is the entity the "
                f"dataset builds. Ask for another root, or leave {name} out of external (--external)."
            )
        raise TestdataUsageError(
            f"dataset: {name} has a count ({request.counts[name]}) and external ids ({len(ids)}): its records "
            f"are either built by the dataset or exist elsewhere, not both. Drop the count "
            f"({name}=N on the command line) or the ids (external={{'{name}': [...]}}, --external {name}=...)."
        )


def _check_external_used(edges: list[Edge], request: DatasetRequest) -> None:
    """External ids are for references to draw from: ids of an entity no reference of the dataset points at
    would be taken and never used."""
    referenced = {e.parent for e in edges}
    for name, ids in request.external.items():
        if name not in referenced:
            raise TestdataUsageError(
                f"dataset: external ids for {name} ({len(ids)}), but no entity of the dataset refers to {name}, "
                f"so they would never be used. Entities referred to here: "
                f"{', '.join(sorted(referenced)) or 'none'}. Leave {name} out of external (--external), or add an "
                f"entity that refers to it."
            )


def _check_external_fit(edges: list[Edge], schemas: Mapping[str, Schema], request: DatasetRequest) -> None:
    """Every external id fits each field that refers to its entity: an id the field's schema refuses would
    make every record that draws it invalid (one violation per record, after the whole build), where one
    error naming the id says it before anything is built."""
    from pytest_testdata.quality.validator import value_problems  # here: planning alone imports no validator

    for edge in edges:
        ids = request.external.get(edge.parent)
        node = schemas[edge.child].subschema(edge.path) if ids else None
        if not ids or not node:
            continue
        check = value_problems(node)
        refused = [(value, problems) for value in ids if (problems := check(value))]
        if refused:
            value, problems = refused[0]
            count = (f" ({len(refused)} of the {len(ids)} ids {'does' if len(refused) == 1 else 'do'} not fit)"
                     if len(ids) > 1 else "")
            raise TestdataUsageError(
                f"dataset: external id {value!r} of {edge.parent} cannot go into {edge.name}: {problems[0]}"
                f"{count}. Give ids that {edge.name}'s schema accepts ({_field_summary(node)}), or "
                f"correct that schema if it does not match the ids {edge.parent} records really have."
            )


def _field_summary(node: Mapping[str, Any]) -> str:
    """``type string, format uuid``: what a field's schema asks of a value, for an error message."""
    parts = [f"{key} {node[key]}" for key in ("type", "format", "pattern", "minLength", "maxLength", "minimum",
                                              "maximum", "enum") if key in node]
    return ", ".join(parts) or "any value"


def _check_members(members: list[str], edges_of: dict[str, list[Edge]], rules: dict[str, list[DatasetRule]],
                   request: DatasetRequest) -> None:
    have = set(members) | set(request.external)
    for name in members:
        for e in edges_of[name]:
            if e.parent not in have:
                raise TestdataUsageError(
                    f"dataset: {e.name} refers to {e.parent}, which is not in the dataset. Add a count for it "
                    f"(counts={{'{e.parent}': N, ...}}; {e.parent}=N on the command line), pass "
                    f"external={{'{e.parent}': [ids...]}} (--external {e.parent}=ID,ID,...) for {e.parent} "
                    f"records that exist elsewhere, or ask for root='{name}' (--root {name}) to pull it in."
                )
        for rule in rules[name]:
            for needed in rule.depends_on:
                # A rule that compares with a referenced record does not apply to external ids (there is
                # no record to compare with); one that reads another entity's records needs them.
                if needed not in members and not (needed in request.external and rule.target is not None
                                                  and rule.target[0] == needed):
                    raise TestdataUsageError(
                        f"dataset: {name} records need {needed} records (rule {rule.id}: {rule.kind} reads "
                        f"{needed}), and the dataset has none. Add {needed} to the counts "
                        f"(counts={{'{needed}': N, ...}}; {needed}=N on the command line), or leave {name} out."
                    )


def _mean_children(edges: list[Edge], parent: str) -> float:
    means = [e.card.mean * (1 - e.card.empty) for e in edges if e.parent == parent and not e.in_list]
    return max(means) if means else 1.0


def _root_counts(request: DatasetRequest, members: list[str], edges_of: dict[str, list[Edge]],
                 rules: dict[str, list[DatasetRule]]) -> dict[str, int]:
    """Size every entity from the root's count and the cardinalities' means."""
    assert request.root is not None and request.count is not None
    counts = {request.root: request.count}
    for name in members:  # direct dependents of the root
        for e in edges_of[name]:
            if name != request.root and e.parent == request.root and not e.in_list:
                counts[name] = max(counts.get(name, 0), math.ceil(request.count * e.card.mean * (1 - e.card.empty)))
    changed = True
    while changed:  # ancestors: enough parents for their children at the declared means
        changed = False
        for child, n in list(counts.items()):
            wanted = [(e.parent, e.card.mean * (1 - e.card.empty)) for e in edges_of[child] if not e.owned]
            referenced = {e.parent for e in edges_of[child]}
            wanted += [(d, 1.0) for r in rules[child] for d in r.depends_on if d not in referenced]
            for parent, mean in wanted:
                if parent == child or parent not in members:
                    continue
                need = max(1, math.ceil(n / mean)) if mean > 0 else 1
                if need > counts.get(parent, 0):
                    counts[parent] = need
                    changed = True
    return counts


def _check_overrides(overrides: Mapping[str, Any], schemas: dict[str, Schema],
                     edges_of: dict[str, list[Edge]]) -> None:
    known = [e.name for es in edges_of.values() for e in es]
    known += [f"{n}.{p}" for n, s in schemas.items() for p, sub in s.walk()
              if sub.get("type") == "array" and "." not in p]
    for where in overrides:
        if where not in known:
            raise TestdataUsageError(
                f"dataset cardinality: {where!r} is not a reference or list of the dataset"
                f"{suggest(where, known)}. Allowed: {', '.join(sorted(known))}."
            )


def _order(members: list[str], edges: list[Edge], rules: dict[str, list[DatasetRule]]) -> tuple[list[str], list[Edge]]:
    """Dependency order (parents first); nullable links inside a cycle are deferred."""
    deps: dict[str, set[str]] = {n: set() for n in members}
    for e in edges:
        if e.parent in deps:
            deps[e.child].add(e.parent)
    for n in members:
        for r in rules[n]:
            deps[n].update(d for d in r.depends_on if d in deps)
    cyclic = _cycle_members(deps)
    out = []
    for e in edges:
        in_cycle = e.parent == e.child or (e.parent in cyclic and cyclic.get(e.parent) == cyclic.get(e.child))
        out.append(replace(e, deferred=in_cycle and e.nullable))
    hard: dict[str, set[str]] = {n: set() for n in members}
    for e in out:
        if e.parent in hard and not e.deferred:
            hard[e.child].add(e.parent)
    # A rule that looks through a deferred reference is met when that reference is filled in, by choosing
    # what it points at (datasets/deferred.py): it adds no dependency.
    later = {(e.child, e.path) for e in out if e.deferred}
    for n in members:
        for r in rules[n]:
            if (n, r.ref_path) not in later:
                hard[n].update(d for d in r.depends_on if d in hard)
    # Ties go by name, so the order (and the stream's) never depends on how the counts were listed.
    order: list[str] = []
    ready = sorted(n for n in members if not hard[n])
    done: set[str] = set()
    while ready:
        name = ready.pop(0)
        order.append(name)
        done.add(name)
        fresh = [n for n in members if n not in done and n not in ready and hard[n] <= done]
        ready = sorted([*ready, *fresh])
    if len(order) < len(members):
        stuck = [n for n in members if n not in done]
        links = [f"{e.name} -> {e.parent}" for e in out if e.child in stuck and e.parent in stuck and not e.deferred]
        links += [f"{r.id} (x-dataset-coherence) -> {d}" for n in stuck for r in rules[n] for d in r.depends_on
                  if d in stuck and (n, r.ref_path) not in later]
        raise TestdataUsageError(
            f"dataset: the references {'; '.join(links)} form a cycle with no nullable link to break it, so no "
            "entity of it can be built first. Make one of these references nullable (\"type\": [\"string\", "
            "\"null\"], or leave it out of \"required\"): it is then filled in once both records exist."
        )
    return order, out


def _cycle_members(deps: dict[str, set[str]]) -> dict[str, int]:
    """Entity -> strongly connected component id, for components that form a cycle (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comp: dict[str, int] = {}
    counter = [0, 0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(deps[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in deps[v]:
                for w in group:
                    comp[w] = counter[1]
                counter[1] += 1

    for v in sorted(deps):
        if v not in index:
            visit(v)
    return comp


def _parent_count(edge: Edge, counts: Mapping[str, int], request: DatasetRequest) -> int:
    """How many keys ``edge`` can point at: its parent's count, or the external ids given for it."""
    external = request.external.get(edge.parent)
    return len(external) if external is not None else counts[edge.parent]


def _check_counts(edges: list[Edge], counts: Mapping[str, int], request: DatasetRequest) -> None:
    for e in edges:
        if e.in_list or e.owned:
            continue
        parents = _parent_count(e, counts, request)
        children = counts[e.child] - round(counts[e.child] * e.card.empty)
        lo, hi = e.card.min, e.card.max
        if parents * lo > children:
            raise TestdataUsageError(
                f"dataset: {counts[e.child]} {e.child} record(s) cannot give each of {parents} {e.parent} record(s) "
                f"at least {lo} (cardinality of {e.name}: {e.card.describe()}). Ask for at least {parents * lo} "
                f"{e.child} records, fewer {e.parent} records, or a lower min."
            )
        if hi is not None and children > parents * hi:
            why = (f"{e.name} is unique, so each {e.parent} record is referred to at most once" if e.unique
                   else f"cardinality of {e.name}: {e.card.describe()}")
            fix = "" if e.unique else ", or a higher max"
            raise TestdataUsageError(
                f"dataset: {counts[e.child]} {e.child} record(s) cannot be spread over {parents} {e.parent} "
                f"record(s) with at most {hi} each ({why}). Ask for at most {parents * hi} {e.child} records"
                f"{' or' if e.unique else ','} more {e.parent} records{fix}."
            )
