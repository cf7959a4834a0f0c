"""The deployment files parse, and their ports, probes and variable names match the agent's settings."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from pytest_testdata.agent.http import ENDPOINTS
from pytest_testdata.agent.settings import AgentSettings, known_env_names, load_settings

from .conftest import REPO

K8S = REPO / "k8s"


def _docs() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") != "Kustomization":
                docs[doc["kind"]] = doc
    return docs


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    return _docs()


def test_every_kind_is_there(docs: dict[str, dict[str, Any]]) -> None:
    assert set(docs) == {"Namespace", "ConfigMap", "Secret", "Deployment", "Service",
                         "HorizontalPodAutoscaler", "PodDisruptionBudget"}
    namespace = docs["Namespace"]["metadata"]["name"]
    assert all(d["metadata"].get("namespace", namespace) == namespace for d in docs.values())
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def test_configmap_and_secret_use_names_the_agent_reads(docs: dict[str, dict[str, Any]]) -> None:
    known = known_env_names()
    names = set(docs["ConfigMap"]["data"]) | set(docs["Secret"]["stringData"])
    assert names <= known, f"unknown variables: {sorted(names - known)}"
    settings = load_settings({k: v for k, v in docs["ConfigMap"]["data"].items()
                              if k.lower() in AgentSettings.model_fields})
    assert settings.max_sync_records == 1000 and settings.stream_batch_size == 50


def test_ports_and_probes_match_the_settings(docs: dict[str, dict[str, Any]]) -> None:
    config = docs["ConfigMap"]["data"]
    defaults = AgentSettings.model_fields
    assert int(config["GRPC_PORT"]) == defaults["grpc_port"].default == 9091
    assert int(config["HTTP_PORT"]) == defaults["http_port"].default == 8091
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"grpc": 9091, "http": 8091}
    for probe, path in (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready")):
        get = container[probe]["httpGet"]
        assert get["path"] == path and path in ENDPOINTS
        assert ports[get["port"]] == int(config["HTTP_PORT"])
    refs = {next(iter(e.values()))["name"] for e in container["envFrom"]}
    assert refs == {docs["ConfigMap"]["metadata"]["name"], docs["Secret"]["metadata"]["name"]}
    assert pod["terminationGracePeriodSeconds"] > float(config["SHUTDOWN_GRACE_SECONDS"])
    service_ports = {p["name"]: (p["port"], p["targetPort"]) for p in docs["Service"]["spec"]["ports"]}
    assert service_ports == {"grpc": (9091, "grpc"), "http": (8091, "http")}


def test_selectors_autoscaling_and_budget(docs: dict[str, dict[str, Any]]) -> None:
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    for kind, selector in (("Deployment", docs["Deployment"]["spec"]["selector"]["matchLabels"]),
                           ("Service", docs["Service"]["spec"]["selector"]),
                           ("PodDisruptionBudget", docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"])):
        assert selector.items() <= labels.items(), kind
    hpa = docs["HorizontalPodAutoscaler"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    assert hpa["scaleTargetRef"]["name"] == docs["Deployment"]["metadata"]["name"]
    assert docs["PodDisruptionBudget"]["spec"]["minAvailable"] < hpa["minReplicas"]


def test_compose_runs_agent_redis_and_weaviate() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"agent", "redis", "weaviate"}
    agent = compose["services"]["agent"]
    assert set(agent["environment"]) <= known_env_names()
    assert {"9091:9091", "8091:8091"} <= set(agent["ports"])
    assert "redis://redis:6379" in agent["environment"]["REDIS_URL"]


def test_dockerfile_serves_on_the_default_ports() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert "EXPOSE 9091 8091" in text and 'ENTRYPOINT ["testdata", "serve"]' in text
    assert "/health/live" in text


def test_deployments_listen_on_every_interface_explicitly(docs: dict[str, dict[str, Any]]) -> None:
    """The agent alone binds loopback; each deployment file says it needs 0.0.0.0."""
    assert AgentSettings.model_fields["bind_host"].default == "127.0.0.1"
    assert docs["ConfigMap"]["data"]["BIND_HOST"] == "0.0.0.0"
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert compose["services"]["agent"]["environment"]["BIND_HOST"] == "0.0.0.0"
    assert "BIND_HOST=0.0.0.0" in (REPO / "Dockerfile").read_text()


def test_workers_fit_the_pod(docs: dict[str, dict[str, Any]]) -> None:
    config = docs["ConfigMap"]["data"]
    limits = docs["Deployment"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    settings = load_settings({k: v for k, v in config.items() if k.lower() in AgentSettings.model_fields})
    assert settings.workers == int(limits["cpu"])  # one worker per core of the CPU limit
    memory_mb = int(limits["memory"].removesuffix("Gi")) * 1024
    # every worker can reach its limit while the supervisor (about 64 MiB) and a successor still fit
    assert (settings.workers + 1) * settings.worker_max_memory_mb + 64 <= memory_mb


@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_workflows_parse(name: str) -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())
    assert workflow["jobs"]
    if name == "release.yml":
        assert workflow["jobs"]["tests"]["uses"] == "./.github/workflows/ci.yml"
        ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
        assert "workflow_call" in ci[True]  # YAML 1.1 reads the key `on` as True
