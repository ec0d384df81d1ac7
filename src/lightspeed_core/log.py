"""Logging: one setup function, readable lines, secrets never printed.

``LIGHTSPEED_STACK_LOG_LEVEL`` sets the level (default INFO). A filter on every handler
masks bearer tokens and ``Authorization`` header values in messages and arguments.
"""

from __future__ import annotations

import logging
import os
import re
import sys

_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)((?:authorization|api[_-]?key|password|token)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"
    ),
)
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def redact(text: str) -> str:
    """Mask credentials in a log message."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with credentials masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_HANDLER: logging.Handler | None = None
_LEVEL = "INFO"


def _handler() -> logging.Handler:
    global _HANDLER
    if _HANDLER is None:
        _HANDLER = logging.StreamHandler(sys.stderr)
        _HANDLER.setFormatter(logging.Formatter(FORMAT, "%H:%M:%S"))
        _HANDLER.addFilter(RedactingFilter())
    return _HANDLER


def setup_logging(level: str | None = None) -> None:
    """Configure the root logger (idempotent)."""
    global _LEVEL  # noqa: PLW0603 - remembered so reclaim_logging can restore it
    chosen = (level or os.environ.get("LIGHTSPEED_STACK_LOG_LEVEL") or _LEVEL).upper()
    _LEVEL = chosen
    root = logging.getLogger()
    handler = _handler()
    if handler not in root.handlers:
        root.addHandler(handler)
    root.setLevel(chosen)
    for noisy in ("httpx", "httpcore", "aiosqlite", "asyncio", "faiss", "multipart"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def reclaim_logging() -> None:
    """Undo what importing/initialising OGX does to logging.

    OGX's ``setup_logging`` replaces the root handlers with its own, sets every other
    logger to WARNING and gives uvicorn and its category loggers private handlers. Put our
    handler back on the root, let those loggers propagate to it, and restore our levels
    (OGX's per-category levels from ``OGX_LOGGING`` are kept).
    """
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing is not _HANDLER:
            root.removeHandler(existing)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if not isinstance(logger, logging.Logger):
            continue
        if name.startswith(("ogx", "uvicorn")) and logger.handlers:
            for existing in list(logger.handlers):
                logger.removeHandler(existing)
            logger.propagate = True
        if name.startswith(("lightspeed_core", "lightspeed_ogx", "uvicorn")):
            logger.setLevel(logging.NOTSET)
    setup_logging(_LEVEL)
