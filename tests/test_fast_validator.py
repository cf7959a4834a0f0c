"""jsonschema-rs decides, jsonschema explains: the verdicts are the standard's, over the suite and the corpus.

pytest_testdata/quality/fast.py hands a user schema's records to ``jsonschema-rs`` (the ``fast`` extra; the
``dev`` extra and so CI install it) and consults the ``jsonschema`` library only for a record it rejects.
That is sound only if the fast validator never accepts what the standard validator (quality/standard.py:
``jsonschema`` with its format checker and the project's RE2 patterns) rejects. Proven here over every test
case of the official JSON-Schema-Test-Suite in five dialects (optional/ files and formats included), over
records of the real-world corpus and variants of them broken one field at a time, and the same for the
meta-schema check of documents.
"""

from __future__ import annotations

import copy
import json
import sys
import tarfile
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import validators

from benchmarks import corpus
from pytest_testdata.engine import Engine
from pytest_testdata.errors import RegexRefused, SchemaError
from pytest_testdata.quality import fast
from pytest_testdata.quality.standard import standard_validator
from pytest_testdata.quality.validator import Validator
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.schemas.sources.metaschema import _meta_validator
from pytest_testdata.types import GenerationRequest
from tests.test_metaschema import MISTAKES

DIALECTS = {"draft2020-12": "https://json-schema.org/draft/2020-12/schema",
            "draft2019-09": "https://json-schema.org/draft/2019-09/schema",
            "draft7": "http://json-schema.org/draft-07/schema#", "draft6": "http://json-schema.org/draft-06/schema#",
            "draft4": "http://json-schema.org/draft-04/schema#"}


def _require_fast() -> None:
    if not fast.available():
        pytest.fail("jsonschema-rs is not installed: pip install -e '.[fast]' (the dev extra includes it)")


def _suite_groups() -> Iterator[tuple[str, str, Any, list[dict[str, Any]]]]:
    """(file, description, schema, tests) of every group of the five dialects' files, optional/ included."""
    with tarfile.open(corpus.suite_sdist()) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = member.name.split("/")
            if len(parts) < 5 or parts[1:3] != ["json", "tests"] or parts[3] not in DIALECTS:
                continue
            handle = tar.extractfile(member) if member.name.endswith(".json") else None
            if handle is None:
                continue
            for group in json.load(handle):
                schema = group["schema"]
                if isinstance(schema, dict):
                    schema = {"$schema": DIALECTS[parts[3]], **schema}
                yield "/".join(parts[3:]), group["description"], schema, group["tests"]


@pytest.mark.parametrize("read_by", ["tables", "validator"])
def test_the_fast_verdict_is_the_standards_over_the_test_suite(read_by: str) -> None:
    # "tables": the standard validator handed as a function that builds it (quality.validator's way), so
    # the keywords and formats are read by quality.formats without it; "validator": read off the validator.
    _require_fast()
    compared = built = groups = 0
    accepted_wrongly: list[str] = []
    stricter: set[str] = set()
    for file, description, schema, tests in _suite_groups():
        if not isinstance(schema, dict):
            continue
        groups += 1
        standard = standard_validator(schema)
        is_valid = fast.fast_is_valid(schema, (lambda s=standard: s) if read_by == "tables" else standard)
        if is_valid is None:
            continue
        built += 1
        for test in tests:
            try:
                expected = standard.is_valid(test["data"])
            except RegexRefused:  # a pattern the project refuses at load (\cC, a lookaround): never judged
                continue
            compared += 1
            verdict = is_valid(test["data"])
            if verdict and not expected:
                accepted_wrongly.append(f"{file}: {description}: {test['description']}")
            elif expected and not verdict:
                stricter.add(file.split("/", 1)[1])
    assert compared > 6500 and built > 0.9 * groups
    assert accepted_wrongly == []
    # Rejected by jsonschema-rs and accepted by the standard (so accepted in the end, quality.validator asks
    # the standard about every rejection): only ECMA-262's ASCII \d and \w in patternProperties.
    assert stricter == {"optional/ecmascript-regex.json"}


def test_unresolvable_documents_fall_back_to_the_standard() -> None:
    _require_fast()
    document = {"$schema": DIALECTS["draft2020-12"], "$ref": "https://example.com/elsewhere.json"}
    assert fast.fast_is_valid(document, validators.Draft202012Validator({})) is None  # never fetched


URIS = [
    "https://www.example.com/a/b", "http://h/", "https://api.github.com/users/octocat/gists{/gist_id}",
    "https://exa mple.com/x", "https://example.com/a b", "https://example.com/%zz", "https://ex\u00e4mple.com/",
    "http://[::1]/x", "https://example.com:99999/x", "https://example.com/x?q=1#f", "//example.com/x", "a:b",
    "https://example.com/x\n", "https://-example-.com/", "https://example.com/\u00fcber", "x", "",
    # URI templates as the generator draws them (a plain URI ending in one simple expression), and around them.
    "https://api.word.com/word/{id}", "https://h/{user_id}", "https://h/{Page2}", "https://h/{a.b}", "https://h/{}",
    "https://h/{id", "https://h/id}", "https://h/{id}}", "https://h/{{id}}", "https://h/x{id}", "https://h/{id}/x",
    "https://h/{-id}", "https://h/{id:3}", "https://h/{+id}", "https://h/{ id}", "https://h/{\u00fcber}",
]


@pytest.mark.parametrize("fmt", ["uri", "uri-reference", "iri", "iri-reference", "uri-template"])
@pytest.mark.parametrize("dialect", ["draft2020-12", "draft7"])
@pytest.mark.parametrize("read_by", ["tables", "validator"])
def test_uri_formats_have_the_standards_verdict(fmt: str, dialect: str, read_by: str) -> None:
    # Plain https://host/path values skip the format checker (quality/fast.py): the verdict must not change,
    # for them and for URIs around them that are not plain.
    _require_fast()
    document = {"$schema": DIALECTS[dialect], "type": "string", "format": fmt}
    standard = standard_validator(document)
    is_valid = fast.fast_is_valid(document, (lambda: standard) if read_by == "tables" else standard)
    assert is_valid is not None
    for value in URIS:
        assert is_valid(value) == standard.is_valid(value), (fmt, value)


@pytest.mark.parametrize("fmt", [*sorted(validators.Draft202012Validator.FORMAT_CHECKER.checkers), "no-such-format"])
@pytest.mark.parametrize("typed", [True, False])
def test_a_format_check_while_drawing_has_the_validators_verdict(fmt: str, typed: bool) -> None:
    # subschema_check of {"format": f} (and {"type": "string", "format": f}) asks the format checker directly,
    # without a validator: the verdicts must be the validator's, for strings, URIs and values of other types.
    from pytest_testdata.quality.standard import _extended, subschema_check

    node: dict[str, Any] = {"type": "string", "format": fmt} if typed else {"format": fmt}
    check = subschema_check(node)
    cls = _extended(validators.Draft202012Validator)
    validator = cls(node, format_checker=cls.FORMAT_CHECKER)
    # Inside a larger subschema (a oneOf branch): a validator, with the drawing checker's shortcut for URIs.
    nested = subschema_check({"type": "object", "properties": {"u": node}})
    values: list[Any] = [*URIS, "2024-02-30", "2024-02-29", "12:00:00Z", "P1D", "a@b.co", "::1", "1.2.3.4", "^a(",
                         "/a/0", "0/a", "550e8400-e29b-41d4-a716-446655440000", 5, 2.5, None, True, ["x"], {"a": 1}]
    for value in values:
        assert check(value) == validator.is_valid(value), (fmt, typed, value)
        assert nested({"u": value}) == validator.is_valid(value), (fmt, typed, value)


def _broken(record: Any) -> Iterator[Any]:
    """The record with one value changed: each of its first leaves made wrong in a few ways, a field removed."""
    def leaves(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield from leaves(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node[:2]):
                yield from leaves(value, (*path, index))
        else:
            yield path, node

    def replaced(path: tuple[Any, ...], value: Any) -> Any:
        out = copy.deepcopy(record)
        node = out
        for part in path[:-1]:
            node = node[part]
        if value is _GONE:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return out
    for path, value in list(leaves(record, ()))[:12]:
        if not path:
            continue
        wrong = ["", "x", "2021-02-30T25:00:00Z", "not an email", "::1::", 0.07, -1, None, True]
        if isinstance(value, str):
            wrong += [value + "\n", value.upper(), value[:-1], " " + value]
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            wrong += [value + 0.5, value * 1000 + 1, -value - 1]
        for candidate in wrong:
            yield replaced(path, candidate)
        if isinstance(path[-1], str):
            yield replaced(path, _GONE)


_GONE = object()


def test_the_fast_verdict_is_the_standards_on_corpus_records_and_broken_variants() -> None:
    _require_fast()
    registry = SchemaRegistry(builtins=False)
    engine = Engine(registry)
    judged = rejected = 0
    accepted_wrongly: list[str] = []
    for index, item in enumerate(corpus.entity_corpus()[::4]):
        try:
            schema = registry.register(Schema.from_json_schema(item.document, source=item.origin,
                                                               name=f"entity_{index}"))
            records = engine.generate(GenerationRequest.checked(schema.name, 1, seed=index)).records
        except SchemaError:
            continue
        standard = standard_validator(item.document)
        is_valid = fast.fast_is_valid(item.document, standard)
        assert is_valid is not None, item.origin
        for record in records:
            for candidate in [record, *_broken(record)]:
                judged += 1
                expected = standard.is_valid(candidate)
                rejected += not expected
                if is_valid(candidate) and not expected:
                    accepted_wrongly.append(f"{item.origin}: {json.dumps(candidate, default=str)[:200]}")
    assert judged > 2000 and rejected > 1000
    assert accepted_wrongly == []


def _suite_values() -> Iterator[dict[str, Any]]:
    yield from MISTAKES
    for _, _, schema, tests in _suite_groups():
        for value in [schema, *(test["data"] for test in tests)]:
            if isinstance(value, dict):
                yield value


def test_the_fast_meta_schema_verdict_is_the_standards() -> None:
    _require_fast()
    import jsonschema_rs

    compared = refused = 0
    differ = []
    for value in _suite_values():
        for dialect in (*DIALECTS.values(), None):
            document = {**value, "$schema": dialect} if dialect else dict(value)
            cls = validators.validator_for(document, default=validators.Draft202012Validator)
            try:
                verdict = jsonschema_rs.meta.is_valid(document)
            except Exception:  # a meta-schema it does not hold (draft-next, the suite's remotes): the standard's
                continue
            expected = _meta_validator(cls).is_valid(document)
            compared += 1
            refused += not expected
            if verdict != expected:
                differ.append((dialect, json.dumps(document)[:200]))
    assert compared > 20000 and refused > 400
    assert differ == []


def test_a_rejected_record_is_explained_with_named_rules() -> None:
    _require_fast()
    document = {"$schema": DIALECTS["draft2020-12"], "title": "payment", "type": "object",
                "required": ["id", "amount"],
                "properties": {"id": {"type": "string", "format": "uuid"},
                               "amount": {"type": "number", "multipleOf": 0.01, "maximum": 100},
                               "kind": {"oneOf": [{"const": "card"}, {"const": "bank"}]}},
                "if": {"required": ["kind"]}, "then": {"required": ["reference"]}}
    validator = Validator(Schema.from_json_schema(document, source="payment.json"))
    good = {"id": "6f1c1d6e-8a0b-4d2a-9b57-2f7f5a0c9e11", "amount": 12.5}
    assert validator.accepts(good)
    bad = {"id": "not-a-uuid", "amount": 0.07, "kind": "cash"}
    assert not validator.accepts(bad)
    found = {(v.field, v.rule) for v in validator.validate([bad])}
    assert found == {("id", "format"), ("amount", "multipleOf"), ("kind", "oneOf"), ("reference", "required")}


def test_without_jsonschema_rs_the_standard_decides_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)  # as if the fast extra were not installed
    fast.available.cache_clear()
    try:
        assert not fast.available()
        document = {"title": "t", "type": "object", "required": ["a"],
                    "properties": {"a": {"type": "string", "format": "date"}}, "if": {"required": ["b"]},
                    "then": {"required": ["c"]}}
        assert fast.fast_is_valid(document, standard_validator(document)) is None
        validator = Validator(Schema.from_json_schema(document, source="t.json"))
        assert validator.accepts({"a": "2024-02-29"})
        assert [(v.field, v.rule) for v in validator.validate([{"a": "2023-02-29", "b": 1}])] == [
            ("a", "format"), ("c", "required")]
        with pytest.raises(SchemaError, match="minLength"):
            Schema.from_json_schema({"title": "m", "type": "object", "properties": {"x": {"minLength": -1}}},
                                    source="m.json")
    finally:
        fast.available.cache_clear()
