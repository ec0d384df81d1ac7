"""The Kubernetes manifests in deploy/kubernetes: schema-valid, consistent with the service."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from lightspeed_core.app import ROUTERS
from lightspeed_core.config import configuration_from_data

ROOT = Path(__file__).resolve().parents[3] / "deploy" / "kubernetes"
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")


def _kustomize_resources(folder: Path) -> list[Path]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    files: list[Path] = []
    for entry in kustomization.get("resources", []):
        path = folder / entry
        files.extend(_kustomize_resources(path) if path.is_dir() else [path])
    return files


def _documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in _kustomize_resources(ROOT):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def _find(kind: str, name: str) -> dict[str, Any]:
    return next(d for d in _documents() if d["kind"] == kind and d["metadata"]["name"] == name)


def test_every_listed_resource_exists() -> None:
    for path in _kustomize_resources(ROOT):
        assert path.is_file(), f"{path} is listed in a kustomization but missing"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifests_are_valid_kubernetes(version: str) -> None:
    import kubernetes_validate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the validator's own deprecation warnings
        for doc in _documents():
            kubernetes_validate.validate(doc, version, strict=True)


def _service_config() -> Any:
    text = _find("ConfigMap", "lightspeed-core-config")["data"]["lightspeed-stack.yaml"]
    return configuration_from_data(yaml.safe_load(text), environ={"POSTGRES_PASSWORD": "x"})


def test_config_map_holds_a_valid_configuration() -> None:
    config = _service_config()
    assert config.service.host == "0.0.0.0"
    assert config.database.postgres is not None
    assert config.authentication.module == "k8s"


def test_deployment_matches_the_service() -> None:
    container = _find("Deployment", "lightspeed-core")["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"][0]["containerPort"] == _service_config().service.port
    paths = {getattr(r, "path", None) for router in ROUTERS for r in router.routes}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["path"] in paths
    secret_refs = {
        e["valueFrom"]["secretKeyRef"]["name"]
        for e in container["env"]
        if "valueFrom" in e and not e["valueFrom"]["secretKeyRef"].get("optional")
    }
    generated = yaml.safe_load((ROOT / "postgres" / "kustomization.yaml").read_text())
    assert secret_refs <= {g["name"] for g in generated["secretGenerator"]}


def test_service_account_may_review_tokens() -> None:
    rules = [
        rule
        for doc in _documents()
        if doc["kind"] == "ClusterRole"
        for rule in doc.get("rules", [])
    ]
    granted = {
        (res, verb) for rule in rules for res in rule.get("resources", []) for verb in rule["verbs"]
    }
    assert ("tokenreviews", "create") in granted
    assert ("subjectaccessreviews", "create") in granted


def _max_connections() -> int:
    container = _find("StatefulSet", "lightspeed-postgres")["spec"]["template"]["spec"]
    args = container["containers"][0].get("args", [])
    for index, arg in enumerate(args):
        if arg == "-c" and args[index + 1].startswith("max_connections="):
            return int(args[index + 1].split("=", 1)[1])
    return 100  # PostgreSQL's default


def test_postgres_connections_suffice_for_every_pod_at_scale() -> None:
    """HPA maximum + rolling-update surge, x workers, x the pool's maximum (2 x pool_size)."""
    config = _service_config()
    hpa = _find("HorizontalPodAutoscaler", "lightspeed-core")["spec"]
    strategy = _find("Deployment", "lightspeed-core")["spec"].get("strategy", {})
    surge = strategy.get("rollingUpdate", {}).get("maxSurge", "25%")
    extra = (
        -(-hpa["maxReplicas"] * int(surge.rstrip("%")) // 100) if isinstance(surge, str) else surge
    )
    pods = hpa["maxReplicas"] + extra
    assert config.database.postgres is not None
    per_worker = 2 * config.database.postgres.pool_size  # one pool: cache and quota share it
    reserved = 3  # superuser_reserved_connections
    assert pods * config.service.workers * per_worker <= _max_connections() - reserved
