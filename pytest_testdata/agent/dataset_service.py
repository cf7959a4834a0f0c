"""``GenerateDataset``: a dataset of linked entities, streamed entity by entity in dependency order.

A mixin of :class:`~pytest_testdata.agent.service.TestDataServicer`: the call passes the same checks as the
other RPCs (drain, auth, deadline, request id, log line, span, metrics) through the servicer's helpers.
Every bad input (unknown entity, a cycle, counts no cardinality satisfies...) is refused before the first
chunk goes out. Each entity goes out as soon as it is built, in chunks of ``batch_size`` records; its last
chunk carries its metadata, and the stream's last chunk the dataset's seed, order, keys, plan and broken
rules. Seeds derive exactly as in-process, so remote mode gets the records local generation would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import grpc

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent.dataset_wire import dataset_json, records_json, request_from_proto
from pytest_testdata.agent.taken_wire import taken_from_json
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.seeding import random_seed
from pytest_testdata.types import GenerationResult, ResultMetadata, Violation

if TYPE_CHECKING:
    from pytest_testdata.datasets.build import Builder

MAX_BATCH_SIZE = 10_000


class DatasetRPC:
    """The ``GenerateDataset`` method (mixed into the servicer, whose helpers it uses)."""

    engine: Any
    settings: Any
    metrics: Any

    def GenerateDataset(self, request: pb.GenerateDatasetRequest,
                        context: grpc.ServicerContext) -> Iterator[pb.DatasetChunk]:
        """Linked entities in dependency order, each in chunks; metadata on each entity's last chunk."""
        servicer: Any = self
        name = "GenerateDataset"
        metadata, request_id, log, span = servicer._begin(name, context)
        started = time.perf_counter()
        status, sent = "OK", 0
        servicer._enter()
        try:
            servicer._admit(metadata, True)
            servicer._deadline(context)
            servicer._parsed(request)  # bytes that are no GenerateDatasetRequest: INVALID_ARGUMENT, not INTERNAL
            wanted = request_from_proto(request, max_context_chars=self.settings.max_context_chars,
                                        seed=random_seed())
            batch = request.batch_size if request.HasField("batch_size") else self.settings.stream_batch_size
            if not 1 <= batch <= MAX_BATCH_SIZE:
                raise TestdataUsageError(f"batch_size: expected a whole number from 1 to {MAX_BATCH_SIZE:,}, "
                                         f"got {batch}. Leave it out for the default "
                                         f"({self.settings.stream_batch_size}).")
            from pytest_testdata.datasets.build import Builder
            from pytest_testdata.datasets.graph import plan_dataset

            engine = servicer.inline.engine_for(self.engine, request.schemas)  # the call's own models, if any
            wanted = wanted.named_by(engine.registry.canonical_name)  # {"Pet": 5}: OpenAPI's spelling
            plan = plan_dataset(wanted, engine.registry)  # every bad input fails before a chunk goes out
            span.set_attribute("testdata.seed", wanted.seed)
            span.set_attribute("testdata.count", sum(plan.counts.values()))
            log = log.bind(entities=plan.counts, seed=wanted.seed)
            taken = taken_from_json(request.taken_json, plan.schemas)  # the caller's rows (remote mode's into=)
            builder = Builder(engine, wanted, plan, None, None, self._processes(), taken)
            for chunk in self._dataset_chunks(builder, batch, request_id, context):
                if not context.is_active():
                    status = "CANCELLED"
                    return
                yield chunk
                sent += 1
        except GeneratorExit:
            status = "CANCELLED"
            raise
        except Exception as exc:
            code, message = servicer._failure(exc, span, log, request_id)
            status = code.name
            context.abort(code, message)
        finally:
            status = servicer._end(name, status, context, span)
            log.info("request", status=status, chunks=sent,
                     duration_ms=round((time.perf_counter() - started) * 1000, 3))

    def _processes(self) -> int | None:
        """Processes building one dataset: the ``dataset_processes`` setting if it is set, else 1 (the agent's
        worker alone).

        The agent already runs one worker per core (``WORKERS``), and every call may build a dataset: a pool
        per call would start cores x concurrent calls processes and their memory. One is asked for
        explicitly, with ``TESTDATA_DATASET_PROCESSES``. The records are the same either way."""
        from pytest_testdata.datasets.workers import SETTING

        return None if self.engine.options.get(SETTING) is not None else 1

    def _dataset_chunks(self, builder: Builder, batch: int, request_id: str,
                        context: grpc.ServicerContext) -> Iterator[pb.DatasetChunk]:
        servicer: Any = self
        index = 0
        steps = builder.steps()
        # The stream's budget (the client's deadline, capped by STREAM_BUDGET_SECONDS) around each step's
        # generation only, never across a yield (it would leak into whatever this thread runs next).
        ceiling = self.settings.stream_budget_seconds
        deadline = time.monotonic() + ceiling
        while True:
            with servicer._budget(context, ceiling, deadline):
                entity = next(steps, None)
            if entity is None:
                break
            records = builder.records[entity]
            meta = builder.metadata[entity]
            self._observe(entity, records, meta)
            total = len(records)
            for at in range(0, total, batch):
                piece = records[at:at + batch]
                done = at + len(piece) >= total
                yield pb.DatasetChunk(
                    index=index, entity=entity, offset=at, records_json=records_json(piece), entity_total=total,
                    entity_last=done, entity_metadata_json=json.dumps(meta.as_dict()) if done else "",
                    request_id=request_id)
                index += 1
        yield pb.DatasetChunk(index=index, last=True, dataset_json=dataset_json(builder.result()),
                              request_id=request_id)

    def _observe(self, entity: str, records: list[Any], meta: Any) -> None:
        """Count the entity in the agent's metrics as the other RPCs count their results."""
        result = GenerationResult(records, ResultMetadata(
            entity=entity, count=len(records), strategy=meta.strategy, reason=meta.reason, seed=meta.seed,
            timings=meta.timings,
            violations=[Violation(v.record, v.field, v.rule, v.message) for v in meta.violations]))
        self.metrics.observe_result(result)
