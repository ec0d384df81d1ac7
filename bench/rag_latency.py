"""Added latency of inline RAG on ``/v1/query`` (issue #6's closing note).

``uv run --no-sync python -m bench.rag_latency [--n 50]`` starts the scripted backend,
indexes ``examples/knowledge`` offline (``lightspeed-core rag index``) and starts two
services (one worker each, library mode): without RAG, and with the store as inline source
(``rag.retrieval.inline``: the question is embedded with MiniLM, faiss is searched, the
best chunks are appended to the question). After a warm-up it sends ``--n`` sequential
requests to each, interleaved round by round so machine load hits both alike, and prints
median/p95 and the difference.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.measure import Call, add_difference, interleaved, interleaved_arguments
from bench.processes import BIN, service_config, start_variants, stopping
from lightspeed_core.testing.scripted_backend import BackgroundServer

KNOWLEDGE = Path(__file__).parents[1] / "examples" / "knowledge"
BODY = {"query": "How do I index my own documents?", "generate_topic_summary": False}


def config(folder: Path, backend: str, port: int, rag: dict[str, Any] | None) -> Path:
    sections: dict[str, Any] = {} if rag is None else {"rag": rag}
    return service_config(folder, backend, port, name="rag latency", **sections)


def index(db: Path) -> None:
    argv = [str(BIN / "lightspeed-core"), "rag", "index", str(KNOWLEDGE), "--store", "docs"]
    subprocess.run([*argv, "--db", str(db)], check=True, capture_output=True)


async def main() -> None:
    args = interleaved_arguments(__doc__, 50, 10)
    backend = BackgroundServer().start()
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp, stopping() as processes:
        root = Path(tmp)
        index(root / "docs.db")
        store: dict[str, Any] = {
            "rag_id": "docs",
            "vector_db_id": "docs",
            "db_path": str(root / "docs.db"),
        }
        store |= {"embedding_model": "all-MiniLM-L6-v2", "embedding_dimension": 384}
        inline = {"inline": {"sources": ["docs"], "max_chunks": 5}}
        variants: dict[str, dict[str, Any] | None] = {
            "no RAG": None,
            "inline RAG": {"byok": {"stores": [store]}, "retrieval": inline},
        }
        try:

            def write(folder: Path, port: int, rag: dict[str, Any] | None) -> Path:
                return config(folder, backend.base_url, port, rag)

            bases = start_variants(processes, root, write, variants)
            calls = {name: Call(base, BODY) for name, base in bases.items()}
            results = await interleaved(calls, args.n, args.warmup)
        finally:
            backend.stop()
    add_difference(results, "no RAG", "median_added_ms")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
