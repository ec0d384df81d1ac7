"""What an endpoint hands the pipeline: one turn's input, independent of the wire format.

Every endpoint that answers with a model (``/v1/query``, ``/v1/streaming_query``,
``/v1/infer``, A2A and, still to come, ``/v1/responses``) translates its request body
into a :class:`TurnInput` and names itself with an :class:`Endpoint`; the pipeline never sees
an endpoint's body type. A new endpoint adds a ``from_<body>`` constructor (or builds the
input in its route) and, if it needs a knob the pipeline lacks, a field here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lightspeed_core.llm.events import RawEvents
from lightspeed_core.rag.base import SolrOptions
from lightspeed_core.schemas.query import Attachment, QueryRequest
from lightspeed_core.vocabulary.actions import Action


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The route a turn runs for: its path (metrics, shields) and its RBAC action."""

    path: str
    action: Action
    span: str | None = None  # the root span's name; default "<last path segment>.handle_request"

    @property
    def span_name(self) -> str:
        """The name of the request's root span (``query.handle_request`` …)."""
        return self.span or f"{self.path.rstrip('/').rsplit('/', 1)[-1]}.handle_request"


@dataclass(frozen=True, slots=True)
class CallOptions:
    """Parameters of the model call a client may set (``/v1/responses``); ``None``: defaults."""

    max_output_tokens: int | None = None
    temperature: float | None = None
    max_infer_iters: int | None = None
    max_tool_calls: int | None = None
    include: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)  # tool_choice, text ... as sent
    raw_events: RawEvents = "none"  # the run also yields OGX's events (``BackendEvent``)


@dataclass(frozen=True, slots=True)
class ForkPoint:
    """A new conversation whose history is another one's, up to and including one turn."""

    conversation_id: str
    turn_number: int


@dataclass(frozen=True, slots=True)
class TurnInput:
    """One question and the options that shape how it is answered."""

    question: str
    conversation_id: str | None = None
    provider: str | None = None
    model: str | None = None
    system_prompt: str | None = None
    attachments: tuple[Attachment, ...] = ()
    no_tools: bool = False
    vector_store_ids: list[str] | None = None
    shield_ids: list[str] | None = None
    generate_topic_summary: bool = True
    # Responses input items; the last user message among them carries ``question``
    input_items: tuple[dict[str, Any], ...] = ()
    fork: ForkPoint | None = None  # start a new conversation from another one's history
    client_tools: tuple[dict[str, Any], ...] | None = None  # None: the server's tools
    merge_server_tools: bool = False  # client tools first, then the server's (clash: 409)
    options: CallOptions = field(default_factory=CallOptions)
    instructions: str | None = None  # the endpoint's own system prompt (no precedence rules)
    store: bool = True  # False: the turn is not added to the conversation
    transcript: bool = True  # False: no transcript file either (rlsapi: stateless)
    charge_quota: bool = True
    quota_subject: str | None = None  # whose quota is charged, if not the caller's user_id
    solr: SolrOptions | None = None  # OKP search mode and filters (the request's ``solr``)

    @classmethod
    def from_query(cls, body: QueryRequest) -> TurnInput:
        """The input of a ``/v1/query`` or ``/v1/streaming_query`` body."""
        return cls(
            question=body.query,
            conversation_id=body.conversation_id,
            provider=body.provider,
            model=body.model,
            system_prompt=body.system_prompt,
            attachments=tuple(body.attachments or ()),
            no_tools=bool(body.no_tools),
            vector_store_ids=body.vector_store_ids,
            shield_ids=body.shield_ids,
            generate_topic_summary=body.generate_topic_summary is not False,
            solr=SolrOptions(body.solr.mode, body.solr.filters) if body.solr else None,
        )
