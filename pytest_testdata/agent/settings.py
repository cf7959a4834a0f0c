"""The agent's settings, read from the environment with pydantic-settings.

Service settings (ports, limits, auth, TLS, observability) live here. Strategy, store and cache settings
(``VLLM_URL``, ``WEAVIATE_URL``, ``REDIS_URL``...) are the plugin's options: :func:`engine_settings` reads
them through :func:`pytest_testdata.config.resolve` from :func:`pytest_testdata.config.service_environment`
(the environment with the service names a deployment uses), so every option another part of the project
registers reaches the agent's engine without a second list here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from pytest_testdata.config import Settings, resolve, service_env_names, service_environment
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.types import MAX_COUNT

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
    bind_host: str = Field("0.0.0.0", description="address both servers listen on")
    grpc_port: int = Field(9091, ge=0, le=65535, description="0 picks a free port (tests)")
    http_port: int = Field(8091, ge=0, le=65535, description="health and metrics; 0 picks a free port")
    grpc_max_workers: int = Field(16, ge=1, le=1024)
    max_sync_records: int = Field(1000, ge=1, le=MAX_COUNT)
    stream_batch_size: int = Field(50, ge=1, le=10_000)
    max_context_chars: int = Field(20_000, ge=1)
    max_message_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="largest request message accepted")
    auth_token: SecretStr | None = Field(None, description="shared bearer token; none means no auth")
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    shutdown_grace_seconds: float = Field(30.0, ge=0)
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

    @model_validator(mode="after")
    def _tls_pair(self) -> AgentSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("TLS_CERT_FILE and TLS_KEY_FILE go together: set both to serve TLS, or neither")
        for path in (self.tls_cert_file, self.tls_key_file):
            if path is not None and not path.is_file():
                raise ValueError(f"TLS file {str(path)!r} does not exist")
        return self

    @property
    def tls(self) -> bool:
        return self.tls_cert_file is not None

    @property
    def tracing(self) -> bool:
        """Tracing is on when TRACING_ENABLED is true or an OTLP_ENDPOINT is given."""
        return self.tracing_enabled or bool(self.otlp_endpoint)


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
            name = loc[0].upper() if loc else "settings"
            shown = f", got {error['input']!r}" if loc and not isinstance(error.get("input"), dict) else ""
            problems.append(f"{name}: {error['msg']}{shown}")
        raise TestdataUsageError("Test Data Agent settings: " + "; ".join(problems)) from None


def engine_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The engine's settings from the service environment: strategy, provider, store and cache options."""
    return resolve({}, {}, service_environment(environ))
