"""The fast verdict on a user schema: ``jsonschema-rs`` decides valid or invalid, the standard explains.

:mod:`pytest_testdata.quality.standard` judges a record with the ``jsonschema`` library (every dialect, the
official test suite, the project's linear-time patterns). That library walks a schema in Python: a GitHub
REST component took milliseconds per record, most of a run's time. ``jsonschema-rs`` (the ``fast`` extra,
a compiled validator kept against the same test suite) gives the same yes/no 20-100x faster
(benchmarks/bench_validation.py), so it decides, and ``jsonschema`` is consulted only for a record it
rejects: to say why (rule names, field paths) and to confirm the rejection.

Where the two libraries read a keyword differently, the fast validator is handed ``jsonschema``'s own
reading (its custom-keyword hook calls the standard validator's keyword function; its format hook, the
standard's format checker), so it cannot accept what the standard refuses:

- ``format``: every format is asserted by the ``jsonschema`` format checker of the document's dialect (the
  ``jsonschema[format]`` extras), not by the Rust implementations (which differ on email, hostnames, times...);
  a format only the Rust side knows is not asserted, as the standard does not assert it;
- ``pattern``: matched by the project's RE2 patterns (quality/regex.py), as the standard validator does;
- ``multipleOf``: ``jsonschema``'s float division (``0.07`` is not a multiple of ``0.01`` there; it is for
  the exact arithmetic of ``jsonschema-rs``).

tests/test_fast_validator.py proves the verdicts equal over the JSON-Schema-Test-Suite and the real-world
corpus. When ``jsonschema-rs`` is not installed, or cannot build a validator for a document (a reference it
cannot resolve offline, a regex its engine refuses) or read a value (not a JSON type), the standard decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

DELEGATED = ("format", "pattern", "multipleOf")
"""Keywords whose reading is ``jsonschema``'s, called from inside the fast validator."""
IGNORED_UNLESS_STANDARD = ("dependencies", "contentMediaType", "contentEncoding", "contentSchema")
"""Keywords ``jsonschema-rs`` asserts in dialects where ``jsonschema`` does not (``dependencies`` in 2020-12,
draft 7's content keywords): switched off there, so both read the document alike."""


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether ``jsonschema-rs`` is installed (the ``fast`` extra)."""
    try:
        import jsonschema_rs  # noqa: F401
    except ImportError:
        return False
    return True


class _Pattern:
    """The ``pattern`` keyword read as :func:`pytest_testdata.quality.standard._pattern` reads it (a string that
    the project's linear-time regex does not find a match in is refused; other values pass), without the
    standard validator's type check and error object per value: one class for every document, where
    :func:`_delegate` makes one per document and keyword."""

    def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
        self.value = value
        self.search: Callable[[str], object] | None = None

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str):
            search = self.search
            if search is None:  # compiled at the first string, as the standard's function compiles it
                from pytest_testdata.quality.regex import compile_user_regex

                search = self.search = compile_user_regex(self.value, "pattern").searcher
            if not search(instance):
                raise ValueError(f"{instance!r} does not match {self.value!r}")


def _delegate(standard: Any, keyword: str) -> type:
    """A ``jsonschema-rs`` custom keyword that runs the standard validator's function for ``keyword`` (or,
    where the standard has none, accepts everything)."""
    function = standard.VALIDATORS.get(keyword, _nothing)
    if keyword == "pattern":
        from pytest_testdata.quality.standard import _pattern

        if function is _pattern:
            return _Pattern

    class Delegated:
        def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
            self.parent, self.value = parent_schema, value

        def validate(self, instance: Any) -> None:
            for error in function(standard, self.value, instance, self.parent):
                raise ValueError(error.message)

    Delegated.__name__ = f"Delegated_{keyword}"
    return Delegated


_PLAIN_URI = re.compile(r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._~-]*)*")
"""``https://host/path/segments`` of unreserved characters only: a URI, URI reference, IRI, IRI reference and
(all literal) URI template by every grammar ``jsonschema``'s checkers implement (RFC 3986, 3987, 6570)."""
_URI_FORMATS = frozenset(("uri", "uri-reference", "iri", "iri-reference", "uri-template"))
_PLAIN_TEMPLATE = re.compile(_PLAIN_URI.pattern + r"(?:\{[A-Za-z0-9_]+\})?")
"""A plain URI ending in one simple expression (``https://host/path/{id}``: what the generator draws for
``uri-template``), a URI template by RFC 6570 (a variable name of letters, digits and ``_``)."""


def _plain_form(fmt: str) -> Callable[[str], object] | None:
    """The ``fullmatch`` of the plain form of a URI format (:data:`_PLAIN_URI`, :data:`_PLAIN_TEMPLATE`)."""
    if fmt == "uri-template":
        return _PLAIN_TEMPLATE.fullmatch
    return _PLAIN_URI.fullmatch if fmt in _URI_FORMATS else None


def known_to_conform(fmt: str) -> Callable[[str], bool] | None:
    """For the URI formats, a predicate true of strings every grammar of the format accepts (so the format
    checker need not be asked: parsing with ``rfc3987`` or ``uri_template`` is the slow part of judging a
    record of a web API); None for other formats. False says nothing: ask the checker."""
    plain = _plain_form(fmt)
    if plain is None:
        return None
    return lambda value: plain(value) is not None


RUST_FORMATS = ("date", "date-time", "time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4",
                "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template", "uuid", "json-pointer",
                "relative-json-pointer", "regex")
"""The formats ``jsonschema-rs`` asserts itself (in one dialect or another): each is handed a function, so
none is read the Rust way."""

_FORMATS: dict[Any, dict[str, Callable[[str], bool]]] = {}


def _accept(value: str) -> bool:
    return True


def _formats(checker: Any) -> dict[str, Callable[[str], bool]]:
    """``jsonschema-rs`` format functions asserting each format as ``checker`` (the standard validator's format
    checker) does: its ``conforms``, called directly; a format ``jsonschema-rs`` knows and ``checker`` does not
    is accepted, as the standard accepts it. Built once per checker (one per dialect).

    ``jsonschema-rs`` calls a format function for strings only; every checker of ``jsonschema`` accepts any
    other value, so the verdicts agree. A plain ``https://host/path`` (:data:`_PLAIN_URI`, most URLs of a
    record; :func:`known_to_conform`) is accepted without the checker in the URI formats: each of their
    grammars accepts it, and parsing one with ``rfc3987`` took about a tenth of a GitHub schema's time.

    Format functions rather than a ``format`` custom keyword: a keyword is a Python object made for every
    ``format`` of the document when the validator is built (about a third of building one for a GitHub
    schema)."""
    found = _FORMATS.get(checker)
    if found is not None:
        return found
    conforms = checker.conforms

    def asserting(name: str) -> Callable[[str], bool]:
        plain = _plain_form(name)
        if plain is not None:
            # known_to_conform's test written in (one call per URL of a record, tens of thousands a corpus)
            def uri(value: str) -> bool:
                return plain(value) is not None or conforms(value, name)
            return uri
        return lambda value: conforms(value, name)

    found = {name: asserting(name) for name in checker.checkers}
    found.update({name: _accept for name in RUST_FORMATS if name not in checker.checkers})
    _FORMATS[checker] = found
    return found


def _nothing(validator: Any, value: Any, instance: Any, schema: Any) -> list[Any]:
    return []


def fast_is_valid(document: Mapping[str, Any], standard: Any,
                  mentions: frozenset[str] | None = None) -> Callable[[Any], bool] | None:
    """``is_valid(record)`` by ``jsonschema-rs`` for a document, reading the :data:`DELEGATED` keywords as
    the standard (a ``jsonschema`` validator of that document, its format checker on) does; None when
    ``jsonschema-rs`` is not installed or cannot take the document.

    ``standard`` is that validator, or a function without arguments that builds it: then it is built only
    when it is needed, for a document whose dialect :func:`~pytest_testdata.quality.formats.dialect_of` does
    not know or for a record ``jsonschema-rs`` cannot read, and the keywords and formats are read by
    :mod:`pytest_testdata.quality.formats` (the same verdicts, without importing ``jsonschema``).

    ``mentions``, when the caller knows it (:func:`keywords_mentioned` of the document's JSON text), names
    the keywords the document may use: custom keywords it cannot use are not registered (each costs the
    build)."""
    if not available() or not isinstance(document, Mapping):
        return None
    import jsonschema_rs

    from pytest_testdata.quality.formats import dialect_of

    draft = dialect_of(document) if callable(standard) else None
    if draft is None:
        built = standard() if callable(standard) else standard
        keywords, formats = _standard_reading(built, mentions)

        def build() -> Any:
            return built
    else:
        build = standard
        keywords, formats = _light_reading(draft, mentions)
    try:
        compiled = jsonschema_rs.validator_for(
            dict(document), keywords=keywords or None, offline=True, validate_formats=formats is not None,
            formats=formats)
    except Exception:  # a document it cannot compile (offline references, its regex engine): the standard
        return None
    rs_valid = compiled.is_valid

    def is_valid(record: Any) -> bool:
        try:
            return bool(rs_valid(record))
        except (ValueError, TypeError, OverflowError):  # a value that is not JSON (a tuple, a Decimal...)
            return bool(build().is_valid(record))
    return is_valid


def _standard_reading(standard: Any, mentions: frozenset[str] | None
                      ) -> tuple[dict[str, type], dict[str, Callable[[str], bool]] | None]:
    """The custom keywords and format functions of :func:`fast_is_valid`, read off a ``jsonschema`` validator."""
    wanted = [keyword for keyword in DELEGATED if keyword != "format"]
    wanted += [keyword for keyword in IGNORED_UNLESS_STANDARD if keyword not in standard.VALIDATORS]
    keywords = {keyword: _delegate(standard, keyword) for keyword in wanted
                if mentions is None or keyword in mentions}
    checker = standard.format_checker
    return keywords, (_formats(checker) if checker is not None else None)


def _light_reading(draft: str, mentions: frozenset[str] | None
                   ) -> tuple[dict[str, type], dict[str, Callable[[str], bool]]]:
    """:func:`_standard_reading` of the validator ``jsonschema`` makes for a draft's document (with its
    format checker), from :mod:`pytest_testdata.quality.formats`' tables."""
    from pytest_testdata.quality.formats import KNOWS_DEPENDENCIES

    wanted = [keyword for keyword in DELEGATED if keyword != "format"]
    wanted += [keyword for keyword in IGNORED_UNLESS_STANDARD
               if not (keyword == "dependencies" and draft in KNOWS_DEPENDENCIES)]
    keywords: dict[str, type] = {}
    for keyword in wanted:
        if mentions is None or keyword in mentions:
            keywords[keyword] = (_Pattern if keyword == "pattern" else
                                 _MultipleOf if keyword == "multipleOf" and draft != "draft3" else _Anything)
    return keywords, light_formats(draft)


class _MultipleOf:
    """``multipleOf`` read as ``jsonschema`` reads it (:func:`pytest_testdata.quality.formats.multiple_of_fails`)."""

    def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
        self.value = value

    def validate(self, instance: Any) -> None:
        from pytest_testdata.quality.formats import multiple_of_fails

        if multiple_of_fails(instance, self.value):
            raise ValueError(f"{instance!r} is not a multiple of {self.value}")


class _Anything:
    """A keyword the standard does not assert in the document's dialect: every value passes."""

    def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
        pass

    def validate(self, instance: Any) -> None:
        pass


@lru_cache(maxsize=8)
def light_formats(draft: str) -> dict[str, Callable[[str], bool]]:
    """:func:`_formats` of a draft's format checker, from :func:`pytest_testdata.quality.formats.format_check`
    (each format's library imported at its first value): format -> its verdict on a string, for every format
    the checker or ``jsonschema-rs`` knows (the others are not asserted)."""
    from pytest_testdata.quality.formats import FORMATS, format_check

    def asserting(name: str) -> Callable[[str], bool]:
        check = format_check(draft, name)
        plain = _plain_form(name)
        if plain is not None:
            def uri(value: str) -> bool:
                return plain(value) is not None or check(value)
            return uri
        return check

    found = {name: asserting(name) for name in sorted(FORMATS[draft])}
    found.update({name: _accept for name in RUST_FORMATS if name not in FORMATS[draft]})
    return found


def keywords_mentioned(text: str) -> frozenset[str]:
    """Of the keywords :func:`fast_is_valid` may register, those written as a key or string in a document's
    JSON text (a property of that name counts too: then the keyword is registered for nothing)."""
    return frozenset(keyword for keyword in (*DELEGATED, *IGNORED_UNLESS_STANDARD) if f'"{keyword}"' in text)
