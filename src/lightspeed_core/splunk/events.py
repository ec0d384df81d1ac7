"""The event bodies of the reference service (``observability/formats/``), field for field.

``/v1/infer`` uses :class:`InferEvent` (the rlsapi v1 format); ``/v1/responses`` uses
:class:`ResponsesEvent`. ``deployment`` is the root key ``deployment_environment``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class InferEvent:
    """One ``/v1/infer`` turn. On failure ``response`` is the exception's class name."""

    question: str
    response: str
    inference_time: float  # seconds
    model: str
    request_id: str
    org_id: str = ""
    system_id: str = ""
    cla_version: str = ""  # the request's User-Agent
    system_os: str = ""
    system_version: str = ""
    system_arch: str = ""
    input_tokens: int = 0
    output_tokens: int = 0

    def body(self, deployment: str) -> dict[str, Any]:
        return {
            "question": self.question,
            "refined_questions": [],
            "context": "",
            "response": self.response,
            "inference_time": self.inference_time,
            "model": self.model,
            "deployment": deployment,
            "org_id": self.org_id,
            "system_id": self.system_id,
            "total_llm_tokens": self.input_tokens + self.output_tokens,
            "request_id": self.request_id,
            "cla_version": self.cla_version,
            "system_os": self.system_os,
            "system_version": self.system_version,
            "system_arch": self.system_arch,
        }


@dataclass(frozen=True, slots=True)
class ResponsesEvent:
    """One ``/v1/responses`` call. On failure ``response_text`` is the exception's class name."""

    input_text: str
    response_text: str
    conversation_id: str
    model: str
    inference_time: float  # seconds
    org_id: str = ""
    system_id: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    user_agent: str | None = None

    def body(self, deployment: str) -> dict[str, Any]:
        return {
            "input_text": self.input_text,
            "response_text": self.response_text,
            "conversation_id": self.conversation_id,
            "inference_time": self.inference_time,
            "model": self.model,
            "deployment": deployment,
            "org_id": self.org_id,
            "system_id": self.system_id,
            "total_llm_tokens": self.input_tokens + self.output_tokens,
            "user_agent": self.user_agent,
        }
