"""What an endpoint hands the pipeline: one turn's input, independent of the wire format.

Every endpoint that answers with a model (``/v1/query``, ``/v1/streaming_query``, and the
endpoints still to come: ``/v1/responses``, ``/v1/infer``, A2A) translates its request body
into a :class:`TurnInput` and names itself with an :class:`Endpoint`; the pipeline never sees
an endpoint's body type. A new endpoint adds a ``from_<body>`` constructor (or builds the
input in its route) and, if it needs a knob the pipeline lacks, a field here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lightspeed_core.rag.base import SolrOptions
from lightspeed_core.schemas.query import Attachment, QueryRequest
from lightspeed_core.vocabulary.actions import Action


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The route a turn runs for: its path (metrics, shields) and its RBAC action."""

    path: str
    action: Action


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
    solr: SolrOptions | None = None

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
