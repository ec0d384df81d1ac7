"""Limiters as the quota service sees them, and the buckets (``quota_limits`` rows) they use.

A bucket is the reference's row key ``(id, subject)``: subject ``u`` with the user's id for a
``user_limiter``, subject ``c`` with ``""`` for a ``cluster_limiter``. When several limiters
share a type, their rows would collide (the reference lets them share one row); here each
such limiter prefixes the id with ``<name>|`` so every limiter has its own buckets. A type
with a single limiter keeps the reference's plain ids, so an existing database keeps working.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lightspeed_core.config.models.databases import (
    LIMITER_NAME_SEPARATOR,
    QuotaLimiterConfiguration,
)
from lightspeed_core.vocabulary.periods import Interval

USER, CLUSTER = "u", "c"
CLASS_NAMES = {USER: "UserQuotaLimiter", CLUSTER: "ClusterQuotaLimiter"}
SUBJECT_TYPES = {USER: "user", CLUSTER: "cluster"}


@dataclass(frozen=True, slots=True)
class Bucket:
    """One ``quota_limits`` row: ``(id, subject)``, and the limiter it belongs to."""

    id: str
    subject: str
    limiter: Limiter

    @property
    def key(self) -> tuple[str, str]:
        return (self.subject, self.id)


@dataclass(frozen=True, slots=True)
class Limiter:
    """A configured limiter with its row-key scheme."""

    name: str
    subject: str
    initial_quota: int
    quota_increase: int
    period: Interval
    period_text: str
    prefix: str

    @property
    def subject_type(self) -> str:
        return SUBJECT_TYPES[self.subject]

    @property
    def class_name(self) -> str:
        return CLASS_NAMES[self.subject]

    @property
    def limiter_type(self) -> str:
        return f"{self.subject_type}_limiter"

    def bucket(self, user_id: str) -> Bucket:
        """The bucket this limiter charges for ``user_id``."""
        subject_id = user_id if self.subject == USER else ""
        return Bucket(self.prefix + subject_id, self.subject, self)

    def describe_subject(self, bucket_id: str) -> str:
        """``User <id>`` or ``Cluster`` as in the contract's 429 causes."""
        if self.subject == CLUSTER:
            return "Cluster"
        return f"User {bucket_id.removeprefix(self.prefix)}"


def build_limiters(configured: list[QuotaLimiterConfiguration]) -> tuple[Limiter, ...]:
    """Runtime limiters, in configuration order."""
    per_type = Counter(item.type for item in configured)
    limiters = []
    for item in configured:
        subject = USER if item.type == "user_limiter" else CLUSTER
        prefix = item.name + LIMITER_NAME_SEPARATOR if per_type[item.type] > 1 else ""
        limiters.append(
            Limiter(
                name=item.name,
                subject=subject,
                initial_quota=item.initial_quota,
                quota_increase=item.quota_increase,
                period=item.interval,
                period_text=item.period,
                prefix=prefix,
            )
        )
    return tuple(limiters)


def buckets_for(limiters: tuple[Limiter, ...], user_id: str) -> list[Bucket]:
    """Every bucket a request of ``user_id`` charges, in lock order (cluster rows first)."""
    return sorted((limiter.bucket(user_id) for limiter in limiters), key=lambda b: b.key)


def class_aliases(limiters: tuple[Limiter, ...]) -> list[tuple[str, str]]:
    """(class name, limiter name) for each class that has a single limiter."""
    per_class = Counter(limiter.class_name for limiter in limiters)
    return [(lim.class_name, lim.name) for lim in limiters if per_class[lim.class_name] == 1]


def quota_keys(
    limiters: tuple[Limiter, ...],
    values: dict[str, int],
    aliases: list[tuple[str, str]] | None = None,
) -> dict[str, int]:
    """``available_quotas``: by limiter name, plus by class name when a class has one limiter.

    ``values`` maps limiter name to tokens left; ``aliases``: :func:`class_aliases` of
    ``limiters``, when the caller keeps it.
    """
    result = dict(values)
    for class_name, name in class_aliases(limiters) if aliases is None else aliases:
        if class_name not in result:
            result[class_name] = values[name]
    return result
