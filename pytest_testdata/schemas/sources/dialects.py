"""Dialects of JSON Schema: which one a document is written in (``$schema``) and how the older ones'
forms are rewritten into 2020-12 before expansion (draft-04 boolean exclusive bounds and ``id``,
``dependencies``, array-form ``items`` / ``additionalItems``, the ``$ref`` siblings drafts up to 07 ignore,
plain-name fragment ids); 2019-09's ``$recursiveRef`` and ``unevaluated*`` inside a ``not`` beside
applicators are refused with one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_testdata.errors import SchemaError
from pytest_testdata.schemas.sources.vocabulary import LIST, MAP, ONE, child, json_copy, pointer

DIALECTS: dict[str, str] = {
    "https://json-schema.org/draft/2020-12/schema": "2020-12",
    "https://json-schema.org/draft/2019-09/schema": "2019-09",
    "http://json-schema.org/draft-07/schema": "draft-07",
    "http://json-schema.org/draft-06/schema": "draft-06",
    "http://json-schema.org/draft-04/schema": "draft-04",
}


def dialect_of(data: Mapping[str, Any], source: str) -> str:
    """The dialect named by ``$schema`` (2020-12 when absent); refuses an unknown one."""
    raw = data.get("$schema")
    if raw is None:
        return "2020-12"
    key = str(raw).rstrip("#").replace("https://json-schema.org/draft-0", "http://json-schema.org/draft-0")
    if key not in DIALECTS:
        raise SchemaError(source, "/$schema", "$schema", f"{raw!r} is not a JSON Schema dialect this loader reads",
                          f"use one of {', '.join(DIALECTS)} (or leave $schema out for 2020-12)")
    return DIALECTS[key]



def upgrade(node: Any, dialect: str, source: str, ptr: str, copy: bool = False) -> Any:
    """Rewrite one (sub)schema of ``dialect`` into 2020-12 forms, in place; returns it.

    ``copy``: rewrite a copy instead (the input is left as it is), made on the way down: what a deep copy
    (:func:`~pytest_testdata.schemas.sources.vocabulary.json_copy`) and then the rewrite in place make, in
    one walk instead of two."""
    if not isinstance(node, dict):
        return json_copy(node) if copy else node
    if copy:
        node = _fresh(node)
    if ptr and isinstance(node.get("$schema"), str):  # an embedded resource of another dialect
        dialect = dialect_of(node, source)
    old = dialect in ("draft-04", "draft-06", "draft-07")
    if old and "$ref" in node:
        # Up to draft-07 a $ref's siblings are ignored (keep only what other references may point into).
        for key in [k for k in node if k not in ("$ref", "definitions", "$defs")]:
            del node[key]  # a sibling $id / id too: it does not change the base URI of the $ref
    if dialect == "draft-04":
        if isinstance(node.get("id"), str):
            node["$id"] = node.pop("id")
        for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if isinstance(node.get(flag), bool) and node.pop(flag) and bound in node:
                node[flag] = node.pop(bound)
    if old or dialect == "2019-09":
        if isinstance(node.get("items"), list):
            node["prefixItems"] = node.pop("items")
            if "additionalItems" in node:
                node["items"] = node.pop("additionalItems")
        else:
            node.pop("additionalItems", None)
    if old and isinstance(node.get("dependencies"), dict):
        for name, dep in node.pop("dependencies").items():
            if isinstance(dep, list):
                node.setdefault("dependentRequired", {})[name] = dep
            else:
                node.setdefault("dependentSchemas", {})[name] = dep
    if old and isinstance(node.get("$id"), str) and node["$id"].startswith("#"):
        node["$anchor"] = node.pop("$id")[1:]  # a plain-name fragment id is an anchor
    if dialect == "2019-09" and ("$recursiveRef" in node or "$recursiveAnchor" in node):
        raise SchemaError(source, ptr + "/$recursiveRef", "$recursiveRef", "2019-09 dynamic recursion is not "
                          "supported", "use \"$ref\" to the recursive definition, or 2020-12 with a static $ref")
    _plain_unevaluated(node)
    negated = node.get("not")
    if isinstance(negated, dict) and any(k in negated for k in ("unevaluatedProperties", "unevaluatedItems")) \
            and any(k in negated for k in _IN_PLACE):
        key = "unevaluatedProperties" if "unevaluatedProperties" in negated else "unevaluatedItems"
        raise SchemaError(source, f"{ptr}/not/{key}", key, f"{key} inside \"not\" beside in-place applicators "
                          "is not supported by the generator (it would have to build the values the applicators "
                          "leave unevaluated)", "describe the excluded shape with additionalProperties / items, "
                          "or state the allowed values directly instead of \"not\"")
    for key, sub in list(node.items()):
        if key in ONE:
            node[key] = upgrade(sub, dialect, source, f"{ptr}/{key}", copy)
        elif key in MAP and isinstance(sub, dict):
            for name in sub:
                sub[name] = upgrade(sub[name], dialect, source, child(ptr, key, name), copy)
        elif key in LIST and isinstance(sub, list):
            node[key] = [upgrade(s, dialect, source, f"{ptr}/{key}/{i}", copy) for i, s in enumerate(sub)]
        elif key == "components" and isinstance(sub, dict) and isinstance(sub.get("schemas"), dict):
            for name, s in sub["schemas"].items():
                sub["schemas"][name] = upgrade(s, dialect, source, pointer("components", "schemas", name), copy)
    return node


def _fresh(node: dict[str, Any]) -> dict[str, Any]:
    """A copy of a schema node for :func:`upgrade` to rewrite: its own containers where :func:`upgrade`
    writes or descends (the subschemas themselves are copied as it reaches them), a deep copy of every other
    value."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ONE:
            out[key] = value  # upgrade(copy=True) copies it on the way down
        elif key in MAP:
            out[key] = dict(value) if isinstance(value, dict) else json_copy(value)
        elif key in LIST:
            out[key] = list(value) if isinstance(value, list) else json_copy(value)
        elif key == "components" and isinstance(value, dict) and isinstance(value.get("schemas"), dict):
            out[key] = {k: dict(v) if k == "schemas" else json_copy(v) for k, v in value.items()}
        else:
            out[key] = json_copy(value)
    return out


_IN_PLACE = frozenset(("allOf", "anyOf", "oneOf", "if", "then", "else", "dependentSchemas", "$ref", "$dynamicRef",
                       "not"))


def _plain_unevaluated(node: dict[str, Any]) -> None:
    """``unevaluated*`` in a schema without in-place applicators is ``additionalProperties`` / ``items``
    (which the merge of ``allOf`` parts reads); beside applicators it stays, and the expansion attaches the
    check that judges it (:meth:`_Expander.expand`, ``x-unevaluated``)."""
    if not node.keys().isdisjoint(_IN_PLACE):
        return
    if "unevaluatedProperties" in node:
        value = node.pop("unevaluatedProperties")
        node.setdefault("additionalProperties", value)
    if "unevaluatedItems" in node and "contains" not in node:  # contains evaluates the items it matches
        value = node.pop("unevaluatedItems")
        node.setdefault("items", value)

