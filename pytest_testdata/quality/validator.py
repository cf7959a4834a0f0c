"""The constraint validator: every record against its schema and the caller's constraints.

The schema is compiled once into a tree of small check functions, so validating a record costs a walk
over its fields and nothing else. It covers the JSON Schema keywords our schemas use (type, required,
additionalProperties, enum, minimum/maximum, multipleOf, minLength/maxLength, pattern, minItems/maxItems,
format uuid/date-time/email) plus the caller's constraints (min, max, length, enum, regex, unique).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import date
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from pytest_testdata.quality.acceptor import Acceptor, number_bounds
from pytest_testdata.quality.constraints_model import rules_for
from pytest_testdata.quality.paths import all_getter, get_all
from pytest_testdata.quality.regex import compile_user_regex
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import FieldConstraint, Violation

Report = Callable[[str, str, str], None]  # (path, rule, message)
Check = Callable[[Any, str, Report], None]

_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def _real_date_time(text: str) -> bool:
    """A date-time of the calendar (no month 13, no 30 February, no hour 24), leap second allowed (RFC 3339).

    Called after the shape regex matched, so the positions are known; by hand rather than
    ``datetime.fromisoformat``, which accepts neither ``Z`` nor any number of decimals before Python 3.11.
    """
    offset = text[-6:] if text[-1] != "Z" else "+00:00"
    return (_real_date(text[:10]) and int(text[11:13]) < 24 and int(text[14:16]) < 60 and int(text[17:19]) <= 60
            and int(offset[1:3]) < 24 and int(offset[4:6]) < 60)


def _real_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


_SHAPES: dict[str, re.Pattern[str]] = {
    # [0-9a-fA-F] rather than re.I: the same strings match (checked over every code point) at half the cost.
    "uuid": re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"),
    "date-time": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z"),
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}\Z"),
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z"),
}
_DATE_TIME, _DATE = _SHAPES["date-time"].match, _SHAPES["date"].match
# The calendar as a regex, for ASCII digits: years 0001-9999, each month's days, 29 February in leap years,
# hours 00-23, minutes 00-59, seconds 00-60. A text it matches is one the shape regex and the calendar
# check accept (tests/test_fast_paths.py compares the two over every date of years 0000-9999); anything
# else still goes through them, so this changes the cost of a check (a regex instead of date parsing and
# six int() calls per timestamp), never its answer.
_MONTH_DAY = (r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              r"|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_LEAP_DAY = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
_CALENDAR_DATE = rf"(?!0000)(?:[0-9]{{4}}-{_MONTH_DAY}|{_LEAP_DAY})"
_CALENDAR_TIME = (r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?"
                  r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])")
_CALENDAR_DATE_TIME_FAST = re.compile(rf"^{_CALENDAR_DATE}{_CALENDAR_TIME}\Z").match
_CALENDAR_DATE_FAST = re.compile(rf"^{_CALENDAR_DATE}\Z").match


def _repeated(body: str) -> Callable[[str, list[str]], bool]:
    """A batch test by a regex: ``body`` repeated, each time followed by a newline, to the end. ``body``
    matches no newline, so with none inside a value (counted) each repetition is one value, exactly."""
    match = re.compile(rf"(?:{body}\n)*\Z").match
    return lambda joined, strings: joined.count("\n") == len(strings) - 1 and match(joined + "\n") is not None


_HEX = b"0123456789abcdefABCDEF"


def _uuids(joined: str, strings: list[str]) -> bool:
    """The UUID regex's batch test without a regex: ``len(strings)`` values of 36 characters, a dash at 8,
    13, 18 and 23 in each, and, once the hex digits are taken out, only those dashes and the newlines
    between the values left, in that order (so no dash or newline elsewhere: every other character a hex
    digit)."""
    count = len(strings)
    if len(joined) != 37 * count - 1 or not joined.isascii():
        return False
    dashes = "-" * count
    return (joined[8::37] == dashes and joined[13::37] == dashes and joined[18::37] == dashes
            and joined[23::37] == dashes and joined[36::37] == "\n" * (count - 1)
            and joined.encode("ascii").translate(None, _HEX) == b"----\n" * (count - 1) + b"----")


# The tables of the column tests below. A column holds one character of each value (``raw[k::21]``: the k-th of
# every date-time); two columns of digits make one column of two-digit numbers, a byte each (:func:`_two_digits`),
# which ``bytes.translate(None, allowed)`` empties exactly when every number is among the allowed bytes.
_TENS = bytes((b - 48) * 10 if 48 <= b <= 57 else 100 for b in range(256))
_UNITS = bytes(b - 48 if 48 <= b <= 57 else 100 for b in range(256))
_HOURS, _MONTHS = bytes(range(24)), bytes(range(1, 13))
_DAY_KIND = bytes([4] + [0] * 28 + [1, 2, 3] + [4] * 224)
"""Day -> 0 for 1-28, 1 for 29, 2 for 30, 3 for 31, 4 for anything else (0, 32-99, 100 and up: not digits)."""
_MONTH_DAYS = bytes(sorted({kind * 13 + month for month in range(1, 13) for kind in (0, 1)}
                           | {2 * 13 + month for month in range(1, 13) if month != 2}
                           | {3 * 13 + month for month in (1, 3, 5, 7, 8, 10, 12)}))
"""``kind * 13 + month`` of each day that month has (29 February too: its year is looked at alone)."""
_FEBRUARY_29 = bytes([1 * 13 + 2])
"""29 February's ``kind * 13 + month``."""


def _two_digits(tens: bytes, units: bytes) -> bytes:
    """Each place's two-digit number (``tens[i]``, ``units[i]``) as one byte: 0-99 where both are ASCII digits,
    100 or more where either is not (no range asked of these holds such a number). The two columns are mapped
    to their values (0, 10 ... 90 and 0 ... 9, 100 for anything else) and added as big integers: no byte
    carries into its neighbour (each sum is at most 200), so every byte of the sum is its place's."""
    total = int.from_bytes(tens.translate(_TENS), "big") + int.from_bytes(units.translate(_UNITS), "big")
    return total.to_bytes(len(tens), "big")


def _calendar_columns(raw: bytes, stride: int) -> bool:
    """True when every value of ``raw`` (values of ``stride`` bytes, each begun by ``YYYY-MM-DD``, its year's
    digits and its dashes already checked) holds a date of the calendar: no year 0000, months 01-12, each
    month's days (29 February in leap years, by the calendar regex itself: a few a batch). False: some value
    may not (the caller then asks the regexes)."""
    if b"0" in raw[0::stride] and b"0000-" in raw:  # (a dash follows four digits only at a year's end)
        return False
    month = _two_digits(raw[5::stride], raw[6::stride])
    if month.translate(None, _MONTHS):
        return False
    kind = int.from_bytes(_two_digits(raw[8::stride], raw[9::stride]).translate(_DAY_KIND), "big")
    # kind * 13 + month is at most 64 a byte: no byte carries into its neighbour, each is its place's
    days = (kind * 13 + int.from_bytes(month, "big")).to_bytes(len(month), "big")
    if days.translate(None, _MONTH_DAYS):
        return False
    at = days.find(_FEBRUARY_29)
    while at >= 0:
        if not _CALENDAR_DATE_FAST(raw[at * stride:at * stride + 10].decode("ascii")):
            return False
        at = days.find(_FEBRUARY_29, at + 1)
    return True


_DATE_PLACES = ((4, b"-"), (7, b"-"))
_STAMP_PLACES = (*_DATE_PLACES, (10, b"T"), (13, b":"), (16, b":"), (19, b"Z"), (20, b"\n"))
_YEAR = (0, 1, 2, 3)


def _laid_out(raw: bytes, stride: int, places: tuple[tuple[int, bytes], ...], digits: tuple[int, ...]) -> bool:
    """Whether each value of ``raw`` (values of ``stride`` bytes) holds the given characters at ``places`` and
    ASCII digits at ``digits``, by columns (``raw[at::stride]``: that place of every value)."""
    count = len(raw) // stride
    return (all(raw[at::stride] == mark * count for at, mark in places)
            and all(raw[at::stride].isdigit() for at in digits))


def _dates(joined: str, strings: list[str], by_regex: Callable[[str, list[str]], bool]) -> bool:
    """The date batch test; for values all shaped ``YYYY-MM-DD``, by columns as :func:`_date_times`."""
    if len(joined) != 11 * len(strings) - 1 or not joined.isascii():
        return by_regex(joined, strings)
    raw = joined.encode("ascii") + b"\n"
    if not (_laid_out(raw, 11, (*_DATE_PLACES, (10, b"\n")), _YEAR) and _calendar_columns(raw, 11)):
        return by_regex(joined, strings)
    return True


def _date_times(joined: str, strings: list[str], by_regex: Callable[[str, list[str]], bool]) -> bool:
    """The date-time batch test; for values all shaped ``YYYY-MM-DDTHH:MM:SSZ`` (what the drawers and the
    dataset's timestamps write) without a step per value: each of the 21 places of every value (its newline
    last) is a column; the separators' columns must be those separators, and the digits' make numbers in
    range (hours 00-23, minutes and seconds 00-59 by a tens digit 0-5 and a units digit, a date of the
    calendar: :func:`_calendar_columns`). Such a value matches the calendar regex; anything else (a
    fraction, an offset, a leap second) is left to ``by_regex``. tests/test_batch_checks.py compares the
    columns' answer with the calendar regex's for every month, day, hour, minute and second 00-99."""
    if len(joined) != 21 * len(strings) - 1 or not joined.isascii():
        return by_regex(joined, strings)
    raw = joined.encode("ascii") + b"\n"
    if not (_laid_out(raw, 21, _STAMP_PLACES, (*_YEAR, 15, 18))
            and not raw[14::21].translate(None, b"012345") and not raw[17::21].translate(None, b"012345")
            and not _two_digits(raw[11::21], raw[12::21]).translate(None, _HOURS)
            and _calendar_columns(raw, 21)):
        return by_regex(joined, strings)
    return True


_STAMPS_BY_REGEX = _repeated(_CALENDAR_DATE + _CALENDAR_TIME)
_COLUMNS: dict[str, Callable[[str, list[str]], bool]] = {
    "uuid": _uuids,
    "date-time": partial(_date_times, by_regex=_STAMPS_BY_REGEX),
    "date": partial(_dates, by_regex=_repeated(_CALENDAR_DATE)),
}
"""A format's test of many values at once (:meth:`Validator._proven_columns`): ``(joined, values)``, the
values joined by newlines and the values themselves. True only when each value passes the format's test as
the acceptor makes it (``_SHAPES["uuid"]``, the calendar regexes, which imply the calendar check). One call
per batch instead of one per value, and C loops over the joined text instead of a regex's step per
character: the call, its match object and those steps cost most of a test."""


def _date_time(v: str) -> bool:
    return _CALENDAR_DATE_TIME_FAST(v) is not None or (_DATE_TIME(v) is not None and _real_date_time(v))


def _date(v: str) -> bool:
    return _CALENDAR_DATE_FAST(v) is not None or (_DATE(v) is not None and _real_date(v))


# The acceptor (quality/acceptor.py) asks the calendar regex itself first: one call fewer per timestamp.
_date_time.shortcut = _CALENDAR_DATE_TIME_FAST  # type: ignore[attr-defined]
_date.shortcut = _CALENDAR_DATE_FAST  # type: ignore[attr-defined]

_FORMATS: dict[str, Callable[[str], object]] = {
    "uuid": _SHAPES["uuid"].match,
    "email": _SHAPES["email"].match,
    "date-time": _date_time,
    "date": _date,
}
"""Each built-in format's test (truthy: valid). Dates and date-times are shaped by a regex, then checked
against the calendar (no month 13, no 30 February)."""


def value_problems(node: Mapping[str, Any]) -> Callable[[Any], list[str]]:
    """``problems(value)``: what one subschema finds wrong with one value, as the validator words it
    (``"'abc' is not a valid uuid [format]"``), empty when the value fits. For values a caller supplies to go
    into a field (a dataset's external ids); the subschema is compiled once."""
    check = _compile(node)

    def problems(value: Any) -> list[str]:
        found: list[str] = []
        check(value, "", lambda _path, rule, message: found.append(f"{message} [{rule}]"))
        return found
    return problems


def format_test(name: str) -> Callable[[str], object] | None:
    """The validator's test of a built-in format (truthy: valid), or None for a format it does not check."""
    return _FORMATS.get(name)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _compile(node: Mapping[str, Any], constraint: FieldConstraint | None = None) -> Check:
    """Compile one subschema (plus the caller's constraint on that path) into a check function."""
    checks: list[Check] = []
    types = node.get("type")
    type_list = [types] if isinstance(types, str) else list(types or [])
    if type_list:
        predicates = [_TYPES[t] for t in type_list if t in _TYPES]
        expected = " or ".join(type_list)

        def check_type(v: Any, p: str, report: Report) -> None:
            if not any(pred(v) for pred in predicates):
                report(p, "type", f"expected {expected}, got {_short(v)}")
        checks.append(check_type)
    nullable = "null" in type_list

    lo, lo_open, hi, hi_open = number_bounds(node, constraint)
    if lo is not None or hi is not None:
        def check_range(v: Any, p: str, report: Report) -> None:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if lo is not None and (v < lo or (lo_open and v == lo)):
                    report(p, "min", f"{v!r} is below the {'exclusive ' if lo_open else ''}minimum {lo!r}")
                elif hi is not None and (v > hi or (hi_open and v == hi)):
                    report(p, "max", f"{v!r} is above the {'exclusive ' if hi_open else ''}maximum {hi!r}")
        checks.append(check_range)
    step = node.get("multipleOf")
    if step == 0.01:
        def check_cents(v: Any, p: str, report: Report) -> None:
            if isinstance(v, float) and abs(round(v, 2) - v) > 1e-9:
                report(p, "multipleOf", f"{v!r} has more than two decimal places")
        checks.append(check_cents)
    elif isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0:
        def check_step(v: Any, p: str, report: Report) -> None:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ratio = v / step
                if abs(ratio - round(ratio)) > 1e-9:
                    report(p, "multipleOf", f"{v!r} is not a multiple of {step!r}")
        checks.append(check_step)

    rules = rules_for(node, constraint)
    min_len, max_len = rules.min_length, rules.max_length
    if min_len is not None or max_len is not None:
        def check_length(v: Any, p: str, report: Report) -> None:
            if isinstance(v, (str, list)):
                if min_len is not None and len(v) < min_len:
                    report(p, "min_length", f"length {len(v)} is below the minimum {min_len}")
                elif max_len is not None and len(v) > max_len:
                    report(p, "max_length", f"length {len(v)} is above the maximum {max_len}")
        checks.append(check_length)

    enum = list(rules.enum) if rules.enum is not None else None
    if enum is not None:
        allowed = list(enum)

        def check_enum(v: Any, p: str, report: Report) -> None:
            if v not in allowed and not (v is None and nullable):
                report(p, "enum", f"{_short(v)} is not one of {allowed}")
        checks.append(check_enum)

    # User patterns run on RE2 within a budget (quality/regex.py): a hostile one cannot hang a check.
    patterns = [compile_user_regex(p, "pattern") for p in rules.patterns]
    if patterns:
        def check_pattern(v: Any, p: str, report: Report) -> None:
            if isinstance(v, str):
                for pattern in patterns:
                    if not pattern.search(v):
                        report(p, "regex", f"{_short(v)} does not match {pattern.pattern!r}")
        checks.append(check_pattern)

    fmt = _FORMATS.get(str(node.get("format")))
    if fmt is not None:
        name = node["format"]

        def check_format(v: Any, p: str, report: Report) -> None:
            if isinstance(v, str) and not fmt(v):
                report(p, "format", f"{_short(v)} is not a valid {name}")
        checks.append(check_format)

    if "properties" in node:
        checks.append(_compile_object(node))
    items = node.get("items")
    min_items, max_items = node.get("minItems"), node.get("maxItems")
    if isinstance(items, Mapping) or min_items is not None or max_items is not None:
        item_check = _compile(items) if isinstance(items, Mapping) else None

        def check_array(v: Any, p: str, report: Report) -> None:
            if not isinstance(v, list):
                return
            if min_items is not None and len(v) < min_items:
                report(p, "min_items", f"{len(v)} items, fewer than the minimum {min_items}")
            if max_items is not None and len(v) > max_items:
                report(p, "max_items", f"{len(v)} items, more than the maximum {max_items}")
            if item_check is not None:
                for i, item in enumerate(v):
                    item_check(item, f"{p}.{i}", report)
        checks.append(check_array)

    def check_all(v: Any, p: str, report: Report) -> None:
        for check in checks:
            check(v, p, report)
    return check_all


def _compile_object(node: Mapping[str, Any], constraints: Mapping[str, FieldConstraint] | None = None) -> Check:
    props = {name: _compile(sub, (constraints or {}).get(name)) for name, sub in node["properties"].items()}
    required = tuple(node.get("required", ()))
    closed = node.get("additionalProperties") is False

    def check_object(v: Any, p: str, report: Report) -> None:
        if not isinstance(v, dict):
            return
        prefix = f"{p}." if p else ""
        for name in required:
            if name not in v:
                report(f"{prefix}{name}", "required", "missing required field")
        for name, value in v.items():
            check = props.get(name)
            if check is not None:
                check(value, f"{prefix}{name}", report)
            elif closed:
                report(f"{prefix}{name}", "additional", "field not defined by the schema")
    return check_object



class _Reported(Exception):
    pass


def _raise(path: str, rule: str, message: str) -> None:
    raise _Reported


def _quiet(node: Mapping[str, Any], constraint: FieldConstraint | None = None) -> Callable[[Any], bool]:
    """A predicate: does the reporting check of ``node`` stay quiet for a value? (The acceptor's fallback.)"""
    check = _compile(node, constraint)

    def ok(v: Any) -> bool:
        try:
            check(v, "", _raise)
        except _Reported:
            return False
        return True
    return ok


def shapes_test(node: Mapping[str, Any]) -> Callable[[list[Any]], bool] | None:
    """The tests ``made_shapes`` leaves out at a path (``node``'s format and patterns), over a list of values:
    True when every string among them passes each (what the reporting checks test: :func:`_compile`); None
    when ``node`` has neither. What proves a value once for the many records that hold it
    (:mod:`pytest_testdata.datasets.proven`)."""
    fmt = _FORMATS.get(str(node.get("format")))
    # A pattern's ``test`` answers as its ``search`` does (quality/regex.py), faster: the acceptor calls it too.
    searches = [compile_user_regex(p, "pattern") for p in rules_for(node).patterns]
    tests = ([fmt] if fmt is not None else []) + [regex.test or regex.search for regex in searches]
    if not tests:
        return None

    # A format with a batch test (a UUID: _COLUMNS) and no pattern is tested over the values at once first:
    # True there means each value passes the format's test; anything else is answered value by value.
    batch = _COLUMNS.get(str(node.get("format"))) if fmt is not None and not searches else None

    def test(values: list[Any]) -> bool:
        strings = [v for v in values if isinstance(v, str)]  # (the reporting checks test strings only)
        if batch is not None and strings and batch("\n".join(strings), strings):
            return True
        return all(all(map(one, strings)) for one in tests)
    return test


class _StandardAcceptor:
    """The acceptor of a standard-validated schema: ``jsonschema``'s own yes/no."""

    def __init__(self, function: Callable[[Any], bool]) -> None:
        self.function = function
        self.source = ""

    def __call__(self, record: Any) -> bool:
        return self.function(record)


COLUMNS_FROM = 200
"""Records in a batch from which a validator without the caller's constraints tests each top-level UUID,
date and date-time field of the whole batch at once (:meth:`Validator._proven_columns`): a dataset's chunk
(2,000), a large request. Each other set of fields so proven compiles an acceptor of its own."""

REPORTED_FIRST = 8
"""Records a validator checks with its reporting checks alone before it compiles its acceptor: the
violations are the same either way (the acceptor only spares those checks the records that break nothing),
and a fresh process's first record (or a test's handful) skips compiling it, some 4 ms for an order. A
larger batch compiles it at once."""


class Validator:
    """Validates records against a schema plus the caller's per-field constraints."""

    def __init__(self, schema: Schema, constraints: Mapping[str, FieldConstraint] | None = None) -> None:
        constraints = dict(constraints or {})
        if schema.standard:
            self._init_standard(schema, constraints)
            return
        self._root = _compile_object(schema.json_schema, constraints)
        # Constraints on nested paths ("totals.total") are checked by path after the tree walk.
        self._nested = {path: c for path, c in constraints.items() if "." in path}
        self._nested_checks = {
            path: _compile(schema.subschema(path) or {}, c) for path, c in self._nested.items()
        }
        self.unique = tuple(schema.unique_fields()) + tuple(p for p, c in constraints.items() if c.unique)
        # Records the acceptor takes are valid; only the others go through the reporting checks. It is
        # compiled on first use (see REPORTED_FIRST).
        self._acceptor: Acceptor | _StandardAcceptor | None = None
        self._reported_left = REPORTED_FIRST
        self._schema, self._constraints = schema, constraints
        self._made: dict[frozenset[str], Callable[[Any], bool]] = {}
        self._nested_accept = [(all_getter(path), _quiet(schema.subschema(path) or {}, c))
                               for path, c in self._nested.items()]
        self._columns = [] if constraints else _column_tests(schema.json_schema)

    def _init_standard(self, schema: Schema, constraints: dict[str, FieldConstraint]) -> None:
        """A user schema beyond the classic keywords: judged against the document as written, by
        ``jsonschema-rs`` when installed (quality.fast) and by the ``jsonschema`` library otherwise and for
        every rejected record (quality.standard); the caller's constraints are checked by path."""
        from pytest_testdata.quality.fast import fast_is_valid

        document = schema.document

        @lru_cache(maxsize=1)
        def standard() -> Any:
            # Built at the first record jsonschema-rs rejects (to confirm and explain it), or now when there
            # is no fast verdict: importing jsonschema with its format checkers cost more than a fresh
            # process's first records of a user's model.
            from pytest_testdata.quality.standard import standard_validator

            return standard_validator(document, getattr(schema, "_embeds_ids", None))  # set at load

        self._nested = constraints
        self._nested_checks = {path: _compile({}, c) for path, c in constraints.items()}
        self.unique = tuple(p for p in schema.unique_fields() if "." not in p) + tuple(
            p for p, c in constraints.items() if c.unique)
        self._nested_accept = [(all_getter(path), _quiet({}, c)) for path, c in constraints.items()]
        # jsonschema-rs decides when installed (quality.fast); a record it rejects is judged again by the
        # standard, which has the last word (and the explanation).
        fast = fast_is_valid(document, standard, getattr(schema, "_mentions", None))  # set at load
        if fast is None:
            standard()  # no fast verdict: the standard decides every record (and a document it refuses fails here)

        def accept(record: Any) -> bool:
            return bool((fast is not None and fast(record)) or standard().is_valid(record))

        def report_all(record: Any, _path: str, report: Report) -> None:
            from pytest_testdata.quality.standard import violations

            for v in violations(standard(), record, 0):
                report(v.field, v.rule, v.message)

        self._root = report_all
        self._columns = []
        self._acceptor = _StandardAcceptor(accept)
        self._reported_left = 0
        self._made = {}

    @property
    def acceptor(self) -> Acceptor | _StandardAcceptor:
        """The fast yes/no of the records that break nothing (:mod:`pytest_testdata.quality.acceptor`)."""
        found = self._acceptor
        if found is None:
            found = self._acceptor = Acceptor(self._schema.json_schema, self._constraints, _FORMATS, _quiet,
                                              self._schema.name)
        return found

    @acceptor.setter
    def acceptor(self, value: Acceptor | _StandardAcceptor) -> None:
        self._acceptor = value

    def accepts(self, record: Any) -> bool:
        """True when the record breaks nothing (uniqueness within a batch aside), decided fast."""
        if not self.acceptor(record):
            return False
        return all(ok(v) for read, ok in self._nested_accept for v in read(record))

    def _accepts_made(self, made_shapes: frozenset[str]) -> Callable[[Any], bool]:
        """The acceptor without the format and pattern tests of ``made_shapes`` (compiled once per set)."""
        found = self._made.get(made_shapes)
        if found is None:
            if self._nested_accept or isinstance(self._acceptor, _StandardAcceptor):  # (set at once: see there)
                found = self.accepts  # constraints or a standard schema: nothing left out
            else:
                found = Acceptor(self._schema.json_schema, self._constraints, _FORMATS, _quiet, self._schema.name,
                                 made_shapes).function
            self._made[made_shapes] = found
        return found

    def validate(self, records: list[dict[str, Any]], accepted: Collection[int] = (),
                 made_shapes: frozenset[str] = frozenset()) -> list[Violation]:
        """Every violation in a batch, including duplicates of unique fields within the batch; records whose
        index is in ``accepted`` were already found breaking nothing by this validator (by the generator
        that made them) and are only compared across the batch. At each path of ``made_shapes`` every
        record holds a value of that path's format and pattern by how it was built (the traditional plan's
        drawers, generators/traditional/vouch.py): those tests are left out, everything else is checked."""
        violations: list[Violation] = []
        if self._acceptor is None and not self._made and len(records) <= self._reported_left:
            # No acceptor compiled yet, and a handful of records: the reporting checks alone, which decide
            # what is reported whatever the acceptor says (REPORTED_FIRST).
            self._reported_left -= len(records)
            for index, record in enumerate(records):
                if index not in accepted:
                    self._report(index, record, violations)
            return self._unique(records, violations)
        read: dict[str, list[Any]] = {}
        if len(records) >= COLUMNS_FROM and self._columns:
            made_shapes = self._proven_columns(records, made_shapes, read)
        if made_shapes:
            accepts = self._accepts_made(made_shapes)
        else:
            accepts = self.accepts if self._nested_accept else self.acceptor.function
        for index, record in enumerate(records):
            if index in accepted or accepts(record):
                continue  # nothing to report (see quality.acceptor)
            self._report(index, record, violations)
        return self._unique(records, violations, read)

    def _proven_columns(self, records: list[Any], made_shapes: frozenset[str],
                        read: dict[str, list[Any]] | None = None) -> frozenset[str]:
        """``made_shapes`` with the top-level fields whose format every record's value passes, tested over the
        batch at once (:data:`_COLUMNS`): each value is tested, by a regex call per field instead of one per
        record. A field some record lacks, or holds a value of another type in, or one that fails, is left
        to the acceptor's test in each record, as before; either way the reporting checks decide what is
        reported for a record the acceptor does not take. ``read`` gets each field read from every record:
        its values in the records' order (:meth:`_unique` compares a unique field's without reading it again)."""
        proven = []
        for name, test in self._columns:
            if name in made_shapes:
                continue
            try:
                strings = list(map(itemgetter(name), records))
                if read is not None:
                    read[name] = strings
                try:
                    joined = "\n".join(strings)
                except TypeError:  # a null (the field's type may allow it), or a value of another type
                    strings = [value for value in strings if value is not None]
                    joined = "\n".join(strings)
            except (KeyError, TypeError, IndexError):  # a record without it, a value not a str, a record not a dict
                continue
            if strings and test(joined, strings):
                proven.append(name)
        return made_shapes.union(proven) if proven else made_shapes

    def _report(self, index: int, record: Any, violations: list[Violation]) -> None:
        """The reporting checks of one record (the acceptor did not take it)."""
        def report(path: str, rule: str, message: str) -> None:
            violations.append(Violation(index, path, rule, message))

        if not isinstance(record, dict):
            report("", "type", f"expected an object, got {_short(record)}")
            return
        self._root(record, "", report)
        for path, check in self._nested_checks.items():
            for value in get_all(record, path):
                check(value, path, report)

    def _unique(self, records: list[Any], violations: list[Violation],
                read: Mapping[str, list[Any]] | None = None) -> list[Violation]:
        """``violations`` with the repeats of unique fields across the batch added (``read``: fields' values
        already read from every record, :meth:`_proven_columns`)."""
        for path in self.unique:
            if "*" in path or "." in path:
                # Uniqueness inside nested lists is a per-record matter, not the batch's; other nested
                # paths are not compared across records.
                continue
            values = read.get(path) if read else None
            if _distinct(values) if values is not None else _all_distinct(records, path):
                continue  # nothing repeats (the usual case): no loop that remembers where each value was
            seen: dict[Any, int] = {}
            for index, record in enumerate(records):
                value = record.get(path) if isinstance(record, dict) else None
                if value is None:
                    continue
                if isinstance(value, (dict, list)):
                    value = repr(value)  # malformed (the type check reports it); compare, don't crash
                if value in seen:
                    violations.append(Violation(index, path, "unique",
                                                f"{_short(value)} repeats record {seen[value]}"))
                else:
                    seen[value] = index
        return violations


def _column_tests(tree: Mapping[str, Any]) -> list[tuple[str, Callable[[str, list[str]], bool]]]:
    """(field, batch test) of each top-level property with a format :data:`_COLUMNS` tests and no pattern (a
    path in ``made_shapes`` has its patterns left out too)."""
    properties = tree.get("properties")
    if not isinstance(properties, Mapping):
        return []
    out = []
    for name, node in properties.items():
        test = _COLUMNS.get(str(node.get("format"))) if isinstance(node, Mapping) else None
        if test is not None and isinstance(name, str) and "." not in name and "*" not in name \
                and not rules_for(node).patterns:
            out.append((name, test))
    return out


def _all_distinct(records: list[Any], path: str) -> bool:
    """True when every record is a dict holding a value at ``path``, hashable, and no two are equal: then
    :meth:`Validator._unique` has nothing to report for the path. False when it must look (a repeat, a
    missing value, a record that is not a dict, an unhashable value)."""
    try:
        values = [record[path] for record in records if type(record) is dict]
    except KeyError:  # a record without the value
        return False
    return len(values) == len(records) and _distinct(values)


def _distinct(values: list[Any]) -> bool:
    """True when every value is hashable and no two are equal: a unique field's values read from every record
    (each record a mapping that holds the field), of which :meth:`Validator._unique` then has nothing to
    report (it compares those of the dicts among them, nulls aside: a subset, no two equal either)."""
    try:
        return len(set(values)) == len(values)
    except TypeError:  # an unhashable value (a dict, a list)
        return False


@lru_cache(maxsize=512)
def _cached(schema: Schema, frozen: tuple[tuple[str, FieldConstraint], ...]) -> Validator:
    return Validator(schema, dict(frozen))


def validator_for(schema: Schema, constraints: Mapping[str, FieldConstraint]) -> Validator:
    """A compiled validator, reused for the same schema and constraints."""
    return _cached(schema, tuple(sorted(constraints.items())))
