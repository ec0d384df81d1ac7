"""``create_app(settings)``: the explicit wiring of the service.

Middleware (outermost first): global exception → REST metrics → CORS → body guard (size,
read timeout, NUL and lone surrogates: ``api/body_guard.py``). Routers are listed in
``ROUTERS``. One lifespan builds the :class:`~lightspeed_core.container.Services` and closes
them.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from lightspeed_core import __version__
from lightspeed_core.a2a.factory import build_a2a
from lightspeed_core.api.body_guard import BodyGuardMiddleware
from lightspeed_core.api.errors import GlobalExceptionMiddleware, install_exception_handlers
from lightspeed_core.api.routes import (
    a2a,
    catalog,
    conversations,
    feedback,
    health,
    info,
    interrupt,
    mcp_servers,
    metrics,
    prompts,
    query,
    quotas,
    rags,
    responses,
    rlsapi,
    saved_prompts,
    shields,
    skills,
    tools,
    vector_stores,
)
from lightspeed_core.auth.factory import build_auth_backend
from lightspeed_core.authz.policy import AccessPolicy
from lightspeed_core.azure.factory import with_azure_entra
from lightspeed_core.background import BackgroundTasks
from lightspeed_core.compaction.factory import build_compactor
from lightspeed_core.config import Configuration, load_configuration
from lightspeed_core.config.defaults import built_in_default_configuration
from lightspeed_core.config.inactive import inactive_settings
from lightspeed_core.config.models import ObservabilityConfiguration, otel_settings_from_environment
from lightspeed_core.config.settings import Environment, Settings
from lightspeed_core.container import BackendState, Services
from lightspeed_core.conversations.cache.factory import build_cache
from lightspeed_core.conversations.cache.sql import SqlCache
from lightspeed_core.conversations.repository import ConversationRepository
from lightspeed_core.conversations.service import ConversationService
from lightspeed_core.conversations.topics import TopicSummarizer
from lightspeed_core.db.engine import DatabaseBlock
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.db.takeover import fill_turns_from_cache
from lightspeed_core.feedback.service import build_feedback
from lightspeed_core.llm.factory import build_backend
from lightspeed_core.llm.prompts import SystemPrompts
from lightspeed_core.llm.startup import start_backend
from lightspeed_core.llm.tokens import approximate_tokens, tiktoken_estimator
from lightspeed_core.log import setup_logging
from lightspeed_core.mcp.factory import build_tools
from lightspeed_core.metrics.middleware import RestMetricsMiddleware
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.prompts.service import PromptService
from lightspeed_core.quota.base import NoQuota
from lightspeed_core.quota.factory import build_quota
from lightspeed_core.rag.factory import build_okp_tool, build_rag
from lightspeed_core.rag.proxy import MAX_UPLOAD_BYTES
from lightspeed_core.rlsapi.infer import build_rlsapi
from lightspeed_core.saved_prompts.repository import SavedPromptRepository
from lightspeed_core.saved_prompts.service import SavedPromptService
from lightspeed_core.sentry import flush_sentry, init_sentry
from lightspeed_core.shields.factory import build_shields
from lightspeed_core.shutdown import Shutdown, chain_sigterm
from lightspeed_core.skills.library import build_skills
from lightspeed_core.splunk import build_splunk
from lightspeed_core.streaming.factory import build_stream_registry
from lightspeed_core.tracing import build_tracer
from lightspeed_core.transcripts.writer import build_transcripts

log = logging.getLogger(__name__)
UPLOAD_ENVELOPE_BYTES = 1024 * 1024
"""Room for the multipart framing around an upload of the largest allowed file."""
GC_THRESHOLDS = (20_000, 10, 10)  # young-generation collections every 20,000 allocations
SWITCH_INTERVAL = 0.0005  # seconds a thread may hold the GIL while another waits (default 5 ms)

ROUTERS: tuple[APIRouter, ...] = (
    info.router,
    health.router,
    catalog.router,
    query.router,
    responses.router,
    interrupt.router,
    rlsapi.router,
    conversations.v1_router,
    conversations.v2_router,
    feedback.router,
    quotas.router,
    tools.router,
    mcp_servers.router,
    rags.router,
    vector_stores.router,
    shields.router,
    skills.router,
    prompts.router,
    saved_prompts.router,
    metrics.router,
    a2a.router,
)


def _policy(config: Configuration) -> AccessPolicy:
    if config.authorization is None:
        return AccessPolicy(None)
    return AccessPolicy.from_rules((r.role, r.actions) for r in config.authorization.access_rules)


def main_database(config: Configuration) -> DatabaseBlock:
    """The ``database`` block (SQLite or PostgreSQL) of the user database."""
    block = config.database.sqlite or config.database.postgres
    assert block is not None  # the configuration guarantees exactly one
    return block


async def build_services(settings: Settings, metrics: Metrics, pool: DatabasePool) -> Services:
    """Start every backend the configuration names and return the container."""
    otel = settings.env.otel  # what tracing runs on is what /v1/config shows
    observability = ObservabilityConfiguration(otel=otel_settings_from_environment(otel))
    config = settings.config.model_copy(update={"observability": observability})
    for warning in inactive_settings(config):
        log.warning(warning)
    database = await pool.get(main_database(config))
    background = BackgroundTasks()
    a2a_service = await build_a2a(config, settings.config_dir, pool, background, __version__)
    plan = build_backend(config, settings.config_dir, settings.env)
    llm = with_azure_entra(plan.backend, config, settings.env)
    status = await start_backend(llm, config.llama_stack)
    metrics.started_in_degraded_mode.set(1 if status.degraded else 0)
    cache = await build_cache(config.conversation_cache, pool)
    if isinstance(cache, SqlCache) and cache.db is not database:  # a taken-over deployment
        await fill_turns_from_cache(database, cache.db)
    history = ConversationService(ConversationRepository(database), cache)
    prompts = SystemPrompts.from_config(config.customization, settings.config_dir)
    quota = await build_quota(config, pool, metrics)
    # precise (and 38 MB heavier) token estimates only where reservations or compaction
    # depend on them
    precise = config.compaction.enabled or not isinstance(quota, NoQuota)
    tokens = tiktoken_estimator() if precise else approximate_tokens
    rag = await build_rag(config, plan.vector_stores, settings.env.variables, settings.config_dir)
    return Services(
        config=config,
        config_dir=settings.config_dir,
        llm=llm,
        backend_state=BackendState(status.version, status.degraded, plan.preferred_model),
        vector_stores=plan.vector_stores,
        files=plan.files,
        tool_catalogue=plan.tool_catalogue,
        metrics=metrics,
        auth=build_auth_backend(config.authentication, settings.env.variables),
        policy=_policy(config),
        prompts=prompts,
        database=database,
        conversations=history,
        quota=quota,
        shields=await build_shields(config, llm, metrics, degraded=status.degraded),
        tools=await build_tools(config, database, settings.config_dir, metrics),
        rag=rag,
        okp_tool=build_okp_tool(config, rag),
        streams=await build_stream_registry(database),
        background=background,
        feedback=await build_feedback(config.user_data_collection, database, history),
        transcripts=build_transcripts(config.user_data_collection, metrics),
        topics=TopicSummarizer(llm, prompts.topic_summary, history.set_topic),
        tokens=tokens,
        prompt_templates=PromptService(plan.prompts),
        saved_prompts=SavedPromptService(SavedPromptRepository(database), config.saved_prompts),
        skills=await build_skills(config.skills),
        a2a=a2a_service,
        databases=pool.databases(),
        shutdown=Shutdown(config.service.shutdown_grace_period),
        compaction=build_compactor(config.compaction, database, llm, tokens),
        rlsapi=build_rlsapi(config.rlsapi_v1, prompts.default),
        tracer=build_tracer(otel, version=__version__),
        splunk=build_splunk(config.splunk, config.deployment_environment, metrics, __version__),
    )


async def _record_model_configuration(services: Services) -> None:
    if services.backend_state.degraded:
        return
    inference = services.config.inference
    default = (inference.default_provider, inference.default_model)
    for model in await services.llm.list_models():
        if model.model_type != "llm":
            continue
        is_default = default == (model.provider_id, model.provider_resource_id) or (
            default == (None, None) and model.identifier == services.backend_state.preferred_model
        )
        services.metrics.provider_model_configuration.labels(
            model.provider_id, model.provider_resource_id
        ).set(1 if is_default else 0)


def create_app(settings: Settings) -> FastAPI:
    """Assemble the application; nothing starts until the lifespan runs."""
    metrics = Metrics(multiprocess_dir=settings.env.metrics_multiprocess_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        env = settings.env
        init_sentry(
            env.sentry_dsn,
            env.sentry_environment,
            env.sentry_ca_certs,
            env.sentry_traces_sample_rate,
            settings.config.service.root_path,
        )
        pool = DatabasePool()
        try:
            services = await build_services(settings, metrics, pool)
        except BaseException:
            await pool.close()
            raise
        app.state.services = services
        await _record_model_configuration(services)
        # OGX leaves a large, long-lived heap; moving it out of the collector's reach keeps
        # full collections cheap under load (measured: p99 at c64 2.33 s -> 1.96 s, +5 % req/s)
        gc.collect()
        gc.freeze()
        # A request allocates thousands of container objects that die by reference count;
        # at the default threshold (700) the young generation is scanned every few hundred
        # of them, each time walking every in-flight request's objects (measured at c32:
        # 0.35-0.62 ms of collector time per request -> 0.03 ms at 20,000)
        gc.set_threshold(*GC_THRESHOLDS)
        # The database writer thread (and the transcript writer) need the GIL back after
        # every SQLite call; with the event loop busy they waited up to the default 5 ms
        # switch interval each time, so a batch of turns took 20-40 ms to commit and the
        # requests waiting for it formed the tail (c64, workers 2: p99 0.68-0.84 s ->
        # 0.44-0.48 s at 0.5 ms, throughput unchanged)
        sys.setswitchinterval(SWITCH_INTERVAL)
        gc.enable()  # the CLI switches it off for the start-up (main.py)
        log.info("%s ready (%s mode)", settings.config.name, services.llm.mode)
        services.quota.start()
        publisher = (
            asyncio.create_task(metrics.publish_process_metrics(), name="process-metrics")
            if metrics.multiprocess
            else None
        )
        restore_sigterm = chain_sigterm(services.shutdown)
        try:
            yield
        finally:
            restore_sigterm()
            if publisher is not None:
                publisher.cancel()
            services.shutdown.expire()  # anything still answering ends itself now
            await services.background.drain()  # A2A task runs: they settle quota, queue topics
            await services.a2a.close()
            await services.splunk.close()
            await services.quota.close()
            await services.topics.close()
            await services.auth.aclose()
            await services.tools.close()
            await services.rag.aclose()
            await services.transcripts.close()  # every queued transcript written
            await services.conversations.close()
            await services.llm.close()
            await pool.close()
            await asyncio.to_thread(services.tracer.shutdown)  # export the last spans
            flush_sentry()

    service = settings.config.service
    cors = service.cors
    app = FastAPI(
        title=f"{settings.config.name} service - OpenAPI",
        version=__version__,
        summary="Lightspeed Core: enterprise middleware between clients and LLM backends",
        root_path=service.root_path,
        lifespan=lifespan,
        middleware=[
            Middleware(GlobalExceptionMiddleware),
            Middleware(RestMetricsMiddleware, metrics=metrics),
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors.allow_origins),
                allow_credentials=cors.allow_credentials,
                allow_methods=list(cors.allow_methods),
                allow_headers=list(cors.allow_headers),
            ),
            Middleware(
                BodyGuardMiddleware,
                limit=service.max_request_body_bytes,
                upload_limit=MAX_UPLOAD_BYTES + UPLOAD_ENVELOPE_BYTES,
                timeout=service.request_body_timeout,
                json_rpc_paths=frozenset({"/a2a"}),
            ),
        ],
    )
    install_exception_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def load_settings(path: Path | None, env: Environment | None = None) -> Settings:
    """Configuration from ``path``, else ``./lightspeed-stack.yaml``, else the built-in one."""
    env = Environment.read() if env is None else env
    if path is None:
        candidate = Path("lightspeed-stack.yaml")
        path = candidate if candidate.exists() else None
    if path is None:
        log.info("no configuration file: using the built-in default (local model, SQLite)")
        return Settings(built_in_default_configuration(env.variables), Path.cwd(), env)
    log.info("configuration: %s", path.resolve())
    return Settings(load_configuration(path, environ=env.variables), path.resolve().parent, env)


def app_from_env() -> FastAPI:
    """Factory used by uvicorn workers: the CLI exports the config path in the environment."""
    env = Environment.read()
    setup_logging(env.log_level)
    return create_app(load_settings(env.config_path, env))
