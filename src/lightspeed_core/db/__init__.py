"""Persistence: async engines for SQLite and PostgreSQL, the schema, Alembic migrations.

* ``engine.py`` - :class:`Database` (engine + sessions) from a database configuration block.
* ``tables.py`` - every table of the service (one schema for both engines).
* ``migrate.py`` - ``upgrade(database)``: Alembic ``upgrade head`` under a cross-process lock.
* ``migrations/`` - the Alembic environment and revisions.

Repositories (the SQL of each concern) live in the concern's package, e.g.
``conversations/repository.py``.
"""
