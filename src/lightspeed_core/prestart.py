"""What the parent process does before uvicorn starts several workers.

With ``service.workers > 1`` uvicorn's supervisor process would start each worker with
``multiprocessing`` *spawn*: a fresh interpreter that imports the whole application and OGX
again (about 2 s of CPU each), and whose first steps (migrations, OGX's stores) race with
the other workers'. Instead the parent, once:

1. migrates the main database and, in library mode, writes the OGX run config and starts
   and stops OGX, which creates OGX's stores: every worker then finds them in place (each
   still runs these idempotent steps itself, so a worker restarted later needs nothing);
2. has thereby imported the application, OGX and its providers; the workers are *forked*
   from it and start with all of that already imported, sharing its memory pages
   (``gc.freeze()`` keeps the collector from touching, and so copying, them; the collector
   is off during the parent's start, as in a single worker's, main.py);
3. gives the workers a longer health-check timeout: uvicorn kills a worker that does not
   answer its ping within 5 s, which a worker starting on a busy machine may not do.

Fork is used only when the parent runs a single thread (a fork copies no other threads);
otherwise uvicorn spawns as before. Nothing a client sees depends on which was used.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import threading
import time

from lightspeed_core.app import main_database
from lightspeed_core.config.settings import Settings
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.llm.factory import build_backend

log = logging.getLogger(__name__)
# seconds a worker may take to answer uvicorn's liveness ping (uvicorn's default: 5)
WORKER_HEALTHCHECK_TIMEOUT = 60


async def prepare_shared_state(settings: Settings) -> None:
    """Migrate the main database; in library mode start and stop OGX once."""
    pool = DatabasePool()
    try:
        await pool.get(main_database(settings.config))
    finally:
        await pool.close()
    config = settings.config
    if not config.llama_stack.library_mode:
        return
    plan = build_backend(config, settings.config_dir, settings.env)
    await plan.backend.start()
    await plan.backend.close()


def prepare_workers(settings: Settings) -> bool:
    """Prepare shared state, then make uvicorn fork its workers; False when it must spawn."""
    started = time.perf_counter()
    try:
        asyncio.run(prepare_shared_state(settings))
    except Exception as exc:  # the workers meet (and report) it as they always did
        log.warning("could not prepare the workers' shared state (%s): spawning them", exc)
        return False
    finally:
        gc.collect()
        gc.freeze()
        gc.enable()  # off since main.py's start; the forked workers' own start is short
    if threading.active_count() > 1:
        names = ", ".join(t.name for t in threading.enumerate())
        log.info("workers will be spawned: the parent runs threads (%s)", names)
        return False
    import uvicorn._subprocess

    if not hasattr(uvicorn._subprocess, "spawn"):  # a uvicorn that starts workers differently
        return False
    uvicorn._subprocess.spawn = multiprocessing.get_context("fork")  # type: ignore[assignment]
    log.info("shared state prepared in %.1fs; workers are forked", time.perf_counter() - started)
    return True
