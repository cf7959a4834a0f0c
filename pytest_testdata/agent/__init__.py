"""The Test Data Agent: a gRPC service (plus HTTP health and metrics) over the same engine as the plugin.

Importing this package is light; grpc, prometheus_client, structlog and opentelemetry load only in the
modules that use them (:mod:`.server`, :mod:`.client`, :mod:`.http`, :mod:`.observability`).
Start it with ``testdata serve`` or ``python -m pytest_testdata.agent``.
"""
