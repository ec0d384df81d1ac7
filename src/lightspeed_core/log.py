"""Logging: one setup function, readable lines, secrets never printed.

``LIGHTSPEED_STACK_LOG_LEVEL`` sets the level (default INFO). A filter on every handler
masks bearer tokens and ``Authorization`` header values in messages and arguments.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import Iterator

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
    """Configure the root logger (idempotent); ``level`` e.g. ``LIGHTSPEED_STACK_LOG_LEVEL``."""
    global _LEVEL
    chosen = (level or _LEVEL).upper()
    _LEVEL = chosen
    root = logging.getLogger()
    handler = _handler()
    if handler not in root.handlers:
        root.addHandler(handler)
    root.setLevel(chosen)
    for noisy in (
        "httpx",
        "httpx2",
        "httpcore",
        "httpcore2",
        "aiosqlite",
        "asyncio",
        "faiss",
        "multipart",
        "alembic.runtime.plugins",  # one line per autogenerate plugin on every start
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextlib.contextmanager
def preserved_logging() -> Iterator[None]:
    """Undo whatever logging changes the block makes.

    OGX's client constructor runs ``logging.config.dictConfig``: it replaces root handlers,
    sets other loggers to WARNING and gives uvicorn and its own loggers private handlers.

    Loggers that existed are restored exactly; loggers created inside the block (OGX's
    categories) lose their private handlers and propagate to ours, keeping their levels
    (``OGX_LOGGING``).
    """
    root = logging.getLogger()
    saved_root = (list(root.handlers), root.level)
    saved = {
        name: (logger.level, logger.propagate, list(logger.handlers), logger.disabled)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.handlers[:] = saved_root[0]
        root.setLevel(saved_root[1])
        for name, logger in list(logging.root.manager.loggerDict.items()):
            if not isinstance(logger, logging.Logger):
                continue
            if name in saved:
                logger.level, logger.propagate, handlers, logger.disabled = saved[name]
                logger.handlers[:] = handlers
            elif logger.handlers:
                logger.handlers.clear()
                logger.propagate = True
