"""Running streams: the registry ``/v1/streaming_query/interrupt`` stops them through.

``registry.py`` - the :class:`StreamRegistry` Protocol; ``registry_db.py`` - the registry in
the database, shared by every worker and pod. Rendering the events is ``api/sse.py``.
"""
