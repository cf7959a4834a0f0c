"""Generation cassettes on vcrpy's public API: one file per test, matched on the request body, secrets scrubbed.

Each generation (one ``testdata(...)`` call) runs its exchanges inside ``vcr.VCR(...).use_cassette(path)``;
the patches are in place only meanwhile, so the test's own HTTP traffic is never intercepted. Between the
calls of one test the cassette's interactions stay in memory (a persister registered with
``VCR.register_persister``), and the file is written once, when the test ends. HTTP providers (Claude through
the ``anthropic`` SDK, OpenAI-compatible servers through ``httpx``) are recorded by vcrpy's patches; the
in-process local model has no HTTP, so its calls are stored as interactions with a ``local://`` URI through
the same cassette object (``can_play_response_for`` / ``play_response`` / ``append``).

What is matched is what the model sees: the request body (prompts, answer schema, model, sampling settings;
the model's sampling seed is derived from those, never from the session seed) plus which occurrence of the
same generation in the test this is. So a cassette replays on every later run, with any seed, in any order,
under xdist.

Record modes are pytest-recording's:

- ``none``: replay only; never calls a provider. A missing cassette is an error naming the file and the
  command that records it.
- ``once``: a cassette that exists when the test starts is replayed only; one that does not is recorded.
- ``new_episodes``: replay what matches, record the rest.
- ``all``: record every exchange again (never replay); recordings that were not made again are kept.
- ``rewrite``: start the cassette afresh and record everything (the file holds only this run's exchanges).

``offline`` forces ``none``.
"""

from __future__ import annotations

import atexit
import itertools
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_testdata.config import RECORD_MODES
from pytest_testdata.errors import CassetteError as CassetteError  # re-exported; their home is errors.py
from pytest_testdata.errors import CassetteMissingError as CassetteMissingError
from pytest_testdata.errors import MissingDependencyError, TestdataUsageError
from pytest_testdata.errors import StaleCassetteError as StaleCassetteError
from pytest_testdata.recording.keys import (
    CALL_HEADER,
    CASSETTE_CONFIG_KEYS,
    INPUTS_HEADER,
    record_command,
    rerecord_command,
)

SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "openai-api-key", "proxy-authorization", "cookie")
SECRET_BODY_KEYS = frozenset(
    {"api_key", "apikey", "api-key", "secret", "client_secret", "access_token", "password", "authorization",
     "x-api-key"}
)
DROPPED_RESPONSE_HEADERS = (
    "set-cookie", "anthropic-organization-id", "openai-organization", "cf-ray", "request-id", "x-request-id",
)
MATCH_ON = ("method", "path", "json_body", "testdata_call")
"""Host and port are left out: recordings made against a server on a random loopback port, or the real API,
replay wherever the provider points now."""
SCRUBBED = "<scrubbed>"
CONFIG_KEYS = CASSETTE_CONFIG_KEYS
_SERIAL = itertools.count()


def _scrub_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (SCRUBBED if str(k).lower() in SECRET_BODY_KEYS else _scrub_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v) for v in value]
    return value


def scrub_request(request: Any) -> Any:
    """Replace API keys found in a JSON body (headers are scrubbed by vcrpy's ``filter_headers``)."""
    body = request.body
    if body:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return request
        scrubbed = _scrub_json(data)
        if scrubbed != data:
            request.body = json.dumps(scrubbed).encode()
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in DROPPED_RESPONSE_HEADERS:
            del headers[name]
    return response


def json_body(r1: Any, r2: Any) -> None:
    """Bodies equal as bytes, or as JSON values. vcrpy's own ``body`` matcher builds a readable diff for
    every recording that does not match, which costs more than the whole replay."""
    b1, b2 = r1.body or b"", r2.body or b""
    if b1 == b2:
        return
    try:
        if json.loads(b1) == json.loads(b2):
            return
    except (ValueError, UnicodeDecodeError):
        pass
    raise AssertionError("request bodies differ")


def _header(request: Any, name: str) -> str | None:
    raw = request.headers.get(name) if request is not None else None
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    return None if raw is None else str(raw)


def testdata_call(r1: Any, r2: Any) -> None:
    """The same occurrence of a generation within the test (the first identical call, the second...)."""
    if (_header(r1, CALL_HEADER) or "0") != (_header(r2, CALL_HEADER) or "0"):
        raise AssertionError("another occurrence of the same generation in the test")


def check_config(config: Mapping[str, Any], where: str = "testdata_cassette_config fixture") -> dict[str, Any]:
    """Check the keys of a cassette config (the overridable fixture); an unknown key is a usage error."""
    unknown = sorted(set(config) - set(CONFIG_KEYS))
    if unknown:
        raise TestdataUsageError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}. Allowed: {', '.join(CONFIG_KEYS)}. "
            "The record mode comes from --testdata-record-mode (ini testdata_record_mode), so the command a "
            "stale cassette names always works."
        )
    return dict(config)


def _chain(first: Callable[[Any], Any], then: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if then is None:
        return first

    def both(value: Any) -> Any:
        value = first(value)
        return None if value is None else then(value)

    return both


@dataclass
class TestCassette:
    """One test's cassette: its interactions in memory between the test's generations, written at the end."""

    path: Path
    record_mode: str
    nodeid: str | None
    config: dict[str, Any] = field(default_factory=dict)
    existed: bool = False
    requests: list[Any] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)
    serializer: Any = None
    dirty: bool = False
    hits: int = 0
    """Interactions replayed from this cassette so far."""
    recorded: int = 0
    """Interactions recorded into it so far."""
    occurrences: Counter[str] = field(default_factory=Counter)
    scope: str = ""
    """What providers remember per-server discoveries by (see ``LLMCall.scope``): this test's cassette, so a
    test replays the same exchanges however often it runs in one process."""
    persist: bool = True
    """False for a cassette that travelled in a remote-mode request: the agent never writes it to disk (the
    test's machine does, from the cassette the response carries back)."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    """Held by a remote-mode client around each call that carries this cassette (send, then take back)."""
    _vcr: Any = None
    active: Any = None
    """vcrpy's cassette object while a generation of the test runs (see :meth:`use`)."""

    def __post_init__(self) -> None:
        self.scope = f"{self.path}#{next(_SERIAL)}"

    @property
    def vcr_mode(self) -> str:
        """The vcrpy record mode for one generation of this test (pytest-recording's modes, see the module)."""
        if self.record_mode == "once":
            return "none" if self.existed else "all"
        if self.record_mode == "rewrite":
            return "all"
        return self.record_mode

    def occurrence(self, identity: str) -> int:
        """How many generations with this identity the test made before this one (0 for the first)."""
        n = self.occurrences[identity]
        self.occurrences[identity] += 1
        return n

    # the persister vcrpy calls (VCR.register_persister) ----------------------------------------------------
    def load_cassette(self, cassette_path: Any, serializer: Any) -> tuple[list[Any], list[Any]]:
        from vcr.persisters.filesystem import CassetteNotFoundError

        if not self.requests:
            raise CassetteNotFoundError()
        return list(self.requests), list(self.responses)

    def save_cassette(self, cassette_path: Any, cassette_dict: Mapping[str, Any], serializer: Any) -> None:
        self.requests = list(cassette_dict["requests"])
        self.responses = list(cassette_dict["responses"])
        self.serializer = serializer
        self.dirty = True

    # exchanges ----------------------------------------------------------------------------------------------
    def recorder(self) -> Any:
        if self._vcr is None:
            try:
                import vcr
            except ImportError:
                raise MissingDependencyError("vcrpy", "llm", "Generation cassettes (LLM record/replay)") from None
            config = self.config
            recorder = vcr.VCR(
                match_on=MATCH_ON,
                filter_headers=[*SECRET_HEADERS, *config.get("filter_headers", ())],
                filter_query_parameters=list(config.get("filter_query_parameters", ())),
                filter_post_data_parameters=list(config.get("filter_post_data_parameters", ())),
                before_record_request=_chain(scrub_request, config.get("before_record_request")),
                before_record_response=_chain(scrub_response, config.get("before_record_response")),
                decode_compressed_response=True,
                serializer="yaml",
            )
            recorder.register_matcher("json_body", json_body)
            recorder.register_matcher("testdata_call", testdata_call)
            recorder.register_persister(self)
            self._vcr = recorder
        return self._vcr

    @contextmanager
    def use(self) -> Iterator[Any]:
        """vcrpy's ``use_cassette`` for one generation: HTTP clients are patched meanwhile."""
        from vcr.errors import CannotOverwriteExistingCassetteException

        loaded = len(self.requests)
        try:
            with self.recorder().use_cassette(str(self.path), record_mode=self.vcr_mode) as cassette:
                self.active = cassette
                try:
                    yield cassette
                finally:
                    self.active = None
                    self.hits += cassette.play_count
                    self.recorded += len(cassette) - loaded  # vcrpy appends what it records after the loaded
        except Exception as exc:
            miss = _find_cause(exc, CannotOverwriteExistingCassetteException)
            if miss is not None:
                raise self.stale_error(miss.failed_request) from None
            raise

    def local(self, uri: str, body: dict[str, Any], headers: dict[str, str],
              live: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Replay or record one in-process call (inside :meth:`use`): ``body`` and the occurrence are matched,
        ``live()`` runs on a miss."""
        from vcr.request import Request

        cassette = self.active
        if cassette is None:
            raise RuntimeError("TestCassette.local() runs inside TestCassette.use()")
        request = Request("POST", uri, json.dumps(body, sort_keys=True).encode(),
                          {"content-type": "application/json", **headers})
        if cassette.can_play_response_for(request):
            response = cassette.play_response(request)
            return json.loads(response["body"]["string"])  # type: ignore[no-any-return]
        if cassette.write_protected:
            raise self.stale_error(request)
        answer = live()
        cassette.append(request, {
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-type": ["application/json"]},
            "body": {"string": json.dumps(answer, sort_keys=True)},
        })
        return answer

    def stale_error(self, request: Any) -> CassetteError:
        """Name the cassette, what changed in the inputs, and the command that re-records it."""
        command = rerecord_command(self.nodeid)
        if not self.requests:
            return self.missing_error()
        wanted = _inputs_of(request)
        recorded = [_inputs_of(r) for r in self.requests]
        closest = min(recorded, key=lambda r: sum(r.get(k) != v for k, v in wanted.items()))
        changes = [f"{k} {closest.get(k)!r} -> {v!r}" for k, v in sorted(wanted.items()) if closest.get(k) != v]
        diff = _body_changes(request, [r for r, i in zip(self.requests, recorded, strict=True) if i == closest])
        if changes:
            what = "its recordings were made from other inputs (" + "; ".join(changes) + ")"
            if diff:
                what += f"; the request body differs ({diff})"
        elif _header(request, CALL_HEADER) not in {_header(r, CALL_HEADER) for r in self.requests}:
            what = "the test now makes this generation more often than when it was recorded"
        elif diff:
            what = f"the request body differs from every recording made from the same inputs ({diff})"
        else:
            what = ("the request body differs from every recording (same inputs: a prompt template or the "
                    "request format changed without a version bump)")
        mode = "offline (--testdata-offline)" if self.config.get("_offline") else f"record mode {self.record_mode!r}"
        return StaleCassetteError(
            f"stale cassette {self.path}: {what}. {mode} does not record this request. "
            f"Re-record it with: {command} (with the provider reachable), then review and commit the file."
        )

    def missing_error(self) -> CassetteMissingError:
        offline = bool(self.config.get("_offline"))
        why = ("offline (--testdata-offline): the LLM strategy will not reach the network" if offline else
               f"record mode {self.record_mode!r} replays only and never calls a provider")
        return CassetteMissingError(
            f"no cassette for this test at {self.path}: {why}. Record it with: {record_command(self.nodeid)}"
            f"{' (without --testdata-offline' if offline else ' ('}with the provider reachable), then review "
            "and commit the file."
        )

    def require_replayable(self) -> None:
        """Replay only (``none``, or offline) with nothing recorded: :class:`CassetteMissingError`, before
        any provider is called."""
        if self.record_mode == "none" and not self.requests:
            raise self.missing_error()

    def save(self) -> None:
        """Write the cassette file if this test recorded anything."""
        if not self.dirty or not self.persist:
            return
        from vcr.serialize import serialize

        from pytest_testdata.atomic import atomic_output

        data = serialize({"requests": self.requests, "responses": self.responses}, self.serializer)
        # Not vcrpy's FilesystemPersister.save_cassette: it checks that the folder exists and then creates it,
        # which fails with FileExistsError when another xdist worker creates the same test-file folder in
        # between; and it writes in place, so an interrupted run would leave half a cassette behind.
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(str(self.path), option="cassette") as stream:
            stream.write(data)
        self.dirty = False


def _inputs_of(request: Any) -> dict[str, Any]:
    raw = _header(request, INPUTS_HEADER)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _body_changes(request: Any, recorded: list[Any]) -> str:
    """The top-level body fields that differ from the closest recording: ``max_tokens 160 -> 400``."""
    try:
        wanted = json.loads(request.body or b"{}")
        bodies = [json.loads(r.body or b"{}") for r in recorded]
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(wanted, dict) or not bodies:
        return ""
    dicts = [b for b in bodies if isinstance(b, dict)]
    if not dicts:
        return ""
    closest = min(dicts, key=lambda b: sum(b.get(k) != v for k, v in wanted.items()))
    changed = sorted(k for k in set(wanted) | set(closest) if wanted.get(k) != closest.get(k))

    def short(value: Any) -> str:
        text = json.dumps(value, sort_keys=True)
        return text if len(text) <= 40 else text[:37] + "..."

    return "; ".join(f"{k} {short(closest.get(k))} -> {short(wanted.get(k))}" for k in changed[:4])


def _find_cause(exc: BaseException, kind: type[BaseException]) -> Any:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _load_file(path: Path) -> tuple[list[Any], list[Any], Any]:
    """The interactions of a cassette file through vcrpy's own persister and serializer."""
    from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister
    from vcr.serializers import yamlserializer

    try:
        requests, responses, *_ = FilesystemPersister.load_cassette(path, serializer=yamlserializer)
    except CassetteNotFoundError:
        return [], [], yamlserializer
    return list(requests), list(responses), yamlserializer


class PatchGate:
    """vcrpy patches HTTP clients for the whole process while a cassette is in use. A generation with a
    cassette passes :meth:`exclusive` (it runs alone); generations without one pass :meth:`shared` (they run
    together, never while a cassette is in use), so a live call of another thread (another caller of a
    shared agent) is never replayed from, refused by or recorded into someone else's cassette. Waiting
    cassette generations go first. Both are re-entrant within a thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer: int | None = None
        self._writer_depth = 0
        self._waiting = 0
        self._local = threading.local()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Run alone: no other generation, with or without a cassette, runs meanwhile."""
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                self._writer_depth += 1
            else:
                if getattr(self._local, "depth", 0):
                    raise RuntimeError("a generation with a cassette inside one without (a live call)")
                self._waiting += 1
                try:
                    self._cond.wait_for(lambda: self._writer is None and self._readers == 0)
                finally:
                    self._waiting -= 1
                self._writer, self._writer_depth = me, 1
        try:
            yield
        finally:
            with self._cond:
                self._writer_depth -= 1
                if self._writer_depth == 0:
                    self._writer = None
                    self._cond.notify_all()

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Run beside other live generations, never while a cassette is in use."""
        depth = getattr(self._local, "depth", 0)
        if self._writer == threading.get_ident() or depth:  # nested in this thread's own pass
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth = depth
            return
        with self._cond:
            self._cond.wait_for(lambda: self._writer is None and self._waiting == 0)
            self._readers += 1
        self._local.depth = 1
        try:
            yield
        finally:
            self._local.depth = 0
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()


class CassetteBook:
    """The cassettes open in this process (one per test), saved when the test ends or the process exits."""

    def __init__(self) -> None:
        self._open: dict[Path, TestCassette] = {}
        self.lock = threading.RLock()
        """Held around every generation that uses a cassette: vcrpy patches process-wide."""
        self.gate = PatchGate()
        """Keeps generations without a cassette (live calls) apart from one that has vcrpy's patches in place."""

    def open(self, path: Path, record_mode: str, offline: bool, nodeid: str | None,
             config: Mapping[str, Any] | None = None, *, replay_check: bool = True) -> TestCassette:
        """The test's cassette at ``path`` (loaded on first use in the test).

        Replay only (``none``, or offline) without a cassette file raises :class:`CassetteMissingError`
        before any provider is called (unless ``replay_check`` is False: a remote-mode client, which cannot
        know whether the agent will reach an LLM, leaves that check to the agent).
        """
        if record_mode not in RECORD_MODES:
            from pytest_testdata.errors import choice_error

            raise choice_error("record mode (--testdata-record-mode)", record_mode, RECORD_MODES)
        mode = "none" if offline else record_mode
        with self.lock:
            if path in self._open:
                cassette = self._open[path]
                if replay_check:
                    cassette.require_replayable()
                return cassette
            cassette = TestCassette(path, mode, nodeid, {**check_config(config or {}), "_offline": offline})
            if mode == "rewrite":
                path.unlink(missing_ok=True)  # as pytest-recording's rewrite: the file holds only this run
            cassette.requests, cassette.responses, cassette.serializer = _load_file(path)
            cassette.existed = bool(cassette.requests)
            if replay_check:
                cassette.require_replayable()
            self._open[path] = cassette
            return cassette

    def adopt(self, key: Path, cassette: TestCassette) -> None:
        """Serve ``cassette`` (one a remote-mode request carried) to whoever opens ``key`` (a key unique to the
        call), until :meth:`forget`."""
        with self.lock:
            self._open[key] = cassette

    def forget(self, key: Path) -> None:
        """Drop a cassette without saving it (see :meth:`adopt`)."""
        with self.lock:
            self._open.pop(key, None)

    def close(self, path: Path | None = None) -> None:
        """Save and forget one cassette, or all of them."""
        with self.lock:
            paths = [path] if path is not None else list(self._open)
            for p in paths:
                cassette = self._open.pop(p, None)
                if cassette is not None:
                    cassette.save()

    def close_test(self, nodeid: str) -> None:
        """Save and forget every cassette the test ``nodeid`` opened."""
        with self.lock:
            for path in [p for p, c in self._open.items() if c.nodeid == nodeid]:
                self.close(path)


BOOK = CassetteBook()
"""The process's cassettes. The plugin closes a test's cassettes at teardown."""

atexit.register(BOOK.close)
