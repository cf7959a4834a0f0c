"""Checking and holding the agent's listening addresses, so a bad address or a busy port is one clear line.

:func:`check_address` resolves ``BIND_HOST`` and tries the port before any server starts: a port in use,
an address this machine does not have, or a host name that does not resolve each name the setting to fix.
:func:`reserve_port` keeps the gRPC port for a pool of worker processes: a socket bound with
``SO_REUSEPORT`` that never listens, so the workers (which bind the same port with ``SO_REUSEPORT``) share
it, any other program is refused it, and the port stays held while a worker is being replaced.
"""

from __future__ import annotations

import errno
import socket

from pytest_testdata.errors import TestdataUsageError


def _family(host: str, port: int, setting: str) -> tuple[socket.AddressFamily, tuple[str, int]]:
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise TestdataUsageError(f"BIND_HOST: {host!r} does not resolve to an address of this machine "
                                 f"({exc.strerror}); use 127.0.0.1 (loopback), 0.0.0.0 (every interface) or an "
                                 "address of this machine") from None
    family, _, _, _, address = infos[0]
    return family, (str(address[0]), int(address[1]))


def _bind(host: str, port: int, setting: str, *, reuse_port: bool) -> socket.socket:
    family, address = _family(host, port, setting)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise bind_error(host, port, setting, exc) from None
    return sock


def bind_error(host: str, port: int, setting: str, exc: OSError) -> TestdataUsageError:
    """The settings error for a failed bind: a busy port names the port's setting, a foreign address BIND_HOST."""
    if exc.errno == errno.EADDRINUSE:
        return TestdataUsageError(f"{setting}: port {port} on {host} is already in use by another process; "
                                  f"stop that process or choose another {setting} (0 picks a free port)")
    if exc.errno == errno.EADDRNOTAVAIL:
        return TestdataUsageError(f"BIND_HOST: {host!r} is not an address of this machine ({exc.strerror}); use "
                                  "127.0.0.1 (loopback), 0.0.0.0 (every interface) or one of this machine's "
                                  "addresses")
    if exc.errno == errno.EACCES:
        return TestdataUsageError(f"{setting}: port {port} needs privileges this process does not have "
                                  f"({exc.strerror}); choose a port above 1023")
    return TestdataUsageError(f"{setting}: cannot listen on {host}:{port} ({exc.strerror or exc})")


def check_address(host: str, port: int, setting: str) -> None:
    """Raise a settings error naming ``setting`` (or BIND_HOST) when ``host:port`` cannot be listened on."""
    _bind(host, port, setting, reuse_port=False).close()


def reserve_port(host: str, port: int, setting: str) -> tuple[socket.socket, int]:
    """Hold ``host:port`` for worker processes (see the module docstring); returns the socket and the port
    (the one the system picked when ``port`` is 0)."""
    if port:
        check_address(host, port, setting)  # a port held by a program without SO_REUSEPORT
    sock = _bind(host, port, setting, reuse_port=True)
    return sock, int(sock.getsockname()[1])
