"""The agent's JSON log line, rendered in one step (``JsonLine``), is the line the six processors it replaced
wrote: same keys in the same order, same values, credentials in URLs masked wherever they are."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog

from pytest_testdata.agent.observability import (
    UtcTimestamp,
    _renderer,
    configure_logging,
    mask_secrets,
    request_line,
)
from pytest_testdata.agent.settings import load_settings

SETTINGS = load_settings({})


def _chain_logger(stream: io.StringIO) -> Any:
    """The processors the agent used before ``JsonLine``, one after another."""
    return structlog.wrap_logger(
        structlog.WriteLogger(stream),
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level, UtcTimestamp(),
                    structlog.processors.format_exc_info, mask_secrets, _renderer(SETTINGS)],
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
    ).bind(service=SETTINGS.service_name, environment=SETTINGS.environment)


def _lines(log: Callable[[Any], None]) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """What ``log`` writes through the agent's logger and through the old chain, parsed, in key order,
    without the timestamps (taken a moment apart)."""
    new, old = io.StringIO(), io.StringIO()
    log(configure_logging(load_settings({"LOG_LEVEL": "DEBUG"}), new))
    log(_chain_logger(old))
    parsed = []
    for stream in (new, old):
        [line] = stream.getvalue().splitlines()
        items = list(json.loads(line).items())
        assert [k for k, _ in items].count("timestamp") == 1
        parsed.append([(k, v) for k, v in items if k != "timestamp"])
    return parsed[0], parsed[1]


@pytest.fixture(autouse=True)
def _no_context() -> Iterator[None]:
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()


def test_a_request_line_is_the_same_line() -> None:
    new, old = _lines(lambda log: log.info("request", request_id="abc", method="GenerateData",
                                           peer="ipv4:127.0.0.1:5", status="OK", duration_ms=1.5, entity="user",
                                           count=10, strategy="traditional", seed=7, cache_hit=False))
    assert new == old
    assert [k for k, _ in new][:4] == ["service", "environment", "request_id", "method"]
    assert ("level", "info") in new and ("event", "request") in new


@pytest.mark.parametrize("url, masked", [
    ("redis://agent:hunter2@cache:6379/0?password=pw-q&db=1", "redis://agent:***@cache:6379/0?password=***&db=1"),
    ("postgresql://app:pw-pg@db/app", "postgresql://app:***@db/app"),
    ("https://api.example.com/v1?api_key=pw-key", "https://api.example.com/v1?api_key=***"),
])
def test_credentials_in_a_value_are_masked(url: str, masked: str) -> None:
    new, old = _lines(lambda log: log.warning("cache down", url=url, detail=f"cannot reach {url}: refused",
                                              attempts=3))
    assert new == old
    fields = dict(new)
    assert fields["url"] == masked and fields["detail"] == f"cannot reach {masked}: refused"
    assert "pw-" not in json.dumps(new) and "hunter2" not in json.dumps(new)
    assert fields["level"] == "warning" and fields["attempts"] == 3


def test_credentials_in_an_exception_are_masked() -> None:
    def log(logger: Any) -> None:
        try:
            raise ConnectionError("redis://agent:pw-exc@cache:6379/0 refused the connection")
        except ConnectionError:
            logger.exception("internal error", request_id="r1")

    new, old = _lines(log)
    fields = dict(new)
    assert fields["level"] == "error" and "redis://agent:***@cache:6379/0" in fields["exception"]
    assert "pw-exc" not in fields["exception"]
    assert [k for k, _ in new] == [k for k, _ in old]
    assert fields["exception"].splitlines()[-1] == dict(old)["exception"].splitlines()[-1]


def test_a_url_without_credentials_and_other_values_are_kept() -> None:
    class Custom:
        def __repr__(self) -> str:
            return "<custom http://example.com/x>"

    new, old = _lines(lambda log: log.warn("note", link="http://example.com/a?b=1", when=None, ratio=0.25,
                                           items=[1, "x"], custom=Custom()))
    assert new == old
    fields = dict(new)
    assert fields["link"] == "http://example.com/a?b=1" and fields["custom"] == "<custom http://example.com/x>"
    assert fields["level"] == "warning"


def test_context_variables_are_merged() -> None:
    structlog.contextvars.bind_contextvars(job="nightly", token_url="redis://:pw-ctx@cache/0")
    new, old = _lines(lambda log: log.info("request", status="OK"))
    assert new == old
    assert dict(new)["job"] == "nightly" and dict(new)["token_url"] == "redis://:***@cache/0"


@pytest.mark.parametrize("log_format", ["json", "console"])
@pytest.mark.parametrize("level", ["INFO", "WARNING"])
def test_request_line_writes_what_info_writes(log_format: str, level: str) -> None:
    """The servicer's request line (``request_line``, past structlog's layers) is ``info("request", ...)``'s
    line: the same keys in the same order, the same masking, nothing below the level; only the timestamp
    differs (taken a moment apart)."""
    settings = load_settings({"LOG_FORMAT": log_format, "LOG_LEVEL": level})
    fields = {"request_id": "abc", "method": "GenerateData", "peer": "ipv4:127.0.0.1:5", "status": "OK",
              "duration_ms": 1.5, "entity": "user", "count": 10, "strategy": "traditional", "seed": 7,
              "cache_hit": False, "note": "from redis://agent:pw-line@cache:6379/0"}
    direct, through_info = io.StringIO(), io.StringIO()
    request_line(configure_logging(settings, direct).bind(worker=1), dict(fields))
    configure_logging(settings, through_info).bind(worker=1).info("request", **fields)
    if level == "WARNING":
        assert direct.getvalue() == through_info.getvalue() == ""
        return
    assert "pw-line" not in direct.getvalue() and "***@cache" in direct.getvalue()
    if log_format == "json":
        [new_line], [old_line] = direct.getvalue().splitlines(), through_info.getvalue().splitlines()
        new = [(k, v) for k, v in json.loads(new_line).items() if k != "timestamp"]
        assert new == [(k, v) for k, v in json.loads(old_line).items() if k != "timestamp"]
        assert [k for k, _ in new][:6] == ["service", "environment", "worker", "request_id", "method", "peer"]
    else:
        # console lines start with the timestamp: compare what follows it
        assert direct.getvalue().split(" ", 1)[1] == through_info.getvalue().split(" ", 1)[1]
