"""The fast verdict on a user schema: ``jsonschema-rs`` decides valid or invalid, the standard explains.

:mod:`pytest_testdata.quality.standard` judges a record with the ``jsonschema`` library (every dialect, the
official test suite, the project's linear-time patterns). That library walks a schema in Python: a GitHub
REST component took milliseconds per record, most of a run's time. ``jsonschema-rs`` (the ``fast`` extra,
a compiled validator kept against the same test suite) gives the same yes/no 20-100x faster
(benchmarks/bench_validation.py), so it decides, and ``jsonschema`` is consulted only for a record it
rejects: to say why (rule names, field paths) and to confirm the rejection.

Where the two libraries read a keyword differently, the fast validator is handed ``jsonschema``'s own
reading (its custom-keyword hook calls the standard validator's keyword function), so it cannot accept
what the standard refuses:

- ``format``: every format is asserted by the ``jsonschema`` format checker of the document's dialect (the
  ``jsonschema[format]`` extras), not by the Rust implementations (which differ on email, hostnames, times...);
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


def _delegate(standard: Any, keyword: str) -> type:
    """A ``jsonschema-rs`` custom keyword that runs the standard validator's function for ``keyword`` (or,
    where the standard has none, accepts everything)."""
    function = standard.VALIDATORS.get(keyword, _nothing)

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


def _format(standard: Any) -> type:
    """The ``format`` keyword as ``standard`` asserts it: its format checker's ``conforms`` (what its own
    ``format`` keyword function asks), called directly.

    A plain ``https://host/path`` (:data:`_PLAIN_URI`, most URLs of a record) is accepted without the
    checker: each of its URI grammars accepts it, and parsing one with ``rfc3987`` took about a tenth of a
    GitHub schema's time. Anything else is asked of the checker."""
    checker = standard.format_checker
    plain_uri = _PLAIN_URI.fullmatch

    class Format:
        def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
            self.format = value if checker is not None and isinstance(value, str) and value in checker.checkers \
                else None
            self.uri = self.format in _URI_FORMATS

        def validate(self, instance: Any) -> None:
            if self.format is None:
                return
            if self.uri and type(instance) is str and plain_uri(instance) is not None:
                return
            if not checker.conforms(instance, self.format):
                raise ValueError(f"{instance!r} is not a {self.format!r}")

    return Format


def _nothing(validator: Any, value: Any, instance: Any, schema: Any) -> list[Any]:
    return []


def fast_is_valid(document: Mapping[str, Any], standard: Any) -> Callable[[Any], bool] | None:
    """``is_valid(record)`` by ``jsonschema-rs`` for a document, reading the :data:`DELEGATED` keywords as
    ``standard`` (a ``jsonschema`` validator of that document, its format checker on) does; None when
    ``jsonschema-rs`` is not installed or cannot take the document."""
    if not available() or not isinstance(document, Mapping):
        return None
    import jsonschema_rs

    keywords = {keyword: _delegate(standard, keyword) for keyword in DELEGATED if keyword != "format"}
    keywords["format"] = _format(standard)
    keywords.update({keyword: _delegate(standard, keyword) for keyword in IGNORED_UNLESS_STANDARD
                     if keyword not in standard.VALIDATORS})
    try:
        compiled = jsonschema_rs.validator_for(dict(document), keywords=keywords, validate_formats=False,
                                               offline=True)
    except Exception:  # a document it cannot compile (offline references, its regex engine): the standard
        return None
    rs_valid = compiled.is_valid

    def is_valid(record: Any) -> bool:
        try:
            return bool(rs_valid(record))
        except (ValueError, TypeError, OverflowError):  # a value that is not JSON (a tuple, a Decimal...)
            return bool(standard.is_valid(record))
    return is_valid
