"""Shared helpers of the configuration tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.config import ConfigError, ConfigProblem, Configuration
from lightspeed_core.config.loader import configuration_from_data

DATA_DIR = Path(__file__).parent / "data"
REPO_ROOT = Path(__file__).parents[3]


def minimal(**sections: Any) -> dict[str, Any]:
    """The smallest valid document (server mode), with ``sections`` added or replaced."""
    document: dict[str, Any] = {
        "name": "test",
        "service": {},
        "llama_stack": {"url": "http://localhost:8321"},
        "user_data_collection": {},
    }
    document.update(sections)
    return document


def load(data: object, environ: Mapping[str, str] | None = None) -> Configuration:
    return configuration_from_data(data, environ=environ or {})


def problems(data: object, environ: Mapping[str, str] | None = None) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as info:
        load(data, environ)
    return info.value.problems


def problem_paths(data: object, environ: Mapping[str, str] | None = None) -> list[str]:
    return [problem.path for problem in problems(data, environ)]
