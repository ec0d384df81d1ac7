"""Test doubles shipped with the package (used by ``tests/`` and ``bench/``, never the service).

* :mod:`.fake_llm` - :class:`FakeLLM` (a scripted model) and in-memory OGX resources.
* :mod:`.fakes` - in-memory fakes of the feature ports (conversations, quota, shields ...).
* :mod:`.services` - ``fake_ports()`` / ``fake_services()``: the pipeline's ports or a whole
  ``Services`` from fakes, any collaborator replaceable.
* :mod:`.scripted_backend` - a scripted OpenAI-compatible LLM server on 127.0.0.1.
* :mod:`.prompt_store` - an in-memory prompt store (OGX's prompt-versioning rules).
"""
