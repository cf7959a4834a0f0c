"""Settings: the one place that reads the command line, environment and ini into a frozen object.

Precedence, highest first (also in the README):

1. arguments of a ``testdata(...)`` call or a ``@pytest.mark.testdata(...)`` marker
2. the overridable ``testdata_config`` fixture
3. the command line (``--testdata-*``)
4. the environment: ``TESTDATA_*`` names only (the plugin, the ``testdata`` command and the Python API)
5. the ini file (``testdata_*`` in pytest.ini, pyproject.toml, tox.ini or setup.cfg)
6. the defaults below

The Test Data Agent is a deployed service: it also reads the service names a deployment uses (``REDIS_URL``,
``VLLM_URL``, ``ANTHROPIC_API_KEY``...), through :func:`service_environment`. The plugin never does: a
``REDIS_URL`` meant for the application under test must not become the plugin's cache, and an
``ANTHROPIC_API_KEY`` meant for something else must not send a test's data to a model.

Every option is declared once in :data:`OPTIONS`; the plugin builds its command-line flags and ini keys
from that table, so a new option is one entry here plus the code that reads it. API keys are
:data:`SECRETS`: read from the environment only, never from flags or ini files.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from pytest_testdata.errors import TestdataUsageError, choice_error
from pytest_testdata.types import COVERAGES, LOCALES, STRATEGIES

RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")
SUMMARY_MODES = ("short", "full", "none")
LLM_PROVIDERS = ("auto", "anthropic", "openai", "local", "none")
RESPONSE_FORMATS = ("auto", "json_schema", "json_object")


@dataclass(frozen=True)
class Option:
    """One setting: its flag, ini key, environment variable, default, parser and help text."""

    name: str
    help: str
    default: Any = None
    choices: tuple[str, ...] | None = None
    kind: str = "str"  # str | int | float | bool | list | seed
    env: tuple[str, ...] = ()
    """``TESTDATA_*`` names, read by every door (plugin, CLI, Python API, agent)."""
    service_env: tuple[str, ...] = ()
    """Service names a deployment uses (``REDIS_URL``...), read by the Test Data Agent only."""
    metavar: str | None = None
    minimum: float | None = None
    """Smallest value allowed for an int or float option (checked wherever the value comes from)."""

    @property
    def flag(self) -> str:
        return "--testdata-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return "testdata_" + self.name

    @property
    def ini_type(self) -> str:
        # Booleans are read as strings and parsed in parse_value, so a bad value names the option
        # (pytest's own bool ini type fails earlier with "invalid truth value" and no option name).
        return {"list": "args"}.get(self.kind, "string")


OPTIONS: tuple[Option, ...] = (
    Option("strategy", "default strategy for testdata calls and markers (default: auto, the router chooses)",
           "auto", STRATEGIES, env=("TESTDATA_STRATEGY",)),
    Option("seed", "session seed: a number, 'random' (default) or 'last' (replay the previous run's seed)",
           "random", kind="seed", env=("TESTDATA_SEED",), metavar="SEED"),
    Option("locale", "locale for names, addresses and phones (default: a mix of countries)", None, LOCALES,
           env=("TESTDATA_LOCALE",)),
    Option("email_domains", "domains of generated email addresses: reserved (example.com, example.org, "
           "example.net, *.example: mail to them reaches nobody) or real (real providers' domains, gmail.com, "
           "web.de...; only for systems that never send mail)", "reserved", ("reserved", "real"),
           env=("TESTDATA_EMAIL_DOMAINS",)),
    Option("schemas", "extra folders of *.json entity schemas (ini: one per line; relative to rootdir)", [],
           kind="list", env=("TESTDATA_SCHEMA_DIRS",), metavar="DIR"),
    Option("coverage", "shapes of generated records: all (every optional property present, nothing null), "
           "required (only required properties, fewest items), realistic (a seeded mix: optional properties "
           "often present, nullable values sometimes null, arrays sometimes empty), edges (boundary values: "
           "min/max lengths and bounds, empty arrays, nulls where allowed) or maximal (everything present, "
           "longest strings, most items) (default: all)", "all", COVERAGES, env=("TESTDATA_COVERAGE",)),
    Option("max_depth", "how many levels a recursive schema ($ref to itself, a pydantic model that contains "
           "itself) nests before its finite branch is taken; a schema's own \"x-max-depth\" wins (default 3)",
           3, kind="int", env=("TESTDATA_MAX_DEPTH",), metavar="N", minimum=1),
    Option("summary", "terminal summary of where each test's data came from (default: short)", "short",
           SUMMARY_MODES, env=("TESTDATA_SUMMARY",)),
    Option("offline", "never reach the network: LLM calls replay cassettes and fail closed when one is "
           "missing", False, kind="bool", env=("TESTDATA_OFFLINE",)),
    Option("record_mode", "cassette record mode for LLM output, as in pytest-recording (default: none)",
           "none", RECORD_MODES, env=("TESTDATA_RECORD_MODE",)),
    Option("cassette_dir", "folder of generation cassettes (default: 'cassettes' beside each test module)",
           None, env=("TESTDATA_CASSETTE_DIR",), metavar="DIR"),
    Option("remote", "use a running Test Data Agent at HOST:PORT instead of generating in-process", None,
           env=("TESTDATA_REMOTE",), metavar="HOST:PORT"),
    Option("best_effort", "best effort: return records that still break a constraint or rule (listed in "
           "metadata.violations) instead of failing the call (default: such a call fails)", False, kind="bool",
           env=("TESTDATA_BEST_EFFORT",)),
    # --- LLM strategy (pytest_testdata.llm, docs/llm.md). API keys are SECRETS (below): environment only.
    Option("llm_provider", "LLM provider: auto (every provider configured in these settings, in the order "
           "anthropic, openai, local), or one of them; 'none' never calls a model", "auto", LLM_PROVIDERS,
           env=("TESTDATA_LLM_PROVIDER",)),
    Option("claude_model", "Claude model for the anthropic provider", "claude-sonnet-5",
           env=("TESTDATA_CLAUDE_MODEL",), service_env=("CLAUDE_MODEL",), metavar="MODEL"),
    Option("claude_max_tokens", "max output tokens of one Claude request", 4096, kind="int",
           env=("TESTDATA_CLAUDE_MAX_TOKENS",), service_env=("CLAUDE_MAX_TOKENS",), metavar="N"),
    Option("claude_temperature", "sampling temperature for Claude, 0..1 (default: the model's own)", None,
           kind="float",
           env=("TESTDATA_CLAUDE_TEMPERATURE",), service_env=("CLAUDE_TEMPERATURE",), metavar="T"),
    Option("anthropic_base_url", "base URL of the Anthropic Messages API (default: the SDK's)", None,
           env=("TESTDATA_ANTHROPIC_BASE_URL",), service_env=("ANTHROPIC_BASE_URL",), metavar="URL"),
    Option("vllm_url", "base URL of an OpenAI-compatible server (vLLM, llama.cpp, llama-cpp-python), "
           "such as http://localhost:8000/v1", None, env=("TESTDATA_VLLM_URL",),
           service_env=("VLLM_URL", "OPENAI_BASE_URL"), metavar="URL"),
    Option("vllm_model", "model name to ask the OpenAI-compatible server for (default: the first it lists)",
           None, env=("TESTDATA_VLLM_MODEL",), service_env=("VLLM_MODEL",), metavar="MODEL"),
    Option("response_format", "structured-output form for the OpenAI-compatible server: auto (probe), "
           "json_schema (vLLM, llama.cpp) or json_object (llama-cpp-python's server)", "auto",
           RESPONSE_FORMATS, env=("TESTDATA_RESPONSE_FORMAT",)),
    Option("local_model", "path of a GGUF model file run in-process by llama-cpp-python", None,
           env=("TESTDATA_LOCAL_MODEL",), service_env=("LOCAL_MODEL_PATH",), metavar="PATH"),
    Option("llm_max_tokens", "max output tokens of one request to an OpenAI-compatible or local model", 2048,
           kind="int", env=("TESTDATA_LLM_MAX_TOKENS",), service_env=("LLM_MAX_TOKENS",), metavar="N"),
    Option("llm_temperature", "sampling temperature for OpenAI-compatible and local models", 0.0,
           kind="float", env=("TESTDATA_LLM_TEMPERATURE",), service_env=("LLM_TEMPERATURE",), metavar="T"),
    Option("llm_timeout", "seconds before one LLM request gives up (bounded: a test never hangs)", 60.0,
           kind="float", env=("TESTDATA_LLM_TIMEOUT",), service_env=("LLM_TIMEOUT",), metavar="SECONDS"),
    Option("llm_max_retries", "retries on 429/5xx/timeouts, with backoff honouring retry-after", 2,
           kind="int", env=("TESTDATA_LLM_MAX_RETRIES",), service_env=("LLM_MAX_RETRIES",), metavar="N"),
    Option("llm_batch_size", "records asked for in one LLM request (larger counts are chunked)", 10,
           kind="int", env=("TESTDATA_LLM_BATCH_SIZE",), service_env=("LLM_BATCH_SIZE",), metavar="N"),
    Option("llm_repair_attempts", "repair rounds for invalid LLM records before they fall back", 1,
           kind="int", env=("TESTDATA_LLM_REPAIR_ATTEMPTS",), service_env=("LLM_REPAIR_ATTEMPTS",), metavar="N"),
    Option("llm_strict", "fail instead of falling back to traditional when no LLM provider can answer",
           False, kind="bool", env=("TESTDATA_LLM_STRICT",)),
    # -- pattern store (rag and hybrid strategies; docs/rag.md) --
    Option("store", "pattern store for the rag and hybrid strategies (default: auto, Weaviate when "
           "a Weaviate URL is set, else the embedded SQLite store)", "auto", ("auto", "embedded", "weaviate"),
           env=("TESTDATA_STORE",)),
    Option("store_path", "file of the embedded pattern store, relative to the rootdir (default: "
           ".testdata/patterns.sqlite3)", None, env=("TESTDATA_STORE_PATH",), metavar="FILE"),
    Option("weaviate_url", "Weaviate server for --testdata-store weaviate (API key: TESTDATA_WEAVIATE_API_KEY in "
           "the environment)", None, env=("TESTDATA_WEAVIATE_URL",), service_env=("WEAVIATE_URL",), metavar="URL"),
    Option("rag_top_k", "patterns retrieved per rag/hybrid request (default: 5)", 5, kind="int",
           env=("TESTDATA_RAG_TOP_K",), service_env=("RAG_TOP_K",), metavar="N"),
    Option("rag_alpha", "Weaviate hybrid search balance, 0 (keywords) .. 1 (vectors) (default 0.5)", 0.5,
           kind="float", env=("TESTDATA_RAG_ALPHA",), service_env=("RAG_ALPHA",), metavar="ALPHA"),
    Option("weaviate_grpc_port", "gRPC port of the Weaviate server (default 50051)", 50051, kind="int",
           env=("TESTDATA_WEAVIATE_GRPC_PORT",), service_env=("WEAVIATE_GRPC_PORT",), metavar="PORT"),
    # Cache and data pools (pytest_testdata/cache, docs/cache.md).
    Option("cache", "result cache: auto (Redis when a Redis URL is set, else none in pytest and in-process in "
           "the agent), memory, redis or none", "auto", ("auto", "memory", "redis", "none"), env=("TESTDATA_CACHE",)),
    Option("redis_url", "Redis for a cache and data pools shared by xdist workers, runs and agent replicas",
           None, env=("TESTDATA_REDIS_URL",), service_env=("REDIS_URL",), metavar="URL"),
    Option("cache_ttl", "seconds a cached result or pool lives in Redis (0: no expiry; default 3600)", 3600,
           kind="int", env=("TESTDATA_CACHE_TTL",), service_env=("CACHE_TTL_SECONDS",), metavar="SECONDS",
           minimum=0),
    Option("cache_prefix", "prefix of every Redis key the cache writes (default: testdata)", "testdata",
           env=("TESTDATA_CACHE_PREFIX",), metavar="PREFIX"),
    Option("cache_max_mb", "size limit of the in-process cache in megabytes (default 64)", 64, kind="int",
           env=("TESTDATA_CACHE_MAX_MB",), metavar="MB", minimum=1),
    Option("pool_size", "records kept ready per data pool for requests without a seed (0: no pools; "
           "default 2000)", 2000, kind="int", env=("TESTDATA_POOL_SIZE",), metavar="N", minimum=0),
    Option("dataset_processes", "processes that build the large entities of a dataset (10,000 records or "
           "more), this one included: N starts N - 1 worker processes beside it; the records are the same "
           "whatever the number; 1 builds in this process (default: one per core; under pytest-xdist, the cores "
           "shared out among its workers)", None, kind="int",
           env=("TESTDATA_DATASET_PROCESSES",), metavar="N", minimum=1),
    # Remote mode's connection to the Test Data Agent (pytest_testdata/agent, docs/agent.md).
    Option("remote_token", "shared bearer token the remote agent requires (its AUTH_TOKEN)", None,
           env=("TESTDATA_AGENT_TOKEN",), metavar="TOKEN"),
    Option("remote_tls", "connect to the remote agent over TLS", False, kind="bool", env=("TESTDATA_REMOTE_TLS",)),
    Option("remote_ca", "CA certificate file (PEM) to trust for the remote agent's TLS (implies TLS)", None,
           env=("TESTDATA_REMOTE_CA",), metavar="FILE"),
    Option("remote_timeout", "seconds to wait for each remote agent call (default 120)", 120, kind="int",
           env=("TESTDATA_REMOTE_TIMEOUT",), metavar="SECONDS"),
)
OPTION_BY_NAME: dict[str, Option] = {o.name: o for o in OPTIONS}


@dataclass(frozen=True)
class SecretSpec:
    """An API key: read from the environment only (never a flag or an ini key that ends up in git)."""

    name: str
    env: tuple[str, ...]
    service_env: tuple[str, ...]
    help: str


SECRETS: tuple[SecretSpec, ...] = (
    SecretSpec("anthropic_api_key", ("TESTDATA_ANTHROPIC_API_KEY",), ("ANTHROPIC_API_KEY",),
               "Claude API key; setting it (or --testdata-llm-provider anthropic) enables the anthropic provider"),
    SecretSpec("openai_api_key", ("TESTDATA_OPENAI_API_KEY",), ("VLLM_API_KEY", "OPENAI_API_KEY"),
               "bearer token of the OpenAI-compatible server, if it needs one"),
    SecretSpec("weaviate_api_key", ("TESTDATA_WEAVIATE_API_KEY",), ("WEAVIATE_API_KEY",),
               "Weaviate API key, if the server needs one"),
)


class Secret(str):
    """A string whose ``repr`` never shows the value (settings end up in logs and tracebacks)."""

    def __repr__(self) -> str:
        return "Secret('***')"


def service_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment as the Test Data Agent reads it (the agent's settings go through this).

    The process environment (or ``environ``) with each service name a deployment uses (``REDIS_URL``,
    ``VLLM_URL``, ``ANTHROPIC_API_KEY``, ``CACHE_TTL_SECONDS``... see :data:`OPTIONS` and :data:`SECRETS`)
    copied to the ``TESTDATA_*`` name the engine's settings read; a ``TESTDATA_*`` name that is set wins.
    The agent's own settings (``GRPC_PORT``, ``LOG_LEVEL``...) are in it unchanged. The pytest plugin never
    reads this mapping.
    """
    source = os.environ if environ is None else environ
    out = dict(source)
    specs: tuple[Option | SecretSpec, ...] = (*OPTIONS, *SECRETS)
    for spec in specs:
        if not spec.env or any(source.get(e) not in (None, "") for e in spec.env):
            continue
        found = next((n for n in spec.service_env if source.get(n) not in (None, "")), None)
        if found is not None:
            out[spec.env[0]] = source[found]
    return out


def xdist_workers(environ: Mapping[str, str] | None = None) -> int | None:
    """How many pytest-xdist workers run when this process is one of them (``PYTEST_XDIST_WORKER`` and
    ``PYTEST_XDIST_WORKER_COUNT``, which pytest-xdist sets in each worker), else None."""
    source = os.environ if environ is None else environ
    count = source.get("PYTEST_XDIST_WORKER_COUNT", "")
    if source.get("PYTEST_XDIST_WORKER") and count.isdigit() and int(count) > 0:
        return int(count)
    return None


def service_env_names() -> set[str]:
    """Every service name :func:`service_environment` translates (for checking deployment files)."""
    specs: tuple[Option | SecretSpec, ...] = (*OPTIONS, *SECRETS)
    return {n for spec in specs for n in spec.service_env}


@dataclass(frozen=True)
class Settings:
    """Resolved settings for a session (or a CLI run, or the agent's engine)."""

    strategy: str = "auto"
    seed: int | str = "random"
    locale: str | None = None
    schemas: tuple[str, ...] = ()
    summary: str = "short"
    offline: bool = False
    record_mode: str = "none"
    cassette_dir: str | None = None
    remote: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Values of options other modules registered (see :func:`register_option`)."""

    def get(self, name: str, default: Any = None) -> Any:
        """A setting by name, whether a built-in field or a registered extra."""
        if name in _FIELD_NAMES:
            return getattr(self, name)
        return self.extra.get(name, default)


_FIELD_NAMES = frozenset(f.name for f in fields(Settings)) - {"extra"}


def parse_value(option: Option, raw: Any, source: str) -> Any:
    """Parse and check one raw value (from a flag, env var, ini or fixture) for an option."""
    where = f"{source} {option.flag}" if source == "command line" else source
    if option.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise TestdataUsageError(f"{where}: {raw!r} is not a boolean. Allowed: true, false, 1, 0, yes, no.")
    if option.kind == "list":
        if isinstance(raw, str):
            return tuple(p for p in raw.replace(os.pathsep, "\n").splitlines() if p.strip())
        return tuple(str(p) for p in raw)
    if option.kind == "seed":
        text = str(raw).strip()
        if text in ("random", "last"):
            return text
        try:
            return int(text)
        except ValueError:
            raise TestdataUsageError(
                f"{where} ({option.name}): {raw!r} is not a seed. Allowed: a whole number, 'random' or 'last'. "
                f"For example: {option.flag} 12345"
            ) from None
    if option.kind == "int":
        try:
            whole = int(raw)
        except (TypeError, ValueError):
            raise TestdataUsageError(f"{where} ({option.name}): {raw!r} is not a whole number.") from None
        return _at_least(option, whole, raw, where)
    if option.kind == "float":
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise TestdataUsageError(
                f"{where} ({option.name}): {raw!r} is not a number. For example: {option.flag} 0.5"
            ) from None
        if not math.isfinite(number):
            raise TestdataUsageError(f"{where} ({option.name}): {raw!r} is not allowed; give a finite number. "
                                     f"For example: {option.flag} 0.5")
        return _at_least(option, number, raw, where)
    value = str(raw)
    if option.choices is not None and value not in option.choices:
        raise choice_error(f"{where} ({option.name})", value, option.choices)
    return value


def _at_least(option: Option, value: Any, raw: Any, where: str) -> Any:
    if option.minimum is not None and value < option.minimum:
        raise TestdataUsageError(f"{where} ({option.name}, {option.flag}): {raw!r} is not allowed; it must be "
                                 f"{option.minimum:g} or more ({option.help}).")
    return value


def resolve(cli: Mapping[str, Any], ini: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Settings:
    """Resolve every option: command line > environment > ini > default. Raises on a bad value.

    Reads only the ``TESTDATA_*`` names of ``environ`` (default: the process environment). The agent passes
    :func:`service_environment` to read the service names too.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for option in OPTIONS:
        value = option.default
        raw_ini = ini.get(option.name)
        if raw_ini not in (None, "", [], ()):
            value = parse_value(option, raw_ini, f"ini option {option.ini}")
        env_name = next((e for e in option.env if environ.get(e) not in (None, "")), None)
        if env_name is not None:
            value = parse_value(option, environ[env_name], f"environment variable {env_name}")
        if cli.get(option.name) is not None:
            value = parse_value(option, cli[option.name], "command line")
        values[option.name] = value
    direct: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in values.items()
                              if k in _FIELD_NAMES}
    extra: dict[str, Any] = {k: v for k, v in values.items() if k not in _FIELD_NAMES}
    for secret in SECRETS:
        env_name = next((e for e in secret.env if environ.get(e) not in (None, "")), None)
        extra[secret.name] = Secret(environ[env_name]) if env_name is not None else None
    return Settings(**direct, extra=extra)



def source_of(name: str, cli: Mapping[str, Any], ini: Mapping[str, Any],
              environ: Mapping[str, str] | None = None) -> str | None:
    """Where an option's value comes from (``"command line"``, ``"environment variable X"``, ``"ini option
    x"``), by the precedence of :func:`resolve`; None when it is the default."""
    environ = os.environ if environ is None else environ
    option = OPTION_BY_NAME[name]
    if cli.get(name) is not None:
        return "command line"
    env_name = next((e for e in option.env if environ.get(e) not in (None, "")), None)
    if env_name is not None:
        return f"environment variable {env_name}"
    if ini.get(name) not in (None, "", [], ()):
        return f"ini option {option.ini}"
    return None
