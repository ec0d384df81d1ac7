"""A MiniLM cross-encoder (``cross-encoder/ms-marco-MiniLM-L6-v2``) in numpy, no torch.

The same BERT forward pass as :class:`~lightspeed_ogx.minilm.encoder.MiniLMEncoder`, on the
pair ``[CLS] query [SEP] passage [SEP]`` (token types 0 and 1), then what
``BertForSequenceClassification`` adds: the pooler (dense + tanh on ``[CLS]``) and the
one-logit classifier. The weights are read from a local folder in Hugging Face's layout
(``config.json``, ``model.safetensors``, ``tokenizer.json``); no package ships them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .encoder import Array, MiniLMEncoder

CROSS_ENCODER_FILES = ("config.json", "model.safetensors", "tokenizer.json")
_HEAD = ("pooler.dense.weight", "pooler.dense.bias", "classifier.weight", "classifier.bias")


class MiniLMCrossEncoder(MiniLMEncoder):
    """Relevance logits of (query, passage) pairs."""

    def __init__(self, model_dir: Path, max_seq_length: int = 512) -> None:
        super().__init__(model_dir, max_seq_length=max_seq_length)
        missing = [name for name in _HEAD if name not in self._w]
        if missing:
            raise ValueError(f"{model_dir} holds no cross-encoder head ({', '.join(missing)})")

    def score(self, query: str, passages: list[str], batch_size: int = 16) -> Array:
        """One logit per passage (higher is more relevant)."""
        out = np.zeros(len(passages), np.float32)
        for start in range(0, len(passages), batch_size):
            chunk = passages[start : start + batch_size]
            out[start : start + len(chunk)] = self._score_batch(query, chunk)
        return out

    def _score_batch(self, query: str, passages: list[str]) -> Array:
        encodings = self._tokenizer.encode_batch([(query, passage) for passage in passages])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self._embed(ids, types)
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in range(self.layers):
            hidden = self._layer(hidden, bias, f"encoder.layer.{layer}.")
        pooled = np.tanh(self._dense(hidden[:, 0], "pooler.dense"))
        logits: Array = self._dense(pooled, "classifier")[:, 0].astype(np.float32)
        return logits
