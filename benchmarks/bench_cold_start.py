"""What a fresh process pays for its first record: each entity, and each further country's users.

    python benchmarks/bench_cold_start.py            # 5 fresh processes per measurement, median
    python benchmarks/bench_cold_start.py --runs 3
    python benchmarks/bench_cold_start.py --wall     # wall-clock time instead of the process's CPU time

Each measurement runs in a new Python process. "import" is ``import pytest_testdata`` plus building an
engine as the plugin does (no result cache); "first record" is the first ``Engine.generate`` of one record
of the entity, which reads the country data it needs; "next country" is then one ``de_DE`` user (its
data read on first use). The peers do the same work in the same run: Faker (``Faker("en_US")`` and a name
and an address, then ``Faker("de_DE")``) and mimesis (a name and an address for English, then German).
Times are the CPU time of each fresh process (``time.process_time``) by default: on a shared machine the
wall clock mostly measures the neighbours. ``--wall`` times the wall clock instead (on a quiet machine
the two agree within a few milliseconds). Timings on a shared machine are noisy: read the ratios.

An installed package carries its compiled bytecode (pip writes ``__pycache__`` at install time), so the
script first compiles this checkout's package the same way: a source tree run with
``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module in every fresh process and measure the
compiler.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pytest_testdata"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
"""The fresh processes import this checkout (as bench_traditional.py does), whatever is installed."""

OURS = """
import json, time
t0 = time.perf_counter()
import pytest_testdata
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest
engine = Engine()
t1 = time.perf_counter()
engine.generate(GenerationRequest.checked({entity!r}, 1, seed=1))
t2 = time.perf_counter()
engine.generate(GenerationRequest.checked("user", 1, seed=1, locale="de_DE"))
t3 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))
"""
FAKER = """
import json, time
t0 = time.perf_counter()
from faker import Faker
t1 = time.perf_counter()
fake = Faker("en_US"); fake.seed_instance(1); fake.name(); fake.address(); fake.phone_number()
t2 = time.perf_counter()
de = Faker("de_DE"); de.seed_instance(1); de.name(); de.address(); de.phone_number()
t3 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))
"""
MIMESIS = """
import json, time
t0 = time.perf_counter()
from mimesis import Address, Locale, Person
t1 = time.perf_counter()
p = Person(Locale.EN, seed=1); a = Address(Locale.EN, seed=1); p.full_name(); a.address(); p.phone_number()
t2 = time.perf_counter()
p = Person(Locale.DE, seed=1); a = Address(Locale.DE, seed=1); p.full_name(); a.address(); p.phone_number()
t3 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))
"""
ENTITIES = ("user", "cart", "order", "product", "payment", "review")


def measure(code: str, runs: int, clock: str = "process_time") -> list[float]:
    """Median milliseconds of (import, first record, next country) over fresh processes."""
    code = code.replace("time.perf_counter()", f"time.{clock}()")
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                             env=ENV).stdout
        samples.append(json.loads(out.strip().splitlines()[-1]))
    return [statistics.median(s[i] for s in samples) * 1000 for i in range(3)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per measurement (median)")
    parser.add_argument("--wall", action="store_true", help="time the wall clock instead of CPU time")
    args = parser.parse_args(argv)
    clock = "perf_counter" if args.wall else "process_time"
    compileall.compile_dir(PACKAGE, quiet=1)  # as an install does (see the module docstring)
    rows = [(f"pytest-testdata {e}", measure(OURS.format(entity=e), args.runs, clock)) for e in ENTITIES]
    faker = measure(FAKER, args.runs, clock)
    peers = [("Faker name+address+phone", faker)]
    try:
        peers.append(("mimesis name+address+phone", measure(MIMESIS, args.runs, clock)))
    except subprocess.CalledProcessError:
        print("(mimesis is not installed: pip install -e '.[bench]')")
    print(f"{'first record in a fresh process':<44} {'ms, median of ' + str(args.runs) + ', ':>22}"
          f"{'wall clock' if args.wall else 'CPU time'}")
    print(f"{'':<44} {'import':>8} {'first':>8} {'next country':>13}")
    for name, (imp, first, nxt) in rows + peers:
        print(f"{name:<44} {imp:8.1f} {first:8.1f} {nxt:13.1f}")
    user_first, user_next = rows[0][1][1], rows[0][1][2]
    print(f"\nfirst user record vs Faker's first person: {faker[1] / user_first:.1f}x faster; next country: "
          f"{faker[2] / user_next:.1f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
