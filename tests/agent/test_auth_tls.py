"""Optional shared-token auth and optional TLS, through real connections."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
import trustme

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.client import AgentClient
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.types import GenerationRequest

from .conftest import start_agent


def test_token_is_required_when_configured() -> None:
    running = start_agent(auth_token="s3cret")
    try:
        stub = pb_grpc.TestDataServiceStub(running.channel())
        for metadata in ((), (("authorization", "Bearer wrong"),), (("authorization", "s3cret"),)):
            with pytest.raises(grpc.RpcError) as info:
                stub.GenerateData(pb.GenerateDataRequest(entity="user"), metadata=metadata)
            assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
            assert "authorization: Bearer <token>" in info.value.details()
        ok = stub.GenerateData(pb.GenerateDataRequest(entity="user"), metadata=(("authorization", "Bearer s3cret"),))
        assert ok.metadata.count == 1
        # Health stays open, as probes need it.
        assert stub.HealthCheck(pb.HealthCheckRequest()).status == "SERVING"
        with AgentClient(running.address, token="s3cret") as client:
            assert client.generate(GenerationRequest.checked("cart", seed=1)).metadata.count == 1
        with AgentClient(running.address) as client, pytest.raises(TestdataUsageError, match="UNAUTHENTICATED"):
            client.generate(GenerationRequest.checked("cart", seed=1))
    finally:
        running.server.stop(grace=1)


def test_tls_serves_encrypted_calls(tmp_path: Path, pytester: pytest.Pytester) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    cert_file, key_file, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    for blob in cert.cert_chain_pems[1:]:
        blob.write_to_path(str(cert_file), append=True)
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    running = start_agent(tls_cert_file=str(cert_file), tls_key_file=str(key_file))
    try:
        address = f"localhost:{running.server.grpc_port}"
        with AgentClient(address, root_certificates=ca_file) as client:
            assert client.generate(GenerationRequest.checked("user", 2, seed=3)).metadata.count == 2
        # Remote mode over TLS, trusting the test CA.
        pytester.makepyfile("def test_x(testdata):\n    assert testdata('user', count=2)\n")
        result = pytester.runpytest("--testdata-remote", address, "--testdata-remote-ca", str(ca_file),
                                    "-p", "no:cacheprovider")
        result.assert_outcomes(passed=1)
        assert running.server.metrics.records.labels("user", "traditional")._value.get() >= 2
        plain = pb_grpc.TestDataServiceStub(grpc.insecure_channel(address))
        with pytest.raises(grpc.RpcError) as info:
            plain.GenerateData(pb.GenerateDataRequest(entity="user"), timeout=5)
        assert info.value.code() is grpc.StatusCode.UNAVAILABLE
    finally:
        running.server.stop(grace=1)


def test_half_a_tls_pair_is_a_clear_settings_error(tmp_path: Path) -> None:
    from pytest_testdata.agent.settings import load_settings

    with pytest.raises(TestdataUsageError, match="TLS_CERT_FILE and TLS_KEY_FILE go together"):
        load_settings({"TLS_CERT_FILE": str(tmp_path / "x.pem")})
