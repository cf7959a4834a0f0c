"""Response headers of a unary call sent with its reply, in one write, rather than in a batch of their own.

``context.send_initial_metadata`` starts a gRPC batch of its own: the headers leave in a write (a
``sendmsg``) of their own, the server's completion-queue thread handles one more event, and the client
wakes up once more, for every call. grpcio has no public way to hand headers to the batch that carries the
reply and status (it always sends empty ones there), so :func:`install` wraps the one function of
``grpc._server`` that builds those headers: an RPC state with headers left by :func:`send_with_reply`
gets them, any other call what grpcio sent before. Calls of servers that never use this are unchanged.

Where grpcio's internals are not what this expects (another version), :func:`send_with_reply` falls back to
``send_initial_metadata``: the same headers, sent at once, in a write of their own.
"""

from __future__ import annotations

import threading
from typing import Any

import grpc

_ATTRIBUTE = "_testdata_reply_headers"
_installed: bool | None = None
_lock = threading.Lock()


def install() -> bool:
    """Wrap grpcio's header builder once per process; False when this grpcio is not the one expected."""
    global _installed
    with _lock:
        if _installed is None:
            _installed = _wrap_builder()
        return _installed


def _wrap_builder() -> bool:
    try:
        from grpc import _server
    except ImportError:
        return False
    original = getattr(_server, "_get_initial_metadata", None)
    state_type = getattr(_server, "_RPCState", None)
    if not callable(original) or state_type is None or not hasattr(_server._Context, "send_initial_metadata"):
        return False

    def initial_metadata(state: Any, metadata: Any) -> Any:
        if metadata is None:
            metadata = getattr(state, _ATTRIBUTE, None)
        return original(state, metadata)

    _server._get_initial_metadata = initial_metadata
    return True


def send_with_reply(context: grpc.ServicerContext, headers: tuple[tuple[str, str], ...]) -> None:
    """Send ``headers`` as the call's response headers, with its reply or error status (see the module).

    For unary calls: the headers leave when the call ends, as they would with the reply anyway; a stream
    should send its headers at once (``send_initial_metadata``), before its first message.
    """
    state = getattr(context, "_state", None)
    if install() and state is not None and getattr(state, "initial_metadata_allowed", False):
        setattr(state, _ATTRIBUTE, headers)
    else:
        context.send_initial_metadata(headers)
