"""``POST /v1/responses``: the OpenAI Responses API over the one pipeline (docs/responses.md).

``request.py`` turns a body into a ``TurnInput`` (conversation or ``previous_response_id``,
client tools, model options); ``stream.py`` re-labels OGX's own Responses events (ids,
conversation, quotas, server tools hidden) into the OpenAI SSE stream or the JSON body.
"""
