"""The wire form of dataset requests and streams (``GenerateDataset``), for the agent and its client."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from google.protobuf.struct_pb2 import Struct

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent.convert import struct_to_dict
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.datasets.result import BrokenRule, Dataset, EntityMetadata
from pytest_testdata.errors import TestdataUsageError

Record = dict[str, Any]


def request_from_proto(message: pb.GenerateDatasetRequest, *, max_context_chars: int,
                       seed: int) -> DatasetRequest:
    """Check a wire request and build the dataset request; raises :class:`TestdataUsageError`."""
    if len(message.context) > max_context_chars:
        raise TestdataUsageError(
            f"context: {len(message.context):,} characters is more than this agent accepts "
            f"({max_context_chars:,}, MAX_CONTEXT_CHARS). Shorten the scenario description.")
    options = {k: v for k, v in struct_to_dict(message.options).items() if not k.startswith("_")}
    return DatasetRequest.checked(
        dict(message.counts) or None, root=message.root or None,
        count=message.count if message.HasField("count") else None,
        cardinality=struct_to_dict(message.cardinality), external=struct_to_dict(message.external),
        seed=message.seed if message.HasField("seed") else seed, strategy=message.strategy or "traditional",
        strategies=dict(message.strategies), context=message.context or None, locale=message.locale or None,
        options=options, variant=message.variant or "valid", break_rule=message.break_rule or None)


def request_to_proto(request: DatasetRequest, batch_size: int | None = None) -> pb.GenerateDatasetRequest:
    """The wire form of a dataset request (client side)."""
    data = request.as_dict()
    message = pb.GenerateDatasetRequest(
        counts=data["counts"], root=data["root"] or "", strategy=data["strategy"], strategies=data["strategies"],
        context=data["context"] or "", locale=data["locale"] or "", variant=data["variant"],
        break_rule=data["break_rule"] or "", seed=data["seed"])
    if data["count"] is not None:
        message.count = data["count"]
    for name in ("cardinality", "external", "options"):
        if data[name]:
            struct = Struct()
            struct.update(data[name])
            getattr(message, name).CopyFrom(struct)
    if batch_size is not None:
        message.batch_size = batch_size
    return message


def records_json(records: list[Record]) -> str:
    return json.dumps(records, ensure_ascii=False, separators=(",", ":"))


def dataset_json(dataset: Dataset) -> str:
    """What the last chunk carries: everything of the dataset but its records and entity metadata."""
    data = dataset.as_dict()
    return json.dumps({k: data[k] for k in ("seed", "entities", "keys", "plan", "broken")}, separators=(",", ":"))


def dataset_from_chunks(chunks: Iterable[pb.DatasetChunk]) -> Dataset:
    """Rebuild the dataset from a stream (client side)."""
    records: dict[str, list[Record]] = {}
    metadata: dict[str, EntityMetadata] = {}
    final: dict[str, Any] | None = None
    for chunk in chunks:
        if chunk.entity:
            records.setdefault(chunk.entity, []).extend(json.loads(chunk.records_json))
        if chunk.entity_last:
            metadata[chunk.entity] = EntityMetadata.from_dict(json.loads(chunk.entity_metadata_json))
        if chunk.last:
            final = json.loads(chunk.dataset_json)
    if final is None:
        raise TestdataUsageError("the agent's dataset stream ended before its last chunk")
    return Dataset(int(final["seed"]), list(final["entities"]), records, final["keys"], metadata, final["plan"],
                   [BrokenRule(**b) for b in final["broken"]])
