"""Doubles started once per session: a JWKS endpoint and an HTTPS Kubernetes API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.auth.crypto import TlsFiles, make_tls_files
from tests.support.auth.jwks_server import JwksServer
from tests.support.auth.kube_api import KubeApiServer


@pytest.fixture(scope="session")
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("kube-tls"))


@pytest.fixture(scope="session")
def kube_server(tls: TlsFiles) -> Iterator[KubeApiServer]:
    server = KubeApiServer(tls).start()
    yield server
    server.stop()


@pytest.fixture
def kube(kube_server: KubeApiServer) -> KubeApiServer:
    kube_server.state.reset()
    return kube_server
