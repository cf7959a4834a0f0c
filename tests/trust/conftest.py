"""A user's project as a careful team has it: its own rootdir and ini, a developer's environment (an Anthropic
key, the application's Redis and OpenAI-compatible server), and a network that only reaches loopback.

``user_project`` lays out such a project in ``pytester``; its conftest installs a socket guard for the run that
refuses (and logs) every connection or name look-up that leaves the machine, so a test can assert that
nothing tried to.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cache"))
from redis_server import RedisServer  # tests/cache/redis_server.py: a real Redis server on loopback

GUARD = '''
import ipaddress, os, socket

_LOG = os.environ["TRUST_GUARD_LOG"]
_saved = {}


def _loopback(host):
    host = str(host)
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what):
    with open(_LOG, "a") as log:
        log.write(what + "\\n")
    raise ConnectionRefusedError(f"network blocked by the test project: {what}")


def pytest_configure(config):
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            _refuse(f"connect {address!r}")
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            _refuse(f"connect {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _loopback(host.decode() if isinstance(host, bytes) else host):
            _refuse(f"resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    _saved.update(connect=real_connect, connect_ex=real_connect_ex, getaddrinfo=real_getaddrinfo)
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo


def pytest_unconfigure(config):
    if _saved:
        socket.socket.connect = _saved["connect"]
        socket.socket.connect_ex = _saved["connect_ex"]
        socket.getaddrinfo = _saved["getaddrinfo"]
'''


@dataclass
class UserProject:
    """The project, its Redis (the application's, at ``REDIS_URL``) and the guard's log."""

    pytester: pytest.Pytester
    redis: RedisServer
    guard_log: Path

    def blocked(self) -> list[str]:
        """Every connection or look-up the guard refused."""
        return self.guard_log.read_text().splitlines() if self.guard_log.exists() else []

    def testdata_keys(self) -> list[bytes]:
        """Keys the plugin would have written into the application's Redis."""
        return sorted(self.redis.client().scan_iter(match="testdata*"))


@pytest.fixture(scope="session")
def app_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """The application's own Redis: the developer's REDIS_URL points at it."""
    server = RedisServer(tmp_path_factory.mktemp("app-redis")).start()
    yield server
    server.stop()


@pytest.fixture
def user_project(pytester: pytest.Pytester, app_redis: RedisServer, monkeypatch: pytest.MonkeyPatch,
                 tmp_path_factory: pytest.TempPathFactory) -> UserProject:
    """A project of its own (rootdir, ini), a developer's environment, and only loopback reachable."""
    app_redis.client().flushall()
    log = tmp_path_factory.mktemp("guard") / "blocked.log"
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider -p no:randomly\n")
    pytester.makeconftest(GUARD)
    monkeypatch.setenv("TRUST_GUARD_LOG", str(log))
    # what a developer's shell has for the application and other programs
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-belongs-to-another-program")
    monkeypatch.setenv("REDIS_URL", app_redis.url)
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("VLLM_URL", "http://10.0.0.7:8000/v1")
    monkeypatch.setenv("CACHE_TTL_SECONDS", "not-a-number")  # read by the plugin, this would be a usage error
    monkeypatch.setenv("RAG_TOP_K", "0")  # likewise out of range
    monkeypatch.setenv("LLM_TIMEOUT", "soon")
    monkeypatch.setenv("CLAUDE_MODEL", "claude-of-another-program")
    return UserProject(pytester, app_redis, log)
