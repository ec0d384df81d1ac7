"""How failed OGX prompt calls become domain errors, for both clients' exception types."""

from __future__ import annotations

import httpx
import pytest
from ogx_api import InvalidParameterError, PromptNotFoundError, PromptVersionNotFoundError
from ogx_client.exceptions import BadRequestException, NotFoundException, ServiceException

from lightspeed_core.errors import (
    BackendUnavailableError,
    InternalError,
    LightspeedError,
    NotFoundError,
    UnprocessableError,
)
from lightspeed_core.llm.failures import CONNECTION_ERROR
from lightspeed_core.llm.prompt_store import translate

PID = "pmpt_" + "ab" * 24


@pytest.mark.parametrize(
    "exc",
    [
        PromptNotFoundError(PID),
        PromptVersionNotFoundError(3, PID),
        NotFoundException(status=404, reason="Not Found", body='{"detail": "gone"}'),
    ],
)
def test_missing_is_404(exc: Exception) -> None:
    error = translate(exc, PID)
    assert isinstance(error, NotFoundError)
    assert (error.response, error.cause) == (
        "Prompt not found",
        f"Prompt with ID {PID} does not exist",
    )


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (
            InvalidParameterError("version", 1, "Must be the latest prompt version '2'."),
            "Must be the latest prompt version '2'.",
        ),
        (
            BadRequestException(
                status=400, reason="Bad Request", body='{"error": {"message": "bad version"}}'
            ),
            "bad version",
        ),
    ],
)
def test_rejected_values_are_422_with_ogx_text(exc: Exception, cause: str) -> None:
    error = translate(exc, PID)
    assert isinstance(error, UnprocessableError)
    assert error.response == "Invalid attribute value"
    assert cause in error.cause


def test_unreachable_is_503_connection_error() -> None:
    error = translate(httpx.ConnectError("[Errno 111] Connection refused"), PID)
    assert isinstance(error, BackendUnavailableError)
    assert error.cause == CONNECTION_ERROR


def test_other_failures_are_500_and_domain_errors_pass_through() -> None:
    failed = translate(ServiceException(status=500, reason="Internal Server Error"), PID)
    assert isinstance(failed, InternalError)
    same: LightspeedError = NotFoundError("Prompt", PID)
    assert translate(same, PID) is same
