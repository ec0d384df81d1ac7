"""Bucket keys, ``available_quotas`` keys and the contract's 429 causes."""

from __future__ import annotations

from typing import Any

from lightspeed_core.config.models.databases import QuotaHandlersConfiguration
from lightspeed_core.quota.limiters import buckets_for, build_limiters, quota_keys
from lightspeed_core.quota.service import refusal_cause
from lightspeed_core.quota.store import Refused


def limiters(*entries: tuple[str, str]) -> Any:
    items = [
        {"type": kind, "name": name, "initial_quota": 5, "quota_increase": 1, "period": "1 day"}
        for kind, name in entries
    ]
    return build_limiters(QuotaHandlersConfiguration.model_validate({"limiters": items}).limiters)


def test_one_limiter_per_type_keeps_the_reference_row_keys() -> None:
    pair = limiters(("user_limiter", "u1"), ("cluster_limiter", "c1"))
    keys = [(b.subject, b.id) for b in buckets_for(pair, "alice")]
    assert keys == [("c", ""), ("u", "alice")]  # cluster first: the lock order


def test_limiters_sharing_a_type_get_their_own_rows() -> None:
    trio = limiters(
        ("user_limiter", "daily"), ("user_limiter", "monthly"), ("cluster_limiter", "c")
    )
    keys = [(b.subject, b.id) for b in buckets_for(trio, "alice")]
    assert keys == [("c", ""), ("u", "daily|alice"), ("u", "monthly|alice")]


def test_available_quotas_keys() -> None:
    pair = limiters(("user_limiter", "u1"), ("cluster_limiter", "c1"))
    assert quota_keys(pair, {"u1": 3, "c1": 4}) == {
        "u1": 3,
        "c1": 4,
        "UserQuotaLimiter": 3,
        "ClusterQuotaLimiter": 4,
    }
    trio = limiters(("user_limiter", "a"), ("user_limiter", "b"), ("cluster_limiter", "c"))
    assert quota_keys(trio, {"a": 1, "b": 2, "c": 3}) == {
        "a": 1,
        "b": 2,
        "c": 3,
        "ClusterQuotaLimiter": 3,
    }


def test_refusal_causes_match_the_contract() -> None:
    user, cluster = limiters(("user_limiter", "u"), ("cluster_limiter", "c"))
    assert (
        refusal_cause(Refused(user.bucket("alice"), 0), 9) == "User alice has no available tokens"
    )
    assert (
        refusal_cause(Refused(user.bucket("alice"), -4), 9) == "User alice has no available tokens"
    )
    assert (
        refusal_cause(Refused(user.bucket("alice"), 5), 9)
        == "User alice has 5 tokens, but 9 tokens are needed"
    )
    assert refusal_cause(Refused(cluster.bucket("x"), 0), 9) == "Cluster has no available tokens"
    assert (
        refusal_cause(Refused(cluster.bucket("x"), 2), 9)
        == "Cluster has 2 tokens, but 9 tokens are needed"
    )
    daily, _ = limiters(("user_limiter", "daily"), ("user_limiter", "monthly"))
    assert refusal_cause(Refused(daily.bucket("bob"), 0), 1) == "User bob has no available tokens"
