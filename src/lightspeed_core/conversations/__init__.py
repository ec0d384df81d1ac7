"""Conversations: our database is the single source of truth for history.

* ``records.py`` - value types (:class:`ConversationInfo`, :class:`TurnRecord`).
* ``repository.py`` - all SQL on ``user_conversation`` / ``user_turn`` (SQLite and PostgreSQL).
* ``cache/`` - the conversation cache behind the v2 API (``conversation_cache``).
* ``service.py`` - :class:`ConversationService`: what the pipeline and the routes call.
"""
