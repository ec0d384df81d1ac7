"""Warnings for configured keys whose feature this service does not implement (yet).

The reference service accepts these keys; so do we, so existing files keep loading. Each
row of :data:`INACTIVE_SETTINGS` says when a key counts as "set" and what to tell the user.
When a feature lands, delete its row (and its test case).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lightspeed_core.config.models.misc import ApprovalsConfiguration
from lightspeed_core.config.models.root import Configuration

__all__ = ["INACTIVE_SETTINGS", "InactiveSetting", "inactive_settings"]


@dataclass(frozen=True, slots=True)
class InactiveSetting:
    """One configuration key without effect in this service.

    Attributes:
        key: Dotted key path as written in ``lightspeed-stack.yaml``.
        is_set: Predicate: the configuration sets the key to a non-default value.
        message: Warning shown when ``is_set`` is true.
    """

    key: str
    is_set: Callable[[Configuration], bool]
    message: str


def _reranker_enabled(cfg: Configuration, strategy: str) -> bool:
    reranker = getattr(cfg.rag.retrieval, strategy).reranker
    return reranker is not None and reranker.enabled


_NO_EFFECT = "; the setting has no effect"

INACTIVE_SETTINGS: tuple[InactiveSetting, ...] = (
    InactiveSetting(
        "approvals",
        lambda c: c.approvals != ApprovalsConfiguration(),
        "approvals is set but human-in-the-loop tool approvals are not implemented yet"
        + _NO_EFFECT,
    ),
    InactiveSetting(
        "rag.retrieval.tool.reranker.enabled",
        lambda c: _reranker_enabled(c, "tool"),
        "rag.retrieval.tool.reranker.enabled is set but, as in the reference service, only "
        "inline chunks are reranked" + _NO_EFFECT,
    ),
    InactiveSetting(
        "service.auth_enabled",
        lambda c: c.service.auth_enabled,
        "service.auth_enabled is set but, as in the reference service, authentication is "
        "always performed by authentication.module" + _NO_EFFECT,
    ),
    InactiveSetting(
        "service.color_log",
        lambda c: not c.service.color_log,
        "service.color_log is false but log colouring is not configurable yet" + _NO_EFFECT,
    ),
)


def inactive_settings(cfg: Configuration) -> list[str]:
    """Return one warning per configured key whose feature is not implemented yet."""
    return [row.message for row in INACTIVE_SETTINGS if row.is_set(cfg)]
