"""Conversation compaction (contract 3.9, 13.1): older turns summarised when history grows.

``planner.py`` decides (pure), ``store.py`` keeps summaries and the per-conversation lease
in the database, ``service.py`` summarises with the conversation's model, ``base.py`` is the
port the pipeline uses.
"""
