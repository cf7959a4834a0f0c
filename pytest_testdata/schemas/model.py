"""The schema model: a JSON Schema document with a few ``x-`` extensions.

Built-in entities, user schema files and pydantic models all become a :class:`Schema`. The format is
plain JSON Schema (draft 2020-12), so a user's existing JSON Schema works unchanged and the same document
constrains LLM output. Extensions, all optional:

``x-version``
    Bumped when the schema changes meaningfully; part of every cache and cassette key.
``x-domain``
    A grouping (``ecommerce``) for ``GetSchemas``-style filtering.
``x-unique``
    On a property: values never repeat within a run.
``x-ref``
    On a property: ``"user.user_id"``, the entity and field this value refers to.
``x-gen``
    On a property: which value generator the traditional strategy uses (``person.first_name``...).
``x-free-text``
    On a property: prose that an LLM writes better than a template (the router looks at it).
``x-coherence``
    At the top: the cross-field rules (see :mod:`pytest_testdata.quality.rules`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pytest_testdata.errors import TestdataUsageError


@dataclass(frozen=True, eq=False)
class Schema:
    """One entity's schema, with ``$ref`` resolved and its extensions read."""

    name: str
    json_schema: Mapping[str, Any]
    version: int = 1
    domain: str = "default"
    description: str = ""
    source: str = "<memory>"
    coherence: tuple[Mapping[str, Any], ...] = ()
    digest: str = field(default="", compare=False)

    @classmethod
    def from_json_schema(cls, data: Mapping[str, Any], *, source: str = "<memory>",
                         name: str | None = None) -> Schema:
        """Build from a JSON Schema document; raises :class:`TestdataUsageError` on a malformed one."""
        if not isinstance(data, Mapping):
            raise TestdataUsageError(f"schema {source}: expected a JSON object at the top, got {type(data).__name__}.")
        entity = name or data.get("x-entity") or data.get("title")
        if not isinstance(entity, str) or not entity.strip():
            raise TestdataUsageError(
                f"schema {source}: no entity name. Add a \"title\" (or \"x-entity\") such as \"invoice\"."
            )
        entity = entity.strip().lower().replace(" ", "_")
        if data.get("type", "object") != "object" or not isinstance(data.get("properties"), Mapping):
            raise TestdataUsageError(
                f"schema {source}: entity {entity!r} must be an object schema with \"properties\"; "
                f"got type={data.get('type')!r}."
            )
        resolved = _normalize(_resolve_refs(data, data, source))
        version = data.get("x-version", 1)
        if isinstance(version, bool) or not isinstance(version, int):
            raise TestdataUsageError(f"schema {source}: \"x-version\" must be a whole number, got {version!r}.")
        rules = data.get("x-coherence", [])
        if not isinstance(rules, list) or not all(isinstance(r, Mapping) and "kind" in r for r in rules):
            raise TestdataUsageError(
                f"schema {source}: \"x-coherence\" must be a list of objects each with a \"kind\"."
            )
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return cls(
            name=entity, json_schema=resolved, version=version, domain=str(data.get("x-domain", "default")),
            description=str(data.get("description", "")), source=source, coherence=tuple(rules),
            digest=hashlib.sha256(canonical.encode()).hexdigest()[:16],
        )

    @classmethod
    def from_pydantic(cls, model: type[Any], *, name: str | None = None) -> Schema:
        """Build from a pydantic model class (its ``model_json_schema()``)."""
        if not hasattr(model, "model_json_schema"):
            raise TestdataUsageError(
                f"schema: {model!r} is not a pydantic v2 model class (it has no model_json_schema())."
            )
        data = dict(model.model_json_schema())
        return cls.from_json_schema(data, source=f"pydantic:{model.__module__}.{model.__qualname__}",
                                    name=name or model.__name__.lower())

    @property
    def properties(self) -> Mapping[str, Mapping[str, Any]]:
        """The top-level properties, in declaration order."""
        props: Mapping[str, Mapping[str, Any]] = self.json_schema["properties"]
        return props

    @property
    def fields(self) -> tuple[str, ...]:
        """Top-level field names, in declaration order."""
        return tuple(self.properties)

    @property
    def key(self) -> str:
        """``name@version#digest``: what cache and cassette keys use to notice a changed schema."""
        return f"{self.name}@{self.version}#{self.digest}"

    def walk(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Every property as ``(dotted path, subschema)``; array items appear as ``items.*.sku``."""
        return iter(self._paths)

    @cached_property
    def _paths(self) -> tuple[tuple[str, Mapping[str, Any]], ...]:
        # Walked once: the generator, validator and router read unique and free-text fields on every
        # request, and a walk costs more than generating a record. (A schema is frozen once built.)
        return tuple(_walk(self.json_schema, ""))

    def references(self) -> dict[str, str]:
        """``{"customer_id": "user.user_id", ...}`` from the ``x-ref`` markers."""
        return {path: str(sub["x-ref"]) for path, sub in self.walk() if "x-ref" in sub}

    def unique_fields(self) -> tuple[str, ...]:
        """Paths of the properties marked ``x-unique``."""
        return self._unique_fields

    @cached_property
    def _unique_fields(self) -> tuple[str, ...]:
        return tuple(path for path, sub in self.walk() if sub.get("x-unique"))

    def free_text_fields(self) -> tuple[str, ...]:
        """Paths of the properties marked ``x-free-text`` (prose the router sends to an LLM)."""
        # Memoised: the router asks on every request, and walking the schema each time was the larger
        # part of a cache hit's cost. The schema is frozen, so the answer cannot change.
        cached: tuple[str, ...] | None = self.__dict__.get("_free_text_fields")
        if cached is None:
            cached = tuple(path for path, sub in self.walk() if sub.get("x-free-text"))
            object.__setattr__(self, "_free_text_fields", cached)
        return cached

    def subschema(self, path: str) -> Mapping[str, Any] | None:
        """The subschema at a dotted path, or None."""
        for candidate, sub in self.walk():
            if candidate == path:
                return sub
        return None

    def output_schema(self) -> dict[str, Any]:
        """A clean JSON Schema for structured output (``x-`` keys and ``$defs`` removed)."""
        stripped: dict[str, Any] = _strip_extensions(self.json_schema)
        return stripped

    def describe(self) -> dict[str, Any]:
        """A summary for listings (``testdata schemas``, ``GetSchemas``)."""
        return {
            "name": self.name, "version": self.version, "domain": self.domain,
            "description": self.description, "fields": list(self.fields), "source": self.source,
            "references": self.references(), "coherence_rules": [r["kind"] for r in self.coherence],
        }


def _walk(node: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for name, sub in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        yield path, sub
        if "properties" in sub:
            yield from _walk(sub, f"{path}.")
        items = sub.get("items")
        if isinstance(items, Mapping) and "properties" in items:
            yield from _walk(items, f"{path}.*.")


def _resolve_refs(node: Any, root: Mapping[str, Any], source: str, depth: int = 0) -> Any:
    """Inline local ``$ref``s (``#/$defs/x``); schemas here are trees, so recursion is bounded."""
    if depth > 32:
        raise TestdataUsageError(f"schema {source}: $ref nesting deeper than 32 levels (a recursive schema?).")
    if isinstance(node, Mapping):
        if "$ref" in node:
            target = _lookup(root, str(node["$ref"]), source)
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return _resolve_refs(merged, root, source, depth + 1)
        return {k: _resolve_refs(v, root, source, depth) for k, v in node.items() if k not in ("$defs", "definitions")}
    if isinstance(node, list):
        return [_resolve_refs(v, root, source, depth) for v in node]
    return node


def _normalize(node: Any) -> Any:
    """Rewrite the JSON Schema forms pydantic emits into the ones generation and validation read.

    ``anyOf``/``oneOf`` with a null branch (``Optional[X]``) becomes X with ``"null"`` added to its
    type; other unions keep their first branch (generation needs one shape); ``const`` becomes a
    one-value ``enum``; exclusive integer bounds become inclusive ones; a one-element ``allOf``
    is merged in.
    """
    if isinstance(node, list):
        return [_normalize(v) for v in node]
    if not isinstance(node, Mapping):
        return node
    out = {k: _normalize(v) for k, v in node.items()}
    all_of = out.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
        out = {**all_of[0], **{k: v for k, v in out.items() if k != "allOf"}}
    for key in ("anyOf", "oneOf"):
        branches = out.get(key)
        if not isinstance(branches, list) or not branches:
            continue
        shapes = [b for b in branches if isinstance(b, Mapping) and b.get("type") != "null"]
        nullable = len(shapes) < len(branches)
        if not shapes:
            continue
        merged = {**shapes[0], **{k: v for k, v in out.items() if k != key}}
        kind = merged.get("type", "object" if "properties" in merged else None)
        if nullable and kind is not None:
            listed = list(kind) if isinstance(kind, list) else [kind]
            merged["type"] = listed if "null" in listed else [*listed, "null"]
        out = merged
    if "const" in out and "enum" not in out:
        out["enum"] = [out["const"]]
    declared = out.get("type")
    kinds = set(declared) if isinstance(declared, list) else {declared}
    if "integer" in kinds:
        if isinstance(out.get("exclusiveMinimum"), (int, float)):
            bound = math.floor(out.pop("exclusiveMinimum")) + 1
            out["minimum"] = max(bound, out.get("minimum", bound))
        if isinstance(out.get("exclusiveMaximum"), (int, float)):
            bound = math.ceil(out.pop("exclusiveMaximum")) - 1
            out["maximum"] = min(bound, out.get("maximum", bound))
    elif "number" in kinds:
        # Generators read minimum/maximum; the validator also reads the exclusive keys, kept beside.
        if isinstance(out.get("exclusiveMinimum"), (int, float)):
            out["minimum"] = max(out["exclusiveMinimum"], out.get("minimum", out["exclusiveMinimum"]))
        if isinstance(out.get("exclusiveMaximum"), (int, float)):
            out["maximum"] = min(out["exclusiveMaximum"], out.get("maximum", out["exclusiveMaximum"]))
    return out


def _lookup(root: Mapping[str, Any], ref: str, source: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise TestdataUsageError(
            f"schema {source}: only local references like \"#/$defs/address\" are supported, got {ref!r}."
        )
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, Mapping) or part not in node:
            raise TestdataUsageError(f"schema {source}: $ref {ref!r} points at nothing.")
        node = node[part]
    return copy.deepcopy(node)


def _strip_extensions(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: _strip_extensions(v) for k, v in node.items() if not k.startswith("x-") and k != "$schema"}
    if isinstance(node, list):
        return [_strip_extensions(v) for v in node]
    return node
