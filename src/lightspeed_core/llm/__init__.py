"""The OGX backend: one :class:`~.base.LLMBackend` Protocol, library and server backends.

* ``base.py`` - the Protocol and its value types; ``events.py`` - what a model call streams.
* ``ports.py`` - typed ports for OGX's other resources (vector stores, files, built-in
  tools); ``resources.py`` implements them over the OGX client of either mode.
* ``library.py`` - OGX in-process; ``server.py`` - a remote ``ogx`` server via ``ogx-client``.
* ``model_select.py``, ``prompts.py``, ``tokens.py`` - which model answers, the system
  prompts, local token estimates.
* ``runconfig/`` - synthesis of the OGX run config for library mode.
* ``factory.py`` - ``build_backend(config, config_dir, env)``: the only place that chooses a
  mode.
"""
