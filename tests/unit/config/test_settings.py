"""``Environment``: the variables of Sentry and Entra ID."""

from __future__ import annotations

import pytest

from lightspeed_core.config.settings import Environment


def test_defaults() -> None:
    env = Environment({})
    assert env.sentry_dsn is None
    assert env.sentry_environment == "development"
    assert env.sentry_ca_certs is None
    assert env.sentry_traces_sample_rate == 0.25
    assert env.azure_authority_host is None
    assert env.ssl_cert_file is None


def test_values() -> None:
    env = Environment(
        {
            "SENTRY_DSN": "https://k@sentry.example/1",
            "SENTRY_ENVIRONMENT": "production",
            "SENTRY_CA_CERTS": "/ca.pem",
            "SENTRY_TRACES_SAMPLE_RATE": "1",
            "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us",
            "SSL_CERT_FILE": "/etc/ca.pem",
        }
    )
    assert env.sentry_dsn == "https://k@sentry.example/1"
    assert env.sentry_environment == "production"
    assert env.sentry_ca_certs == "/ca.pem"
    assert env.sentry_traces_sample_rate == 1.0
    assert env.azure_authority_host == "https://login.microsoftonline.us"
    assert env.ssl_cert_file == "/etc/ca.pem"


@pytest.mark.parametrize("value", ["often", "1.5", "-0.1"])
def test_a_bad_sample_rate_is_a_clear_error(value: str) -> None:
    with pytest.raises(ValueError, match="SENTRY_TRACES_SAMPLE_RATE must be a number between"):
        _ = Environment({"SENTRY_TRACES_SAMPLE_RATE": value}).sentry_traces_sample_rate
