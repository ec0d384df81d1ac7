"""Quota administration: ``/v1/quotas`` and ``/v1/token-usage``.

``GET /v1/quotas`` and ``GET /v1/token-usage`` show the caller's own buckets and usage and
need the ``query`` action (whoever may spend tokens may see them); another subject's quotas
(``/v1/quotas/{subject}``), changing them, and another user's usage
(``/v1/token-usage/{subject}``) need ``admin``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.quota.admin import QuotaView
from lightspeed_core.quota.history import UsageTotal
from lightspeed_core.schemas.common import error_responses
from lightspeed_core.schemas.quota import (
    QuotasResponse,
    QuotaStatus,
    QuotaUpdateRequest,
    TokenUsageEntry,
    TokenUsageResponse,
)
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["quota"])
ERRORS = error_responses(401, 403, 500, 503)


def _status(view: QuotaView) -> QuotaStatus:
    state, limiter = view.state, view.limiter
    return QuotaStatus(
        limiter=limiter.name,
        type="user_limiter" if limiter.subject == "u" else "cluster_limiter",
        shared=view.shared,
        quota_limit=state.quota_limit,
        limit_overridden=state.limit_override is not None,
        available=state.available,
        reserved=state.reserved,
        initial_quota=limiter.initial_quota,
        quota_increase=limiter.quota_increase,
        period=limiter.period_text,
        updated_at=state.updated_at,
        revoked_at=state.revoked_at,
        next_refill_at=view.next_refill_at,
    )


def _body(subject: str, views: list[QuotaView]) -> QuotasResponse:
    return QuotasResponse(subject=subject, quotas=[_status(v) for v in views])


@router.get("/quotas", response_model=QuotasResponse, responses=ERRORS)
async def own_quotas(
    auth: Annotated[Authorized, Depends(require(Action.QUERY))], services: ServicesDep
) -> QuotasResponse:
    """The caller's quotas (user limiters) and the shared cluster quotas."""
    subject = auth.principal.user_id
    return _body(subject, await services.quota.admin.quotas(subject))


@router.get("/quotas/{subject}", response_model=QuotasResponse, responses=ERRORS)
async def subject_quotas(
    subject: str,
    _auth: Annotated[Authorized, Depends(require(Action.ADMIN))],
    services: ServicesDep,
) -> QuotasResponse:
    """Another subject's quotas (admin)."""
    return _body(subject, await services.quota.admin.quotas(subject))


@router.put(
    "/quotas/{subject}",
    response_model=QuotasResponse,
    responses=error_responses(401, 403, 404, 500, 503),
)
async def update_quota(
    subject: str,
    body: QuotaUpdateRequest,
    _auth: Annotated[Authorized, Depends(require(Action.ADMIN))],
    services: ServicesDep,
) -> QuotasResponse:
    """Set a bucket's limit and/or available tokens (admin)."""
    views = await services.quota.admin.set_quota(
        subject, body.limiter, body.quota_limit, body.available
    )
    return _body(subject, views)


def _usage(user_id: str, totals: list[UsageTotal]) -> TokenUsageResponse:
    entries = [
        TokenUsageEntry(
            provider=t.provider,
            model=t.model,
            input_tokens=t.input_tokens,
            output_tokens=t.output_tokens,
            updated_at=t.updated_at,
        )
        for t in totals
    ]
    return TokenUsageResponse(user_id=user_id, usage=entries)


@router.get("/token-usage", response_model=TokenUsageResponse, responses=ERRORS)
async def own_token_usage(
    auth: Annotated[Authorized, Depends(require(Action.QUERY))], services: ServicesDep
) -> TokenUsageResponse:
    """The caller's cumulative token usage per provider and model (``enable_token_history``)."""
    user_id = auth.principal.user_id
    return _usage(user_id, await services.quota.admin.usage(user_id))


@router.get("/token-usage/{subject}", response_model=TokenUsageResponse, responses=ERRORS)
async def subject_token_usage(
    subject: str,
    _auth: Annotated[Authorized, Depends(require(Action.ADMIN))],
    services: ServicesDep,
) -> TokenUsageResponse:
    """Another user's cumulative token usage (admin)."""
    return _usage(subject, await services.quota.admin.usage(subject))
