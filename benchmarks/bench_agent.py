"""Benchmark the Test Data Agent against bare grpcio and in-process generation, measured in the same run.

    python benchmarks/bench_agent.py [--requests 300] [--stream-records 100000]

1. GenerateData of 10 traditional users, sequential and with 16 concurrent clients: requests/s, p50, p99.
   Beside it, two bare grpcio unary servers (same thread pool, no agent layers): one that only returns a
   payload of the same size (the transport's ceiling) and one that runs the same engine call and JSON
   encoding (the baseline the agent's target refers to: at least half its rate). Every agent row uses
   seeds no earlier row used, so the agent generates; a last row repeats them to show its cache.
2. GenerateDataStream of 100,000 users: records/s through the agent (records decoded on the client)
   beside generating the same records in-process (same chunk seeds). Target: at least half.

Every server runs in its own process, so clients and servers do not share a GIL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

USERS = 10
CONCURRENCY = 16
METHOD = "/bench.Bare/Call"


# -- bare grpcio baseline servers (run as subprocesses of this script) --------------------------------

def _bare_server(mode: str) -> None:
    from pytest_testdata.agent.convert import records_json
    from pytest_testdata.engine import Engine
    from pytest_testdata.types import GenerationRequest

    engine = Engine()
    counter = iter(range(10**12))
    fixed = records_json(engine.generate(GenerationRequest.checked("user", USERS, seed=1)).records).encode()

    def handle(request: bytes, context: grpc.ServicerContext) -> bytes:
        if mode == "echo":
            return fixed
        result = engine.generate(GenerationRequest.checked("user", USERS, seed=next(counter),
                                                           strategy="traditional"))
        return records_json(result.records).encode()

    handler = grpc.method_handlers_generic_handler("bench.Bare", {
        "Call": grpc.unary_unary_rpc_method_handler(handle, lambda b: b, lambda b: b)})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


def _start_bare(mode: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, __file__, "--bare-server", mode], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, f"127.0.0.1:{proc.stdout.readline().strip()}"


def _start_agent(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "pytest_testdata.agent", "--host", "127.0.0.1",
                                 "--grpc-port", "0", "--http-port", "0"], env=env, stderr=sink)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if '"agent ready"' in line:
                started = next(json.loads(x) for x in log.read_text().splitlines() if '"agent started"' in x)
                return proc, f"127.0.0.1:{started['grpc_port']}"
        time.sleep(0.1)
    raise SystemExit("the agent did not become ready within 60 s")


# -- load generation ---------------------------------------------------------------------------------

def _measure(make_call: Callable[[], Callable[[int], None]], total: int, clients: int) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = total // clients

    def worker(index: int) -> None:
        call = make_call()
        call(-1)  # connect and warm up outside the timing
        mine = []
        barrier.wait()
        for i in range(per_client):
            t = time.perf_counter()
            call(index * per_client + i)
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    barrier = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000}


def _bare_caller(address: str) -> Callable[[], Callable[[int], None]]:
    def make() -> Callable[[int], None]:
        call = grpc.insecure_channel(address).unary_unary(METHOD, lambda b: b, lambda b: b)
        return lambda i: json.loads(call(b"x"))
    return make


def _agent_caller(address: str, first_seed: int) -> Callable[[], Callable[[int], None]]:
    """Requests with seeds from ``first_seed`` on: new seeds make the agent generate, repeated ones hit its cache."""
    def make() -> Callable[[int], None]:
        stub = pb_grpc.TestDataServiceStub(grpc.insecure_channel(address))  # type: ignore[no-untyped-call]

        def call(i: int) -> None:
            response = stub.GenerateData(pb.GenerateDataRequest(entity="user", count=USERS, seed=first_seed + i,
                                                                strategy="traditional"))
            json.loads(response.records_json)
        return call
    return make


def _stream_rate(address: str, records: int) -> tuple[float, int]:
    from pytest_testdata.agent.client import AgentClient
    from pytest_testdata.types import GenerationRequest

    with AgentClient(address, timeout=600) as client:
        started = time.perf_counter()
        got = sum(len(c.records) for c in client.stream(GenerationRequest.checked("user", records, seed=99)))
        return got / (time.perf_counter() - started), got


def _local_rate(records: int) -> float:
    from pytest_testdata.agent.service import GENERATION_CHUNK
    from pytest_testdata.engine import Engine
    from pytest_testdata.seeding import derive_seed
    from pytest_testdata.types import GenerationRequest

    engine = Engine()
    engine.generate(GenerationRequest.checked("user", 1, seed=1))  # same warm-up the agent does
    started = time.perf_counter()
    made = 0
    for start in range(0, records, GENERATION_CHUNK):
        n = min(GENERATION_CHUNK, records - start)
        made += len(engine.generate(GenerationRequest.checked(
            "user", n, seed=derive_seed(99, "chunk", start // GENERATION_CHUNK))).records)
    return made / (time.perf_counter() - started)


def _row(name: str, r: dict[str, float], base: dict[str, float] | None = None,
         echo: dict[str, float] | None = None) -> str:
    text = f"  {name:<34} {r['rps']:8.1f} req/s   p50 {r['p50']:7.2f} ms   p99 {r['p99']:7.2f} ms"
    if base is not None:
        text += f"   x{r['rps'] / base['rps']:.2f} of bare+engine"
    if echo is not None:
        text += f", x{r['rps'] / echo['rps']:.2f} of bare echo"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=320, help="requests per unary measurement (default 320)")
    parser.add_argument("--stream-records", type=int, default=100_000, help="records to stream (default 100000)")
    parser.add_argument("--bare-server", choices=("echo", "engine"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_server:
        _bare_server(args.bare_server)
        return 0
    procs: list[Any] = []
    try:
        echo_proc, echo_addr = _start_bare("echo")
        base_proc, base_addr = _start_bare("engine")
        log = Path(tempfile.mkdtemp()) / "agent.log"
        agent_proc, agent_addr = _start_agent(log)
        procs = [echo_proc, base_proc, agent_proc]
        results: dict[tuple[str, int], dict[str, float]] = {}
        for clients in (1, CONCURRENCY):
            first = clients * 10 * args.requests  # seeds no other row used: every agent call generates
            for name, make in (("echo", _bare_caller(echo_addr)), ("engine", _bare_caller(base_addr)),
                               ("agent", _agent_caller(agent_addr, first)),
                               ("agent-hit", _agent_caller(agent_addr, first))):
                results[(name, clients)] = _measure(make, args.requests, clients)
        print(f"GenerateData: {USERS} traditional users per request, {args.requests} requests per row")
        for clients in (1, CONCURRENCY):
            label = "sequential" if clients == 1 else f"{clients} concurrent clients"
            print(f" {label}:")
            echo, base = results[("echo", clients)], results[("engine", clients)]
            print(_row("bare grpcio echo (same payload)", echo))
            print(_row("bare grpcio + engine (baseline)", base))
            print(_row("agent GenerateData", results[("agent", clients)], base, echo))
            print(_row("agent, same requests again (cached)", results[("agent-hit", clients)], base, echo))
        for proc in (echo_proc, base_proc):
            proc.terminate()
        local = _local_rate(args.stream_records)
        streamed, got = _stream_rate(agent_addr, args.stream_records)
        assert got == args.stream_records
        print(f"GenerateDataStream: {args.stream_records:,} users (batch size 50), decoded on the client")
        print(f"  in-process generation (same records)  {local:10,.0f} records/s")
        print(f"  agent GenerateDataStream              {streamed:10,.0f} records/s   "
              f"x{streamed / local:.2f} of in-process")
        return 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)


if __name__ == "__main__":
    raise SystemExit(main())
