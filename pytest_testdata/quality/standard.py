"""Validation by the standard: the ``jsonschema`` library, for user schemas beyond the classic keywords.

Why a maintained validator: a user's schema may use any keyword of its dialect, and the project's own
compiled checks (:mod:`pytest_testdata.quality.validator`) cover only the classic ones the built-in
entities use. ``jsonschema`` implements every dialect and is checked against the official test suite, so
records are judged exactly as the user's own tooling judges them. Formats are asserted with the library's
format checker (its format extras are installed with this package).

Two deviations, both safer: ``pattern`` and ``patternProperties`` are matched with the linear-time
engine of :mod:`pytest_testdata.quality.regex` (a hostile pattern cannot hang a run; it was refused at
load anyway), and errors are reported as :class:`~pytest_testdata.types.Violation` with the project's
rule names (``min``, ``max``, ``min_length``, ``regex``...) and dotted field paths.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from pytest_testdata.quality.regex import compile_user_regex
from pytest_testdata.types import Violation

RULES: dict[str, str] = {
    "minimum": "min", "exclusiveMinimum": "min", "maximum": "max", "exclusiveMaximum": "max",
    "minLength": "min_length", "maxLength": "max_length", "pattern": "regex", "minItems": "min_items",
    "maxItems": "max_items", "additionalProperties": "additional", "unevaluatedProperties": "additional",
    "const": "enum",
}
"""jsonschema keyword -> the rule name :class:`Violation` uses (other keywords keep their own name)."""


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not compile_user_regex(pattern, "pattern").search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Mapping[str, Any], instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        regex = compile_user_regex(pattern, "patternProperties")
        for key, value in instance.items():
            if regex.search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


@lru_cache(maxsize=16)
def _extended(base: type) -> type:
    from jsonschema import validators

    cls: type = validators.extend(base, {"pattern": _pattern, "patternProperties": _pattern_properties})
    return cls


def validator_class(document: Mapping[str, Any]) -> type:
    """The ``jsonschema`` validator class for a document's dialect (``$schema``), with linear-time patterns."""
    from jsonschema import validators

    return _extended(validators.validator_for(dict(document), default=validators.Draft202012Validator))


def standard_validator(document: Mapping[str, Any], embeds_ids: bool | None = None) -> Any:
    """A ``jsonschema`` validator for a whole document, asserting formats.

    A document with embedded resources (an ``$id`` below the root, a bundled referenced document) gets a
    registry crawled once: ``jsonschema`` otherwise looks up the resources of the dynamic scope before it
    has crawled them, and a ``$dynamicRef`` below one fails with ``NoSuchResource``. ``embeds_ids`` is
    :func:`_embeds_ids` of the document when the caller knows it already (None: found here)."""
    from referencing import Registry
    from referencing.jsonschema import specification_with

    cls = validator_class(document)
    data = dict(document)
    if not (_embeds_ids(data) if embeds_ids is None else embeds_ids):  # no embedded resource: nothing to crawl
        return cls(data, format_checker=cls.FORMAT_CHECKER)  # type: ignore[attr-defined]
    spec = specification_with(str(cls.META_SCHEMA.get("$schema", "")),  # type: ignore[attr-defined]
                              default=specification_with("https://json-schema.org/draft/2020-12/schema"))
    root = str(data["$id"]) if isinstance(data.get("$id"), str) else ""
    try:
        registry: Registry[Any] = Registry().with_resource(root, spec.create_resource(data)).crawl()
    except (TypeError, ValueError, LookupError):  # a part the specification cannot crawl: the plain validator
        return cls(data, format_checker=cls.FORMAT_CHECKER)  # type: ignore[attr-defined]
    return cls(data, format_checker=cls.FORMAT_CHECKER, registry=registry)  # type: ignore[attr-defined]


def _embeds_ids(data: Mapping[str, Any]) -> bool:
    """Whether ``"$id"`` occurs in the document (as a key or a string) other than as the root's own ``$id``:
    a possible embedded resource.

    Counted in the document's JSON text (serialised in C, about twice as fast as a walk in Python for a
    document that has none, the usual case: ``"$id"`` there is a key or a whole string, a string holding it
    among other text is written with escaped quotes); a document JSON cannot write is walked."""
    try:
        text = json.dumps(data, check_circular=False)
    except (TypeError, ValueError):
        return _walk_for_ids(data)
    return text.count('"$id"') > (1 if "$id" in data else 0)


def _walk_for_ids(data: Mapping[str, Any]) -> bool:
    """:func:`_embeds_ids` by a walk that stops at the first one."""
    left = 1 if "$id" in data else 0
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if "$id" in node:
                left -= 1
                if left < 0:
                    return True
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif node == "$id":
            left -= 1
            if left < 0:
                return True
    return False


def subschema_check(node: Any) -> Callable[[Any], bool]:
    """``check(value) -> bool`` for a subschema of a generation view (2020-12, no references)."""
    from jsonschema import Draft202012Validator

    if type(node) is dict and isinstance(node.get("format"), str) and (
            len(node) == 1 or (len(node) == 2 and node.get("type") == "string")):
        return _format_check(node["format"], len(node) == 2)
    cls = _extended(Draft202012Validator)
    validator = cls(node, format_checker=_drawing_checker())
    is_valid: Callable[[Any], bool] = validator.is_valid
    return is_valid


@lru_cache(maxsize=1)
def _drawing_checker() -> Any:
    """The 2020-12 format checker (the extended validator class's own) with a shortcut: a string
    :func:`~pytest_testdata.quality.fast.known_to_conform` accepts (a plain ``https://host/path``, most URLs a
    generator draws) conforms without parsing (``rfc3987`` and ``uri_template`` were most of the time of
    checking a ``oneOf`` branch's values). Every other value gets the checker's own function: the same
    verdicts (tests/test_fast_validator.py)."""
    from jsonschema import Draft202012Validator, FormatChecker

    from pytest_testdata.quality.fast import known_to_conform

    base = _extended(Draft202012Validator).FORMAT_CHECKER  # type: ignore[attr-defined]
    checker = FormatChecker(formats=())
    for name, (function, raises) in base.checkers.items():
        known = known_to_conform(name)
        checker.checkers[name] = (_shortcut(known, function) if known is not None else function, raises)
    return checker


def _shortcut(known: Callable[[str], bool], function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def check(instance: Any) -> Any:
        return (isinstance(instance, str) and known(instance)) or function(instance)
    return check


@lru_cache(maxsize=64)
def _format_check(fmt: str, string: bool) -> Callable[[Any], bool]:
    """:func:`subschema_check` of ``{"format": fmt}`` (``string``: with ``"type": "string"``): what the
    validator asks, its format checker's ``conforms`` (and, typed, whether the value is a string), called
    without building a validator and walking its keywords for every value drawn (a GitHub schema draws
    dozens of formatted strings a record). The checker's verdicts are read by quality.formats, as the fast
    validator reads them: a format-only check imports neither ``jsonschema`` nor the libraries of the other
    formats (the first records of a user's model drew without them)."""
    from pytest_testdata.quality.fast import light_formats

    on_strings = light_formats("draft202012").get(fmt)

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return not string
        return on_strings is None or bool(on_strings(value))
    return check


def violations(validator: Any, record: Any, index: int) -> list[Violation]:
    """Every error of one record as a :class:`Violation` (field path, rule name, message)."""
    out: list[Violation] = []
    for error in validator.iter_errors(record):
        path = ".".join(str(p) for p in error.absolute_path)
        keyword = str(error.validator)
        if keyword == "required":
            missing = _quoted(error.message, " is a required property")
            path = f"{path}.{missing}" if path else str(missing)
        elif keyword in ("dependentRequired", "dependencies") and " is a dependency of " in error.message:
            missing = _quoted(error.message, " is a dependency of ")
            path = f"{path}.{missing}" if path else str(missing)
            keyword = "required"
        elif keyword in ("anyOf", "oneOf") and error.context and all(
                c.validator == "type" for c in error.context if not c.relative_path):
            keyword = "type"  # Optional[int] given a string: a type error, as a user reads it
        out.append(Violation(index, path, RULES.get(keyword, keyword), error.message[:200]))
    return out


def _quoted(message: str, marker: str) -> str:
    head = message.split(marker, 1)[0]
    try:
        return str(ast.literal_eval(head))
    except (ValueError, SyntaxError):
        return head.strip("'\"")
