"""The meta-schema check of a user's document, with the 2020-12 meta-schema read as one static schema.

A document is checked against its dialect's meta-schema by the ``jsonschema`` library. The 2020-12
meta-schema is seven vocabulary schemas joined by ``allOf`` and tied together with ``$dynamicRef: "#meta"``;
``jsonschema`` resolves that dynamic reference again for every subschema of the document, which made the
check most of the time a large document (a GitHub REST component, a SchemaStore file) took to load.

When the document is checked against the 2020-12 meta-schema itself (no custom meta-schema extends it),
every ``#meta`` resolves to that meta-schema, so the same constraints can be written as one schema: the
vocabularies' ``properties`` and ``$defs`` side by side, ``$dynamicRef: "#meta"`` read as ``$ref: "#"``.
:func:`flat_2020_12` builds that schema from the library's own copy of the meta-schema (nothing is copied
into this project); it accepts and refuses exactly the same documents (tests/test_metaschema.py checks
it over the JSON-Schema-Test-Suite and hand-made mistakes) in about a fifth of the time. If a future
meta-schema no longer has the expected shape, the original is used.

With the ``fast`` extra installed, ``jsonschema-rs`` gives the yes/no first (about a hundred times faster
again); only a document it refuses goes through ``jsonschema`` for the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pytest_testdata.errors import SchemaError
from pytest_testdata.schemas.sources.vocabulary import pointer

_SCHEMA_MAPS = ("properties", "$defs", "patternProperties", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "propertyNames", "contains", "if", "then", "else")
_VOCABULARY_KEYS = frozenset(("$schema", "$id", "$vocabulary", "$dynamicAnchor", "title", "type", "properties",
                              "$defs", "$comment"))


class _Unexpected(Exception):
    """The meta-schema does not have the shape :func:`flat_2020_12` reads."""


def _static(node: Any) -> Any:
    """One meta-schema subschema with ``$dynamicRef: "#meta"`` as ``$ref: "#"`` and ``$ref``s into a
    vocabulary's ``$defs`` as references into the flat schema's ``$defs``."""
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$dynamicRef":
            if value != "#meta":
                raise _Unexpected(value)
            out["$ref"] = "#"
        elif key == "$ref":
            if not isinstance(value, str) or "#/$defs/" not in value:
                raise _Unexpected(value)
            out["$ref"] = "#" + value.split("#", 1)[1]
        elif key in _SCHEMA_MAPS:
            out[key] = {name: _static(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS:
            out[key] = [_static(sub) for sub in value]
        elif key in _SCHEMA_ONE:
            out[key] = _static(value)
        else:
            out[key] = value
    return out


@lru_cache(maxsize=1)
def flat_2020_12() -> dict[str, Any] | None:
    """The 2020-12 meta-schema as one schema without dynamic references (None if its shape is unexpected)."""
    from jsonschema import Draft202012Validator
    from jsonschema_specifications import REGISTRY

    top = Draft202012Validator.META_SCHEMA
    try:
        base = str(top["$id"]).rsplit("/", 1)[0] + "/"
        parts = [REGISTRY.contents(base + part["$ref"]) for part in top["allOf"]]
        properties: dict[str, Any] = {}
        defs: dict[str, Any] = {}
        for part in [*parts, {k: v for k, v in top.items() if k != "allOf"}]:
            if not set(part) <= _VOCABULARY_KEYS or part.get("type") != ["object", "boolean"]:
                raise _Unexpected(sorted(part))
            for target, source in ((properties, part.get("properties", {})), (defs, part.get("$defs", {}))):
                for name, sub in source.items():
                    if name in target:
                        raise _Unexpected(name)
                    target[name] = _static(sub)
    except (_Unexpected, KeyError, LookupError, AttributeError, TypeError):
        return None
    return {"$schema": top["$schema"], "type": ["object", "boolean"], "properties": properties, "$defs": defs}


@lru_cache(maxsize=8)
def _meta_validator(cls: type) -> Any:
    from jsonschema import Draft202012Validator

    if cls is Draft202012Validator:
        flat = flat_2020_12()
        if flat is not None:
            return Draft202012Validator(flat)
    return cls(cls.META_SCHEMA)  # type: ignore[attr-defined]


def _fast_meta_valid(document: dict[str, Any]) -> bool:
    """True when ``jsonschema-rs`` (the ``fast`` extra) finds the document valid under its meta-schema.

    Its verdicts equal ``jsonschema``'s over every value of the JSON-Schema-Test-Suite read in each dialect
    (tests/test_fast_validator.py); a document it refuses, or cannot judge (a meta-schema it does not hold),
    goes through ``jsonschema``, which names the error. False when it is not installed."""
    from pytest_testdata.quality.fast import available

    if not available():
        return False
    import jsonschema_rs

    try:
        return bool(jsonschema_rs.meta.is_valid(document))
    except Exception:  # an unknown $schema, a value it cannot read: the standard decides and explains
        return False


def check_meta(data: Mapping[str, Any], dialect: str, source: str) -> None:
    """Refuse a document its dialect's meta-schema refuses, naming the first error that matters most."""
    document = dict(data)
    if _fast_meta_valid(document):
        return  # without importing jsonschema: with its format checkers, about half a second cold
    from jsonschema import validators
    from jsonschema.exceptions import best_match

    cls = validators.validator_for(document, default=validators.Draft202012Validator)
    error = best_match(_meta_validator(cls).iter_errors(document))
    if error is None:
        return
    where = pointer(*error.absolute_path)
    keyword = str(error.absolute_path[-1]) if error.absolute_path else str(error.validator)
    raise SchemaError(source, where, keyword, f"not valid {dialect} JSON Schema: {error.message}",
                      f"correct the value at {where or '/'} (see the {dialect} specification for {keyword!r})")
