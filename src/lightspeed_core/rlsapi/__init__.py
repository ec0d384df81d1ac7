"""rlsapi v1: ``POST /v1/infer`` for the RHEL Lightspeed Command Line Assistant (docs/rlsapi.md).

An endpoint adapter over the pipeline, like ``a2a``: ``prompt.py`` renders the system prompt
as a sandboxed Jinja2 template, ``infer.py`` turns the request into a stateless turn and the
pipeline's events into the ``{"data": {...}}`` answer.
"""
