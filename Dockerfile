# The Test Data Agent: gRPC on 9091, health and metrics on 8091 (docs/agent.md), listening on every interface
# (BIND_HOST=0.0.0.0; outside a container `testdata serve` listens on 127.0.0.1 only). WORKERS defaults to
# the cores the container may use (its CPU limit). tests/agent/test_image.py rehearses both stages.
#   docker build -t testdata-agent .
#   docker run --rm -p 9091:9091 -p 8091:8091 testdata-agent
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY pytest_testdata ./pytest_testdata
COPY schemas ./schemas
# the wheel force-includes the proto (pyproject.toml [tool.hatch.build.targets.wheel.force-include])
COPY protos ./protos
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[agent]'

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BIND_HOST=0.0.0.0 \
    GRPC_PORT=9091 \
    HTTP_PORT=8091 \
    LOG_FORMAT=json
RUN useradd --system --uid 10001 --home-dir /app agent
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
USER 10001
EXPOSE 9091 8091
# The agent drains on SIGTERM: readiness drops, in-flight calls finish within SHUTDOWN_GRACE_SECONDS.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('HTTP_PORT', '8091'), timeout=2)"]
ENTRYPOINT ["testdata", "serve"]
