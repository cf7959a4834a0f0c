"""The standard's reading of a document's dialect and formats, without importing ``jsonschema``.

:mod:`pytest_testdata.quality.fast` asks ``jsonschema-rs`` whether a record is valid and hands it, for
``format``, ``multipleOf`` and the keywords a dialect does not assert, the ``jsonschema`` library's own
reading. Importing that library with its format checkers (``isoduration`` pulls in ``arrow``,
``referencing`` its specifications) cost about 0.3 s of a fresh process's first records of a user's model,
more than the records themselves. The tables and checks here are that reading, written out:

- :func:`dialect_of` is ``jsonschema.validators.validator_for(document, default=Draft202012Validator)``,
  named by the draft (None for a ``$schema`` it does not know: the caller builds the ``jsonschema`` validator);
- :data:`FORMATS` are the formats of each draft's ``FORMAT_CHECKER`` (the ``format`` extras installed);
- :func:`format_check` is the checker's ``conforms`` for strings: the common formats (email, dates and
  times, UUID, IP addresses, host names, URIs, regex) call the function ``jsonschema`` calls, importing its
  library (``rfc3339_validator``, ``rfc3987``, ``fqdn``) at the first value; the rare ones (duration,
  JSON pointers, URI templates, IDN host names, draft 3's colour and time) ask ``jsonschema``'s own checker,
  imported at their first value. A library that cannot be imported hands the format to that checker too,
  which then reads it as ``jsonschema`` does without it.

tests/test_light_formats.py compares every table and check with ``jsonschema``'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

DRAFTS: dict[str, str] = {
    "http://json-schema.org/draft-03/schema": "draft3", "http://json-schema.org/draft-04/schema": "draft4",
    "http://json-schema.org/draft-06/schema": "draft6", "http://json-schema.org/draft-07/schema": "draft7",
    "https://json-schema.org/draft/2019-09/schema": "draft201909",
    "https://json-schema.org/draft/2020-12/schema": "draft202012",
}
"""``$schema`` (as ``jsonschema`` normalises it: an empty fragment dropped) -> the draft's name."""

_COMMON = ("email", "idn-email", "ipv6", "regex", "uri", "date-time")
_SINCE_6 = (*_COMMON, "ipv4", "hostname", "uri-reference", "json-pointer", "uri-template")
_SINCE_7 = (*_SINCE_6, "date", "time", "idn-hostname", "iri", "iri-reference", "relative-json-pointer")
FORMATS: dict[str, frozenset[str]] = {
    "draft3": frozenset((*_COMMON, "ip-address", "host-name", "date", "time", "color")),
    "draft4": frozenset((*_COMMON, "ipv4", "hostname")),
    "draft6": frozenset(_SINCE_6),
    "draft7": frozenset(_SINCE_7),
    "draft201909": frozenset((*_SINCE_7, "duration", "uuid")),
    "draft202012": frozenset((*_SINCE_7, "duration", "uuid")),
}
"""The formats each draft's ``FORMAT_CHECKER`` asserts (others pass)."""

KNOWS_DEPENDENCIES = frozenset(("draft3", "draft4", "draft6", "draft7"))
"""The drafts whose validator asserts ``dependencies`` (none asserts the content keywords)."""

_RE_DATE = r"^\d{4}-\d{2}-\d{2}$"
"""``jsonschema``'s pattern of a date (compiled at the first date checked)."""
_PLAIN_DATE_TIME = (r"(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?"
                    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)")
"""``rfc3339_validator``'s pattern read whole (no newline after it), upper-case ``T`` and ``Z`` only: a string
it matches with a day of its month is a date-time by that library, which need not be imported for it."""


def dialect_of(document: Mapping[str, Any]) -> str | None:
    """The draft ``jsonschema`` validates ``document`` by (2020-12 without ``$schema``); None when its
    ``$schema`` is none of the six it knows, or not a string (the caller asks ``jsonschema``)."""
    if "$schema" not in document:
        return "draft202012"
    uri = document["$schema"]
    if not isinstance(uri, str):
        return None
    from urllib.parse import urlsplit

    return DRAFTS.get(urlsplit(uri).geturl())


def _email(value: str) -> bool:
    return "@" in value


def _ipv4(value: str) -> bool:
    import ipaddress

    try:
        return bool(ipaddress.IPv4Address(value))
    except ipaddress.AddressValueError:
        return False


def _ipv6(value: str) -> bool:
    import ipaddress

    try:
        return not getattr(ipaddress.IPv6Address(value), "scope_id", "")
    except ipaddress.AddressValueError:
        return False


def _regex(value: str) -> bool:
    try:
        return bool(re.compile(value))
    except re.error:
        return False


def _date(value: str) -> bool:
    from datetime import date

    try:
        return bool(re.fullmatch(_RE_DATE, value, re.ASCII) and date.fromisoformat(value))
    except ValueError:
        return False


def _uuid(value: str) -> bool:
    from uuid import UUID

    try:
        UUID(value)
    except ValueError:
        return False
    return all(value[position] == "-" for position in (8, 13, 18, 23))


@lru_cache(maxsize=1)
def _rfc3339() -> Callable[[str], Any] | None:
    try:
        from rfc3339_validator import validate_rfc3339
    except ImportError:
        return None
    return validate_rfc3339  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _rfc3987() -> Callable[..., Any] | None:
    try:
        import rfc3987
    except ImportError:
        return None
    return rfc3987.parse  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _fqdn() -> Any:
    try:
        from fqdn import FQDN
    except ImportError:
        return None
    return FQDN


def _plain_date_time(value: str) -> bool:
    """True when ``value`` is a date-time :data:`_PLAIN_DATE_TIME` vouches for (False says nothing)."""
    found = re.fullmatch(_PLAIN_DATE_TIME, value, re.ASCII)
    if found is None:
        return False
    from datetime import date

    try:  # years 1 to 9999 (rfc3339_validator refuses year 0), a day of the month (calendar.monthrange)
        date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return False
    return True


def _date_time(value: str) -> bool | None:
    # The generator's date-times (2024-07-13T14:25:12Z) are vouched for without importing rfc3339_validator
    # and six, which it imports (some 7 million instructions of a fresh process's first records).
    if _plain_date_time(value):
        return True
    validate = _rfc3339()
    return None if validate is None else bool(validate(value.upper()))


def _time(value: str) -> bool | None:
    return _date_time("1970-01-01T" + value)


def _host_name(value: str) -> bool | None:
    fqdn = _fqdn()
    if fqdn is None:
        return None
    try:
        return bool(fqdn(value, min_labels=1).is_valid)
    except ValueError:
        return False


def _uri_rule(rule: str) -> Callable[[str], bool | None]:
    def check(value: str) -> bool | None:
        parse = _rfc3987()
        if parse is None:  # jsonschema then reads URIs with rfc3986_validator, IRIs with rfc3987_syntax
            return None
        try:
            return bool(parse(value, rule=rule))
        except ValueError:
            return False
    return check


_OWN: dict[str, Callable[[str], bool | None]] = {
    "email": _email, "idn-email": _email, "ipv4": _ipv4, "ip-address": _ipv4, "ipv6": _ipv6, "regex": _regex,
    "date-time": _date_time, "hostname": _host_name, "host-name": _host_name, "uri": _uri_rule("URI"),
    "uri-reference": _uri_rule("URI_reference"), "iri": _uri_rule("IRI"), "iri-reference": _uri_rule("IRI_reference"),
    "date": _date, "uuid": _uuid,
}
"""Format -> ``jsonschema``'s check of it written out (the same function of the same library; None: the
library is missing, ask the standard). Draft 3's ``time`` is not here: it is another format than 7's."""


def _own(draft: str, fmt: str) -> Callable[[str], bool | None] | None:
    if fmt == "time":
        return None if draft == "draft3" else _time
    return _OWN.get(fmt)


@lru_cache(maxsize=8)
def standard_checker(draft: str) -> Any:
    """``jsonschema``'s format checker of a draft (imports ``jsonschema`` and its format libraries)."""
    from jsonschema import validators

    name = {"draft3": "Draft3", "draft4": "Draft4", "draft6": "Draft6", "draft7": "Draft7",
            "draft201909": "Draft201909", "draft202012": "Draft202012"}[draft]
    return getattr(validators, f"{name}Validator").FORMAT_CHECKER


def _asked(draft: str, fmt: str) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        return bool(standard_checker(draft).conforms(value, fmt))
    return check


@lru_cache(maxsize=256)
def format_check(draft: str, fmt: str) -> Callable[[str], bool]:
    """The verdict of ``draft``'s format checker on a string in format ``fmt`` (a format the draft does not
    assert: always true), importing what the format needs at its first value."""
    if fmt not in FORMATS[draft]:
        return _accept
    own = _own(draft, fmt)
    if own is None:
        return _asked(draft, fmt)
    standard = _asked(draft, fmt)

    def check(value: str) -> bool:
        verdict = own(value)
        return standard(value) if verdict is None else verdict
    return check


def _accept(value: str) -> bool:
    return True


def conforms(draft: str, value: Any, fmt: str) -> bool:
    """``FormatChecker.conforms(value, fmt)`` of ``draft``'s checker: values other than strings conform."""
    return not isinstance(value, str) or format_check(draft, fmt)(value)


def multiple_of_fails(instance: Any, divisor: Any) -> bool:
    """``jsonschema``'s ``multipleOf`` (drafts 4 on): a number that is not a multiple of ``divisor`` (its
    float division, exact fractions when the quotient overflows); other values pass."""
    from numbers import Number

    if isinstance(instance, bool) or not isinstance(instance, Number):
        return False
    number: Any = instance  # any Number, as jsonschema's type check "number" reads it
    if isinstance(divisor, float):
        quotient = number / divisor
        try:
            return bool(int(quotient) != quotient)
        except OverflowError:
            from fractions import Fraction

            return (Fraction(number) / Fraction(divisor)).denominator != 1
    return bool(number % divisor)
