"""Test doubles shipped with the package (used by ``tests/`` and ``bench/``).

* :mod:`.scripted_backend` - a scripted OpenAI-compatible LLM server on 127.0.0.1.
* :mod:`.prompt_store` - an in-memory prompt store (OGX's prompt-versioning rules).
"""
