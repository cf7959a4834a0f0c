"""Guards in front of the servicers: the slot budget of generation calls, and the token on server reflection.

Both act before the servicer runs, so a refused call costs no generation work and no thread beyond the
moment it takes to refuse it. The slot budget wraps the service's handlers once, when they are registered
(:class:`AdmissionGuard`, through :func:`~pytest_testdata.agent.service.add_service`): a gRPC interceptor
would run for every call, in the one thread that dispatches every call's events. The servicer itself
checks the token of its own methods (:mod:`pytest_testdata.agent.service`); reflection is the library's
servicer, so its token check is here, an interceptor (only when AUTH_TOKEN is set).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from pytest_testdata.agent.admission import STREAM, UNARY, Admission, Refusal
from pytest_testdata.agent.observability import REQUEST_ID_HEADER, request_id_from

PUSHBACK_TRAILER = "grpc-retry-pushback-ms"
STATUS_DETAILS_TRAILER = "grpc-status-details-bin"
REFLECTION_PREFIX = "/grpc.reflection."


class _Status(grpc.Status):
    def __init__(self, code: grpc.StatusCode, details: str, trailing_metadata: tuple[tuple[str, Any], ...]) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


def refusal_status(refusal: Refusal, request_id: str) -> grpc.Status:
    """RESOURCE_EXHAUSTED with the retry hint twice: gRPC's pushback trailer, and ``google.rpc.RetryInfo``
    in the rich status (``grpc_status.rpc_status.from_call`` reads it)."""
    message = f"{refusal.message()} (request id {request_id})"
    delay = duration_pb2.Duration()
    delay.FromMilliseconds(refusal.retry_after_ms)
    detail = any_pb2.Any()
    detail.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
    rich = status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED, message=message, details=[detail])
    return _Status(grpc.StatusCode.RESOURCE_EXHAUSTED, message,
                   ((PUSHBACK_TRAILER, str(refusal.retry_after_ms)),
                    (STATUS_DETAILS_TRAILER, rich.SerializeToString())))


def bearer_ok(metadata: Mapping[str, Any], token: bytes) -> bool:
    """Whether ``authorization: Bearer <token>`` is in ``metadata`` (compared in constant time)."""
    scheme, _, given = str(metadata.get("authorization", "")).partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token)


def _metadata(context: grpc.ServicerContext) -> dict[str, str]:
    return {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}


class AdmissionGuard:
    """Gives each generation call a slot of :class:`Admission`, or refuses it at once (see the module)."""

    def __init__(self, admission: Admission, methods: Mapping[str, str],
                 on_refusal: Callable[[str, Refusal, str], None]) -> None:
        self.admission = admission
        self.methods = methods  # full method name -> UNARY or STREAM
        self.on_refusal = on_refusal

    def handler(self, method: str, handler: Any) -> Any:
        """``handler`` of the full ``method`` name, wrapped with a slot when the method takes one."""
        kind = self.methods.get(method)
        return handler if kind is None else self._wrap(method, kind, handler)

    def _refuse(self, method: str, refusal: Refusal, context: grpc.ServicerContext) -> None:
        request_id = request_id_from(_metadata(context))
        context.send_initial_metadata(((REQUEST_ID_HEADER, request_id),))
        self.on_refusal(method, refusal, request_id)
        context.abort_with_status(refusal_status(refusal, request_id))

    def _wrap(self, method: str, kind: str, handler: Any) -> Any:
        admission = self.admission
        if kind == UNARY and handler.unary_unary is not None:
            inner = handler.unary_unary

            def unary(request: Any, context: grpc.ServicerContext) -> Any:
                refusal = admission.enter(UNARY)
                if refusal is not None:
                    self._refuse(method, refusal, context)
                try:
                    return inner(request, context)
                finally:
                    admission.leave(UNARY)

            return grpc.unary_unary_rpc_method_handler(unary, handler.request_deserializer,
                                                       handler.response_serializer)
        if kind == STREAM and handler.unary_stream is not None:
            inner_stream = handler.unary_stream

            def stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
                refusal = admission.enter(STREAM)
                if refusal is not None:
                    self._refuse(method, refusal, context)
                try:
                    yield from inner_stream(request, context)
                finally:
                    admission.leave(STREAM)

            return grpc.unary_stream_rpc_method_handler(stream, handler.request_deserializer,
                                                        handler.response_serializer)
        return handler


class ReflectionTokenGuard(grpc.ServerInterceptor):  # type: ignore[type-arg]
    """With AUTH_TOKEN set, server reflection answers only calls that carry the token."""

    def __init__(self, token: bytes) -> None:
        self.token = token

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if handler is None or not details.method.startswith(REFLECTION_PREFIX):
            return handler
        if bearer_ok(dict(details.invocation_metadata or ()), self.token):
            return handler

        def refuse(requests: Any, context: grpc.ServicerContext) -> Any:
            context.abort(grpc.StatusCode.UNAUTHENTICATED,
                          "server reflection on this agent requires its shared token: send the metadata "
                          "'authorization: Bearer <token>' with the agent's AUTH_TOKEN "
                          "(grpcurl -H 'authorization: Bearer <token>' ...)")

        return grpc.stream_stream_rpc_method_handler(refuse, handler.request_deserializer,
                                                     handler.response_serializer)
