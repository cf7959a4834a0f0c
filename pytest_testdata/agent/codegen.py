"""Regenerate the checked-in gRPC code from ``protos/testdata.proto``: ``python -m pytest_testdata.agent.codegen``.

The proto is mapped to the virtual path ``pytest_testdata/agent/testdata.proto`` so the generated
``testdata_pb2_grpc.py`` imports ``pytest_testdata.agent.testdata_pb2`` (a package import) rather than a
top-level ``testdata_pb2`` that would only resolve with the folder on ``sys.path``.

The output depends on the grpcio-tools version, which the ``dev`` extra pins; ``tests/agent/test_codegen.py``
regenerates into a temporary folder and fails when the checked-in files differ.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pytest_testdata.errors import MissingDependencyError

REPO_ROOT = Path(__file__).resolve().parents[2]
# A source checkout has protos/ at the top; an installed wheel carries the proto beside this module.
PROTO = next((p for p in (REPO_ROOT / "protos" / "testdata.proto", Path(__file__).with_name("testdata.proto"))
              if p.is_file()), REPO_ROOT / "protos" / "testdata.proto")
VIRTUAL_DIR = "pytest_testdata/agent"
GENERATED = ("testdata_pb2.py", "testdata_pb2.pyi", "testdata_pb2_grpc.py")


def generate(out_root: Path, proto: Path = PROTO) -> list[Path]:
    """Run protoc (from grpcio-tools) and return the generated files under ``out_root/pytest_testdata/agent``."""
    try:
        from importlib.resources import files

        from grpc_tools import protoc
    except ImportError:
        raise MissingDependencyError("grpcio-tools", "dev", "regenerating the agent's gRPC code") from None
    well_known = str(files("grpc_tools") / "_proto")
    out_root.mkdir(parents=True, exist_ok=True)
    args = [
        "grpc_tools.protoc",
        f"-I{VIRTUAL_DIR}={proto.parent}",
        f"-I{well_known}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        str(proto),
    ]
    code = protoc.main(args)
    if code != 0:
        raise RuntimeError(f"protoc failed with exit code {code} on {proto}")
    return [out_root / VIRTUAL_DIR / name for name in GENERATED]


def main(argv: list[str] | None = None) -> int:
    """Regenerate into the source tree (or ``--out DIR``)."""
    parser = argparse.ArgumentParser(prog="python -m pytest_testdata.agent.codegen", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO_ROOT, help="output root (default: the repository)")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
