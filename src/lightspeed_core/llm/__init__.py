"""The OGX backend: one :class:`~.base.LLMBackend` Protocol, library and server backends.

* ``base.py`` - the Protocol and its value types; ``events.py`` - what a model call streams.
* ``library.py`` - OGX in-process; ``server.py`` - a remote ``ogx`` server via ``ogx-client``.
* ``runconfig/`` - synthesis of the OGX run config for library mode.
* ``factory.py`` - ``build_backend(config)``: the only place that chooses a backend.
"""
