"""The conversation cache behind the v2 conversations API (``conversation_cache``).

``base.py``: the :class:`ConversationCache` Protocol and value types; ``noop.py``; the other
backends (``memory``, ``sql`` for sqlite/postgres) and ``factory.py`` select by ``type``.
"""
