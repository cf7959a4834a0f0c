"""quality/formats.py reads dialects, formats and ``multipleOf`` as ``jsonschema`` does, without importing it.

The fast validator of a user's schema (quality/fast.py) takes these readings instead of building the
``jsonschema`` validator (whose import with its format checkers cost more than a fresh process's first
records): every table and verdict here is compared with the library's own.
"""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import _keywords, validators

from pytest_testdata.quality import formats
from pytest_testdata.quality.fast import IGNORED_UNLESS_STANDARD
from pytest_testdata.quality.validator import Validator
from pytest_testdata.schemas.model import Schema

CLASSES = {"draft3": validators.Draft3Validator, "draft4": validators.Draft4Validator,
           "draft6": validators.Draft6Validator, "draft7": validators.Draft7Validator,
           "draft201909": validators.Draft201909Validator, "draft202012": validators.Draft202012Validator}

SAMPLES: list[str] = [
    "", "x", "a@b.co", "@", "no-at-sign", "user@", "ü@ä.de",
    "2024-02-29", "2023-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024-02-29T12:00:00Z",
    "2024-02-29t12:00:00z", "2024-02-29T12:00:00.123+02:00", "2024-02-29T24:00:00Z", "2024-02-30T12:00:00Z",
    "0000-01-01T00:00:00Z", "2024-02-29 12:00:00Z", "2024-02-29T12:00:00", "12:00:00Z", "12:00:00+01:00",
    "12:00:00", "25:00:00Z", "12:60:00Z", "23:59:60Z", "2024-02-29T12:00:00Z\n", "2024-02-29T12:00:00.5Z",
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2024-04-31T00:00:00Z", "1900-02-29T00:00:00Z",
    "2024-02-29T12:00:00-23:59", "2024-02-29T12:00:00+24:00", "2024-02-29T12:00:00.Z", "\uff12024-01-01T00:00:00Z",
    "12:00:00.25-05:30", "12:00:00z", "2024-02-29\n",
    "550e8400-e29b-41d4-a716-446655440000", "550E8400-E29B-41D4-A716-446655440000",
    "550e8400e29b41d4a716446655440000", "{550e8400-e29b-41d4-a716-446655440000}",
    "urn:uuid:550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-44665544000",
    "1.2.3.4", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "::1", "fe80::1%eth0", "2001:db8::", ":::",
    "example.com", "a.b.c.example.com", "-bad.example.com", "exa_mple.com", "a" * 64 + ".com", "localhost",
    "münchen.de", "xn--mnchen-3ya.de",
    "https://www.example.com/a/b", "http://h/", "https://exa mple.com/x", "//example.com/x", "a:b", "/relative",
    "https://example.com/%zz", "https://ex\u00e4mple.com/", "https://example.com/x?q=1#f", "#frag",
    "https://h/{id}", "https://h/{id", "{+path}/x", "/a/0", "0/a", "1#", "01/a", "a/b", "/~2",
    "^a(", "^[a-z]+$", "(?P<x>a)", "P1D", "PT1H", "P1Y2M", "P", "1D", "P1DT", "#fff", "red", "#ggg",
]


@pytest.mark.parametrize("draft", sorted(CLASSES))
def test_the_tables_are_jsonschemas(draft: str) -> None:
    cls = CLASSES[draft]
    assert formats.FORMATS[draft] == frozenset(cls.FORMAT_CHECKER.checkers)
    assert (draft in formats.KNOWS_DEPENDENCIES) == ("dependencies" in cls.VALIDATORS)
    for keyword in IGNORED_UNLESS_STANDARD:
        if keyword != "dependencies":
            assert keyword not in cls.VALIDATORS  # read as "not asserted" by fast._light_reading


@pytest.mark.parametrize("uri", [
    *formats.DRAFTS, *(f"{uri}#" for uri in formats.DRAFTS), "https://example.com/my-dialect", "", 5, None])
def test_the_dialect_of_a_document_is_the_one_jsonschema_picks(uri: Any) -> None:
    document = {"$schema": uri, "type": "object"}
    draft = formats.dialect_of(document)
    if draft is None:  # not one of the six: the caller builds jsonschema's validator and reads it
        assert not isinstance(uri, str) or uri.rstrip("#") not in formats.DRAFTS
        return
    assert CLASSES[draft] is validators.validator_for(document, default=validators.Draft202012Validator)


def test_a_document_without_schema_is_2020_12() -> None:
    assert formats.dialect_of({"type": "object"}) == "draft202012"


@pytest.mark.parametrize("draft", sorted(CLASSES))
def test_every_format_check_has_the_checkers_verdict(draft: str) -> None:
    checker = CLASSES[draft].FORMAT_CHECKER
    names = sorted({*formats.FORMATS[draft], "duration", "uuid", "color", "no-such-format"})
    for fmt in names:
        for value in SAMPLES:
            assert formats.format_check(draft, fmt)(value) == checker.conforms(value, fmt), (draft, fmt, value)
        for other in (5, 2.5, None, True, ["x"], {"a": 1}):
            assert formats.conforms(draft, other, fmt) == checker.conforms(other, fmt)


class _Draft4:
    def is_type(self, instance: Any, name: str) -> bool:
        return bool(validators.Draft4Validator({}).is_type(instance, name))


@pytest.mark.parametrize("divisor", [0.01, 0.1, 0.5, 2, 3, 1e-308, 1.5, 7])
def test_multiple_of_is_read_as_jsonschema_reads_it(divisor: Any) -> None:
    values = [0, 1, 2, 3, 0.07, 0.3, 10.01, 19.99, 4.5, 1e308, -6, True, False, "3", None, [2], 2 ** 70,
              0.1 + 0.2, 123456789.12]
    for value in values:
        expected = any(True for _ in _keywords.multipleOf(_Draft4(), divisor, value, {}))
        assert formats.multiple_of_fails(value, divisor) == expected, (value, divisor)


def test_a_refused_record_is_still_explained_with_formats_checked() -> None:
    # The fast verdict decides; a record it refuses is confirmed and explained by jsonschema, built then.
    schema = Schema.from_json_schema({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "signup", "type": "object",
        "required": ["email", "joined"], "$defs": {"day": {"type": "string", "format": "date"}},
        "properties": {"email": {"type": "string", "format": "email"}, "joined": {"$ref": "#/$defs/day"},
                       "price": {"type": "number", "multipleOf": 0.01},
                       "nickname": {"anyOf": [{"type": "string", "minLength": 2}, {"type": "null"}]}}})
    assert schema.standard
    validator = Validator(schema)
    good = {"email": "a@b.co", "joined": "2024-02-29", "price": 10.25, "nickname": None}
    bad = {"email": "nobody", "joined": "2023-02-29", "price": 10.251, "nickname": "x"}
    problems = validator.validate([good, bad])
    assert {(v.record, v.field, v.rule) for v in problems} == {
        (1, "email", "format"), (1, "joined", "format"), (1, "price", "multipleOf"), (1, "nickname", "anyOf")}
