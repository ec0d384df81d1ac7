from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.auth.factory import build_auth_backend
from lightspeed_core.auth.k8s_client import K8sConfigError
from lightspeed_core.config.models.auth import AUTH_MODULES, AuthenticationConfiguration

BLOCKS: dict[str, dict[str, Any]] = {
    "noop": {},
    "noop-with-token": {},
    "k8s": {"k8s_cluster_api": "https://api.example:6443"},
    "jwk-token": {"jwk_config": {"url": "https://sso.example/certs"}},
    "api-key-token": {"api_key_config": {"api_key": "k"}},
    "rh-identity": {"rh_identity_config": {}},
    "trusted-proxy": {
        "trusted_proxy_config": {},
        "k8s_cluster_api": "https://api.example:6443",
    },
}


@pytest.mark.parametrize("module", AUTH_MODULES)
async def test_every_module_builds(module: str) -> None:
    config = AuthenticationConfiguration.model_validate({"module": module, **BLOCKS[module]})
    backend = build_auth_backend(config)
    try:
        assert backend.name == module
    finally:
        await backend.aclose()


def test_k8s_without_any_cluster_fails_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(K8sConfigError):
        build_auth_backend(AuthenticationConfiguration(module="k8s"))
