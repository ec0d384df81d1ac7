"""Stored prompt templates (``/v1/prompts``), kept by OGX's Prompts API.

``service.py`` checks prompt ids (``pmpt_`` + 48 lowercase hex digits, 400 otherwise) and
calls the :class:`~lightspeed_core.llm.prompt_store.PromptStore` port of the running mode.
"""
