"""OpenAPI 3.0 and 3.1 documents as entity sources: every object under ``components/schemas`` is an entity.

Each component is translated to a standalone JSON Schema 2020-12 document that the schema core reads like
any user schema: the component at the top and the components it references (transitively) under
``$defs``, with ``#/components/schemas/X`` rewritten to ``#/$defs/X``. OpenAPI 3.0's dialect is translated:

- ``nullable: true`` adds ``null`` to the type (an ``enum`` without ``null`` still excludes it, as the
  3.0.3 clarification of ``nullable`` says); on a bare ``$ref`` it becomes ``anyOf [ref, null]``;
- boolean ``exclusiveMinimum`` / ``exclusiveMaximum`` become the numeric 2020-12 forms;
- ``example`` becomes ``examples``; ``readOnly`` / ``writeOnly`` stay (annotations: the record is the whole
  resource, so both kinds of field are generated);
- ``discriminator``: each ``oneOf`` / ``anyOf`` branch gets its tag fixed to the value(s) the ``mapping``
  (or, without one, the component's name) gives it, and a component that extends a base with a
  discriminator through ``allOf`` gets its own tag value;
- OpenAPI's number formats become bounds (``int32``, ``int64``) or go (``float``, ``double``); ``byte`` is
  ``contentEncoding: base64``; ``binary`` and ``password`` are plain strings.

A reference outside the document (``other.yaml#/...``) is refused with the component's JSON pointer.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pytest_testdata.errors import SchemaError
from pytest_testdata.schemas.int_formats import FORMAT_KEY, INT_FORMAT_BOUNDS
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.sources.files import PendingEntity

DIALECT = "https://json-schema.org/draft/2020-12/schema"
PREFIX = "#/components/schemas/"
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
                  "unevaluatedProperties", "unevaluatedItems", "additionalItems", "contentSchema")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_DROPPED = ("xml", "externalDocs")


def entities_in_document(doc: Mapping[str, Any], path: str) -> list[PendingEntity]:
    """The pending entities of an OpenAPI document (its object components), in document order."""
    version = str(doc.get("openapi", doc.get("swagger", "")))
    if not re.match(r"3\.[01]\.", version + "."):
        raise SchemaError(
            path, "/openapi", "openapi", f"OpenAPI version {version!r} is not supported (allowed: 3.0.x, 3.1.x)",
            "convert a Swagger 2.0 document first (for example with swagger2openapi)",
        )
    components = doc.get("components", {})
    schemas = components.get("schemas", {}) if isinstance(components, Mapping) else {}
    if not isinstance(schemas, Mapping) or not schemas:
        raise SchemaError(path, "/components", "components", "the document has no components/schemas, so it "
                          "defines no entity", "add the entities under components/schemas")
    translated = _Translated(schemas, legacy=version.startswith("3.0"), path=path)
    return [PendingEntity(name, f"{path}{PREFIX}{name}", translated.builder(name))
            for name, node in schemas.items() if _is_object(node, schemas)]


def _is_object(node: Any, schemas: Mapping[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    if not isinstance(node, Mapping):
        return False
    kind = node.get("type")
    if kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in node:
        return True
    if kind is not None:
        return False
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(PREFIX):
        target = ref[len(PREFIX):]
        return target not in seen and _is_object(schemas.get(target), schemas, seen | {target})
    branches = [b for key in ("allOf", "oneOf", "anyOf") for b in node.get(key) or ()]
    return bool(branches) and any(_is_object(b, schemas, seen) for b in branches)


class _Translated:
    """The document's components in JSON Schema 2020-12, each translated on first use: a component and the
    components it references (transitively), not the whole document."""

    def __init__(self, schemas: Mapping[str, Any], *, legacy: bool, path: str) -> None:
        self.raw = schemas
        self.legacy = legacy
        self.path = path
        self._done: dict[str, Any] = {}
        self._bases: dict[str, tuple[str, dict[str, str]]] = {}
        self._order = {name: i for i, name in enumerate(schemas)}

    def builder(self, name: str) -> Any:
        def build() -> Schema:
            return Schema.from_json_schema(self.document(name), source=f"{self.path}{PREFIX}{name}", name=name)

        return build

    def document(self, name: str) -> dict[str, Any]:
        """The standalone JSON Schema of one component (raises the error of any component it needs)."""
        done = self._translated(name)
        wanted = _closure(name, done, self._order)
        for needed in (name, *wanted):
            if isinstance(done[needed], SchemaError):
                raise done[needed]
        top = copy.deepcopy(done[name])
        kinds = top.get("type")
        if isinstance(kinds, list) and "null" in kinds:
            # A nullable component is nullable where it is referenced; the entity itself is a record.
            rest = [k for k in kinds if k != "null"]
            top["type"] = rest[0] if len(rest) == 1 else rest
        defs = {n: copy.deepcopy(done[n]) for n in wanted}
        own = top.pop("$defs", None)
        if isinstance(own, Mapping):
            defs = {**own, **defs}
        out: dict[str, Any] = {"$schema": DIALECT, **top}
        if defs:
            out["$defs"] = defs
        return out

    def _translated(self, name: str) -> dict[str, Any]:
        """The translations so far, now including ``name`` and every component it reaches."""
        new: dict[str, Any] = {}
        stack = [name]
        while stack:
            current = stack.pop()
            if current in self._done or current in new or current not in self.raw:
                continue
            node = self.raw[current]
            try:
                new[current] = _translate(node, self.legacy, self.path, f"{PREFIX[1:]}{current}")
            except SchemaError as exc:
                new[current] = exc  # only the entities that need this component fail
            stack.extend(_referenced(node))
        _apply_discriminators(new, self.path, self._bases)
        self._done.update(new)
        return self._done


def _referenced(node: Any) -> list[str]:
    """The components a schema of the document refers to (``#/components/schemas/X...``)."""
    found = []
    for sub in _schemas(node):
        ref = sub.get("$ref")
        for prefix in (PREFIX, "#/$defs/"):
            if isinstance(ref, str) and ref.startswith(prefix):
                found.append(ref[len(prefix):].split("/")[0].replace("~1", "/").replace("~0", "~"))
    return found


def _translate(node: Any, legacy: bool, path: str, where: str) -> Any:
    """One schema object in the 2020-12 dialect (recursing only into places that hold schemas)."""
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {k: _translate(v, legacy, path, f"{where}/{key}/{_escape(k)}") for k, v in value.items()}
        elif key in _SCHEMA_VALUES and isinstance(value, Mapping):
            out[key] = _translate(value, legacy, path, f"{where}/{key}")
        elif (key in _SCHEMA_LISTS and isinstance(value, list)) or (key == "items" and isinstance(value, list)):
            out[key] = [_translate(v, legacy, path, f"{where}/{key}/{i}") for i, v in enumerate(value)]
        elif key not in _DROPPED:
            out[key] = value
    ref = out.get("$ref")
    if isinstance(ref, str):
        if ref.startswith(PREFIX):
            out["$ref"] = "#/$defs/" + ref[len(PREFIX):]
        elif not ref.startswith("#/$defs/"):
            raise SchemaError(
                path, where, "$ref", f"{ref!r} points outside components/schemas of this document",
                "bundle the document first (for example `redocly bundle`) so that every schema reference is "
                "#/components/schemas/<Name>",
            )
    if "example" in out:
        example = out.pop("example")
        out.setdefault("examples", [example])
    _formats(out)
    if legacy:
        _exclusive_bounds(out)
        if out.pop("nullable", False) is True:
            out = _nullable(out)
    return out


def _formats(out: dict[str, Any]) -> None:
    fmt = out.get("format")
    if fmt in INT_FORMAT_BOUNDS and out.get("type") in ("integer", "number", ["integer", "null"],
                                                        ["number", "null"]):
        low, high = INT_FORMAT_BOUNDS[str(fmt)]
        filled = False
        if "minimum" not in out and "exclusiveMinimum" not in out:
            out["minimum"], filled = low, True
        if "maximum" not in out and "exclusiveMaximum" not in out:
            out["maximum"], filled = high, True
        if filled:
            out[FORMAT_KEY] = fmt  # generators read these bounds as the type's limits (schemas/int_formats.py)
        del out["format"]
    elif fmt in ("float", "double", "int32", "int64", "binary", "password"):
        del out["format"]
    elif fmt == "byte":
        del out["format"]
        out.setdefault("contentEncoding", "base64")


def _exclusive_bounds(out: dict[str, Any]) -> None:
    for exclusive, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = out.get(exclusive)
        if isinstance(flag, bool):
            del out[exclusive]
            if flag and inclusive in out:
                out[exclusive] = out.pop(inclusive)


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    kind = out.get("type")
    if kind is not None:
        kinds = list(kind) if isinstance(kind, list) else [kind]
        out["type"] = kinds if "null" in kinds else [*kinds, "null"]
        return out  # an ``enum`` without null still excludes it (the 3.0.3 clarification of nullable)
    if "$ref" in out or any(k in out for k in _SCHEMA_LISTS):
        kept = ("description", "title", "readOnly", "writeOnly", "examples", "default", "deprecated")
        annotations: dict[str, Any] = {k: out.pop(k) for k in kept if k in out}
        return {"anyOf": [out, {"type": "null"}], **annotations}
    return out  # no type at all: null is already allowed


def _apply_discriminators(done: dict[str, Any], path: str, bases: dict[str, tuple[str, dict[str, str]]]) -> None:
    """Fix each branch's tag to its discriminator value(s); drop the ``discriminator`` keyword. ``done``
    holds newly translated components; ``bases`` (updated) the discriminators of every component translated
    so far (a component extending a base reaches it, so the base is translated first or with it)."""
    for name, node in done.items():
        if isinstance(node, dict) and isinstance(node.get("discriminator"), Mapping):
            try:
                bases[name] = _discriminator(node["discriminator"], path, f"{PREFIX[1:]}{name}")
            except SchemaError as exc:
                done[name] = exc
    for name, node in done.items():
        if not isinstance(node, dict):
            continue
        try:
            _tag_branches(node, path, f"{PREFIX[1:]}{name}")
        except SchemaError as exc:
            done[name] = exc
            continue
        # Inheritance: ``Cat: allOf [$ref Pet, ...]`` where Pet has the discriminator gets Cat's tag.
        for part in node.get("allOf") or ():
            target = _ref_name(part)
            if target in bases and target != name:
                prop, mapping = bases[target]
                values = [k for k, v in mapping.items() if v == name] or [name]
                node["allOf"] = [*node["allOf"], {"properties": {prop: {"enum": values}}, "required": [prop]}]
                break


def _tag_branches(node: dict[str, Any], path: str, where: str) -> None:
    for sub in _schemas(node):
        spec = sub.pop("discriminator", None)
        if not isinstance(spec, Mapping):
            continue
        prop, mapping = _discriminator(spec, path, where)
        for key in ("oneOf", "anyOf"):
            if isinstance(sub.get(key), list):
                sub[key] = [_tagged(b, prop, mapping) for b in sub[key]]


def _discriminator(spec: Mapping[str, Any], path: str, where: str) -> tuple[str, dict[str, str]]:
    prop = spec.get("propertyName")
    if not isinstance(prop, str):
        raise SchemaError(path, f"{where}/discriminator", "discriminator", "it has no propertyName",
                          "name the tag property: discriminator: {propertyName: petType}")
    mapping = spec.get("mapping") or {}
    return prop, {str(k): _mapping_target(str(v)) for k, v in mapping.items()}


def _mapping_target(value: str) -> str:
    for prefix in (PREFIX, "#/$defs/"):
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def _ref_name(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, Mapping) else None
    return ref[len("#/$defs/"):] if isinstance(ref, str) and ref.startswith("#/$defs/") else None


def _tagged(branch: Any, prop: str, mapping: Mapping[str, str]) -> Any:
    target = _ref_name(branch)
    if target is None:
        return branch
    values = [k for k, v in mapping.items() if v == target] or [target]
    return {"allOf": [branch, {"properties": {prop: {"enum": values}}, "required": [prop]}]}


def _schemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema object in a (translated) schema, the node itself first; property maps are not schemas."""
    if not isinstance(node, dict):
        return
    yield node
    for key, value in list(node.items()):
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            for sub in list(value.values()):
                yield from _schemas(sub)
        elif key in _SCHEMA_VALUES or key in _SCHEMA_LISTS or key == "items":
            for sub in value if isinstance(value, list) else [value]:
                yield from _schemas(sub)


def _closure(name: str, done: Mapping[str, Any], order: Mapping[str, int]) -> list[str]:
    """Components referenced from ``name``, transitively (itself too when it refers back to itself)."""
    seen: list[str] = []
    stack = [name]
    first = True
    while stack:
        current = stack.pop()
        if not first:
            if current in seen:
                continue
            seen.append(current)
        first = False
        for sub in _schemas(done.get(current)):
            ref = sub.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                target = ref[len("#/$defs/"):].split("/")[0].replace("~1", "/").replace("~0", "~")
                if target in done and target not in seen:
                    stack.append(target)
    return sorted(seen, key=order.__getitem__)  # document order


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def component_json_schema(doc: Mapping[str, Any], name: str, path: str = "<memory>") -> dict[str, Any]:
    """The standalone JSON Schema 2020-12 document of one component of an OpenAPI document (what the
    registry builds the entity from); raises :class:`SchemaError` for a component that cannot load."""
    entities_in_document(doc, path)  # checks the version and that there are components
    schemas = doc["components"]["schemas"]
    if name not in schemas:
        raise SchemaError(path, "/components/schemas", "components", f"there is no component {name!r}",
                          f"use one of {', '.join(list(schemas)[:20])}")
    version = str(doc.get("openapi", ""))
    legacy = version.startswith("3.0")
    # A new translation each time, of this component and what it references only: the caller may have
    # changed the document in place since the last call.
    return _Translated(schemas, legacy=legacy, path=path).document(name)
