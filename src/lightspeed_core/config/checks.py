"""File-system checks of a loaded configuration (used by ``config check`` and at start-up).

Parsing never touches the file system; this module does, read-only: it never creates
anything. It reports files that must exist but do not, and directories the service must be
able to create or write (feedback and transcript storage, SQLite database directories).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from lightspeed_core.config.errors import ConfigProblem
from lightspeed_core.config.models.root import Configuration

__all__ = ["check_runtime_paths"]


def _file_problem(path_key: str, path: Path | None) -> ConfigProblem | None:
    if path is None:
        return None
    if not path.exists():
        return ConfigProblem(path_key, f"file not found: {path}")
    if not path.is_file():
        return ConfigProblem(path_key, f"not a regular file: {path}")
    if not os.access(path, os.R_OK):
        return ConfigProblem(path_key, f"file is not readable: {path}")
    return None


def _writable_dir_problem(path_key: str, path: Path) -> ConfigProblem | None:
    """A directory that exists and is writable, or can be created."""
    if path.exists():
        if not path.is_dir():
            return ConfigProblem(path_key, f"not a directory: {path}")
        if not os.access(path, os.W_OK | os.X_OK):
            return ConfigProblem(path_key, f"directory is not writable: {path}")
        return None
    parent = path.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return ConfigProblem(
            path_key, f"directory cannot be created: {path} ({parent} is not writable)"
        )
    return None


def _required_files(cfg: Configuration) -> Iterator[tuple[str, Path | None]]:
    tls = cfg.service.tls_config
    yield "service.tls_config.tls_certificate_path", tls.tls_certificate_path
    yield "service.tls_config.tls_key_path", tls.tls_key_path
    yield "service.tls_config.tls_key_password", tls.tls_key_password
    yield "authentication.k8s_ca_cert_path", cfg.authentication.k8s_ca_cert_path
    yield "llama_stack.library_client_config_path", cfg.llama_stack.library_client_config_path
    if cfg.llama_stack.config is not None:
        yield "llama_stack.config.profile", cfg.llama_stack.config.profile
    if cfg.customization is not None:
        yield "customization.profile_path", cfg.customization.profile_path
        yield "customization.system_prompt_path", cfg.customization.system_prompt_path
        yield "customization.agent_card_path", cfg.customization.agent_card_path
    if cfg.splunk is not None and cfg.splunk.enabled:
        yield "splunk.token_path", cfg.splunk.token_path
    for section in ("database", "conversation_cache", "quota_handlers", "a2a_state"):
        postgres = getattr(cfg, section).postgres
        if postgres is not None:
            yield f"{section}.postgres.ca_cert_path", postgres.ca_cert_path


def _writable_dirs(cfg: Configuration) -> Iterator[tuple[str, Path]]:
    data = cfg.user_data_collection
    if data.feedback_enabled and data.feedback_storage is not None:
        yield "user_data_collection.feedback_storage", data.feedback_storage
    if data.transcripts_enabled and data.transcripts_storage is not None:
        yield "user_data_collection.transcripts_storage", data.transcripts_storage
    for section in ("database", "conversation_cache", "quota_handlers", "a2a_state"):
        sqlite = getattr(cfg, section).sqlite
        if sqlite is not None and str(sqlite.db_path) != ":memory:":
            yield f"{section}.sqlite.db_path", sqlite.db_path.expanduser().absolute().parent


def check_runtime_paths(cfg: Configuration) -> list[ConfigProblem]:
    """Return a problem for every configured path the service could not use."""
    problems: list[ConfigProblem] = []
    for key, path in _required_files(cfg):
        if (problem := _file_problem(key, path)) is not None:
            problems.append(problem)
    for key, directory in _writable_dirs(cfg):
        if (problem := _writable_dir_problem(key, directory)) is not None:
            problems.append(problem)
    if cfg.skills is not None:
        for index, skill_path in enumerate(cfg.skills.paths):
            if not skill_path.is_dir():
                problems.append(
                    ConfigProblem(f"skills.paths[{index}]", f"directory not found: {skill_path}")
                )
    return problems
