"""Quota metrics, registered on the service's :class:`~lightspeed_core.metrics.registry.Metrics`.

Gauges are per limiter and subject type (``user`` / ``cluster``) and summed over the
limiter's buckets (for a cluster limiter, its one bucket); the scheduler refreshes them.
Counters count where the event happens, in every worker.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from lightspeed_core.metrics.registry import Metrics

QUOTA_LIMIT = "ls_quota_limit"
QUOTA_AVAILABLE = "ls_quota_available"
QUOTA_RESERVED = "ls_quota_reserved"
QUOTA_SUBJECTS = "ls_quota_subjects"
QUOTA_TOKENS_CONSUMED = "ls_quota_tokens_consumed_total"
QUOTA_EXCEEDED = "ls_quota_exceeded_total"
RATE_LIMITED = "ls_rate_limited_total"
RESERVATIONS_EXPIRED = "ls_quota_reservations_expired_total"
LABELS = ("limiter", "subject_type")


class QuotaMetrics:
    """The quota gauges and counters."""

    def __init__(self, metrics: Metrics) -> None:
        r = self.registry = metrics.registry

        def gauge(name: str, text: str) -> Gauge:
            return Gauge(name, text, LABELS, registry=r, multiprocess_mode="mostrecent")

        self.limit = gauge(QUOTA_LIMIT, "Sum of the quota limits of a limiter's buckets")
        self.available = gauge(QUOTA_AVAILABLE, "Sum of the tokens left in a limiter's buckets")
        self.reserved = gauge(QUOTA_RESERVED, "Tokens held for requests in flight")
        self.subjects = gauge(QUOTA_SUBJECTS, "Buckets (subjects) a limiter has")
        self.consumed = Counter(
            QUOTA_TOKENS_CONSUMED, "Tokens charged to a limiter", LABELS, registry=r
        )
        self.exceeded = Counter(
            QUOTA_EXCEEDED,
            "Requests refused (429) because a limiter was exhausted",
            LABELS,
            registry=r,
        )
        self.rate_limited = Counter(
            RATE_LIMITED, "Requests refused (429) by the requests-per-minute limit", registry=r
        )
        self.expired = Counter(
            RESERVATIONS_EXPIRED,
            "Reservations given back because they were never settled",
            registry=r,
        )
