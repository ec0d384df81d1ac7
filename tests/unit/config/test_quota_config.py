"""``quota_handlers`` problems are reported at their key with a message that explains them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lightspeed_core.config.models.databases import QuotaHandlersConfiguration
from lightspeed_core.main import config_check

from .helpers import load, minimal, problems


def limiter(**values: Any) -> dict[str, Any]:
    return {"type": "user_limiter", "name": "n", "initial_quota": 1, "quota_increase": 0} | {
        "period": "1 day",
        **values,
    }


@pytest.mark.parametrize(
    ("limiters", "path", "fragment"),
    [
        ([limiter(period="1 fortnight")], "quota_handlers.limiters[0].period", "cannot read"),
        ([limiter(period="0 seconds")], "quota_handlers.limiters[0].period", "longer than zero"),
        (
            [limiter(initial_quota=-5)],
            "quota_handlers.limiters[0].initial_quota",
            "greater than or equal to 0",
        ),
        (
            [limiter(quota_increase=-1)],
            "quota_handlers.limiters[0].quota_increase",
            "greater than or equal to 0",
        ),
        ([limiter(type="team_limiter")], "quota_handlers.limiters[0].type", "user_limiter"),
        ([limiter(), limiter()], "quota_handlers.limiters", "used more than once"),
        (
            [limiter(name="a|b"), limiter(name="c")],
            "quota_handlers.limiters[0].name",
            "must not contain '|'",
        ),
    ],
)
def test_bad_limiters_are_explained(limiters: list[Any], path: str, fragment: str) -> None:
    found = problems(minimal(quota_handlers={"limiters": limiters}))
    matching = [p for p in found if p.path == path]
    assert matching, found
    assert any(fragment in p.message for p in matching), matching


def test_rate_limit_needs_a_store() -> None:
    found = problems(minimal(quota_handlers={"rate_limit": {"requests_per_minute": 5}}))
    assert any(p.path == "quota_handlers.rate_limit" and "redis_url" in p.message for p in found)
    config = load(
        minimal(
            quota_handlers={
                "rate_limit": {"requests_per_minute": 5, "redis_url": "redis://127.0.0.1:6379/0"}
            }
        )
    )
    assert config.quota_handlers.rate_limit is not None


def test_reference_example_loads() -> None:
    cfg = QuotaHandlersConfiguration.model_validate(
        {
            "sqlite": {"db_path": "/tmp/quota.db"},
            "limiters": [
                limiter(name="user_monthly_limits", initial_quota=1000, period="30 days"),
                limiter(type="cluster_limiter", name="cluster", period="1 month"),
            ],
            "scheduler": {"period": 5},
        }
    )
    assert cfg.limiters[0].interval.days == 30
    assert cfg.default_output_tokens == 1024


def test_config_check_explains_bad_quota_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = minimal(
        quota_handlers={
            "limiters": [
                limiter(type="team_limiter", initial_quota=-1),
                limiter(name="b", quota_increase=-3, period="1 fortnight"),
            ]
        }
    )
    path = tmp_path / "lightspeed-stack.yaml"
    path.write_text(yaml.safe_dump(document))
    assert config_check(path) == 1
    out = capsys.readouterr().out
    assert "4 problem(s)" in out
    assert "quota_handlers.limiters[0].type: Input should be 'user_limiter'" in out
    assert "quota_handlers.limiters[0].initial_quota: Input should be greater than" in out
    assert "quota_handlers.limiters[1].quota_increase: Input should be greater than" in out
    assert "quota_handlers.limiters[1].period: cannot read '1 fortnight' as a period" in out
