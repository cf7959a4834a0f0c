"""Resident memory while users stream through the agent, beside the same engine with a lifetime registry.

    python benchmarks/bench_memory.py [--users 1000000] [--stream 10000] [--samples 10] [--peer-users N]

Rows, measured in the same run, each in its own process:

1. the agent (``python -m pytest_testdata.agent``, default settings: uniqueness per request/stream, a
   64 MB result cache): ``--users`` users in streams of ``--stream``, read through GenerateDataStream;
2. the same engine in a bare process generating the same records (same seeds, chunks of 1000) with
   ``unique_scope="engine"``: a registry of handed-out values kept for the process's lifetime, as the
   agent had before and as a pytest session has now;
3. the same engine with ``unique_scope="request"`` and no server: the floor.

For each: resident memory (largest process of the agent) at the first and last sample, the growth in
MiB per million users over the second half of the run (0 = level), and users/s. The issue's goal is under
256 MiB per worker after 10 million users: ``--users 10000000`` (about an hour on one core).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

CHUNK = 1000


def rss(pid: int) -> int:
    """The largest VmRSS among ``pid`` and its descendants, in bytes (Linux /proc)."""
    best, queue = 0, [pid]
    while queue:
        current = queue.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except FileNotFoundError:
            continue
        best = max(best, next((int(line.split()[1]) * 1024 for line in status.splitlines()
                               if line.startswith("VmRSS:")), 0))
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = task / "children"
            if children.exists():
                queue.extend(int(child) for child in children.read_text().split())
    return best


def _checkpoints(users: int, stream: int, samples: int) -> set[int]:
    streams = max(users // stream, 1)
    return {max(1, round(streams * (i + 1) / samples)) for i in range(samples)}


def run_engine(scope: str, users: int, stream: int, samples: int) -> None:
    """Peer process: generate the agent's records in-process and print samples as JSON lines."""
    from pytest_testdata.engine import Engine
    from pytest_testdata.seeding import derive_seed
    from pytest_testdata.types import GenerationRequest

    engine = Engine(options={"unique_scope": scope})
    marks = _checkpoints(users, stream, samples)
    done, started = 0, time.perf_counter()
    for number in range(max(users // stream, 1)):
        seed = 1000 + number
        for start in range(0, stream, CHUNK):
            engine.generate(GenerationRequest.checked(
                "user", min(CHUNK, stream - start), seed=derive_seed(seed, "chunk", start // CHUNK)))
        done += stream
        if number + 1 in marks:
            print(json.dumps({"users": done, "rss": rss(os.getpid()), "seconds": time.perf_counter() - started}),
                  flush=True)


def run_agent(users: int, stream: int, samples: int) -> list[dict[str, Any]]:
    import grpc

    from pytest_testdata.agent import testdata_pb2 as pb
    from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

    proc = subprocess.Popen([sys.executable, "-m", "pytest_testdata.agent", "--host", "127.0.0.1",
                             "--grpc-port", "0", "--http-port", "0"],
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    port = None
    for line in proc.stderr:
        data = json.loads(line) if line.startswith("{") else {}
        if data.get("event") == "agent started":
            port = data["grpc_port"]
            break
    if port is None:
        raise SystemExit(f"the agent did not start (exit {proc.wait()})")
    # Keep reading its log: a pipe nobody drains fills after about 64 KB of log lines and the agent blocks
    # writing the next one (a 10-million-user run stalled at 1 million users that way).
    threading.Thread(target=lambda: collections.deque(proc.stderr or (), maxlen=0), daemon=True).start()
    out: list[dict[str, Any]] = []
    marks = _checkpoints(users, stream, samples)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.TestDataServiceStub(channel)
            done, started = 0, time.perf_counter()
            for number in range(max(users // stream, 1)):
                request = pb.GenerateDataRequest(entity="user", count=stream, seed=1000 + number)
                for chunk in stub.GenerateDataStream(request, timeout=3600):
                    json.loads(chunk.records_json)
                done += stream
                if number + 1 in marks:
                    out.append({"users": done, "rss": rss(proc.pid), "seconds": time.perf_counter() - started})
                    print(f"  agent: {done:>10,} users  {out[-1]['rss'] / 2**20:7.1f} MiB", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(30)
    return out


def peer(scope: str, users: int, stream: int, samples: int) -> list[dict[str, Any]]:
    proc = subprocess.run([sys.executable, __file__, "--peer", scope, "--users", str(users), "--stream",
                           str(stream), "--samples", str(samples)], capture_output=True, text=True, check=True)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def summary(name: str, samples: list[dict[str, Any]]) -> dict[str, Any]:
    first, last = samples[0], samples[-1]
    half = samples[len(samples) // 2]
    users = last["users"] - half["users"]
    slope = (last["rss"] - half["rss"]) / 2**20 / (users / 1e6) if users else 0.0
    return {"name": name, "first": first["rss"] / 2**20, "last": last["rss"] / 2**20,
            "peak": max(s["rss"] for s in samples) / 2**20, "slope": slope,
            "rate": last["users"] / last["seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--stream", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--peer-users", type=int, help="users for the two engine rows (default: --users); "
                        "the lifetime registry's growth shows in far fewer users than the agent's goal needs")
    parser.add_argument("--peer", choices=("engine", "request"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        run_engine(args.peer, args.users, args.stream, args.samples)
        return
    # A terminated benchmark still stops the agent it started (the finally blocks run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    peer_users = args.peer_users or args.users
    print(f"{args.users:,} users in streams of {args.stream:,}; {os.cpu_count()} cores (timings are noisy on a "
          "shared machine)")
    rows = [summary("agent (unique per request/stream)", run_agent(args.users, args.stream, args.samples)),
            summary("engine, registry for the process lifetime", peer("engine", peer_users, args.stream,
                                                                       args.samples)),
            summary("engine, unique per request (no server)", peer("request", peer_users, args.stream,
                                                                    args.samples))]
    print(f"{'':44} {'first MiB':>9} {'last MiB':>9} {'peak MiB':>9} {'MiB/M users':>12} {'users/s':>9}")
    for row in rows:
        print(f"{row['name']:44} {row['first']:9.1f} {row['last']:9.1f} {row['peak']:9.1f} {row['slope']:12.1f} "
              f"{row['rate']:9,.0f}")
    agent, registry = rows[0], rows[1]
    print(f"growth per million users, agent / lifetime registry: {agent['slope']:.1f} / {registry['slope']:.1f} "
          f"MiB; agent peak {agent['peak']:.0f} MiB (goal: under 256 MiB per worker after 10 million users)")


if __name__ == "__main__":
    main()
