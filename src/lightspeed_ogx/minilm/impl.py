"""The OGX inference provider object serving MiniLM embeddings."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from ogx_api import (
    Model,
    OpenAIEmbeddingData,
    OpenAIEmbeddingsRequestWithExtraBody,
    OpenAIEmbeddingsResponse,
    OpenAIEmbeddingUsage,
)

from .config import MiniLMEmbeddingConfig
from .runner import shared_runner

EMBEDDING_DIMENSION = 384


class MiniLMEmbeddings:
    """Embeddings only; chat and completion raise ``NotImplementedError``.

    The encoder runs in its own thread (:mod:`lightspeed_ogx.minilm.runner`), shared with
    the service's OKP query vectors.
    """

    __provider_id__: str

    def __init__(self, config: MiniLMEmbeddingConfig) -> None:
        self.config = config
        model_dir = config.model_dir
        self._runner = shared_runner(Path(model_dir).expanduser() if model_dir else None)

    async def initialize(self) -> None:
        """Nothing to do: the weights load on first use, so unused embeddings cost no memory."""

    async def shutdown(self) -> None:
        return None

    async def health(self) -> dict[str, Any]:
        return {"status": "OK"}

    async def should_refresh_models(self) -> bool:
        return False

    async def list_models(self) -> list[Model] | None:
        """Nothing: the run config registers the model explicitly (``registered_resources``).

        OGX persists where each model came from; a model that is sometimes listed by its
        provider and sometimes registered (RAG stores need it registered before providers are
        asked) makes OGX refuse to start. Registering it always keeps the source stable.
        """
        return []

    async def register_model(self, model: Model) -> Model:
        return model

    async def unregister_model(self, model_id: str) -> None:
        return None

    async def openai_completion(self, params: Any) -> Any:
        raise NotImplementedError("the MiniLM provider only serves embeddings")

    async def openai_chat_completion(self, params: Any) -> Any:
        raise NotImplementedError("the MiniLM provider only serves embeddings")

    async def openai_embeddings(
        self, params: OpenAIEmbeddingsRequestWithExtraBody
    ) -> OpenAIEmbeddingsResponse:
        texts = [params.input] if isinstance(params.input, str) else list(params.input)
        if not texts or not all(isinstance(t, str) for t in texts):
            raise ValueError("embeddings input must be a non-empty string or list of strings")
        strings: list[str] = [str(t) for t in texts]
        vectors, tokens = await self._runner.encode(strings)
        data = []
        for index, vector in enumerate(vectors):
            value: list[float] | str
            if params.encoding_format == "base64":
                value = base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
            else:
                value = vector.tolist()
            data.append(OpenAIEmbeddingData(embedding=value, index=index))
        return OpenAIEmbeddingsResponse(
            data=data,
            model=params.model,
            usage=OpenAIEmbeddingUsage(prompt_tokens=tokens, total_tokens=tokens),
        )
