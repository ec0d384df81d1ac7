"""The real llama.cpp engine (xllamacpp) behind the local-model provider, on the bundled Gemma."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lightspeed_ogx.llamacpp.config import LlamaCppInferenceConfig
from lightspeed_ogx.llamacpp.engine import EngineError, XLlamaModel
from lightspeed_ogx.llamacpp.generate import ContextLengthExceededError
from lightspeed_ogx.llamacpp.impl import resolve_model_path
from tests.unit.lightspeed_ogx.llamacpp.fakes import PieceRecorder

pytestmark = [pytest.mark.slow, pytest.mark.localmodel, pytest.mark.xdist_group("localmodel")]

N_CTX = 512


@pytest.fixture(scope="module")
def model() -> Iterator[XLlamaModel]:
    engine = XLlamaModel(resolve_model_path(LlamaCppInferenceConfig()), n_ctx=N_CTX, n_threads=1)
    yield engine
    engine.close()


def test_tokenize_starts_with_bos_and_leaves_special_text_alone(model: XLlamaModel) -> None:
    plain = model.tokenize(b"Question: What is Kubernetes?\nAnswer:")
    assert plain[0] == 2  # Gemma's <bos>
    assert model.tokenize(b"Question:", add_bos=False) == plain[1:3]
    # "<eos>" typed by a user is text, not the end-of-sequence token
    assert 1 not in model.tokenize(b"<eos> and <bos>")


@pytest.mark.parametrize(
    "prompt", ["Question: What is Kubernetes?\nAnswer:", "Emoji list: 🦙🦙🦙 🧬🧬 🪐🪐🪐 🦙"]
)
def test_token_counts_are_exact_and_text_is_whole_characters(
    model: XLlamaModel, prompt: str
) -> None:
    pieces = PieceRecorder()
    tokens = model.tokenize(prompt.encode())
    model.generate(tokens, 24, pieces, temp=0.0, repeat_penalty=1.0, top_k=1, ignore_eos=True)
    assert pieces.tokens == 24
    assert pieces.text  # every piece is valid UTF-8 on its own, so the join decodes
    for piece, _ in pieces.pieces:
        piece.decode("utf-8")


def test_the_handler_stops_the_generation_and_the_next_one_runs(model: XLlamaModel) -> None:
    tokens = model.tokenize(b"Write a long story about a cat:")
    stopped = PieceRecorder(stop_after=3)
    model.generate(tokens, 200, stopped, temp=0.0, repeat_penalty=1.0, ignore_eos=True)
    assert len(stopped.pieces) == 3
    again = PieceRecorder()
    model.generate(tokens, 5, again, temp=0.0, repeat_penalty=1.0, ignore_eos=True)
    assert again.tokens == 5
    assert again.text.startswith(stopped.text)  # greedy: the same start


def test_an_exception_in_the_handler_reaches_the_caller(model: XLlamaModel) -> None:
    def failing(piece: bytes, tokens: int) -> bool:
        raise LookupError("consumer gone")

    with pytest.raises(LookupError, match="consumer gone"):
        model.generate(model.tokenize(b"Hello"), 5, failing, temp=0.0, repeat_penalty=1.0)


def test_a_prompt_over_the_context_is_refused_by_the_engine(model: XLlamaModel) -> None:
    tokens = model.tokenize(b"word " * N_CTX)
    with pytest.raises(ContextLengthExceededError, match="context_length_exceeded"):
        model.generate(tokens, 5, PieceRecorder(), temp=0.0, repeat_penalty=1.0)


def test_the_loopback_listener_refuses_requests_without_the_key(model: XLlamaModel) -> None:
    for route, body in (("/tokenize", {"content": "hi"}), ("/v1/completions", {"prompt": "hi"})):
        response = httpx.post(model._url + route, json=body, timeout=10, trust_env=False)
        assert response.status_code == 401


def test_a_proxy_is_bypassed_and_close_right_after_loading_stops_the_listener(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    # loading tokenizes through the loopback listener: it fails if the proxy is used
    engine = XLlamaModel(resolve_model_path(LlamaCppInferenceConfig()), n_ctx=256, n_threads=1)
    url = engine._url
    engine.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/health", timeout=5, trust_env=False)


def test_a_file_llama_cpp_cannot_load_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "truncated.gguf"
    bad.write_bytes(resolve_model_path(LlamaCppInferenceConfig()).read_bytes()[:100_000])
    with pytest.raises(EngineError, match=r"could not load .*truncated\.gguf"):
        XLlamaModel(bad, n_ctx=256, n_threads=1)
