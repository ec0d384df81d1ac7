"""``lightspeed-core rag index``: the command, its progress bar and the printed snippet."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.integration.rag.conftest import KNOWLEDGE
from tests.support.processes import venv_bin

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("rag")]


def test_index_command_writes_a_store_and_prints_its_configuration(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    done = subprocess.run(
        [
            venv_bin("lightspeed-core"),
            "rag",
            "index",
            str(KNOWLEDGE),
            "--store",
            "kb",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert db.stat().st_size > 0
    assert "embedding [##############################] 5/5" in done.stderr
    snippet = yaml.safe_load(done.stdout.split("add this to lightspeed-stack.yaml:", 1)[1])
    [store] = snippet["rag"]["byok"]["stores"]
    assert store == {
        "rag_id": "kb",
        "backend": "faiss",
        "db_path": str(db),
        "vector_db_id": "kb",
        "embedding_model": "all-MiniLM-L6-v2",
        "embedding_dimension": 384,
    }
    assert snippet["rag"]["retrieval"]["inline"]["sources"] == ["kb"]


def test_index_command_refuses_an_empty_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [venv_bin("lightspeed-core"), "rag", "index", str(tmp_path), "--store", "kb"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "no Markdown, text or PDF files" in done.stderr
