"""Generation cassettes on vcrpy: one file per test, matched on the request body, secrets scrubbed.

A cassette stays loaded for the whole test (every ``testdata`` call of the test shares it, as
pytest-recording's do), but vcrpy's patches are applied only around each exchange so the test's own HTTP
traffic is never intercepted. HTTP providers (Claude through the ``anthropic`` SDK, OpenAI-compatible
servers through ``httpx``) are recorded by vcrpy's patches; the in-process local model has no HTTP, so its
calls are stored as interactions with a ``local://`` URI through the same cassette object.

Record modes follow pytest-recording: ``none`` replays only, ``once`` records a cassette that does not
exist yet and replays one that does, ``new_episodes`` replays what matches and records the rest, ``all``
re-records everything. ``offline`` forces replay and fails closed when the cassette is missing.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pytest_testdata.errors import CassetteError as CassetteError  # re-exported; their home is errors.py
from pytest_testdata.errors import CassetteMissingError as CassetteMissingError
from pytest_testdata.errors import MissingDependencyError
from pytest_testdata.errors import StaleCassetteError as StaleCassetteError
from pytest_testdata.recording.keys import INPUTS_HEADER, rerecord_command

SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "openai-api-key", "proxy-authorization", "cookie")
SECRET_BODY_KEYS = frozenset(
    {
        "api_key",
        "apikey",
        "api-key",
        "secret",
        "client_secret",
        "access_token",
        "password",
        "authorization",
        "x-api-key",
    }
)
DROPPED_RESPONSE_HEADERS = (
    "set-cookie",
    "anthropic-organization-id",
    "openai-organization",
    "cf-ray",
    "request-id",
    "x-request-id",
)
MATCH_ON = ("method", "path", "json_body")
"""Host and port are left out: recordings made against a server on a random loopback port, or the real API,
replay wherever the provider points now."""
SCRUBBED = "<scrubbed>"
_SERIAL = itertools.count()


def _scrub_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (SCRUBBED if str(k).lower() in SECRET_BODY_KEYS else _scrub_json(v)) for k, v in value.items()
        }
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


def _vcr() -> Any:
    try:
        import vcr
    except ImportError:
        raise MissingDependencyError("vcrpy", "llm", "Generation cassettes (LLM record/replay)") from None
    recorder = vcr.VCR(
        match_on=MATCH_ON,
        filter_headers=list(SECRET_HEADERS),
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
        serializer="yaml",
    )
    recorder.register_matcher("json_body", json_body)
    return recorder


class OpenCassette:
    """One test's cassette, loaded once; exchanges run through :meth:`http` or :meth:`local`."""

    def __init__(self, path: Path, record_mode: str, nodeid: str | None) -> None:
        from vcr.cassette import Cassette

        self.path = path
        self.record_mode = record_mode
        self.nodeid = nodeid
        config = _vcr().get_merged_config(path=str(path), record_mode=record_mode)
        for key in ("path_transformer", "func_path_generator", "record_on_exception"):
            config.pop(key, None)
        self.cassette = Cassette.load(**config)
        self._loaded = len(self.cassette.data)
        self.scope = f"{path}#{next(_SERIAL)}"
        """What providers remember per-server discoveries by (see ``LLMCall.scope``): this loading of the
        cassette, so a test replays the same exchanges however often it runs in one process."""

    @property
    def hits(self) -> int:
        """Interactions replayed from this cassette so far."""
        return int(self.cassette.play_count)

    @property
    def recorded(self) -> int:
        """Interactions recorded into it so far (new since it was loaded)."""
        return len(self.cassette.data) - self._loaded

    @contextlib.contextmanager
    def http(self) -> Iterator[None]:
        """Patch HTTP clients (httpx, as used by anthropic and the OpenAI-compatible provider) meanwhile."""
        from vcr.errors import CannotOverwriteExistingCassetteException
        from vcr.patch import CassettePatcherBuilder

        try:
            with contextlib.ExitStack() as stack:
                for patcher in CassettePatcherBuilder(self.cassette).build():
                    stack.enter_context(patcher)
                yield
        except Exception as exc:
            miss = _find_cause(exc, CannotOverwriteExistingCassetteException)
            if miss is not None:
                raise self.stale_error(miss.failed_request) from None
            raise

    def local(
        self, uri: str, body: dict[str, Any], headers: dict[str, str], live: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """Replay or record one in-process call: ``body`` is matched, ``live()`` runs on a miss."""
        from vcr.request import Request

        request = Request(
            "POST",
            uri,
            json.dumps(body, sort_keys=True).encode(),
            {"content-type": "application/json", **headers},
        )
        if self.cassette.can_play_response_for(request):
            response = self.cassette.play_response(request)
            return json.loads(response["body"]["string"])  # type: ignore[no-any-return]
        if self.cassette.write_protected:
            raise self.stale_error(request)
        answer = live()
        self.cassette.append(
            request,
            {
                "status": {"code": 200, "message": "OK"},
                "headers": {"content-type": ["application/json"]},
                "body": {"string": json.dumps(answer, sort_keys=True)},
            },
        )
        return answer

    def stale_error(self, request: Any) -> StaleCassetteError:
        """Name the cassette, what changed in the inputs, and the command that re-records it."""
        wanted = _inputs_of(request)
        recorded = [_inputs_of(r) for r in self.cassette.requests]
        command = rerecord_command(self.nodeid)
        if not recorded:
            what = "it holds no recording for this request"
        else:
            closest = min(recorded, key=lambda r: sum(r.get(k) != v for k, v in wanted.items()))
            changes = [
                f"{k} {closest.get(k)!r} -> {v!r}" for k, v in sorted(wanted.items()) if closest.get(k) != v
            ]
            what = (
                "its recordings were made from other inputs (" + "; ".join(changes) + ")"
                if changes
                else "the request body differs from every recording (same inputs: a prompt template or the "
                "request format changed without a version bump)"
            )
            if self.cassette.play_count >= len(recorded) and not changes:
                what = "every recording in it was already replayed (the test now makes more requests)"
        return StaleCassetteError(
            f"stale cassette {self.path}: {what}. Record mode {self.record_mode!r} does not record. "
            f"Re-record it with: {command} (with the provider reachable), then review and commit the file."
        )

    def save(self) -> None:
        self.cassette._save()


def _inputs_of(request: Any) -> dict[str, Any]:
    raw = request.headers.get(INPUTS_HEADER) if request is not None else None
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _find_cause(exc: BaseException, kind: type[BaseException]) -> Any:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


class CassetteBook:
    """The cassettes open in this process (one per test), saved when the test ends or the process exits."""

    def __init__(self) -> None:
        self._open: dict[Path, OpenCassette] = {}
        self._reset: set[Path] = set()
        self.lock = threading.RLock()
        """Held around every exchange: vcrpy patches process-wide."""

    def open(self, path: Path, record_mode: str, offline: bool, nodeid: str | None) -> OpenCassette | None:
        """The loaded cassette for ``path``; None when nothing is to be recorded or replayed.

        Offline, a missing cassette fails closed. In record mode ``none`` without a cassette, calls go to the
        provider unrecorded (the test asked for live data and did not ask to record it).
        """
        mode = "none" if offline else record_mode
        with self.lock:
            if path in self._open:
                return self._open[path]
            if not path.exists():
                if offline:
                    raise CassetteMissingError(
                        f"offline (--testdata-offline) and no cassette for this test at {path}: the LLM "
                        "strategy "
                        f"will not reach the network. Record it with: {rerecord_command(nodeid)} (without "
                        "--testdata-offline, with the provider reachable), then commit the file."
                    )
                if mode == "none":
                    return None
            if mode == "all" and path not in self._reset:
                path.unlink(missing_ok=True)
                self._reset.add(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            cassette = OpenCassette(path, mode, nodeid)
            self._open[path] = cassette
            return cassette

    def close(self, path: Path | None = None) -> None:
        """Save and forget one cassette, or all of them."""
        with self.lock:
            paths = [path] if path is not None else list(self._open)
            for p in paths:
                cassette = self._open.pop(p, None)
                if cassette is not None:
                    cassette.save()


BOOK = CassetteBook()
"""The process's cassettes. The plugin closes a test's cassette at teardown."""

atexit.register(BOOK.close)
