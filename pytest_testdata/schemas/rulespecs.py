"""``x-coherence`` rule specs, checked once when a schema is loaded.

Each kind of rule (:data:`pytest_testdata.quality.rules.RULE_KINDS`) needs some keys, each a field path of
the schema, a list of them, a number or a mapping. A spec that lacks one, gives it the wrong shape or
names a field the schema does not have is a :class:`~pytest_testdata.errors.SchemaError` at load (file,
pointer ``/x-coherence/N/key``, the fix), so no rule meets a malformed spec while generating or scoring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pytest_testdata.errors import SchemaError, suggest

PATH, PATHS, NUMBER, NAMES, STAGES = "a field path", "a list of field paths", "a number", "a list of names", \
    "a mapping of timestamp field -> list of statuses"
FLAG = "true or false"
ITEM, ITEMS = "a field of the items", "a list of fields of the items"
NOTES = frozenset(("kind", "description", "$comment"))
"""Keys every rule may have besides its own: its kind, and notes for readers."""
SPECS: dict[str, dict[str, tuple[str, bool]]] = {
    # kind: {key: (shape, required)}; item-relative keys (factors) are names inside the items' objects
    "sum_of_products": {"target": (PATH, True), "items": (PATH, True), "factors": (ITEMS, True)},
    "product_each": {"items": (PATH, True), "target": (ITEM, True), "factors": (ITEMS, True)},
    "rate_of": {"target": (PATH, True), "base": (PATH, True), "min": (NUMBER, True), "max": (NUMBER, True)},
    "sum": {"target": (PATH, True), "terms": (PATHS, True)},
    "ordered": {"fields": (PATHS, True), "strict": (FLAG, False)},
    "flag_iff_positive": {"flag": (PATH, True), "quantity": (PATH, True)},
    "present_iff": {"field": (PATH, True), "when": (PATH, True), "in": (NAMES, True)},
    "status_timestamps": {"status": (PATH, True), "stages": (STAGES, True)},
    "same_value": {"fields": (PATHS, True), "source": (PATH, False)},
    "email_from_name": {"email": (PATH, True), "first": (PATH, True), "last": (PATH, True),
                        "country": (PATH, False)},
    "phone_matches_country": {"phone": (PATH, True), "country": (PATH, True), "region": (PATH, False)},
    "postal_code_matches_country": {"addresses": (PATH, True)},
    "sentiment_matches_rating": {"rating": (PATH, True), "texts": (PATHS, True)},
    "different": {"fields": (PATHS, True)},
}


def check_rule_specs(specs: Iterable[Mapping[str, Any]], fields: Iterable[str], source: str) -> None:
    """Refuse the first malformed spec; ``fields`` are the schema's dotted paths (``items.*.sku``)."""
    known = set(fields)
    aliases = {p.replace(".*", ""): p for p in known}
    for index, spec in enumerate(specs):
        where = f"/x-coherence/{index}"
        kind = spec.get("kind")
        if kind not in SPECS:
            raise SchemaError(source, f"{where}/kind", "kind", f"unknown coherence rule kind {kind!r}"
                              f"{suggest(str(kind), SPECS)}", f"use one of: {', '.join(SPECS)}")
        shape = SPECS[kind]
        for key in spec:
            if key not in shape and key not in NOTES:
                # (a key no rule reads would be ignored: a typo, or an option this kind does not have)
                raise SchemaError(source, f"{where}/{key}", key, f"the {kind!r} rule has no key {key!r}"
                                  f"{suggest(str(key), list(shape))}",
                                  f"use {', '.join(repr(k) for k in shape)} (and \"description\" for a note)")
        for key, (kind_of, required) in shape.items():
            if key not in spec:
                if required:
                    raise SchemaError(source, where, key, f"the {kind!r} rule needs {key!r} ({kind_of})",
                                      f"add \"{key}\" to the rule")
                continue
            value = spec[key]
            if kind_of in (ITEM, ITEMS) and isinstance(spec.get("items"), str):
                # names inside each item: checked as paths under the items' list
                prefix = spec["items"]
                kind_of = PATH if kind_of == ITEM else PATHS
                value = f"{prefix}.{value}" if isinstance(value, str) else [
                    f"{prefix}.{v}" if isinstance(v, str) else v for v in value] if isinstance(value, list) else value
            _check_value(value, kind_of, f"{where}/{key}", key, source, known, aliases)


def _check_value(value: Any, shape: str, where: str, key: str, source: str, known: set[str],
                 aliases: Mapping[str, str]) -> None:
    if shape == FLAG:
        if not isinstance(value, bool):
            raise SchemaError(source, where, key, f"expected {shape}, got {value!r}", f"write {key} as true or false")
        return
    if shape == NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SchemaError(source, where, key, f"expected {shape}, got {value!r}", f"write {key} as a number")
        return
    if shape == STAGES:
        if not isinstance(value, Mapping) or not all(isinstance(v, list) for v in value.values()):
            raise SchemaError(source, where, key, f"expected {shape}, got {value!r}",
                              "write e.g. {\"paid_at\": [\"paid\", \"shipped\"]}")
        for field in value:
            _check_path(str(field), f"{where}/{field}", key, source, known, aliases)
        return
    if shape == PATH:
        if not isinstance(value, str):
            raise SchemaError(source, where, key, f"expected {shape}, got {value!r}", "write a dotted field path")
        _check_path(value, where, key, source, known, aliases)
        return
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise SchemaError(source, where, key, f"expected {shape} (a non-empty list of strings), got {value!r}",
                          f"write {key} as a list")
    if shape == PATHS:
        for i, path in enumerate(value):
            _check_path(path.lstrip("-"), f"{where}/{i}", key, source, known, aliases)


def _check_path(path: str, where: str, key: str, source: str, known: set[str], aliases: Mapping[str, str]) -> None:
    normal = ".".join("*" if part.isdigit() else part for part in path.split("."))
    if normal in known or normal.replace(".*", "") in aliases:
        return
    raise SchemaError(source, where, key, f"{path!r} is not a field of this schema"
                      f"{suggest(path, list(aliases))}", f"name one of: {', '.join(sorted(aliases)[:12])}")
