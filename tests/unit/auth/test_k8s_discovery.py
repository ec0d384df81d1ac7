from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from lightspeed_core.auth.k8s_client import K8sConfigError, discover_connection
from lightspeed_core.config.models.auth import AuthenticationConfiguration
from tests.support.auth.crypto import make_tls_files


def auth_config(**values: Any) -> AuthenticationConfiguration:
    return AuthenticationConfiguration.model_validate({"module": "k8s", **values})


def service_account_dir(folder: Path) -> Path:
    folder.mkdir()
    (folder / "token").write_text("sa-token\n")
    (folder / "ca.crt").write_text("ca")
    return folder


def write_kubeconfig(path: Path, cluster: dict[str, Any], user: dict[str, Any]) -> Path:
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "dev",
        "contexts": [
            {"name": "other", "context": {"cluster": "nope", "user": "nope"}},
            {"name": "dev", "context": {"cluster": "c", "user": "u"}},
        ],
        "clusters": [{"name": "c", "cluster": cluster}],
        "users": [{"name": "u", "user": user}],
    }
    path.write_text(yaml.safe_dump(document))
    return path


def test_in_cluster(tmp_path: Path) -> None:
    sa = service_account_dir(tmp_path / "sa")
    env = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    connection = discover_connection(auth_config(), environ=env, home=tmp_path, sa_dir=sa)
    assert connection.server == "https://10.0.0.1:443"
    assert connection.in_cluster
    assert connection.token_file == sa / "token"
    assert connection.ca_file == sa / "ca.crt"
    ipv6 = discover_connection(
        auth_config(),
        environ={"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"},
        home=tmp_path,
        sa_dir=sa,
    )
    assert ipv6.server == "https://[fd00::1]:443"


def test_kubeconfig_token_and_ca_data(tmp_path: Path) -> None:
    path = write_kubeconfig(
        tmp_path / "kc",
        {"server": "https://api.example:6443", "certificate-authority-data": "Q0E="},
        {"token": "kc-token"},
    )
    connection = discover_connection(
        auth_config(), environ={"KUBECONFIG": f"/nonexistent:{path}"}, home=tmp_path
    )
    assert connection.server == "https://api.example:6443"
    assert connection.ca_data == b"CA"
    assert connection.token == "kc-token"
    assert not connection.in_cluster
    assert "kc-token" not in repr(connection)


def test_kubeconfig_client_certificate_files_and_default_path(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path / "tls")
    kube = tmp_path / ".kube"
    kube.mkdir()
    write_kubeconfig(
        kube / "config",
        {
            "server": "https://127.0.0.1:1",
            "certificate-authority": str(tls.ca_cert),
            "insecure-skip-tls-verify": False,
        },
        {
            "client-certificate": str(tls.client_cert),
            "client-key-data": base64.b64encode(tls.client_key.read_bytes()).decode(),
        },
    )
    connection = discover_connection(auth_config(), environ={}, home=tmp_path)
    assert connection.client_cert == tls.client_cert.read_bytes()
    assert connection.client_key == tls.client_key.read_bytes()
    assert connection.ca_data == tls.ca_cert.read_bytes()
    context = connection.ssl_context()  # loads the chain
    assert context.verify_mode.name == "CERT_REQUIRED"


def test_overrides(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path / "tls")
    path = write_kubeconfig(tmp_path / "kc", {"server": "https://a:1"}, {"token": "t"})
    connection = discover_connection(
        auth_config(
            k8s_cluster_api="https://b:2",
            k8s_ca_cert_path=str(tls.ca_cert),
            skip_tls_verification=True,
        ),
        environ={"KUBECONFIG": str(path)},
        home=tmp_path,
    )
    assert connection.server == "https://b:2"
    assert connection.ca_file == tls.ca_cert
    assert connection.ca_data is None
    assert not connection.verify
    assert connection.token == "t"
    assert connection.ssl_context().check_hostname is False


def test_cluster_api_alone(tmp_path: Path) -> None:
    connection = discover_connection(
        auth_config(k8s_cluster_api="https://api:6443"), environ={}, home=tmp_path
    )
    assert connection.server == "https://api:6443"
    assert connection.token is None


@pytest.mark.parametrize(
    "content",
    [
        "current-context: missing\ncontexts: []\n",
        "not: [valid",
        "current-context: dev\ncontexts: [{name: dev, context: {cluster: c, user: u}}]\n"
        "clusters: [{name: c, cluster: {}}]\nusers: [{name: u, user: {}}]\n",
    ],
)
def test_broken_kubeconfig(tmp_path: Path, content: str) -> None:
    path = tmp_path / "kc"
    path.write_text(content)
    with pytest.raises(K8sConfigError):
        discover_connection(auth_config(), environ={"KUBECONFIG": str(path)}, home=tmp_path)


def test_nothing_to_connect_to(tmp_path: Path) -> None:
    with pytest.raises(K8sConfigError, match="k8s_cluster_api"):
        discover_connection(auth_config(), environ={}, home=tmp_path, sa_dir=tmp_path / "none")
