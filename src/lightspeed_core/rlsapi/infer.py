"""One ``/v1/infer`` request: a stateless turn through the pipeline, folded to ``{"data"}``.

The question sent to the model is the question, ``context.stdin``, the attachment's contents
and the terminal output, non-empty ones joined by blank lines. No conversation is loaded or
stored and no transcript is written. The instructions are the configured system prompt
rendered by :mod:`.prompt` (compiled once, held by :class:`RlsapiService` in ``Services``).
Quota is charged only when ``rlsapi_v1.quota_subject`` is set, to the caller's ``user_id``,
``org_id`` or ``system_id`` (rh-identity; ``user_id`` when the identity has none). Tool
calls, RAG chunks and token counts are returned only when the client asks
(``include_metadata``) and ``rlsapi_v1.allow_verbose_infer`` allows it. Each request queues
one Splunk event (``infer_with_llm``, ``infer_shield_blocked`` or ``infer_error``; a no-op
unless ``splunk.enabled``); its root span is ``rlsapi_v1.infer``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace

from lightspeed_core.auth.base import Principal
from lightspeed_core.authz.context import Authorized
from lightspeed_core.config.models.misc import RlsapiV1Configuration
from lightspeed_core.errors import LightspeedError
from lightspeed_core.pipeline.fold import fold
from lightspeed_core.pipeline.ports import PipelinePorts
from lightspeed_core.pipeline.prepare import prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import Endpoint, TurnInput
from lightspeed_core.rlsapi.prompt import PromptTemplate
from lightspeed_core.schemas.rlsapi import (
    RlsapiV1InferData,
    RlsapiV1InferRequest,
    RlsapiV1InferResponse,
)
from lightspeed_core.splunk import DISABLED, InferEvent, Sourcetype, Splunk
from lightspeed_core.vocabulary.actions import Action

INFER = Endpoint("/v1/infer", Action.RLSAPI_V1_INFER, span="rlsapi_v1.infer")


def question_text(body: RlsapiV1InferRequest) -> str:
    """The question and its context, as the model reads it."""
    context = body.context
    parts = (body.question, context.stdin, context.attachments.contents, context.terminal.output)
    return "\n\n".join(part for part in parts if part.strip())


def quota_subject(config: RlsapiV1Configuration, principal: Principal) -> str | None:
    """Whose quota pays for the request (``None``: quota is not enforced on ``/v1/infer``)."""
    match config.quota_subject:
        case None:
            return None
        case "org_id":
            return principal.org_id or principal.user_id
        case "system_id":
            return principal.system_id or principal.user_id
        case _:
            return principal.user_id


def turn_for(
    body: RlsapiV1InferRequest,
    config: RlsapiV1Configuration,
    principal: Principal,
    prompt: PromptTemplate,
) -> TurnInput:
    """The pipeline input of one request."""
    subject = quota_subject(config, principal)
    return TurnInput(
        question=question_text(body),
        instructions=prompt.render(body.context.systeminfo),
        generate_topic_summary=False,
        store=False,
        transcript=False,
        charge_quota=subject is not None,
        quota_subject=subject,
    )


class RlsapiService:
    """``/v1/infer`` with its settings and the system prompt compiled once (in ``Services``)."""

    def __init__(self, config: RlsapiV1Configuration, prompt: PromptTemplate) -> None:
        self.config = config
        self.prompt = prompt

    async def infer(
        self,
        ports: PipelinePorts,
        body: RlsapiV1InferRequest,
        auth: Authorized,
        headers: Mapping[str, str],
        splunk: Splunk = DISABLED,
    ) -> RlsapiV1InferResponse:
        """Answer one request; domain errors propagate (404, 413, 429, 500, 503)."""
        config = self.config
        turn = turn_for(body, config, auth.principal, self.prompt)
        started = time.perf_counter()
        model = ""
        try:
            prepared = await prepare(ports, turn, auth, INFER, headers)
            model = prepared.model.identifier
            answer = await fold(run(ports, prepared))
        except LightspeedError as error:
            event = _event(body, auth, headers, type(error).__name__, started, model, "")
            splunk.infer(event, Sourcetype.INFER_ERROR)
            raise
        event = _event(body, auth, headers, answer.response, started, model, prepared.request_id)
        event = replace(event, input_tokens=answer.input_tokens, output_tokens=answer.output_tokens)
        blocked = prepared.refusal is not None
        splunk.infer(
            event, Sourcetype.INFER_SHIELD_BLOCKED if blocked else Sourcetype.INFER_WITH_LLM
        )
        data = RlsapiV1InferData(text=answer.response, request_id=prepared.request_id)
        if body.include_metadata and config.allow_verbose_infer:
            data = data.model_copy(
                update={
                    "tool_calls": answer.tool_calls,
                    "tool_results": answer.tool_results,
                    "rag_chunks": answer.rag_chunks,
                    "referenced_documents": answer.referenced_documents,
                    "input_tokens": answer.input_tokens,
                    "output_tokens": answer.output_tokens,
                }
            )
        return RlsapiV1InferResponse(data=data)


def _event(
    body: RlsapiV1InferRequest,
    auth: Authorized,
    headers: Mapping[str, str],
    response: str,
    started: float,
    model: str,
    request_id: str,
) -> InferEvent:
    """The Splunk event of one request (the reference's rlsapi v1 format)."""
    system = body.context.systeminfo
    return InferEvent(
        question=body.question,
        response=response,
        inference_time=time.perf_counter() - started,
        model=model,
        request_id=request_id,
        org_id=auth.principal.org_id or "",
        system_id=auth.principal.system_id or "",
        cla_version=headers.get("user-agent", ""),
        system_os=system.os,
        system_version=system.version,
        system_arch=system.arch,
    )


def build_rlsapi(config: RlsapiV1Configuration, prompt: str) -> RlsapiService:
    """The service for ``rlsapi_v1`` and the configured system prompt (``SystemPrompts``)."""
    return RlsapiService(config, PromptTemplate(prompt))
