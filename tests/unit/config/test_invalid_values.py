"""Each invalid setting of ``data/invalid-cases.yaml`` is reported at its key path."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from .helpers import DATA_DIR, minimal, problems


def _cases() -> list[Any]:
    text = (DATA_DIR / "invalid-cases.yaml").read_text(encoding="utf-8")
    cases = yaml.safe_load(text)
    return [
        pytest.param(case["config"], case["path"], case["message"], id=case["id"]) for case in cases
    ]


@pytest.mark.parametrize(("sections", "path", "fragment"), _cases())
def test_invalid_value_reported_at_path(sections: dict[str, Any], path: str, fragment: str) -> None:
    found = problems(minimal(**sections))
    matching = [problem for problem in found if problem.path == path]
    assert matching, f"no problem at {path}: {found}"
    assert any(fragment in problem.message for problem in matching), matching
