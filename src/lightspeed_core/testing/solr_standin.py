"""A local stand-in for OKP's Solr: the select API with the fields the service reads.

No Solr server can be installed here, so tests of OKP retrieval talk to this small Starlette
app instead. It serves ``GET|POST /solr/<collection>/select`` with the subset of Solr the
service uses (:mod:`lightspeed_core.rag.okp`), implemented with Solr's semantics:

* ``q`` free text with ``defType=edismax`` and ``qf`` (BM25, k1=1.2, b=0.75, field boosts
  ``name^2``); ``q={!knn f=<field> topK=<k>}[v1,...]`` (score ``(1 + cosine) / 2``, as
  Solr's cosine similarity);
* ``rq={!rerank reRankQuery=$rqq reRankDocs=<n> reRankWeight=<w>}`` with ``rqq`` a knn
  query: the top ``n`` are re-scored ``score + w * knn score`` and re-ordered;
* ``fq`` (repeatable, all must match): ``field:value``, ``field:"quoted"``, ``field:a*``
  wildcards, ``field:("a" OR "b")``, ranges ``[a TO b]`` / ``{a TO *]``, ``*:*``, ``-clause``,
  ``AND`` / ``OR`` and parentheses;
* ``fl`` (with ``score``), ``rows``, ``wt=json``; the response is Solr's
  ``{"responseHeader": ..., "response": {"numFound", "start", "docs": [...]}}``.

Every request's parameters are recorded in :attr:`SolrStandIn.requests`.
"""

from __future__ import annotations

import fnmatch
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Doc = dict[str, Any]
Params = dict[str, list[str]]
_LOCAL = re.compile(r"^\{!(\w+)([^}]*)\}(.*)$", re.DOTALL)
_TOKEN = re.compile(
    r"""\s*(?:(?P<open>\()|(?P<close>\))|(?P<op>AND|OR|NOT)(?=[\s(])|(?P<all>\*:\*)|(?P<neg>-)
    |(?P<field>[A-Za-z_][\w.]*):(?P<value>"(?:[^"\\]|\\.)*"|[\[{][^\]}]*[\]}]
    |\((?:[^()"]|"(?:[^"\\]|\\.)*")*\)|[^\s()]+))""",
    re.VERBOSE,
)
_WORD = re.compile(r"\w+")


class SolrSyntaxError(ValueError):
    """A query this stand-in does not understand (answered 400 like Solr)."""


def _values(doc: Doc, field: str) -> list[Any]:
    value = doc.get(field)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1]) if text.startswith('"') else text


def _term_matches(actual: Any, wanted: str) -> bool:
    if wanted.startswith('"'):
        return str(actual) == _unquote(wanted)
    if isinstance(actual, bool):
        return str(actual).lower() == wanted.lower()
    return fnmatch.fnmatchcase(str(actual).lower(), wanted.lower())


def _as_number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _in_range(actual: Any, spec: str) -> bool:
    low, high = (part.strip() for part in spec[1:-1].split(" TO "))
    value = _as_number(str(actual))
    if low != "*":
        bound = _as_number(_unquote(low))
        if value < bound if spec[0] == "[" else value <= bound:
            return False
    if high != "*":
        bound = _as_number(_unquote(high))
        if value > bound if spec[-1] == "]" else value >= bound:
            return False
    return True


def _clause_matches(doc: Doc, field: str, value: str) -> bool:
    actual = _values(doc, field)
    if value[0] in "[{":
        return any(_in_range(a, value) for a in actual)
    if value.startswith("("):
        options = re.findall(r'"(?:[^"\\]|\\.)*"|[^\s()]+', value[1:-1])
        wanted = [o for o in options if o not in ("OR", "AND")]
        return any(_term_matches(a, w) for a in actual for w in wanted)
    return any(_term_matches(a, value) for a in actual)


class _FilterParser:
    """Recursive descent over the ``fq`` grammar above."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, str]] = []
        position, text = 0, text.strip()
        while position < len(text):
            match = _TOKEN.match(text, position)
            if not match or match.end() == position:
                raise SolrSyntaxError(f"cannot parse fq at {text[position:]!r}")
            if match.group("field"):
                self.tokens.append(("field", match.group("field"), match.group("value")))
            else:
                kind = next(k for k in ("open", "close", "op", "all", "neg") if match.group(k))
                self.tokens.append((kind, "", match.group(kind)))
            position = match.end()
        self.at = 0

    def parse(self) -> Callable[[Doc], bool]:
        test = self._sequence()
        if self.at != len(self.tokens):
            raise SolrSyntaxError("unbalanced parentheses in fq")
        return test

    def _sequence(self) -> Callable[[Doc], bool]:
        test = self._unary()
        while self.at < len(self.tokens) and self.tokens[self.at][0] != "close":
            kind, _, word = self.tokens[self.at]
            operator = word if kind == "op" and word in ("AND", "OR") else "OR"
            if kind == "op" and word in ("AND", "OR"):
                self.at += 1
            following = self.tokens[self.at] if self.at < len(self.tokens) else ("", "", "")
            if following[0] == "neg" or following[2] == "NOT":
                operator = "AND"
            test = _combine(test, operator, self._unary())
        return test

    def _unary(self) -> Callable[[Doc], bool]:
        if self.at >= len(self.tokens):
            raise SolrSyntaxError("fq ends too early")
        kind, field, value = self.tokens[self.at]
        self.at += 1
        if kind == "neg" or (kind == "op" and value == "NOT"):
            inner = self._unary()
            return lambda doc: not inner(doc)
        if kind == "open":
            inner = self._sequence()
            if self.at >= len(self.tokens) or self.tokens[self.at][0] != "close":
                raise SolrSyntaxError("missing ) in fq")
            self.at += 1
            return inner
        if kind == "all":
            return lambda _doc: True
        if kind == "field":
            return lambda doc: _clause_matches(doc, field, value)
        raise SolrSyntaxError(f"unexpected {value!r} in fq")


def _combine(
    left: Callable[[Doc], bool], operator: str, right: Callable[[Doc], bool]
) -> Callable[[Doc], bool]:
    if operator == "AND":
        return lambda doc: left(doc) and right(doc)
    return lambda doc: left(doc) or right(doc)


def _local_params(text: str) -> tuple[str, dict[str, str], str]:
    match = _LOCAL.match(text.strip())
    if not match:
        raise SolrSyntaxError(f"not a local-params query: {text[:40]!r}")
    pairs = dict(p.split("=", 1) for p in match.group(2).split() if "=" in p)
    return match.group(1), pairs, match.group(3)


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class SolrStandIn:
    """An in-memory Solr core for OKP's documents."""

    def __init__(self, docs: list[Doc] | None = None, collection: str = "portal") -> None:
        self.docs: list[Doc] = list(docs or [])
        self.collection = collection
        self.requests: list[Params] = []
        self.fail_with: int | None = None  # answer every request with this HTTP status
        route = Route(f"/solr/{collection}/select", self._select, methods=["GET", "POST"])
        self.app = Starlette(routes=[route])

    async def _select(self, request: Request) -> Response:
        params: Params = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "POST":
            for key, field in (await request.form()).multi_items():
                params.setdefault(key, []).append(str(field))
        self.requests.append(params)
        if self.fail_with is not None:
            return JSONResponse(
                {"error": {"msg": "failing", "code": self.fail_with}}, self.fail_with
            )
        try:
            docs = self.select(params)
        except SolrSyntaxError as exc:
            return JSONResponse({"error": {"msg": str(exc), "code": 400}}, 400)
        header = {"status": 0, "QTime": 1, "params": {k: v[-1] for k, v in params.items()}}
        body = {"numFound": len(docs), "start": 0, "numFoundExact": True, "docs": docs}
        return JSONResponse({"responseHeader": header, "response": body})

    def select(self, params: Params) -> list[Doc]:
        """Run one select request (the parameters as Solr receives them)."""
        pool = self.docs
        for fq in params.get("fq", []):
            test = _FilterParser(fq).parse()
            pool = [doc for doc in pool if test(doc)]
        query = params.get("q", ["*:*"])[-1]
        scored = self._query(query, params, pool)
        if "rq" in params:
            scored = self._rerank(params, scored, pool)
        rows = int(params.get("rows", ["10"])[-1])
        fields = [f for f in params.get("fl", ["*"])[-1].split(",") if f]
        return [self._project(doc, score, fields) for doc, score in scored[:rows]]

    def _query(self, query: str, params: Params, pool: list[Doc]) -> list[tuple[Doc, float]]:
        if query.startswith("{!"):
            return self._knn(query, pool)
        if query == "*:*":
            return [(doc, 1.0) for doc in pool]
        qf = params.get("qf", ["text"])[-1].split()
        return self._bm25(re.sub(r"\\(.)", r"\1", query), qf, pool)

    def _knn(self, query: str, pool: list[Doc]) -> list[tuple[Doc, float]]:
        parser, local, body = _local_params(query)
        if parser != "knn":
            raise SolrSyntaxError(f"unsupported query parser {parser!r}")
        vector = [float(x) for x in body.strip().strip("[]").split(",")]
        field, top = local["f"], int(local.get("topK", "10"))
        if not any(field in doc for doc in self.docs):
            raise SolrSyntaxError(f"undefined field {field}")
        scored = [
            (doc, (1.0 + _cosine(vector, doc[field])) / 2.0)
            for doc in pool
            if isinstance(doc.get(field), list) and len(doc[field]) == len(vector)
        ]
        return sorted(scored, key=lambda pair: pair[1], reverse=True)[:top]

    def _bm25(self, text: str, qf: list[str], pool: list[Doc]) -> list[tuple[Doc, float]]:
        terms = [t.lower() for t in _WORD.findall(text)]
        scores = [0.0] * len(pool)
        for spec in qf:
            field, _, boost_text = spec.partition("^")
            boost = float(boost_text or 1.0)
            corpus = [
                _WORD.findall(" ".join(map(str, _values(d, field))).lower()) for d in self.docs
            ]
            average = sum(map(len, corpus)) / max(len(corpus), 1) or 1.0
            for term in set(terms):
                having = sum(1 for words in corpus if term in words)
                idf = math.log(1 + (len(corpus) - having + 0.5) / (having + 0.5))
                for index, doc in enumerate(pool):
                    words = _WORD.findall(" ".join(map(str, _values(doc, field))).lower())
                    tf = words.count(term)
                    if tf:
                        norm = tf + 1.2 * (1 - 0.75 + 0.75 * len(words) / average)
                        scores[index] += boost * idf * tf * 2.2 / norm
        scored = [(doc, score) for doc, score in zip(pool, scores, strict=True) if score > 0]
        return sorted(scored, key=lambda pair: pair[1], reverse=True)

    def _rerank(
        self, params: Params, scored: list[tuple[Doc, float]], pool: list[Doc]
    ) -> list[tuple[Doc, float]]:
        parser, local, _ = _local_params(params["rq"][-1])
        if parser != "rerank":
            raise SolrSyntaxError(f"unsupported rq parser {parser!r}")
        reference = local["reRankQuery"]
        rerank_query = params[reference[1:]][-1] if reference.startswith("$") else reference
        depth = int(local.get("reRankDocs", "200"))
        weight = float(local.get("reRankWeight", "2.0"))
        second = {id(doc): score for doc, score in self._knn(rerank_query, pool)}
        top = [(doc, score + weight * second.get(id(doc), 0.0)) for doc, score in scored[:depth]]
        top.sort(key=lambda pair: pair[1], reverse=True)
        return top + scored[depth:]

    @staticmethod
    def _project(doc: Doc, score: float, fields: list[str]) -> Doc:
        wanted = [f for f in fields if f != "score"]
        out = dict(doc) if "*" in wanted else {f: doc[f] for f in wanted if f in doc}
        if "score" in fields:
            out["score"] = score
        return out


class BackgroundSolr:
    """Serve a :class:`SolrStandIn` on 127.0.0.1 in a daemon thread (own event loop)."""

    def __init__(self, standin: SolrStandIn) -> None:
        self.standin = standin
        config = uvicorn.Config(
            standin.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="solr")

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (what ``rag.okp.rhokp_url`` takes)."""
        port = self._server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> BackgroundSolr:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Solr stand-in did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def okp_doc(doc_id: str, title: str, chunk: str, **fields: Any) -> Mapping[str, Any]:
    """An OKP chunk document with the fields the service reads."""
    return {
        "id": f"{doc_id}_chunk_{fields.get('chunk_index', 0)}",
        "doc_id": doc_id,
        "parent_id": f"/documentation/{doc_id}",
        "reference_url": f"https://access.redhat.com/documentation/{doc_id}",
        "title": title,
        "chunk": chunk,
        "is_chunk": True,
        **fields,
    }
