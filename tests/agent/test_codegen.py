"""The checked-in gRPC code is exactly what the documented command generates from the proto."""

from __future__ import annotations

from pathlib import Path

from pytest_testdata.agent import codegen

# The repository's files, not the installed package's: tox tests an installed wheel, and the check is that
# what is committed matches what the committed proto generates.
REPO = Path(__file__).resolve().parents[2]


def test_checked_in_code_matches_the_proto(tmp_path: Path) -> None:
    generated = codegen.generate(tmp_path, REPO / "protos" / "testdata.proto")
    for path in generated:
        checked_in = REPO / "pytest_testdata" / "agent" / path.name
        assert checked_in.read_text() == path.read_text(), (
            f"{checked_in} is stale: run `python -m pytest_testdata.agent.codegen` and commit the result"
        )


def test_generated_service_imports_as_a_package_module() -> None:
    text = (REPO / "pytest_testdata" / "agent" / "testdata_pb2_grpc.py").read_text()
    assert "from pytest_testdata.agent import testdata_pb2" in text
