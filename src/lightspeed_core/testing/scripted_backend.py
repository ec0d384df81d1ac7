"""A scripted OpenAI-compatible LLM server for tests and benchmarks.

It answers ``/v1/chat/completions`` (streaming and not), ``/v1/models`` and
``/v1/embeddings`` deterministically. Behaviour is chosen by *directives* in the last user
message, so a test drives it through the real service and real OGX::

    [[say:Some text]]        answer with this text (default: "Hello from stub")
    [[error:429]]            answer HTTP 429 (rate limit), [[error:500]], [[error:503]] ...
    [[error:context]]        answer HTTP 400 "maximum context length" (context_length_exceeded)
    [[slow:0.05]]            wait this many seconds before every streamed chunk
    [[delay:0.2]]            wait this long before answering at all
    [[tool:NAME {"a": 1}]]   call tool NAME with these JSON arguments (once; several tool
                             directives are called one per round, in order; after the last
                             tool result comes back the answer is "Tool said: <result>")
    [[loop:NAME {"a": 1}]]   call tool NAME in every round, whatever comes back (limits)
    [[cut]]                  stream two chunks, then drop the connection
    [[tokens:N]]             stream N chunks ("tok0 tok1 ...")

Authentication: every chat request's bearer token is recorded (``bearers``); when
``require_bearer`` is set, a request with another token is answered 401 as OpenAI does.

Usage is deterministic: ``prompt_tokens`` = number of whitespace-separated words in all
messages, ``completion_tokens`` = number of streamed text chunks (at most ``max_tokens`` /
``max_completion_tokens`` when the request sets one; the answer then ends with
``finish_reason: length``). Every request body is
recorded; ``GET /__scripted/requests`` returns them and ``DELETE`` clears them.

Run standalone: ``python -m lightspeed_core.testing.scripted_backend --port 8555``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

DEFAULT_TEXT = "Hello from stub"
DEFAULT_MODEL = "stub-model"
_DIRECTIVE = re.compile(r"\[\[(\w+)(?::|\s)?(.*?)\]\]", re.DOTALL)


@dataclass
class Script:
    """What to do for one request, parsed from the directives of the last user message."""

    text: str = DEFAULT_TEXT
    error: str | None = None
    slow: float = 0.0
    delay: float = 0.0
    tool: tuple[str, str] | None = None
    tool_round: int = 1  # numbers the call id: call_scripted_<round>
    cut: bool = False
    chunks: list[str] = field(default_factory=list)
    truncated: bool = False  # cut to the request's max_tokens


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def parse_script(messages: list[dict[str, Any]]) -> Script:
    """Derive the script from the conversation sent by the client."""
    script = Script()
    users = [m for m in messages if m.get("role") == "user"]
    last_user = _content_text(users[-1].get("content")) if users else ""
    tool_results = [m for m in messages if m.get("role") == "tool"]
    tools: list[tuple[str, str]] = []
    loop: list[tuple[str, str]] = []
    for name, arg in _DIRECTIVE.findall(last_user):
        arg = arg.strip()
        if name == "say":
            script.text = arg
        elif name == "error":
            script.error = arg
        elif name == "slow":
            script.slow = float(arg)
        elif name == "delay":
            script.delay = float(arg)
        elif name in ("tool", "loop"):
            tool_name, _, args = arg.partition(" ")
            (loop if name == "loop" else tools).append((tool_name, args.strip() or "{}"))
        elif name == "cut":
            script.cut = True
        elif name == "tokens":
            script.chunks = [f"tok{i} " for i in range(int(arg))]
    script.tool_round = len(tool_results) + 1
    if loop:
        script.tool = loop[-1]
    elif len(tool_results) < len(tools):
        script.tool = tools[len(tool_results)]
    elif tool_results:
        script.text = "Tool said: " + _content_text(tool_results[-1].get("content"))
    if not script.chunks:
        # the reference's chunking: "Hello", " from", " stub"
        script.chunks = re.findall(r"\s*\S+", script.text) or [script.text]
    return script


def count_words(messages: list[dict[str, Any]]) -> int:
    """Deterministic stand-in for a tokenizer: words across all messages."""
    return max(1, sum(len(_content_text(m.get("content")).split()) for m in messages))


class ScriptedBackend:
    """The ASGI app plus its request log."""

    def __init__(self, models: list[str] | None = None) -> None:
        self.models = models or [DEFAULT_MODEL]
        self.requests: list[dict[str, Any]] = []
        self.bearers: list[str | None] = []
        self.require_bearer: str | None = None
        self.app = Starlette(
            routes=[
                Route("/v1/models", self._models, methods=["GET"]),
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
                Route("/__scripted/requests", self._log, methods=["GET", "DELETE"]),
            ]
        )

    async def _models(self, _request: Request) -> Response:
        data = [
            {"id": m, "object": "model", "created": 0, "owned_by": "scripted"} for m in self.models
        ]
        return JSONResponse({"object": "list", "data": data})

    async def _log(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.requests.clear()
        return JSONResponse(self.requests)

    async def _embeddings(self, request: Request) -> Response:
        body = await request.json()
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": _fake_embedding(str(t))}
            for i, t in enumerate(inputs)
        ]
        usage = {"prompt_tokens": len(inputs), "total_tokens": len(inputs)}
        return JSONResponse(
            {"object": "list", "data": data, "model": body["model"], "usage": usage}
        )

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        authorization = request.headers.get("authorization", "")
        bearer = authorization[7:] if authorization.lower().startswith("bearer ") else None
        self.bearers.append(bearer)
        if self.require_bearer is not None and bearer != self.require_bearer:
            return JSONResponse(
                {
                    "error": {
                        "message": "Incorrect API key provided",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
                status_code=401,
            )
        messages = body.get("messages", [])
        script = parse_script(messages)
        if script.delay:
            await asyncio.sleep(script.delay)
        if script.error:
            return _error(script.error)
        prompt_tokens = count_words(messages)
        cap = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(cap, int) and 0 < cap < len(script.chunks):
            script.chunks = script.chunks[:cap]
            script.truncated = True
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            stream = _stream(body["model"], script, prompt_tokens, include_usage)
            return StreamingResponse(stream, media_type="text/event-stream")
        return JSONResponse(_completion(body["model"], script, prompt_tokens))


def _fake_embedding(text: str, dim: int = 8) -> list[float]:
    values = [float((hash(text) >> (i * 4)) % 17) for i in range(dim)]
    norm = sum(v * v for v in values) ** 0.5 or 1.0
    return [v / norm for v in values]


def _error(kind: str) -> Response:
    if kind == "context":
        message = (
            "This model's maximum context length is 4096 tokens. However, your messages "
            "resulted in 5000 tokens. Please reduce the length of the messages."
        )
        body = {
            "message": message,
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
        }
        return JSONResponse({"error": body}, status_code=400)
    status = int(kind)
    if status == 429:  # what OpenAI sends for a rate limit
        body = {
            "message": "Rate limit reached for requests (scripted)",
            "type": "requests",
            "code": "rate_limit_exceeded",
        }
    else:
        body = {"message": f"scripted error {status}", "type": "scripted_error"}
    return JSONResponse({"error": body}, status_code=status)


def _completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _tool_call(script: Script) -> dict[str, Any]:
    assert script.tool is not None
    name, args = script.tool
    return {
        "index": 0,
        "id": f"call_scripted_{script.tool_round}",
        "type": "function",
        "function": {"name": name, "arguments": args},
    }


def _completion(model: str, script: Script, prompt_tokens: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": "".join(script.chunks)}
    finish = "length" if script.truncated else "stop"
    if script.tool:
        call = _tool_call(script)
        call.pop("index")
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
        finish = "tool_calls"
    return {
        "id": _completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": _usage(prompt_tokens, 0 if script.tool else len(script.chunks)),
    }


async def _stream(
    model: str, script: Script, prompt_tokens: int, include_usage: bool
) -> AsyncIterator[bytes]:
    created = int(time.time())
    completion_id = _completion_id()

    def frame(choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> bytes:
        chunk: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": choices,
        }
        if usage is not None:
            chunk["usage"] = usage
        return b"data: " + json.dumps(chunk).encode() + b"\n\n"

    yield frame(
        [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]
    )
    if script.tool:
        yield frame(
            [{"index": 0, "delta": {"tool_calls": [_tool_call(script)]}, "finish_reason": None}]
        )
        yield frame([{"index": 0, "delta": {}, "finish_reason": "tool_calls"}])
        completion_tokens = 1
    else:
        for n, piece in enumerate(script.chunks):
            if script.slow:
                await asyncio.sleep(script.slow)
            if script.cut and n == 2:
                raise ConnectionResetError("scripted cut")
            yield frame([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
        finish = "length" if script.truncated else "stop"
        yield frame([{"index": 0, "delta": {}, "finish_reason": finish}])
        completion_tokens = len(script.chunks)
    if include_usage:
        yield frame([], _usage(prompt_tokens, completion_tokens))
    yield b"data: [DONE]\n\n"


class BackgroundServer:
    """Run the scripted backend in a daemon thread (own event loop) on 127.0.0.1."""

    def __init__(self, backend: ScriptedBackend | None = None, port: int = 0) -> None:
        self.backend = backend or ScriptedBackend()
        config = uvicorn.Config(
            self.backend.app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="scripted-llm")

    @property
    def port(self) -> int:
        sockets = self._server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("scripted backend did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def main() -> None:
    """Serve the scripted backend in the foreground."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8555)
    parser.add_argument("--model", action="append", help="model id to list (repeatable)")
    args = parser.parse_args()
    uvicorn.run(
        ScriptedBackend(args.model).app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
