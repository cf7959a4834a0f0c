"""Inline schemas on a real agent: a call may define its own entities (``schemas``), compiled for that call
only, with the protections of a user's schema file; each refusal names the entity, the field and the keyword."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from pytest_testdata.agent import inline
from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.inline import InlineSchemas
from pytest_testdata.datasets import generate_dataset
from pytest_testdata.engine import Engine
from pytest_testdata.schemas import Schema
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.types import GenerationRequest

from .conftest import RunningAgent
from .test_e2e_grpcurl import grpcurl

WIDGET = {"title": "widget", "type": "object", "required": ["widget_id", "name", "size"],
          "properties": {"widget_id": {"type": "string", "format": "uuid"},
                         "name": {"type": "string", "maxLength": 30},
                         "size": {"type": "integer", "minimum": 1, "maximum": 9}}}


@pytest.fixture
def stub(agent: RunningAgent) -> Iterator[Any]:
    with agent.channel() as channel:
        yield pb_grpc.TestDataServiceStub(channel)  # type: ignore[no-untyped-call]


def _inline(document: Any, name: str = "widget", **fields: Any) -> pb.InlineSchema:
    text = document if isinstance(document, str) else json.dumps(document)
    return pb.InlineSchema(name=name, json_schema=text, **fields)


def _refusal(call: Any, request: Any) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        response = call(request, timeout=30)
        if not hasattr(response, "records_json"):
            list(response)  # a stream: its error comes with the first read
    return caught.value


def test_a_call_generates_an_entity_it_defines(stub: Any) -> None:
    schema = Schema.from_json_schema(WIDGET)
    response = stub.GenerateData(pb.GenerateDataRequest(entity="widget", count=20, seed=9,
                                                        schemas=[_inline(WIDGET, digest=schema.digest)]), timeout=30)
    records = json.loads(response.records_json)
    assert len(records) == 20 and all(1 <= r["size"] <= 9 and len(r["name"]) <= 30 for r in records)
    assert response.metadata.entity == "widget" and not response.metadata.violations


def test_the_same_records_as_a_local_engine_that_registered_it(stub: Any) -> None:
    schema = Schema.from_json_schema(WIDGET)
    registry = SchemaRegistry()
    registry.register(schema)
    local = Engine(registry).generate(GenerationRequest.checked("widget", 50, seed=31, locale="fr_FR"))
    response = stub.GenerateData(pb.GenerateDataRequest(entity="widget", count=50, seed=31, locale="fr_FR",
                                                        schemas=[_inline(WIDGET)]), timeout=30)
    assert json.loads(response.records_json) == local.records


def test_an_inline_entity_is_the_calls_alone(stub: Any) -> None:
    stub.GenerateData(pb.GenerateDataRequest(entity="widget", schemas=[_inline(WIDGET)]), timeout=30)
    error = _refusal(stub.GenerateData, pb.GenerateDataRequest(entity="widget"))
    assert error.code() is grpc.StatusCode.NOT_FOUND and "unknown entity 'widget'" in error.details()
    names = [s.name for s in stub.GetSchemas(pb.GetSchemasRequest(), timeout=30).schemas]
    assert "widget" not in names and "user" in names


@pytest.mark.parametrize(("document", "expected"), [
    ({"title": "widget", "type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 1}}},
     "schemas[0] ('widget').json_schema: schema inline:widget: at /properties/n/minimum, 'minimum': minimum 5 is "
     "greater than maximum 1"),
    ({"type": "object", "properties": {"code": {"type": "string", "pattern": "((a{100}){100}){100}"}}},
     "schemas[0] ('widget').json_schema: schema inline:widget: at /properties/code/pattern, 'pattern': "
     "'((a{100}){100}){100}' nests counted repetitions that multiply to 10,000; the budget is 1000"),
    ({"type": "object", "properties": {"code": {"type": "strin"}}},
     "schemas[0] ('widget').json_schema: schema inline:widget: at /properties/code/type, 'type': not valid 2020-12 "
     "JSON Schema"),
    ({"type": "object", "properties": {"home": {"$ref": "file:///etc/hostname"}}},  # never the agent's files
     "schemas[0] ('widget').json_schema: schema inline:widget: at /properties/home/$ref, '$ref': the reference "
     "'file:///etc/hostname' names the file 'file:///etc/hostname', and an inline schema may not read the agent's "
     "files"),
    ({"type": "object", "properties": {"home": {"$ref": "https://example.com/home.json"}}},
     "schemas[0] ('widget').json_schema: schema inline:widget: at /properties/home/$ref, '$ref': the reference "
     "'https://example.com/home.json' names the document 'https://example.com/home.json', which is not registered"),
    ("{not json", "schemas[0] ('widget').json_schema: not JSON text"),
    ("[1, 2]", "schemas[0] ('widget').json_schema: expected a JSON object (a JSON Schema document), got list"),
    ('{"a":' * 70 + "{}" + "}" * 70, "schemas[0] ('widget').json_schema: nested more than 64 levels deep"),
    ("[" * 100_000 + "]" * 100_000, "schemas[0] ('widget').json_schema: nested more than 64 levels deep"),
])
def test_a_malformed_inline_schema_is_invalid_argument_naming_it(stub: Any, document: Any, expected: str) -> None:
    for call, request in ((stub.GenerateData, pb.GenerateDataRequest(entity="widget", schemas=[_inline(document)])),
                          (stub.GenerateDataStream, pb.GenerateDataRequest(entity="widget", count=3000,
                                                                           schemas=[_inline(document)])),
                          (stub.GenerateDataset, pb.GenerateDatasetRequest(counts={"widget": 3},
                                                                           schemas=[_inline(document)]))):
        error = _refusal(call, request)
        assert error.code() is grpc.StatusCode.INVALID_ARGUMENT, error.details()
        assert error.details().startswith(expected), error.details()
        assert "(request id " in error.details()


def test_the_message_fields_are_checked(stub: Any) -> None:
    cases = [
        (_inline(WIDGET, name=""), "schemas[0].name: expected an entity name of 1 to 200 characters, got ''"),
        (_inline(WIDGET, name="w" * 500), "schemas[0].name: expected an entity name of 1 to 200 characters, got 500 "
                                          "characters starting 'wwww"),
        (_inline(WIDGET, source="s" * 400), "schemas[0] ('widget').source: 400 characters; at most 300"),
        (_inline(WIDGET, max_depth=-1), "schemas[0] ('widget').max_depth: expected 0 (the default) to 100, got -1"),
    ]
    for message, expected in cases:
        error = _refusal(stub.GenerateData, pb.GenerateDataRequest(entity="widget", schemas=[message]))
        assert error.code() is grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(expected), \
            error.details()
    many = [_inline(WIDGET, name=f"w{i}") for i in range(inline.MAX_SCHEMAS + 1)]
    error = _refusal(stub.GenerateData, pb.GenerateDataRequest(entity="w1", schemas=many))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("schemas: 101 inline schemas in one call; at most 100 are accepted")
    other = dict(WIDGET, properties={"widget_id": {"type": "string"}})
    error = _refusal(stub.GenerateData, pb.GenerateDataRequest(entity="widget",
                                                               schemas=[_inline(WIDGET), _inline(other)]))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("schemas[1] ('widget', inline:widget): a second, different definition")


def test_a_digest_the_agent_does_not_reproduce_is_refused(stub: Any) -> None:
    error = _refusal(stub.GenerateData, pb.GenerateDataRequest(entity="widget",
                                                               schemas=[_inline(WIDGET, digest="0123456789abcdef")]))
    assert error.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "the client compiled it to 0123456789abcdef, so the records would differ from local generation" \
        in error.details()


def test_the_agents_own_entity_is_not_shadowed_but_may_be_restated(stub: Any) -> None:
    own = SchemaRegistry().get("user")
    other = {"title": "user", "type": "object", "properties": {"nickname": {"type": "string"}}}
    error = _refusal(stub.GenerateData, pb.GenerateDataRequest(entity="user", schemas=[_inline(other, "user")]))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "the agent has an entity 'user' of its own" in error.details() and "may not shadow it" in error.details()
    same = stub.GenerateData(pb.GenerateDataRequest(entity="user", seed=4, schemas=[
        _inline(dict(own.document), "user", digest=own.digest)]), timeout=30)
    plain = stub.GenerateData(pb.GenerateDataRequest(entity="user", seed=4), timeout=30)
    assert same.records_json == plain.records_json


def test_inline_entities_in_a_linked_dataset(stub: Any) -> None:
    team = {"title": "team", "type": "object", "required": ["team_id", "name"],
            "properties": {"team_id": {"type": "string", "format": "uuid", "x-unique": True},
                           "name": {"type": "string", "maxLength": 40}}}
    member = {"title": "member", "type": "object", "required": ["member_id", "team_id", "user_id"],
              "properties": {"member_id": {"type": "string", "format": "uuid"},
                             "team_id": {"type": "string", "x-ref": "team.team_id"},
                             "user_id": {"type": "string", "x-ref": "user.user_id"}}}
    chunks = list(stub.GenerateDataset(pb.GenerateDatasetRequest(
        counts={"user": 4, "team": 3, "member": 10}, seed=8,
        schemas=[_inline(team, "team"), _inline(member, "member")]), timeout=60))
    records: dict[str, list[Any]] = {}
    for chunk in chunks:
        if chunk.entity:
            records.setdefault(chunk.entity, []).extend(json.loads(chunk.records_json))
    teams = {t["team_id"] for t in records["team"]}
    users = {u["user_id"] for u in records["user"]}
    assert len(records["member"]) == 10
    assert all(m["team_id"] in teams and m["user_id"] in users for m in records["member"])
    registry = SchemaRegistry()
    registry.register(Schema.from_json_schema(team))
    registry.register(Schema.from_json_schema(member))
    local = generate_dataset({"user": 4, "team": 3, "member": 10}, seed=8, engine=Engine(registry))
    assert records == local.as_dict()["records"]


def test_grpcurl_gets_invalid_argument_naming_the_field(agent: RunningAgent) -> None:
    bad = {"title": "widget", "type": "object",
           "properties": {"size": {"type": "integer", "minimum": 10, "maximum": 2}}}
    out = grpcurl(agent, "testdata.v1.TestDataService/GenerateData",
                  data={"entity": "widget", "schemas": [{"name": "widget", "json_schema": json.dumps(bad)}]})
    assert out.returncode != 0
    assert "Code: InvalidArgument" in out.stderr
    assert "schemas[0] ('widget').json_schema: schema inline:widget: at /properties/size/minimum, 'minimum'" \
        in out.stderr
    good = grpcurl(agent, "testdata.v1.TestDataService/GenerateData",
                   data={"entity": "widget", "count": 2,
                         "schemas": [{"name": "widget", "json_schema": json.dumps(WIDGET)}]})
    assert good.returncode == 0, good.stderr
    assert len(json.loads(json.loads(good.stdout)["records_json"])) == 2


def test_the_compiled_schemas_are_kept_by_content_within_bounds() -> None:
    kept = InlineSchemas(max_message_bytes=4096)  # a budget of 4 x 4 KiB of schema text
    registry = SchemaRegistry()
    first = kept.compile(_inline(WIDGET))
    assert kept.compile(_inline(WIDGET)) is first  # the same object: its compiled plans are reused too
    for size in range(1, 200):
        document = dict(WIDGET, properties={**WIDGET["properties"], "pad": {"type": "string", "maxLength": size,
                                                                             "description": "x" * 300}})
        kept.compile(_inline(document))
    count, size = kept.cached
    assert size <= 4 * 4096 and count < 200
    assert kept.compile(_inline(WIDGET)) is not first  # pushed out, compiled again
    assert "widget" not in registry


def test_a_stream_of_an_inline_entity(stub: Any) -> None:
    def stream() -> tuple[list[Any], list[Any]]:
        chunks = list(stub.GenerateDataStream(pb.GenerateDataRequest(
            entity="widget", count=1500, seed=3, batch_size=500, schemas=[_inline(WIDGET)]), timeout=60))
        return chunks, [r for chunk in chunks for r in json.loads(chunk.records_json)]

    chunks, records = stream()
    assert len(records) == 1500 and [c.index for c in chunks] == [0, 1, 2] and chunks[-1].last
    assert chunks[-1].metadata.entity == "widget" and not chunks[-1].metadata.violations
    assert stream()[1] == records  # the same seed, the same records (the compiled schema reused)


def test_the_client_refuses_to_send_models_to_an_agent_without_the_feature(agent: RunningAgent) -> None:
    from pydantic import BaseModel

    from pytest_testdata.agent.client import AgentClient
    from pytest_testdata.errors import GenerationError
    from pytest_testdata.fixture import TestdataFactory

    class Parcel(BaseModel):
        weight_kg: float

    with AgentClient(agent.address, timeout=30) as client:
        client.health()
        # A fake of an older agent (one that cannot be started here): the features it would announce.
        client._features = frozenset({"cassettes"})
        with pytest.raises(GenerationError, match=r"does not announce the 'inline-schemas' feature, so it cannot "
                                                  r"generate pydantic:.*Parcel, which the test defines itself"):
            TestdataFactory(client, 1)(Parcel)
        client._features = None  # asks the real agent again
        parcel = TestdataFactory(client, 1)(Parcel)
    assert isinstance(parcel, Parcel)
