"""OGX's job-worker pool is limited to one process per stack (``limit_job_workers``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lightspeed_core.llm.library import OGX_JOB_WORKERS, limit_job_workers


def parsed(tmp_path: Path, server: dict[str, object] | None = None) -> Any:
    from ogx.core.configure import parse_and_maybe_upgrade_config

    run: dict[str, object] = {
        "version": 2,
        "distro_name": "test",
        "apis": ["inference"],
        "providers": {"inference": []},
        "storage": {
            "backends": {
                "kv_default": {"type": "kv_sqlite", "db_path": str(tmp_path / "kv.db")},
                "sql_default": {"type": "sql_sqlite", "db_path": str(tmp_path / "sql.db")},
            },
            "stores": {
                "metadata": {"backend": "kv_default", "namespace": "registry"},
                "inference": {"backend": "sql_default", "table_name": "inference_store"},
                "conversations": {"backend": "sql_default", "table_name": "conversations"},
                "prompts": {"backend": "sql_default", "table_name": "prompts"},
                "connectors": {"backend": "sql_default", "table_name": "connectors"},
            },
        },
    }
    if server is not None:
        run["server"] = server
    return parse_and_maybe_upgrade_config(run)


def test_one_job_worker_per_stack_by_default(tmp_path: Path) -> None:
    config = parsed(tmp_path)
    limit_job_workers(config)
    server = config.server
    # what ogx.core.jobs.bootstrap reads
    assert (getattr(server, "job_workers", None) or 2) == OGX_JOB_WORKERS == 1
    config.model_dump()  # the config still serialises


def test_a_value_already_set_is_kept(tmp_path: Path) -> None:
    config = parsed(tmp_path)
    object.__setattr__(config.server, "job_workers", 3)
    limit_job_workers(config)
    assert config.server.job_workers == 3
