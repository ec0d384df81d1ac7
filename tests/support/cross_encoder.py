"""A small cross-encoder in Hugging Face's layout, for tests (no package ships real weights).

Built from the bundled all-MiniLM-L6-v2 (two of its layers, its pooler) plus a random
one-logit classifier: the same tensors and files as ``cross-encoder/ms-marco-MiniLM-L6-v2``
(``config.json``, ``model.safetensors`` with ``bert.*`` and ``classifier.*``,
``tokenizer.json``), with other values - so it ranks, but not meaningfully.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from lightspeed_ogx.minilm.encoder import bundled_model_dir


def build_cross_encoder(folder: Path, seed: int = 7) -> Path:
    """Write the model into ``folder`` and return it."""
    source = bundled_model_dir()
    config = json.loads((source / "config.json").read_text())
    config.update(num_hidden_layers=2, architectures=["BertForSequenceClassification"])
    (folder / "config.json").write_text(json.dumps(config))
    shutil.copy(source / "tokenizer.json", folder / "tokenizer.json")
    weights = {
        f"bert.{name}": value
        for name, value in load_file(str(source / "model.safetensors")).items()
        if not name.startswith("encoder.layer.") or name.split(".")[2] in ("0", "1")
    }
    rng = np.random.default_rng(seed)
    weights["classifier.weight"] = rng.normal(0, 3.0, (1, 384)).astype(np.float32)
    weights["classifier.bias"] = np.zeros(1, np.float32)
    save_file(weights, str(folder / "model.safetensors"))
    return folder
