"""Conversations: our database is the single source of truth for history.

* ``base.py`` - :class:`ConversationStore`, the Protocol the pipeline and the routes call.
* ``records.py`` - value types (:class:`ConversationInfo`, :class:`TurnRecord`).
* ``repository.py`` - all SQL on ``user_conversation`` / ``user_turn`` (SQLite and PostgreSQL).
* ``cache/`` - the conversation cache behind the v2 API (``conversation_cache``).
* ``service.py`` - :class:`ConversationService`: the store over the database and the cache.
* ``access.py`` - load a conversation and check the caller may act on it (the one place).
* ``sources.py`` - where ``/v1`` and ``/v2`` read listings and histories from.
* ``topics.py`` - the low-priority topic-summary queue.
"""
