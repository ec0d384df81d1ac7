from __future__ import annotations

from pathlib import Path

from lightspeed_core.config import check_runtime_paths

from .helpers import load, minimal


def test_defaults_have_no_path_problems(tmp_path: Path) -> None:
    cfg = load(minimal(database={"sqlite": {"db_path": str(tmp_path / "sub" / "x.db")}}))
    assert check_runtime_paths(cfg) == []


def test_missing_files_are_reported(tmp_path: Path) -> None:
    cfg = load(
        minimal(
            service={
                "tls_config": {
                    "tls_certificate_path": str(tmp_path / "cert.pem"),
                    "tls_key_path": str(tmp_path),
                }
            },
            customization={"system_prompt_path": str(tmp_path / "prompt.txt")},
            database={"sqlite": {"db_path": str(tmp_path / "x.db")}},
        )
    )
    found = {problem.path: problem.message for problem in check_runtime_paths(cfg)}
    assert found == {
        "service.tls_config.tls_certificate_path": f"file not found: {tmp_path / 'cert.pem'}",
        "service.tls_config.tls_key_path": f"not a regular file: {tmp_path}",
        "customization.system_prompt_path": f"file not found: {tmp_path / 'prompt.txt'}",
    }


def test_storage_directories_must_be_creatable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    cfg = load(
        minimal(
            user_data_collection={
                "feedback_enabled": True,
                "feedback_storage": str(blocker),
                "transcripts_enabled": True,
                "transcripts_storage": str(tmp_path / "new" / "dir"),
            },
            database={"sqlite": {"db_path": str(tmp_path / "x.db")}},
        )
    )
    problems = check_runtime_paths(cfg)
    assert [p.path for p in problems] == ["user_data_collection.feedback_storage"]
    assert "not a directory" in problems[0].message


def test_disabled_storage_is_not_checked(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    cfg = load(
        minimal(
            user_data_collection={"feedback_storage": str(blocker)},
            database={"sqlite": {"db_path": str(tmp_path / "x.db")}},
        )
    )
    assert check_runtime_paths(cfg) == []


def test_skill_paths_must_be_directories(tmp_path: Path) -> None:
    cfg = load(
        minimal(
            skills={"paths": [str(tmp_path), str(tmp_path / "missing")]},
            database={"sqlite": {"db_path": str(tmp_path / "x.db")}},
        )
    )
    assert [p.path for p in check_runtime_paths(cfg)] == ["skills.paths[1]"]
