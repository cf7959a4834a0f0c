"""A test's generation cassette on the wire: how remote mode keeps pytest-recording's record modes.

The cassette file stays on the test's machine. Each remote call that may reach an LLM (any strategy but
``traditional``) carries the test's cassette in ``GenerateDataRequest.cassette``: its record mode, the
interactions recorded so far (the file's YAML, plus what earlier calls of the test recorded), whether the
file existed when the test started, and how often the test already made each generation. The agent opens
it as the LLM strategy's cassette for that call (:func:`adopted`), so it replays and records exactly as
local generation does, with the same matching (request body and occurrence) and the same errors: record
mode ``none`` (or ``--testdata-offline``) never reaches a provider, and a missing or stale cassette is
:class:`CassetteMissingError` / :class:`StaleCassetteError` naming the file on the test's machine. The
response carries the cassette back (its interactions only when the call recorded some); the client takes
them into the test's open cassette (:func:`absorb`), written when the test ends as in local mode.

So a cassette recorded locally replays through an agent (configured with the same provider and model: the
request body, which names the model, is what is matched) and a cassette recorded through an agent replays
locally. The client checks that the agent announces the ``cassettes`` feature first: an older agent would
ignore the field and call its providers live.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.config import RECORD_MODES
from pytest_testdata.errors import CassetteMissingError, StaleCassetteError, TestdataUsageError
from pytest_testdata.types import GenerationRequest

if TYPE_CHECKING:
    from pytest_testdata.recording.cassettes import TestCassette

FEATURE = "cassettes"
"""What an agent lists in ``HealthCheckResponse.features`` when it honours ``GenerateDataRequest.cassette``."""
LIST_KEYS = ("filter_headers", "filter_query_parameters", "filter_post_data_parameters")
"""The ``testdata_cassette_config`` keys that travel (lists of names); functions cannot."""
ERROR_KINDS = {CassetteMissingError: "cassette-missing", StaleCassetteError: "stale-cassette"}
"""How the agent labels cassette errors on the wire (trailer ``testdata-error``), read back by the client."""
_CLIENT = uuid.uuid4().hex[:12]
"""Makes this process's cassette scopes unique on a shared agent (two machines may run the same path)."""


def _serializer() -> Any:
    from vcr.serializers import yamlserializer

    return yamlserializer


def dump(cassette: TestCassette) -> str:
    """The cassette's interactions as the file holds them (vcrpy's YAML); empty when there are none."""
    if not cassette.requests:
        return ""
    from vcr.serialize import serialize

    return str(serialize({"requests": cassette.requests, "responses": cassette.responses}, _serializer()))


def load(text: str, where: str) -> tuple[list[Any], list[Any]]:
    """The interactions of a cassette's YAML; a :class:`TestdataUsageError` naming ``where`` if it is not one."""
    if not text:
        return [], []
    from vcr.serialize import deserialize

    try:
        requests, responses, *_ = deserialize(text, _serializer())
    except Exception as exc:  # vcrpy raises ValueError, yaml's errors, KeyError, TypeError...
        raise TestdataUsageError(
            f"cassette.interactions_yaml: the cassette sent for {where} is not a vcrpy cassette "
            f"({type(exc).__name__}: {str(exc)[:200]}). Send the file's text as pytest-testdata wrote it, or "
            "record it again with --testdata-record-mode=rewrite."
        ) from None
    return list(requests), list(responses)


# --- client side ------------------------------------------------------------------------------------------


def held_cassette(request: GenerationRequest) -> TestCassette | None:
    """The calling test's cassette, opened in this process's book (None: no test, or a traditional call)."""
    options = request.options
    raw = options.get("_cassette")
    if raw is None or request.strategy == "traditional":
        return None
    config = dict(options.get("_cassette_config") or {})
    hooks = sorted(k for k, v in config.items() if k not in (*LIST_KEYS, "cassette_dir") and v is not None)
    if hooks:
        raise TestdataUsageError(
            f"testdata_cassette_config fixture: {', '.join(map(repr, hooks))} cannot run in remote mode "
            "(--testdata-remote): the agent replays and records the test's cassette, and functions do not "
            f"travel to it. Use the lists ({', '.join(LIST_KEYS)}), or drop --testdata-remote for these tests."
        )
    from pytest_testdata.recording.cassettes import BOOK

    return BOOK.open(Path(raw), str(options.get("_record_mode") or "none"), bool(options.get("_offline")),
                     options.get("_test"), config, replay_check=False)


def to_proto(cassette: TestCassette) -> pb.Cassette:
    """The wire form of the test's cassette, as it is now."""
    config = {k: list(cassette.config[k]) for k in LIST_KEYS if cassette.config.get(k)}
    message = pb.Cassette(
        record_mode=cassette.record_mode, interactions_yaml=dump(cassette), existed=cassette.existed,
        offline=bool(cassette.config.get("_offline")), test=cassette.nodeid or "", path=str(cassette.path),
        config_json=json.dumps(config) if config else "", scope=f"{cassette.scope}@{_CLIENT}",
    )
    message.occurrences.update(dict(cassette.occurrences))
    return message


def absorb(cassette: TestCassette, message: pb.Cassette) -> None:
    """Take the cassette the agent sent back into the test's cassette (saved when the test ends)."""
    cassette.occurrences.clear()
    cassette.occurrences.update(dict(message.occurrences))
    cassette.hits += message.replayed
    cassette.recorded += message.recorded
    if message.interactions_yaml:
        cassette.requests, cassette.responses = load(message.interactions_yaml, cassette.nodeid or str(cassette.path))
        cassette.serializer = _serializer()
        cassette.dirty = True


# --- agent side -------------------------------------------------------------------------------------------


def _checked(message: pb.Cassette) -> tuple[str, dict[str, Any]]:
    if message.record_mode not in RECORD_MODES:
        raise TestdataUsageError(
            f"cassette.record_mode: {message.record_mode!r} is not a record mode. Allowed: "
            f"{', '.join(RECORD_MODES)}."
        )
    try:
        config = json.loads(message.config_json) if message.config_json else {}
    except ValueError:
        config = None
    if not isinstance(config, dict) or set(config) - set(LIST_KEYS) or not all(
            isinstance(v, list) and all(isinstance(i, str) for i in v) for v in config.values()):
        raise TestdataUsageError(
            f"cassette.config_json: {message.config_json[:200]!r} is not a JSON object of lists of names. "
            f"Allowed keys: {', '.join(LIST_KEYS)}."
        )
    return ("none" if message.offline else message.record_mode), config


def adopted(message: pb.GenerateDataRequest, request: GenerationRequest
            ) -> AbstractContextManager[tuple[GenerationRequest, pb.Cassette | None]]:
    """Open the cassette a request carried as its LLM cassette (agent side).

    Yields the request to generate (pointing at that cassette) and the cassette message for the response,
    filled in when the body of the ``with`` ends. Nothing is written to the agent's disk.
    """
    if not message.HasField("cassette"):
        # Most calls carry none: a plain context, not a generator's, on every such call.
        return nullcontext((request, None))
    return _adopted(message, request)


@contextmanager
def _adopted(message: pb.GenerateDataRequest, request: GenerationRequest
             ) -> Iterator[tuple[GenerationRequest, pb.Cassette | None]]:
    from pytest_testdata.recording.cassettes import BOOK, TestCassette

    wire = message.cassette
    mode, config = _checked(wire)
    shown = Path(wire.path or "<remote cassette>")
    cassette = TestCassette(shown, mode, wire.test or None, {**config, "_offline": wire.offline}, persist=False)
    cassette.requests, cassette.responses = load(wire.interactions_yaml, wire.test or str(shown))
    cassette.serializer = _serializer()
    cassette.existed = wire.existed
    cassette.occurrences.update(dict(wire.occurrences))
    # What the providers remember per test (the model a server lists, the output format it accepts) is kept
    # under the test's scope, as in local mode: its later calls then send what its cassette recorded.
    cassette.scope = wire.scope or f"remote#{uuid.uuid4().hex}"
    key = Path(f"remote-cassette:{uuid.uuid4().hex}")
    options = {**request.options, "_cassette": str(key), "_test": wire.test or None, "_cassette_remote": True,
               "_record_mode": mode, "_offline": wire.offline}
    reply = pb.Cassette(record_mode=wire.record_mode, existed=wire.existed, offline=wire.offline, test=wire.test,
                        path=wire.path)
    BOOK.adopt(key, cassette)
    try:
        yield request.replace(options=options), reply
    finally:
        BOOK.forget(key)
    reply.occurrences.update(dict(cassette.occurrences))
    reply.replayed = cassette.hits
    reply.recorded = cassette.recorded
    if cassette.dirty:
        reply.interactions_yaml = dump(cassette)
