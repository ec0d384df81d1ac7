"""Persistence: SQLite and PostgreSQL, the schema, Alembic migrations.

* ``engine.py`` - :class:`Database` and its typed ``run[T]`` / ``run_write[T]``: the one way
  queries are run (plain SQLAlchemy Core functions, one transaction each).
* ``dialect.py`` - every difference between the two engines.
* ``batch.py`` - group commit of writes that arrive together.
* ``tables.py`` - every table of the service (one schema for both engines).
* ``migrate.py`` - ``upgrade(database)``: Alembic ``upgrade head`` under a cross-process lock.
* ``migrations/`` - the Alembic environment and revisions.

Repositories (the SQL of each concern) live in the concern's package, e.g.
``conversations/repository.py``.
"""
