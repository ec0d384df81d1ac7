"""Saved prompts: each user's named prompt texts, kept in the main database.

``repository.py`` holds the SQL (table ``saved_prompt``), ``service.py`` the rules: the
limits of the ``saved_prompts`` configuration block, unique names per user, ownership.
"""
