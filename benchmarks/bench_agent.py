"""Benchmark the Test Data Agent against bare grpcio and in-process generation, measured in the same run.

    python benchmarks/bench_agent.py [--requests 640] [--rounds 3] [--stream-records 100000] [--workers 2]
                                     [--client-processes] [--offered-rate 200] [--open-requests 1000]
                                     [--h2load-requests 4000]

1. GenerateData of 10 traditional users, with 1, 4 and 16 concurrent clients: requests/s, p50, p99.
   Beside it, bare grpcio unary servers (same thread pool, no agent layers): one that only returns a
   payload of the same size (the transport's ceiling), one that runs the same engine call and JSON encoding
   (the single-process baseline), and ``--workers`` of those sharing one port with SO_REUSEPORT (the
   multi-process ceiling; each on a CPU of its own when there are as many as CPUs, as the agent's workers
   then are). The agent runs as one process (WORKERS=0) and as a supervised pool
   (WORKERS=1 and WORKERS=``--workers``); the pool's rows give the ratio to the single-process agent.
   Every agent row uses seeds no earlier row used, so the agent generates; a last row repeats the
   single-process agent's seeds to show its cache.
   Then the same requests *offered at a fixed rate* (open loop, the seed target's load): 16 clients together
   send ``--offered-rate`` requests/s (200 by default) on a fixed schedule, each client every 16th slot,
   whether or not its previous reply has come back; a request's latency runs from its scheduled send time
   to its reply, so a server that falls behind is charged for the wait (no coordinated omission). Rows: the
   bare single process and pool, the agent as one process and as the ``--workers`` pool; the achieved rate
   shows whether the servers kept up. Clients are threads of this process here even with
   ``--client-processes``.
   Then 16 clients from **h2load** (nghttp2's load generator, in C; see ``h2load_rows.py``), when it is on
   PATH (``apt-get install nghttp2-client``): the same call closed-loop on 16 connections, for the bare
   single process and pool and the agent as one process and as the ``--workers`` pool. The Python clients
   above are threads of this process, waiting for its GIL and spending about 0.4 ms of CPU a call on the
   servers' two cores; h2load spends under 0.1 ms and holds no GIL, so these rows show the servers' own
   latency under 16 callers, as callers on other machines would see it. h2load repeats one request, so
   these agents run with ``TESTDATA_CACHE=none`` (generating every time). ``--h2load-requests 0`` leaves
   the rows out; without h2load they are reported as not run.
2. GenerateDataStream of 100,000 users: records/s through the agent (records decoded on the client)
   beside generating the same records in-process (same chunk seeds). Target: at least half.

Beside each row's rate and latencies: the CPU time per request of the server's processes (all of them:
supervisor and workers; a pool's supervisor also on its own, ``(supervisor 0.02)``) and of the clients,
read from /proc, **over all the row's rounds** (its CPU time in every round over its requests in every
round), not the printed round's alone: one round's figure moved by 10 to 20% from round to round on the
shared machine, more than the differences between rows it was read for. On a shared machine these move far
less with the neighbours' load than the rates do, and they say what a request costs each side.

Beside a multi-process row: ``connections 9/7``, how the kernel's ``SO_REUSEPORT`` hash split the clients'
connections over the processes in the round printed (from /proc, once every client has connected): with
closed-loop clients the busier process's clients wait longer, so the p99 follows the busier process.

Each row is measured ``--rounds`` times, the rows interleaved round by round, and its best round (highest
requests/s, with that round's latencies and connection split; the CPU columns are all rounds') is printed:
on a shared machine the neighbours' load hits every row alike that way, and the best round is the closest
to what the row can do.

Every server runs in processes of its own, so clients and servers do not share a GIL; the clients (one
thread each, one channel each, so the kernel spreads their connections over a pool's workers) run in this
process and call every server the same way: the same serialized request in, the reply's bytes out, checked
only for being there (a warm-up reply of the agent is parsed and its records counted; JSON is decoded in the
stream row only), to leave the cores to the servers. With ``--client-processes`` each client is a process of
its own instead (as the pytest-xdist workers or CI jobs sharing an agent are): the latencies then hold no
waits for this process's GIL, which 16 client threads share, and the client CPU column is the clients' own
CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from h2load_rows import INSTALL_HINT, h2load_path, run_h2load

from pytest_testdata.agent import testdata_pb2 as pb

USERS = 10
CLIENTS = (1, 4, 16)
OPEN_CLIENTS = 16
METHOD = "/bench.Bare/Call"


# -- bare grpcio baseline servers (run as subprocesses of this script) --------------------------------

def _bare_server(mode: str, port: int = 0, cpu: int | None = None) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})  # before gRPC starts a thread: they all inherit it
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
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16),
                         options=[("grpc.so_reuseport", 1 if port else 0)])
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


def _start_bare(mode: str, processes: int = 1) -> tuple[list[subprocess.Popen[str]], str]:
    """``processes`` bare servers; more than one share a port held here with SO_REUSEPORT, and each runs on a
    CPU of its own whenever the agent's pool of as many workers would (``worker_cpus``), as its workers do."""
    from pytest_testdata.agent.worker_handle import worker_cpus

    cpus = worker_cpus(processes) if processes > 1 else None
    port, holder = 0, None
    if processes > 1:
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
    procs = []
    for index in range(processes):
        pin = ["--bare-cpu", str(cpus[index])] if cpus else []
        proc = subprocess.Popen([sys.executable, __file__, "--bare-server", mode, "--bare-port", str(port), *pin],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        port = int(proc.stdout.readline().strip())
        procs.append(proc)
    if holder is not None:
        holder.close()
    return procs, f"127.0.0.1:{port}"


def _start_agent(log: Path, workers: int, cache: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """An agent with WORKERS=``workers`` (0: one process), once every worker is ready; ``cache`` sets
    TESTDATA_CACHE (``none`` for the h2load rows, which send one request over and over)."""
    env = {**os.environ, "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1", "WORKERS": str(workers)}
    if cache is not None:
        env["TESTDATA_CACHE"] = cache
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "pytest_testdata.agent", "--host", "127.0.0.1",
                                 "--grpc-port", "0", "--http-port", "0"], env=env, stderr=sink)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines()
        started = next((json.loads(x) for x in lines if '"agent started"' in x), None)
        if started is not None and _all_ready(started["http_port"], workers):
            return proc, f"127.0.0.1:{started['grpc_port']}"
        time.sleep(0.2)
    raise SystemExit(f"the agent (WORKERS={workers}) did not become ready within 120 s; see {log}")


def _all_ready(http_port: int, workers: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/health", timeout=5) as response:
            body = json.loads(response.read())
    except (OSError, ValueError):
        return False
    if workers == 0:
        return bool(body.get("status") == "SERVING")
    return sum(1 for w in body.get("workers", []) if w["ready"]) == workers


# -- load generation ---------------------------------------------------------------------------------

# grpcio shares one subchannel (one TCP connection) between channels of a process that have the same
# target and options; each client needs its own connection for SO_REUSEPORT to spread them over workers.
_OWN_CONNECTION = [("grpc.use_local_subchannel_pool", 1)]
_OPEN_CHANNELS: list[grpc.Channel] = []
"""Channels of the measurement in progress, closed when it ends (so the next one's split counts its own)."""


def _channel(address: str) -> grpc.Channel:
    channel = grpc.insecure_channel(address, options=_OWN_CONNECTION)
    _OPEN_CHANNELS.append(channel)
    return channel


def _close_channels() -> None:
    while _OPEN_CHANNELS:
        _OPEN_CHANNELS.pop().close()


def _connections(pids: list[int], address: str) -> list[int]:
    """How many established connections to ``address``'s port each of ``pids`` holds (from /proc), busiest
    first, leaving out processes with none (a pool's supervisor): how the kernel split the clients."""
    port = int(address.rsplit(":", 1)[1])
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # ESTABLISHED, server side
                inodes.add(fields[9])
    counts = []
    for pid in pids:
        try:
            links = [os.readlink(f) for f in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        counts.append(sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes))
    return sorted((c for c in counts if c), reverse=True)

def _measure(make_call: Callable[[], Callable[[int], None]], total: int, clients: int,
             probe: Callable[[], None] = lambda: None) -> dict[str, float]:
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
    probe()  # every client has connected (its warm-up call) before the barrier
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    _close_channels()
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000}


def _measure_open(spec: Spec, total: int, clients: int, rate: float,
                  probe: Callable[[], None] = lambda: None) -> dict[str, float]:
    """Open loop: ``clients`` clients together send ``total`` requests at ``rate`` per second, request k at
    ``k / rate`` seconds by client ``k % clients``, without waiting for earlier replies (``future()``). Each
    latency runs from the scheduled send time to the reply (late sends included)."""
    kind, address, first = spec
    method = METHOD if kind == "bare" else "/testdata.v1.TestDataService/GenerateData"
    latencies: list[float] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    done = threading.Semaphore(0)

    def client(index: int, call: Any) -> None:
        barrier.wait()
        for k in range(index, total, clients):
            due = started + k / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)

            def finished(future: Any, due: float = due) -> None:
                now = time.perf_counter()
                with lock:
                    if future.exception() is not None:
                        failures.append(future.exception())
                    latencies.append(now - due)
                done.release()

            call.future(_request_bytes(first + k)).add_done_callback(finished)

    calls = [_channel(address).unary_unary(method, lambda b: b, lambda b: b) for _ in range(clients)]
    for i, call in enumerate(calls):
        assert call(_request_bytes(first - 1 - i))  # connect and warm up outside the timing
    barrier = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=client, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    started = time.perf_counter() + 0.05
    barrier.wait()
    probe()
    for thread in threads:
        thread.join()
    for _ in range(total):
        done.acquire()
    elapsed = time.perf_counter() - started
    _close_channels()
    if failures:
        raise SystemExit(f"{len(failures)} of {total} open-loop calls to {address} failed: {failures[0]!r}")
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000}


def _request_bytes(seed: int) -> bytes:
    return pb.GenerateDataRequest(entity="user", count=USERS, seed=seed, strategy="traditional").SerializeToString()


def _byte_caller(address: str, method: str, first_seed: int,
                 check: Callable[[bytes], None] | None = None) -> Callable[[], Callable[[int], None]]:
    """The one client method of every row: a serialized GenerateDataRequest (seeds from ``first_seed`` on) in,
    the reply's bytes out, checked only for being there (``check`` looks inside the warm-up call's reply).
    The bare servers ignore the request; the agent generates for new seeds and answers repeated ones from
    its cache. Before the sixth round the agent's clients also parsed each reply while the bare ones did not,
    which charged the agent rows client CPU the bare rows never paid."""
    def make() -> Callable[[int], None]:
        call = _channel(address).unary_unary(method, lambda b: b, lambda b: b)

        def run(i: int) -> None:
            reply = call(_request_bytes(first_seed + i))
            assert reply
            if i < 0 and check is not None:
                check(reply)
        return run
    return make


def _bare_caller(address: str) -> Callable[[], Callable[[int], None]]:
    return _byte_caller(address, METHOD, 0)


def _agent_caller(address: str, first_seed: int) -> Callable[[], Callable[[int], None]]:
    """Requests with seeds from ``first_seed`` on: new seeds make the agent generate, repeated ones hit its cache."""
    def check(reply: bytes) -> None:
        assert len(json.loads(pb.GenerateDataResponse.FromString(reply).records_json)) == USERS

    return _byte_caller(address, "/testdata.v1.TestDataService/GenerateData", first_seed, check)


Spec = tuple[str, str, int]
"""What a client calls: ("bare", address, 0) or ("agent", address, first seed)."""


def _caller(spec: Spec) -> Callable[[], Callable[[int], None]]:
    kind, address, first = spec
    return _bare_caller(address) if kind == "bare" else _agent_caller(address, first)


def _client_process(spec: Spec, calls: int, warm: int) -> None:
    """One client as a process (``--client-processes``): warm up, say "ready", wait for "go" on stdin, make
    ``calls`` calls, print the latencies and this process's CPU time as JSON."""
    call = _caller(spec)()
    call(warm)  # connect and warm up outside the timing, on a seed no timed call uses
    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    mine = []
    for i in range(calls):
        t = time.perf_counter()
        call(i)
        mine.append(time.perf_counter() - t)
    print(json.dumps({"latencies": mine, "cpu": time.process_time() - cpu}), flush=True)


def _measure_processes(spec: Spec, total: int, clients: int) -> dict[str, float]:
    """:func:`_measure` with each client a process of its own (its seeds follow on from the previous one's)."""
    kind, address, first = spec
    per_client = total // clients
    # Client i calls seeds first + i * per_client onwards and warms up on first - 1, as the threads do.
    procs = [subprocess.Popen([sys.executable, __file__, "--client", kind, address, str(first + i * per_client),
                               str(per_client), str(-1 - i * per_client)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
             for i in range(clients)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [json.loads(proc.communicate(timeout=600)[0]) for proc in procs]
    elapsed = time.perf_counter() - started
    latencies = sorted(x for out in outputs for x in out["latencies"])
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
            "client_cpu": sum(out["cpu"] for out in outputs) / len(latencies) * 1000}


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


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (an agent's supervisor and workers), from /proc; [pid] without /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(parents.get(current, []))
    return out


def _cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU time the processes ``pids`` have used so far (None where /proc is missing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _measure_with_cpu(spec: Spec, total: int, clients: int, server: list[int],
                      processes: bool = False, rate: float | None = None,
                      supervisor: int | None = None) -> dict[str, float]:
    """:func:`_measure` (or :func:`_measure_processes`) plus the CPU time per request of the server processes
    (``supervisor``, one of them, also on its own) and of the clients: unlike wall-clock rates, these barely
    move with the neighbours' load on a shared machine."""
    split: list[int] = []

    def probe() -> None:
        split.extend(_connections(server, spec[1]))

    own = [supervisor] if supervisor is not None else []
    server_before, own_before, client_before = _cpu_seconds(server), _cpu_seconds(own), time.process_time()
    measured = (_measure_open(spec, total, clients, rate, probe) if rate is not None
                else _measure_processes(spec, total, clients) if processes
                else _measure(_caller(spec), total, clients, probe))
    server_after, own_after, client_after = _cpu_seconds(server), _cpu_seconds(own), time.process_time()
    if server_before is not None and server_after is not None:
        measured["server_cpu"] = (server_after - server_before) / total * 1000
    if own and own_before is not None and own_after is not None:
        measured["supervisor_cpu"] = (own_after - own_before) / total * 1000
    measured.setdefault("client_cpu", (client_after - client_before) / total * 1000)
    if len(split) > 1:
        measured.update({f"split{i}": float(n) for i, n in enumerate(split)})
    return measured


def _measure_h2load(address: str, method: str, total: int, server: list[int]) -> dict[str, float]:
    """16 closed-loop clients from h2load (:mod:`h2load_rows`), one request of seed 7, with the server's CPU
    time per request."""
    before = _cpu_seconds(server)
    measured = run_h2load(address, method, _request_bytes(7), total, OPEN_CLIENTS, min_reply_bytes=1000)
    after = _cpu_seconds(server)
    if before is not None and after is not None:
        measured["server_cpu"] = (after - before) / total * 1000
    return measured


def _row(name: str, r: dict[str, float], base: dict[str, float] | None = None, base_name: str = "",
         more: str = "") -> str:
    text = f"  {name:<44} {r['rps']:8.1f} req/s   p50 {r['p50']:7.2f} ms   p99 {r['p99']:7.2f} ms"
    if "server_cpu" in r:
        text += f"   CPU/req server {r['server_cpu']:5.2f} ms"
        if "supervisor_cpu" in r:
            text += f" (supervisor {r['supervisor_cpu']:4.2f})"
        text += f" client {r['client_cpu']:4.2f} ms"
    if base is not None:
        text += f"   x{r['rps'] / base['rps']:.2f} of {base_name}"
    split = [int(r[key]) for key in sorted(k for k in r if k.startswith("split"))]
    return text + more + (f"   connections {'/'.join(map(str, split))}" if split else "")


_CPU_KEYS = ("server_cpu", "supervisor_cpu", "client_cpu")


def _with_cpu_of_all(shown: dict[str, float], runs: list[dict[str, float]]) -> dict[str, float]:
    """``shown`` (one round of a row) with the CPU per request of all the row's rounds: each round makes as
    many requests, so the mean of the rounds' figures is the CPU of all rounds over all their requests."""
    row = dict(shown)
    for key in _CPU_KEYS:
        values = [run[key] for run in runs if key in run]
        if values:
            row[key] = statistics.fmean(values)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=640, help="requests per unary measurement (default 640)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per row, best kept (default 3)")
    parser.add_argument("--stream-records", type=int, default=100_000, help="records to stream (default 100000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the pool rows (default 2)")
    parser.add_argument("--client-processes", action="store_true",
                        help="each client a process of its own, not a thread of this one")
    parser.add_argument("--offered-rate", type=float, default=200.0,
                        help="requests/s the 16 clients offer together in the open-loop rows (default 200)")
    parser.add_argument("--open-requests", type=int, default=1000,
                        help="requests per open-loop measurement (default 1000)")
    parser.add_argument("--h2load-requests", type=int, default=4000,
                        help="requests per h2load measurement (default 4000; 0 leaves the h2load rows out)")
    parser.add_argument("--bare-server", choices=("echo", "engine"), help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--bare-port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--bare-cpu", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        kind, address, first, calls, warm = args.client
        _client_process((kind, address, int(first)), int(calls), int(warm))
        return 0
    if args.bare_server:
        _bare_server(args.bare_server, args.bare_port, args.bare_cpu)
        return 0
    procs: list[Any] = []
    try:
        folder = Path(tempfile.mkdtemp())
        echo_procs, echo_addr = _start_bare("echo")
        base_procs, base_addr = _start_bare("engine")
        pool_procs, pool_addr = _start_bare("engine", args.workers)
        procs = [*echo_procs, *base_procs, *pool_procs]
        agents: dict[int, str] = {}
        agent_pids: dict[int, list[int]] = {}
        supervisors: dict[int, int] = {}
        for workers in (0, 1, args.workers):
            proc, agents[workers] = _start_agent(folder / f"agent-{workers}.log", workers)
            procs.append(proc)
            agent_pids[workers] = _process_tree(proc.pid)
            if workers:
                supervisors[workers] = proc.pid
        h2load_agents: dict[int, str] = {}
        h2load_pids: dict[int, list[int]] = {}
        use_h2load = args.h2load_requests > 0 and h2load_path() is not None
        if use_h2load:
            for workers in (0, args.workers):
                proc, h2load_agents[workers] = _start_agent(folder / f"agent-{workers}-nocache.log", workers,
                                                            cache="none")
                procs.append(proc)
                h2load_pids[workers] = _process_tree(proc.pid)
                # Warm-up, not measured (as every Python client's first call is): each worker's builders
                # reach their compiled code before the first measured round.
                run_h2load(h2load_agents[workers], "/testdata.v1.TestDataService/GenerateData", _request_bytes(7),
                           200 * max(1, workers), OPEN_CLIENTS, min_reply_bytes=1000)
        rows = [("echo", "bare grpcio echo (same payload)", ("bare", echo_addr, 0), [p.pid for p in echo_procs]),
                ("engine", "bare grpcio + engine, 1 process (baseline)", ("bare", base_addr, 0),
                 [p.pid for p in base_procs]),
                ("engine-pool", f"bare grpcio + engine, {args.workers} processes", ("bare", pool_addr, 0),
                 [p.pid for p in pool_procs])]
        as_processes = args.client_processes
        results: dict[tuple[str, int], dict[str, float]] = {}
        every_round: dict[tuple[str, int], list[dict[str, float]]] = {}
        open_rounds: dict[str, list[dict[str, float]]] = {}

        def keep(key: tuple[str, int], measured: dict[str, float]) -> None:
            every_round.setdefault(key, []).append(measured)
            best = max(every_round[key], key=lambda r: r["rps"])
            results[key] = _with_cpu_of_all(best, every_round[key])

        for round_ in range(args.rounds):
            for clients in CLIENTS:
                for key, _, spec, pids in rows:
                    keep((key, clients), _measure_with_cpu(spec, args.requests, clients, pids, as_processes))
                for workers, address in agents.items():
                    # seeds no other row or round used: the agent generates every time
                    first = (workers + 1) * 10**9 + (round_ * 100 + clients) * 10 * args.requests
                    keep((f"agent-{workers}", clients), _measure_with_cpu(
                        ("agent", address, first), args.requests, clients, agent_pids[workers], as_processes,
                        supervisor=supervisors.get(workers)))
                first = 10**9 + (round_ * 100 + clients) * 10 * args.requests  # the WORKERS=0 row's seeds again
                keep(("agent-hit", clients), _measure_with_cpu(("agent", agents[0], first), args.requests,
                                                               clients, agent_pids[0], as_processes))
            if use_h2load:
                for key, _, spec, pids in rows[1:]:
                    keep((f"h2load-{key}", OPEN_CLIENTS), _measure_h2load(spec[1], METHOD, args.h2load_requests,
                                                                        pids))
                for workers, address in h2load_agents.items():
                    keep((f"h2load-agent-{workers}", OPEN_CLIENTS), _measure_h2load(
                        address, "/testdata.v1.TestDataService/GenerateData", args.h2load_requests,
                        h2load_pids[workers]))
            # The open-loop rows: every round, new seeds (the agent generates). Their rate is the offered
            # one whenever the servers keep up, so "best by rate" means nothing: the median round by p99 is
            # printed.
            for key, _, spec, pids in rows[1:]:
                open_rounds.setdefault(f"open-{key}", []).append(_measure_with_cpu(
                    spec, args.open_requests, OPEN_CLIENTS, pids, rate=args.offered_rate))
            for workers in (0, args.workers):
                first = (workers + 1) * 10**9 + 5 * 10**8 + round_ * 10 * args.open_requests
                open_rounds.setdefault(f"open-agent-{workers}", []).append(_measure_with_cpu(
                    ("agent", agents[workers], first), args.open_requests, OPEN_CLIENTS, agent_pids[workers],
                    rate=args.offered_rate, supervisor=supervisors.get(workers)))
        print(f"GenerateData: {USERS} traditional users per request, {args.requests} requests per row, clients "
              f"as {'processes' if as_processes else 'threads of one process'}, best of "
              f"{args.rounds} interleaved rounds, {len(os.sched_getaffinity(0))} cores, load average "
              f"{os.getloadavg()[0]:.1f} at the end; CPU/req: CPU time per request of the server's processes "
              "(all of them; a pool's supervisor also alone) and of the clients, over all the row's rounds")
        for clients in CLIENTS:
            print(f" {'sequential' if clients == 1 else f'{clients} concurrent clients'}:")
            base, single = results[("engine", clients)], results[("agent-0", clients)]
            print(_row(rows[0][1], results[("echo", clients)]))
            print(_row(rows[1][1], base))
            print(_row(rows[2][1], results[("engine-pool", clients)], base, "bare 1 process"))
            print(_row("agent, 1 process (WORKERS=0)", single, base, "bare 1 process"))
            print(_row("agent, same requests again (cached)", results[("agent-hit", clients)], base, "bare 1 process"))
            for workers in (1, args.workers):
                pool = results[(f"agent-{workers}", clients)]
                print(_row(f"agent, supervisor + {workers} worker{'s' * (workers > 1)} (WORKERS={workers})", pool,
                           single, "agent 1 process",
                           f", x{pool['rps'] / results[('engine-pool', clients)]['rps']:.2f} of bare "
                           f"{args.workers} processes" if workers == args.workers else ""))
        if use_h2load:
            print(f" {OPEN_CLIENTS} concurrent clients from h2load (C load generator, one call in flight on each of "
                  f"{OPEN_CLIENTS} connections, {args.h2load_requests} requests per row; the agents with "
                  "TESTDATA_CACHE=none, as h2load repeats one request):")
            base, single = results[("h2load-engine", OPEN_CLIENTS)], results[("h2load-agent-0", OPEN_CLIENTS)]
            bare_pool = results[("h2load-engine-pool", OPEN_CLIENTS)]
            pool = results[(f"h2load-agent-{args.workers}", OPEN_CLIENTS)]
            print(_row(rows[1][1], base))
            print(_row(rows[2][1], bare_pool, base, "bare 1 process"))
            print(_row("agent, 1 process (WORKERS=0)", single, base, "bare 1 process"))
            print(_row(f"agent, supervisor + {args.workers} workers (WORKERS={args.workers})", pool, single,
                       "agent 1 process", f", x{pool['rps'] / bare_pool['rps']:.2f} of bare {args.workers} processes"))
        elif args.h2load_requests > 0:
            print(f" h2load rows: not run (h2load is not on PATH; install it: {INSTALL_HINT})")
        print(f" open loop: {OPEN_CLIENTS} clients offering {args.offered_rate:g} requests/s together "
              f"(fixed schedule, {args.open_requests} requests per row, median of {args.rounds} rounds by p99; "
              "latency from each request's scheduled send time; req/s is the rate achieved):")
        median = {key: _with_cpu_of_all(sorted(runs, key=lambda r: r["p99"])[(len(runs) - 1) // 2], runs)
                  for key, runs in open_rounds.items()}
        open_pool = median["open-engine-pool"]
        print(_row(rows[1][1], median["open-engine"]))
        print(_row(rows[2][1], open_pool))
        print(_row("agent, 1 process (WORKERS=0)", median["open-agent-0"]))
        pool = median[f"open-agent-{args.workers}"]
        print(_row(f"agent, supervisor + {args.workers} workers (WORKERS={args.workers})", pool, more=(
            f"   p99 x{pool['p99'] / open_pool['p99']:.2f} of bare {args.workers} processes")))
        for proc in procs[:len(echo_procs) + len(base_procs) + len(pool_procs)]:
            proc.terminate()
        local = _local_rate(args.stream_records)
        streamed, got = _stream_rate(agents[0], args.stream_records)
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
