"""``lightspeed-core rag index FOLDER --store NAME``: build a BYOK faiss store offline.

Markdown, text and PDF files are read and chunked (:mod:`lightspeed_core.rag.documents`),
embedded with the bundled all-MiniLM-L6-v2 (numpy, no torch, no network) and written by
OGX's own ``inline::faiss`` provider into one SQLite file - the format ``rag.byok.stores``
(``backend: faiss``, ``db_path``) serves. The store's OGX id is ``vector_db_id``
(default: the store name). An existing file at the target path is replaced.

No worker processes are started (no file-processor provider), so this is spawn-safe.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import sys
import tempfile
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

from lightspeed_core.llm.runconfig.baseline import (
    EMBEDDING_DIMENSION,
    EMBEDDING_MODEL_ID,
    embedding_provider,
)
from lightspeed_core.rag.documents import TextChunk, chunk_document, find_files, read_document
from lightspeed_core.rag.progress import Progress

PROVIDER_ID = "byok"
EMBEDDING_MODEL = f"embeddings/{EMBEDDING_MODEL_ID}"
BATCH = 32


@dataclass(frozen=True)
class IndexResult:
    """What was written."""

    store: str
    vector_db_id: str
    db_path: Path
    documents: int
    chunks: int


class IndexingError(Exception):
    """Nothing to index, or the store could not be written."""


def _run_config(state: Path, db_path: Path) -> dict[str, Any]:
    # OGX registers storage backends by name in a process-global table: unique names keep an
    # indexing run from redirecting the backends of a stack already running in this process.
    tag = uuid.uuid4().hex[:8]
    kv, sql, byok = f"index_kv_{tag}", f"index_sql_{tag}", f"index_byok_{tag}"
    return {
        "version": 2,
        "distro_name": "lightspeed-indexer",
        "apis": ["inference", "vector_io"],
        "providers": {
            "inference": [embedding_provider()],
            "vector_io": [
                {
                    "provider_id": PROVIDER_ID,
                    "provider_type": "inline::faiss",
                    "config": {"persistence": {"backend": byok, "namespace": "vector_io::faiss"}},
                }
            ],
        },
        "storage": {
            "backends": {
                kv: {"type": "kv_sqlite", "db_path": str(state / "kv.db")},
                sql: {"type": "sql_sqlite", "db_path": str(state / "sql.db")},
                byok: {"type": "kv_sqlite", "db_path": str(db_path)},
            },
            "stores": {
                "metadata": {"backend": kv, "namespace": "registry"},
                "inference": {"backend": sql, "table_name": "inference", "enabled": False},
                "conversations": {"backend": sql, "table_name": "conversations"},
                "prompts": {"backend": sql, "table_name": "prompts"},
                "connectors": {"backend": sql, "table_name": "connectors"},
            },
        },
    }


async def _write(
    db_path: Path, store: str, vector_db_id: str, chunks: list[TextChunk], vectors: Any
) -> None:
    from ogx.core.library_client import AsyncOGXAsLibraryClient
    from ogx_api import (
        Api,
        ChunkMetadata,
        EmbeddedChunk,
        InsertChunksRequest,
        OpenAICreateVectorStoreRequestWithExtraBody,
        VectorStore,
    )

    from lightspeed_core.llm.factory import prepare_offline_environment
    from lightspeed_core.log import preserved_logging

    os.environ.setdefault("OGX_LOGGING", "all=error")
    prepare_offline_environment()
    with (
        tempfile.TemporaryDirectory(prefix="lightspeed-index-") as tmp,
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", "Pydantic serializer warnings", UserWarning)
        state = Path(tmp)
        run = state / "run.yaml"
        run.write_text(yaml.safe_dump(_run_config(state, db_path), sort_keys=False))
        with preserved_logging():
            client = AsyncOGXAsLibraryClient(str(run))
        with contextlib.redirect_stdout(io.StringIO()):
            await client.initialize()
        try:
            # The public create call always invents a random id; the provider takes ours.
            faiss = client.impls[Api.vector_io].routing_table.impls_by_provider_id[PROVIDER_ID]
            await faiss.openai_create_vector_store(
                OpenAICreateVectorStoreRequestWithExtraBody(
                    name=store,
                    provider_vector_store_id=vector_db_id,
                    provider_id=PROVIDER_ID,
                    embedding_model=EMBEDDING_MODEL,
                    embedding_dimension=EMBEDDING_DIMENSION,
                )
            )
            await faiss.register_vector_store(
                VectorStore(
                    identifier=vector_db_id,
                    provider_id=PROVIDER_ID,
                    provider_resource_id=vector_db_id,
                    embedding_model=EMBEDDING_MODEL,
                    embedding_dimension=EMBEDDING_DIMENSION,
                    vector_store_name=store,
                )
            )
            embedded = [
                EmbeddedChunk(
                    content=chunk.content,
                    chunk_id=chunk.chunk_id,
                    metadata=chunk.metadata,
                    chunk_metadata=ChunkMetadata(
                        chunk_id=chunk.chunk_id,
                        document_id=chunk.metadata["document_id"],
                        source=chunk.metadata.get("doc_url") or chunk.metadata["filename"],
                    ),
                    embedding=[float(v) for v in vector],
                    embedding_model=EMBEDDING_MODEL,
                    embedding_dimension=EMBEDDING_DIMENSION,
                )
                for chunk, vector in zip(chunks, vectors, strict=True)
            ]
            await faiss.insert_chunks(
                InsertChunksRequest(vector_store_id=vector_db_id, chunks=embedded)
            )
        finally:
            await client.shutdown()


def _prepare(
    folder: Path, base_url: str | None, max_words: int, overlap_words: int, stream: TextIO | None
) -> tuple[list[TextChunk], list[Any], int]:
    from lightspeed_ogx.minilm.encoder import MiniLMEncoder

    files = find_files(folder)
    if not files:
        raise IndexingError(f"no Markdown, text or PDF files under {folder}")
    chunks: list[TextChunk] = []
    reading = Progress("reading  ", len(files), stream)
    for path in files:
        document = read_document(path, folder, base_url)
        chunks.extend(chunk_document(document, max_words, overlap_words))
        reading.advance(note=path.name)
    if not chunks:
        raise IndexingError(f"the files under {folder} contain no text")
    encoder = MiniLMEncoder()
    embedding = Progress("embedding", len(chunks), stream)
    vectors: list[Any] = []
    for start in range(0, len(chunks), BATCH):
        batch = chunks[start : start + BATCH]
        vectors.extend(encoder.encode([c.content for c in batch]))
        embedding.advance(len(batch))
    return chunks, vectors, len(files)


def _replace(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.unlink(missing_ok=True)


async def build_store(
    folder: Path,
    store: str,
    db_path: Path,
    *,
    vector_db_id: str | None = None,
    base_url: str | None = None,
    max_words: int = 180,
    overlap_words: int = 20,
    stream: TextIO | None = None,
) -> IndexResult:
    """Index every Markdown/text/PDF file under ``folder`` into a faiss store at ``db_path``.

    Reading and embedding run in a worker thread; the store is written through OGX.
    """
    chunks, vectors, files = await asyncio.to_thread(
        _prepare, folder, base_url, max_words, overlap_words, stream
    )
    await asyncio.to_thread(_replace, db_path)
    identifier = vector_db_id or store
    await _write(db_path, store, identifier, chunks, vectors)
    return IndexResult(store, identifier, db_path, files, len(chunks))


def index_folder(folder: Path, store: str, db_path: Path, **options: Any) -> IndexResult:
    """:func:`build_store` for synchronous callers (the CLI)."""
    return asyncio.run(build_store(folder, store, db_path, **options))


def config_snippet(result: IndexResult) -> str:
    """The ``rag`` section that serves the store inline (paste into lightspeed-stack.yaml)."""
    section = {
        "rag": {
            "byok": {
                "stores": [
                    {
                        "rag_id": result.store,
                        "backend": "faiss",
                        "db_path": str(result.db_path),
                        "vector_db_id": result.vector_db_id,
                        "embedding_model": EMBEDDING_MODEL_ID,
                        "embedding_dimension": EMBEDDING_DIMENSION,
                    }
                ]
            },
            "retrieval": {"inline": {"sources": [result.store]}},
        }
    }
    return yaml.safe_dump(section, sort_keys=False)


def run_index(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    """CLI entry: index ``args.folder``, then print the config snippet on ``stream``."""
    out = stream or sys.stdout
    db_path: Path = args.db or Path(f"{args.store}.faiss.db")
    try:
        result = index_folder(
            args.folder,
            args.store,
            db_path.expanduser().absolute(),
            vector_db_id=args.vector_db_id,
            base_url=args.base_url,
        )
    except IndexingError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    out.write(
        f"indexed {result.documents} file(s), {result.chunks} chunk(s) into {result.db_path}\n"
        "add this to lightspeed-stack.yaml:\n\n"
    )
    out.write(config_snippet(result))
    return 0
