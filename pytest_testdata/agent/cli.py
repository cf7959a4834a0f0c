"""``testdata serve`` and ``python -m pytest_testdata.agent``: start the agent from the command line.

Flags override the environment (GRPC_PORT, HTTP_PORT, BIND_HOST, WORKERS, LOG_LEVEL); every other setting
comes from the environment (see docs/agent.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from pytest_testdata.errors import MissingDependencyError, TestdataError, TestdataUsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``serve`` flags (shared by ``testdata serve`` and ``python -m pytest_testdata.agent``)."""
    parser.add_argument("--host", dest="bind_host", default=None, help="address to listen on (env BIND_HOST; "
                        "default 127.0.0.1, this machine only; 0.0.0.0 for every interface)")
    parser.add_argument("--grpc-port", type=int, default=None, help="gRPC port (env GRPC_PORT; default 9091; "
                        "0 picks a free one)")
    parser.add_argument("--http-port", type=int, default=None, help="health and metrics port (env HTTP_PORT; "
                        "default 8091; 0 picks a free one)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes sharing the gRPC port "
                        "(env WORKERS; default: the cores available; 0 serves from this process alone)")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING or ERROR (env LOG_LEVEL)")


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit code."""
    try:
        from pytest_testdata.agent.server import serve
        from pytest_testdata.agent.settings import load_settings
    except ImportError as exc:
        raise MissingDependencyError(exc.name or "grpcio", "agent", "the Test Data Agent (testdata serve)") from None
    overrides: dict[str, Any] = {k: v for k in ("bind_host", "grpc_port", "http_port", "workers", "log_level")
                                 if (v := getattr(args, k, None)) is not None}
    settings = load_settings(**overrides)
    schema_paths = list(getattr(args, "schemas", []) or [])
    _check_schemas(schema_paths)
    return serve(settings, schema_dirs=schema_paths)


def _check_schemas(paths: Sequence[str]) -> None:
    """A service refuses to start with a schema that does not load (one line naming file, pointer, fix)."""
    from pytest_testdata.schemas.registry import SchemaRegistry

    _, errors = SchemaRegistry(paths).check()
    if errors:
        more = f" (and {len(errors) - 1} more: run `testdata schemas` to list them)" if len(errors) > 1 else ""
        raise TestdataUsageError(f"{errors[0]}{more}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m pytest_testdata.agent``."""
    parser = argparse.ArgumentParser(prog="python -m pytest_testdata.agent",
                                     description="Run the Test Data Agent (gRPC plus HTTP health and metrics).")
    parser.add_argument("--schemas", action="append", default=[], metavar="DIR",
                        help="extra folder of *.json entity schemas (repeatable; env TESTDATA_SCHEMA_DIRS)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        from pytest_testdata.cli import resolve_schema_paths

        resolve_schema_paths(args)  # --schemas, else the project's testdata_schemas (as `testdata serve`)
        return run(args)
    except TestdataError as exc:
        print(f"testdata serve: error: {exc}", file=sys.stderr)
        return 2
