"""Lightspeed Core: enterprise middleware between client applications and LLM backends.

Built on OGX (formerly Llama Stack), in-process ("library mode") or remote ("server mode").
See ``ARCHITECTURE.md`` for the package map and the request flow.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lightspeed-core")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
