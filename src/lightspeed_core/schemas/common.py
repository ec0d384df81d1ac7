"""Shared response bodies: the two-part error detail used by every LCS-generated error."""

from __future__ import annotations

from pydantic import BaseModel


class DetailModel(BaseModel):
    """``{"response": "<short summary>", "cause": "<detailed cause>"}``."""

    response: str
    cause: str


class ErrorResponse(BaseModel):
    """``{"detail": {"response": ..., "cause": ...}}``."""

    detail: DetailModel


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        400: "Bad request",
        401: "Missing or invalid credentials",
        403: "Permission denied",
        404: "Resource not found",
        413: "Prompt is too long",
        429: "Quota exceeded",
        500: "Internal server error",
        503: "Backend unavailable",
    }.items()
}


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses=`` entries for these status codes."""
    return {code: ERROR_RESPONSES[code] for code in codes}
