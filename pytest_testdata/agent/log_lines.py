"""An agent process's log lines, written to stderr by a background thread rather than by each call.

A gRPC thread that wrote its own request line made a system call with the interpreter lock released,
then waited for the lock again behind every other call of the process (and, under WriteLogger's lock,
kept the other threads' lines waiting too). Here a call only appends its finished line to a queue; a
thread writes what has gathered every ``INTERVAL_SECONDS``, in as few writes as possible, each at most
``PIPE_BUF`` bytes and ending at a line's end, so lines of several worker processes sharing one pipe
never interleave. Lines are written at the latest ``INTERVAL_SECONDS`` after they were logged, and at
exit (:func:`atexit`); a process killed outright (SIGKILL) loses at most that interval's lines.

Used by agent processes only (``testdata serve``, its supervisor and workers, :func:`process_stderr`);
an :class:`~pytest_testdata.agent.server.AgentServer` built in a test or an application writes its lines
itself, at once, to the stream it was given.
"""

from __future__ import annotations

import atexit
import collections
import sys
import threading
import time
from typing import Any, TextIO

INTERVAL_SECONDS = 0.05
PIPE_BUF = 4096
"""Writes of at most this many bytes to a pipe are atomic (POSIX): another process's line never lands
inside one."""


class BackgroundLines:
    """A write-only text stream: :meth:`write` queues, a daemon thread writes (see the module docstring)."""

    def __init__(self, stream: TextIO, interval: float = INTERVAL_SECONDS) -> None:
        self.stream = stream
        self.interval = interval
        self._pending: collections.deque[str] = collections.deque()
        self._writing = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="testdata-log-writer", daemon=True)
        self._thread.start()

    def write(self, text: str) -> int:
        """Queue ``text`` (whole lines: structlog and logging write a line and its newline at once)."""
        self._pending.append(text)  # atomic; no lock, no system call in the caller's thread
        return len(text)

    def flush(self) -> None:
        """Nothing: the thread writes the queue soon; :meth:`drain` writes it now."""

    def drain(self) -> None:
        """Write every queued line now."""
        with self._writing:
            pending = self._pending
            chunk: list[str] = []
            size = 0
            while pending:
                text = pending.popleft()
                length = len(text) if text.isascii() else len(text.encode("utf-8", "replace"))
                if chunk and size + length > PIPE_BUF:
                    self._emit(chunk)
                    chunk, size = [], 0
                chunk.append(text)
                size += length
            if chunk:
                self._emit(chunk)

    def _emit(self, chunk: list[str]) -> None:
        try:
            self.stream.write("".join(chunk))
            self.stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: there is nowhere left to say so
            pass

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            self.drain()


class QueuedLineLogger:
    """structlog's final logger for a :class:`BackgroundLines`: appends the rendered line, nothing else
    (``structlog.WriteLogger`` takes a lock per line, needless here)."""

    def __init__(self, lines: BackgroundLines) -> None:
        self._write = lines.write

    def msg(self, message: str) -> None:
        self._write(message + "\n")

    log = debug = info = warn = warning = err = error = critical = exception = fatal = msg


_process_stderr: BackgroundLines | None = None
_lock = threading.Lock()


def process_stderr() -> BackgroundLines:
    """This process's stderr behind one background writer (made once, drained at exit)."""
    global _process_stderr
    with _lock:
        if _process_stderr is None:
            _process_stderr = BackgroundLines(sys.stderr)
            atexit.register(_process_stderr.drain)
        return _process_stderr


def line_logger(stream: Any) -> Any:
    """The structlog logger writing to ``stream``: queued for a :class:`BackgroundLines`, else one write
    per line (several worker processes may share the stream: a line and its newline go in one write)."""
    import structlog

    if isinstance(stream, BackgroundLines):
        return QueuedLineLogger(stream)
    return structlog.WriteLogger(stream)
