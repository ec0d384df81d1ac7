"""Alembic environment: runs on the connection handed over by ``lightspeed_core.db.migrate``.

From the command line: ``LIGHTSPEED_DATABASE_URL=sqlite:///path.db alembic -c <ini> upgrade head``
(a synchronous URL), or simply start the service, which migrates on start-up.
"""

import os

from alembic import context
from sqlalchemy import create_engine

from lightspeed_core.db.tables import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: object) -> None:
    dialect = getattr(connection, "dialect", None)
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=getattr(dialect, "name", "") == "sqlite",
        version_table_schema=config.attributes.get("schema"),
    )


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(os.environ["LIGHTSPEED_DATABASE_URL"])
        with engine.begin() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
        return
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


run()
