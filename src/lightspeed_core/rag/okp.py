"""OKP (Red Hat Offline Knowledge Portal) retrieval: Solr's select API, called directly.

The reference reaches OKP's Solr through an OGX ``vector_io`` provider (``okp_solr``, store
``portal-rag``); this service sends the same searches itself, with ``httpx``, to
``<rhokp_url>/solr/portal/select`` (or to ``<rhokp_url>/select`` when ``rhokp_url``
already names a Solr collection, ``http://okp:8081/solr/portal``):

* ``keyword`` (and ``lexical``): BM25, ``defType=edismax`` over ``chunk`` and ``title``;
* ``semantic``: ``{!knn f=chunk_vector topK=<max_chunks>}[<query vector>]``;
* ``hybrid`` (the default): the keyword search, its best ``4 x max_chunks`` re-ranked by
  the vector search (``rq={!rerank reRankQuery=$rqq ...}``): the score is BM25 plus the
  vector similarity.

Every search is filtered by ``is_chunk:true``, ``rag.okp.chunk_filter_query`` and the
request's ``solr.filters`` (:mod:`lightspeed_core.rag.solr_filters`). Query vectors are
all-MiniLM-L6-v2 embeddings computed in this process (:class:`MiniLMQueryEmbedder`); when
they cannot be computed the search falls back to ``keyword``.

Citations: each chunk's ``title``; its URL is ``parent_id`` resolved against the OKP
server (``rag.okp.offline: true``, the default: the portal serves the document) or its
``reference_url`` (``offline: false``: the public page).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from lightspeed_core.config.models.rag import OKP_SOURCE_ID, OkpConfiguration
from lightspeed_core.rag.base import SolrOptions
from lightspeed_core.rag.inline import Hit
from lightspeed_core.rag.solr_filters import escape_text, filter_queries

log = logging.getLogger(__name__)

DEFAULT_URL = "http://localhost:8081"
COLLECTION = "portal"
CHUNK_FILTER = "is_chunk:true"
CONTENT_FIELD = "chunk"
VECTOR_FIELD = "chunk_vector"
FIELDS = ("id", "doc_id", "parent_id", "title", "reference_url", "chunk", "chunk_index")
KEYWORD_FIELDS = "chunk title^2"
HYBRID_POOL = 4
MODES = {"semantic": "semantic", "hybrid": "hybrid", "keyword": "keyword", "lexical": "keyword"}


class QueryEmbedder(Protocol):
    """Turns a question into the vector Solr's ``chunk_vector`` field is compared with."""

    async def embed(self, text: str) -> list[float]:
        """The query vector of ``text``."""
        ...


class MiniLMQueryEmbedder:
    """all-MiniLM-L6-v2 in numpy (the bundled weights), loaded on first use.

    In library mode it is the same copy, run in the same thread, as OGX's embedding
    provider (:mod:`lightspeed_ogx.minilm.runner`): a question searched in OKP and in a
    BYOK store at once is embedded once.
    """

    async def embed(self, text: str) -> list[float]:
        from lightspeed_ogx.minilm.runner import shared_runner

        vectors, _tokens = await shared_runner().encode([text])
        return [float(x) for x in vectors[0]]


@dataclass(frozen=True, slots=True)
class OkpQuery:
    """One OKP search, planned: the mode and the filter queries (checked before any I/O)."""

    text: str
    mode: str
    filters: tuple[str, ...]
    rows: int | None = None  # None: rag.okp.max_chunks


def select_url(rhokp_url: str | None) -> str:
    """The Solr select endpoint for ``rag.okp.rhokp_url``."""
    base = (rhokp_url or DEFAULT_URL).rstrip("/")
    if "/solr/" in urlsplit(base).path:
        return base + "/select"
    return base.removesuffix("/solr") + f"/solr/{COLLECTION}/select"


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _vector_text(vector: list[float]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"


class OkpSearch:
    """Searches OKP's Solr for the chunks of one question."""

    def __init__(
        self,
        config: OkpConfiguration,
        embedder: QueryEmbedder | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._config = config
        self._embedder = embedder
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0))
        self.url = select_url(config.rhokp_url)
        self._origin = "{0.scheme}://{0.netloc}/".format(urlsplit(self.url))

    def plan(self, text: str, options: SolrOptions | None, rows: int | None = None) -> OkpQuery:
        """Resolve the mode and build the filters (:class:`SolrFilterError` when invalid).

        ``rows`` overrides ``rag.okp.max_chunks`` (the OKP tool uses its own ``max_chunks``).
        """
        requested = options.mode if options and options.mode else None
        mode = MODES.get(requested or self._config.search_mode or "hybrid", "hybrid")
        filters = [CHUNK_FILTER]
        if self._config.chunk_filter_query:
            filters.append(self._config.chunk_filter_query)
        filters += filter_queries(options.filters if options else None)
        return OkpQuery(text, mode, tuple(filters), rows)

    def params(self, query: OkpQuery, vector: list[float] | None) -> list[tuple[str, str]]:
        """The select parameters of ``query`` (``vector`` is required unless ``keyword``)."""
        rows = query.rows or self._config.max_chunks
        params = [("wt", "json"), ("rows", str(rows)), ("fl", ",".join((*FIELDS, "score")))]
        params += [("fq", fq) for fq in query.filters]
        if query.mode == "semantic" and vector is not None:
            knn = f"{{!knn f={VECTOR_FIELD} topK={rows}}}{_vector_text(vector)}"
            return [*params, ("q", knn)]
        params += [("q", escape_text(query.text)), ("defType", "edismax")]
        params += [("qf", KEYWORD_FIELDS), ("q.op", "OR")]
        if query.mode == "hybrid" and vector is not None:
            pool = rows * HYBRID_POOL
            params += [
                ("rq", f"{{!rerank reRankQuery=$rqq reRankDocs={pool} reRankWeight=1}}"),
                ("rqq", f"{{!knn f={VECTOR_FIELD} topK={pool}}}{_vector_text(vector)}"),
            ]
        return params

    async def _vector(self, query: OkpQuery) -> list[float] | None:
        if query.mode == "keyword" or self._embedder is None:
            return None
        try:
            return await self._embedder.embed(query.text)
        except Exception as exc:  # fall back to a keyword search rather than fail
            log.warning("OKP: no query vector (%s); searching by keywords", exc)
            return None

    async def search(self, query: OkpQuery) -> list[Hit]:
        """The best chunks, best first (transport and Solr errors raise).

        A vector search Solr refuses (400: no ``chunk_vector`` field, another dimension) is
        retried once by keywords.
        """
        vector = await self._vector(query)
        response = await self._select(self.params(query, vector))
        if response.status_code == httpx.codes.BAD_REQUEST and vector is not None:
            log.warning("OKP refused the vector search (%s); searching by keywords", response.text)
            response = await self._select(self.params(query, None))
        response.raise_for_status()
        docs = response.json().get("response", {}).get("docs", [])
        return [hit for doc in docs if (hit := self._hit(doc)) is not None]

    async def _select(self, params: list[tuple[str, str]]) -> httpx.Response:
        return await self._http.post(
            self.url,
            content=urlencode(params),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def citation_url(self, doc: Mapping[str, Any]) -> str | None:
        """``parent_id`` on the OKP server (offline) or ``reference_url`` (online)."""
        if self._config.offline:
            parent = _first(doc.get("parent_id"))
            return urljoin(self._origin, str(parent).lstrip("/")) if parent else None
        url = _first(doc.get("reference_url"))
        return str(url) if url else None

    def _hit(self, doc: Mapping[str, Any]) -> Hit | None:
        content = _first(doc.get(CONTENT_FIELD))
        if not content:
            return None
        attributes: dict[str, Any] = {}
        for name in ("doc_id", "title", "parent_id"):
            if (value := _first(doc.get(name))) is not None:
                attributes[name] = value
        if not self._config.offline and (url := _first(doc.get("reference_url"))):
            attributes["reference_url"] = url
        if url := self.citation_url(doc):
            attributes["doc_url"] = url
        return Hit(str(content), float(doc.get("score") or 0.0), OKP_SOURCE_ID, attributes)

    async def aclose(self) -> None:
        await self._http.aclose()
