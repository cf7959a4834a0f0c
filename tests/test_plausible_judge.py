"""The judge behind bench_schemas' "plausible" column (benchmarks/plausible.py) tells right values from wrong.

The benchmark's 100% is only worth something if the judge rejects what a reader would reject: these tests feed
it values a generator could plausibly get wrong and check each is caught, and check the categories come from the
field names the way a reader of the schema would guess them.
"""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import plausible

GOOD_AND_BAD: list[tuple[str, Any, Any]] = [
    ("email", "ana.lima@example.com", "Ana Lima"),
    ("url", "https://example.org/a", "example org"),
    ("purl", "pkg:pypi/requests@2.32.3", "requests==2.32.3"),
    ("currency", "EUR", "EURO"),
    ("username", "octocat", "the octo cat"),
    ("person_name", "Ana Lima", "ana"),
    ("date", "2024-05-01T10:00:00Z", "yesterday"),
    ("colour", "#a1b2c3", "#zzzzzz"),
    ("age", 42, 420),
    ("country", "DE", "Atlantis"),
    ("ip", "192.0.2.10", "999.1.1.1"),
    ("uuid", "6f1c1a52-8a3e-4c55-9d7b-2f2a1b3c4d5e", "6f1c1a52"),
    ("sha", "3f786850e387550fdab836ed7e6dc881de23001b", "not a sha"),
    ("phone", "+49 30 901820", "call me"),
    ("slug", "hello-world", "Hello World"),
    ("prose", "Arrived quickly and works as described.", "x1 y2 z3 9999 ####"),
    ("iban", "DE89370400440532013000", "DE89370400440532013001"),
    ("card_number", "4111111111111111", "4111111111111112"),
    ("latitude", 52.52, 123.4),
    ("longitude", 13.405, 200.0),
    ("timezone", "Europe/Berlin", "Europe/Springfield"),
    ("language", "de", "zz"),
    ("locale", "de_DE", "german"),
    ("version", "1.2.3", "one.two"),
    ("mime_type", "application/json", "json"),
    ("domain", "example.org", "localhost"),
    ("postal_code", "10115", "?"),
    ("money", 19.99, 19.999),
    ("quantity", 3, -1),
    ("rating", 4, 11),
    ("sku", "SKU-1042", "sku 1042!"),
    ("category", "Kitchen", "Kitchen appliances that are great."),
]


@pytest.mark.parametrize(("kind", "good", "bad"), GOOD_AND_BAD, ids=[row[0] for row in GOOD_AND_BAD])
def test_each_category_accepts_a_real_value_and_rejects_a_wrong_one(kind: str, good: Any, bad: Any) -> None:
    check = plausible.CATEGORIES[kind]
    assert check(good), f"{kind}: the judge rejected a real value {good!r}"
    assert not check(bad), f"{kind}: the judge accepted {bad!r}"


@pytest.mark.parametrize(("name", "parent", "schema", "expected"), [
    ("email", "user", {"type": "string"}, "email"),
    ("name", "author", {"type": "string"}, "person_name"),
    ("name", "company", {"type": "string"}, "company"),
    ("name", "pet", {"type": "string"}, "pet_name"),
    ("full_name", "parent repository", {"type": "string"}, None),  # owner/name, not a person
    ("price", "item", {"type": "number"}, "money"),
    ("price", "item", {"type": "number", "maximum": 5}, None),  # the schema's own range decides
    ("state", "address", {"type": "string"}, "region"),
    ("content_type", "event", {"type": "string", "enum": ["Issue", "PullRequest"]}, None),
    ("title", "issue", {"type": "string"}, "summary_line"),
    ("title", "milestone", {"type": "string"}, "milestone"),
    ("description", "product", {"type": "string"}, "prose"),
    ("flag", "item", {"type": "boolean"}, None),
])
def test_a_fields_category_comes_from_its_name_and_parent(name: str, parent: str, schema: dict[str, Any],
                                                          expected: str | None) -> None:
    assert plausible.category(name, parent, schema) == expected


def test_judged_values_walks_nested_objects_lists_and_references() -> None:
    schema = {
        "title": "Order",
        "type": "object",
        "properties": {
            "customer": {"$ref": "#/$defs/Person"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "sku": {"type": "string"}, "price": {"type": "number"}}}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "note": {"anyOf": [{"type": "null"}, {"type": "string"}]},
            "kind": {"type": "string", "enum": ["a", "b"]},
        },
    }
    defs = {"Person": {"type": "object", "properties": {"email": {"type": "string"},
                                                        "name": {"type": "string"}}}}
    record = {"customer": {"email": "not an email", "name": "Ana Lima"},
              "items": [{"sku": "A-1", "price": 2.5}, {"sku": "B-2", "price": 1.25}],
              "tags": ["gift", "Sale!"], "note": None, "kind": "a"}
    judged = list(plausible.judged_values(record, schema, defs))
    assert sorted(judged, key=repr) == sorted([
        ("email", "not an email"), ("person_name", "Ana Lima"),
        ("sku", "A-1"), ("money", 2.5), ("sku", "B-2"), ("money", 1.25),
        ("tag", "gift"), ("tag", "Sale!"),
    ], key=repr)
    verdicts = {(kind, value): plausible.CATEGORIES[kind](value) for kind, value in judged}
    assert verdicts[("email", "not an email")] is False
    assert verdicts[("tag", "Sale!")] is False
    assert verdicts[("person_name", "Ana Lima")] is True


def test_a_repository_object_is_recognised_whatever_its_field_is_called() -> None:
    schema = {"title": "Event", "type": "object", "properties": {
        "source": {"type": "object", "properties": {
            "full_name": {"type": "string"}, "owner": {"type": "object"}, "private": {"type": "boolean"}}}}}
    judged = list(plausible.judged_values({"source": {"full_name": "octocat/hello-world", "owner": {},
                                                      "private": False}}, schema, {}))
    assert judged == []  # a repository's full_name is owner/name: not judged as a person's name
