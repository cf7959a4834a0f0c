"""The agent's settings, read from the environment with pydantic-settings.

Service settings (ports, limits, auth, TLS, observability) live here. Strategy, store and cache settings
(``VLLM_URL``, ``WEAVIATE_URL``, ``REDIS_URL``...) are the plugin's options: :func:`engine_settings` reads
them through :func:`pytest_testdata.config.resolve` from :func:`pytest_testdata.config.service_environment`
(the environment with the service names a deployment uses), so every option another part of the project
registers reaches the agent's engine without a second list here.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from pytest_testdata.config import Settings, resolve, service_env_names, service_environment
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.types import MAX_COUNT

RESERVED_THREADS = 2
"""Threads of the gRPC pool kept for health checks, schemas and reflection: generation calls (unary and
streams) may use ``GRPC_MAX_WORKERS - RESERVED_THREADS`` at once, so a probe always finds a thread."""
_HOSTNAME = re.compile(r"^(?=.{1,253}\Z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
                       r"[A-Za-z0-9])?)*\Z")

PROVIDER_ENV = ("ANTHROPIC_API_KEY", "VLLM_URL", "WEAVIATE_URL", "WEAVIATE_API_KEY")
"""Provider and store variables the strategies read through their own options (not service settings);
listed so deployment files can be checked against the names the agent understands."""


def known_env_names() -> set[str]:
    """Every environment variable the agent reads: its settings, the plugin's options, providers."""
    from pytest_testdata.config import OPTIONS

    names = {name.upper() for name in AgentSettings.model_fields}
    names.update(env for option in OPTIONS for env in option.env)
    names.update(service_env_names())
    names.update(PROVIDER_ENV)
    return names


class AgentSettings(BaseSettings):
    """Every service setting, with the environment variable of the same name in upper case."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    service_name: str = "testdata-agent"
    environment: str = "development"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    bind_host: str = Field("127.0.0.1", description="address both servers listen on; loopback unless told "
                           "otherwise (the image and the k8s manifests set 0.0.0.0)")
    grpc_port: int = Field(9091, ge=0, le=65535, description="0 picks a free port (tests)")
    http_port: int = Field(8091, ge=0, le=65535, description="health and metrics; 0 picks a free port")
    workers: int | None = Field(None, ge=0, le=256, description="worker processes serving the gRPC port "
                                "under a supervisor; default: the cores available to the container; 0: serve "
                                "from this one process, without a supervisor")
    pin_workers: bool = Field(True, description="with as many workers as CPUs this process may use (and no "
                              "CPU quota below that), run worker i on CPU i only; false: the kernel places them")
    worker_max_memory_mb: int = Field(1024, ge=0, le=1_048_576, description="resident memory after which a "
                                      "worker is replaced (drained first); 0: no limit")
    worker_liveness_timeout_seconds: float = Field(15.0, gt=0, le=3600, allow_inf_nan=False,
                                                   description="a worker whose liveness probe stays silent "
                                                   "this long is killed and replaced")
    grpc_max_workers: int = Field(32, ge=RESERVED_THREADS + 2, le=1024, description="threads serving calls "
                                  "in each worker process")
    max_streams: int = Field(8, ge=1, le=1024, description="streams running at once in each worker; at most "
                             "GRPC_MAX_WORKERS - 2, and best well below, so unary calls keep threads")
    max_sync_records: int = Field(1000, ge=1, le=MAX_COUNT)
    stream_batch_size: int = Field(50, ge=1, le=10_000)
    max_context_chars: int = Field(20_000, ge=1)
    max_message_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="largest request message accepted")
    auth_token: SecretStr | None = Field(None, description="shared bearer token; none means no auth")
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    shutdown_grace_seconds: float = Field(30.0, ge=0, le=3600, allow_inf_nan=False)
    unary_budget_seconds: float = Field(60.0, gt=0, le=3600, allow_inf_nan=False, description="longest a "
                                        "GenerateData call may run, whatever the client's deadline (none, or "
                                        "a longer one)")
    stream_budget_seconds: float = Field(1800.0, gt=0, le=86400, allow_inf_nan=False, description="longest a "
                                         "stream (GenerateDataStream, GenerateDataset) may run")
    redis_url: str | None = Field(None, description="shared result cache; also read by the cache layer")
    cache_ttl_seconds: int = Field(3600, ge=0)
    prometheus_enabled: bool = True
    tracing_enabled: bool = False
    otlp_endpoint: str | None = None
    otlp_insecure: bool = True

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("workers", "auth_token", "tls_cert_file", "tls_key_file", "redis_url", "otlp_endpoint",
                     mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # compose files pass ``AUTH_TOKEN: ${AUTH_TOKEN:-}``: an empty variable means "not set", never an
        # empty token every caller would match.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bind_host")
    @classmethod
    def _host(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            value = value[1:-1]
        if re.fullmatch(r"[0-9.]+", value) or ":" in value:
            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise ValueError("not an IP address; allowed: an IPv4 or IPv6 address of this machine "
                                 "(127.0.0.1 for loopback, 0.0.0.0 or :: for every interface) or a host name") from None
        elif not _HOSTNAME.match(value):
            raise ValueError("not an address or host name; allowed: 127.0.0.1, 0.0.0.0, ::, localhost or a "
                             "host name of this machine")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AgentSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("TLS_CERT_FILE and TLS_KEY_FILE go together: set both to serve TLS, or neither")
        if self.tls_cert_file is not None and self.tls_key_file is not None:
            _check_pem(self.tls_cert_file, self.tls_key_file)
        capacity = self.grpc_max_workers - RESERVED_THREADS
        if self.max_streams > capacity:
            raise ValueError(f"MAX_STREAMS {self.max_streams} must be at most GRPC_MAX_WORKERS - "
                             f"{RESERVED_THREADS} ({capacity}): {RESERVED_THREADS} threads stay for health checks; "
                             "keep it well below, so unary calls keep threads while streams run "
                             "(default: 8 of 32 threads); lower MAX_STREAMS or raise GRPC_MAX_WORKERS")
        return self

    @property
    def capacity(self) -> int:
        """Generation calls (unary and streams) one worker runs at once; more are refused at once."""
        return self.grpc_max_workers - RESERVED_THREADS

    @property
    def tls(self) -> bool:
        return self.tls_cert_file is not None

    @property
    def tracing(self) -> bool:
        """Tracing is on when TRACING_ENABLED is true or an OTLP_ENDPOINT is given."""
        return self.tracing_enabled or bool(self.otlp_endpoint)


def _check_pem(cert: Path, key: Path) -> None:
    for name, path in (("TLS_CERT_FILE", cert), ("TLS_KEY_FILE", key)):
        if not path.is_file():
            raise ValueError(f"{name}: TLS file {str(path)!r} does not exist")
        head = path.read_bytes()[:65536]
        if b"-----BEGIN " not in head:
            raise ValueError(f"{name}: {str(path)!r} is not a PEM file (no '-----BEGIN' line); allowed: a PEM "
                             "certificate (chain) and its PEM private key")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(str(cert), str(key))
    except (ssl.SSLError, OSError) as exc:
        raise ValueError(f"TLS_CERT_FILE {str(cert)!r} and TLS_KEY_FILE {str(key)!r} are not a PEM certificate "
                         f"and the private key that belongs to it ({exc.__class__.__name__}: {exc})") from None


def available_cores() -> int:
    """Cores this process may use: CPU affinity, lowered by a cgroup CPU quota (a container's CPU limit)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        cores = min(cores, max(1, math.ceil(quota)))
    return max(1, cores)


def _cgroup_quota() -> float | None:
    try:  # cgroup v2: "max 100000" or "150000 100000"
        text = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if text and text[0] != "max":
            return int(text[0]) / int(text[1])
        return None
    except (OSError, ValueError, IndexError):
        pass
    try:  # cgroup v1
        quota = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def worker_count(settings: AgentSettings) -> int:
    """Worker processes to run: WORKERS, or the cores available to the container when it is not set
    (0 means none: the agent serves from the process that was started)."""
    return settings.workers if settings.workers is not None else available_cores()


class _GivenEnvironmentSettings(AgentSettings):
    """Reads only what :func:`load_settings` passes in (an explicit environment), never ``os.environ``."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> AgentSettings:
    """Read :class:`AgentSettings` from ``environ`` (default: the process environment) plus overrides.

    A bad value raises :class:`TestdataUsageError` naming the variable, the value and what is allowed.
    """
    try:
        if environ is None:
            environ = service_environment()
        names = {name.upper() for name in AgentSettings.model_fields}
        values: dict[str, Any] = {k.lower(): v for k, v in environ.items() if k.upper() in names}
        values.update(overrides)
        return _GivenEnvironmentSettings(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            name = loc[0].upper() if loc else ""
            value = error.get("input")
            shown = f", got {_shown(name, value)}" if loc and not isinstance(value, dict) else ""
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}{shown}" if name else message)
        raise TestdataUsageError("Test Data Agent settings: " + "; ".join(problems)) from None


def _shown(name: str, value: Any) -> str:
    return "'***'" if name == "AUTH_TOKEN" else repr(value)


def engine_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The engine's settings from the service environment: strategy, provider, store and cache options.

    A bad value (``TESTDATA_CACHE_TTL=-5``) raises :class:`TestdataUsageError` naming the variable.
    """
    return resolve({}, {}, service_environment(environ))
