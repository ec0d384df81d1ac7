"""Where the time of inline RAG goes, layer by layer, in one process (issue 15).

``uv run --no-sync python -m bench.rag_breakdown [--rounds 60]`` indexes
``examples/knowledge``, starts the app in this process (library mode, the scripted backend
in a thread, the store as inline source) and times, interleaved round by round, each layer
a question goes through, from the inside out:

* the embedding alone (``MiniLMEncoder.encode`` in this thread);
* the MiniLM runner (the same, in the encoder's own thread);
* OGX's inference router ``openai_embeddings`` (model lookup, provider, response model);
* the faiss provider's ``query_chunks`` (embedding + faiss search + chunks);
* OGX's ``vector_io`` router (access check, provider lookup, metrics);
* the library client's ``vector_io.query`` (OGX's HTTP emulation: the path before issue 15);
* the service's port (``LibraryVectorStores.query``: the router, then our records);
* ``rag.retrieve`` (stores searched, ranked, the context block, referenced documents);
* ``/v1/query`` with inline RAG, and without (``"vector_store_ids": []``).

Per layer: the median wall time and the mean CPU time of the process (all threads; the
scripted backend's included for ``/v1/query``, alike with and without RAG). CPU time moves
far less than wall time with the load of a shared machine. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bench.processes import service_data
from lightspeed_core.testing.scripted_backend import BackgroundServer

KNOWLEDGE = Path(__file__).parents[1] / "examples" / "knowledge"
QUESTION = "How do I index my own documents?"
PARAMS = {"max_chunks": 10, "mode": "vector", "score_threshold": 0.3}
Step = Callable[[], Awaitable[Any]]


def settings(folder: Path, backend: str, store: Any) -> Any:
    from lightspeed_core.config import configuration_from_data
    from lightspeed_core.config.settings import Environment, Settings

    rag = {
        "byok": {
            "max_chunks": 10,
            "stores": [
                {
                    "rag_id": "docs",
                    "vector_db_id": store.vector_db_id,
                    "db_path": str(store.db_path),
                    "embedding_model": "all-MiniLM-L6-v2",
                    "embedding_dimension": 384,
                }
            ],
        },
        "retrieval": {"inline": {"sources": ["docs"], "max_chunks": 5}},
    }
    data = service_data(folder, backend, 8080, name="rag breakdown", rag=rag)
    os.environ["BENCH_STUB_KEY"] = "x"  # OGX resolves the run config's ${env.*} itself
    env = Environment.read({**os.environ, "LIGHTSPEED_CORE_DATA_DIR": str(folder)})
    return Settings(configuration_from_data(data, base_dir=folder), folder, env)


def steps(app: Any, client: httpx.AsyncClient, vector_db_id: str) -> dict[str, Step]:
    from ogx_api import Api, OpenAIEmbeddingsRequestWithExtraBody, QueryChunksRequest

    from lightspeed_ogx.minilm.encoder import shared_encoder
    from lightspeed_ogx.minilm.runner import shared_runner

    services = app.state.services
    stack = services.vector_stores._stack()
    vector_io = stack.impls[Api.vector_io]
    encoder, runner = shared_encoder(), shared_runner()

    async def embedding() -> None:
        encoder.encode([QUESTION])

    async def inference() -> None:
        # the router rewrites ``model`` in place: a new request each time
        request = OpenAIEmbeddingsRequestWithExtraBody(
            model="embeddings/all-MiniLM-L6-v2", input=[QUESTION]
        )
        await stack.impls[Api.inference].openai_embeddings(request)

    def chunks() -> Any:
        return QueryChunksRequest(vector_store_id=vector_db_id, query=QUESTION, params=PARAMS)

    async def provider() -> None:
        await (await vector_io.routing_table.get_provider_impl(vector_db_id)).query_chunks(chunks())

    async def library_client() -> None:
        ogx = services.vector_stores._client()
        await ogx.vector_io.query(vector_store_id=vector_db_id, query=QUESTION, params=PARAMS)

    body = {"query": QUESTION, "generate_topic_summary": False}

    async def query(extra: dict[str, Any]) -> None:
        (await client.post("/v1/query", json=body | extra)).raise_for_status()

    return {
        "embedding alone": embedding,
        "MiniLM runner (own thread)": lambda: runner.encode([QUESTION]),
        "OGX inference router embeddings": inference,
        "faiss provider query_chunks": provider,
        "OGX vector_io router": lambda: vector_io.query_chunks(chunks()),
        "library client vector_io.query (before)": library_client,
        "port LibraryVectorStores.query": lambda: services.vector_stores.query(
            vector_db_id, QUESTION, 10, 0.3
        ),
        "rag.retrieve": lambda: services.rag.retrieve(QUESTION, None),
        "/v1/query inline RAG": lambda: query({}),
        "/v1/query no RAG": lambda: query({"vector_store_ids": []}),
    }


async def measure(named: dict[str, Step], rounds: int, warmup: int) -> dict[str, Any]:
    wall: dict[str, list[float]] = {name: [] for name in named}
    cpu: dict[str, list[float]] = {name: [] for name in named}
    for number in range(warmup + rounds):
        for name, step in named.items():
            used, start = time.process_time(), time.perf_counter()
            await step()
            if number >= warmup:
                wall[name].append((time.perf_counter() - start) * 1000)
                cpu[name].append((time.process_time() - used) * 1000)
    return {
        name: {
            "wall_median_ms": round(statistics.median(wall[name]), 2),
            "cpu_mean_ms": round(statistics.mean(cpu[name]), 2),
        }
        for name in named
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    from lightspeed_core.app import create_app
    from lightspeed_core.rag.indexer import build_store

    load = os.getloadavg()[0]
    backend = BackgroundServer().start()
    with tempfile.TemporaryDirectory(prefix="rag-breakdown-") as tmp:
        folder = Path(tmp)
        store = await build_store(KNOWLEDGE, "docs", folder / "docs.db")
        app = create_app(settings(folder, backend.base_url, store))
        async with app.router.lifespan_context(app):
            for noisy in ("httpx", "httpx2"):  # ogx_client turns request logging on
                logging.getLogger(noisy).setLevel(logging.WARNING)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                results = await measure(
                    steps(app, client, store.vector_db_id), args.rounds, args.warmup
                )
    backend.stop()
    results["load average"] = {"before": round(load, 2), "after": round(os.getloadavg()[0], 2)}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
