"""Closed-loop gRPC load from h2load (nghttp2's load generator, written in C), for ``bench_agent.py``.

The Python clients of ``bench_agent.py`` are threads of one process: every client waits for that process's
GIL and spends about 0.4 ms of CPU a call, on the same two cores as the servers it measures. A production
agent's callers run elsewhere, so those rows charge the server's latency with the load generator's own
cost. h2load sends the same gRPC request (an HTTP/2 POST carrying the length-prefixed message, as gRPC
frames it) over ``clients`` connections with one request in flight on each (``-m 1``: each connection a
closed-loop client, as the Python clients are), for a few microseconds of CPU per request, and logs every
request's time, from which the p50 and p99 come.

h2load sends one fixed body, so an agent measured with it must run with its cache off
(``TESTDATA_CACHE=none``): the same seed every time, generated every time.

Install: ``apt-get install nghttp2-client`` (Debian/Ubuntu), ``brew install nghttp2`` (macOS).
"""

from __future__ import annotations

import re
import resource
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = "apt-get install nghttp2-client"


def h2load_path() -> str | None:
    """The h2load executable on PATH, or None."""
    return shutil.which("h2load")


def grpc_frame(message: bytes) -> bytes:
    """``message`` as one gRPC length-prefixed message: not compressed (0), 4-byte big-endian length."""
    return b"\0" + struct.pack(">I", len(message)) + message


def run_h2load(address: str, method: str, message: bytes, total: int, clients: int,
               min_reply_bytes: int) -> dict[str, float]:
    """``total`` calls of gRPC ``method`` (``/package.Service/Method``) with ``message`` on ``address``
    (host:port) from ``clients`` connections, one call in flight on each: requests/s, p50 and p99 in ms, and
    h2load's CPU time per request in ms (``client_cpu``).

    Raises SystemExit when a call failed or a reply was shorter than ``min_reply_bytes`` on average: a
    gRPC error is an HTTP 200 with a status in its trailers and no message, so a run of errors would
    otherwise look like a fast server."""
    program = h2load_path()
    if program is None:
        raise SystemExit(f"h2load not found on PATH; install it: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory() as folder:
        body, log = Path(folder) / "request.bin", Path(folder) / "requests.log"
        body.write_bytes(grpc_frame(message))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [program, "-n", str(total), "-c", str(clients), "-m", "1", "-d", str(body),
             "-H", "content-type: application/grpc", "-H", "te: trailers", f"--log-file={log}",
             f"http://{address}{method}"], capture_output=True, text=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # One line a request: start time (µs since the epoch), HTTP status, duration (µs).
        times = sorted(int(line.split()[2]) for line in log.read_text().splitlines() if line.strip())
    out = done.stdout
    finished = re.search(r"finished in ([\d.]+)(ms|s),", out)
    succeeded = re.search(r"requests: .*?(\d+) succeeded", out)
    data = re.search(r"\((\d+)\) data", out)  # "traffic: 995.10KB (1018978) total, ..., 974.22KB (997600) data"
    if done.returncode != 0 or finished is None or succeeded is None or len(times) != total:
        raise SystemExit(f"h2load failed (exit {done.returncode}):\n{out}\n{done.stderr}")
    if int(succeeded.group(1)) != total:
        raise SystemExit(f"h2load: {succeeded.group(1)} of {total} calls succeeded:\n{out}")
    data_bytes = int(data.group(1)) if data else 0
    if data_bytes < total * min_reply_bytes:
        raise SystemExit(f"h2load: {data_bytes} bytes of replies for {total} calls, fewer than "
                         f"{min_reply_bytes} a call: the server answered with errors\n{out}")
    seconds = float(finished.group(1)) / (1000 if finished.group(2) == "ms" else 1)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"rps": total / seconds, "p50": times[len(times) // 2] / 1000,
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))] / 1000, "client_cpu": cpu / total * 1000}
