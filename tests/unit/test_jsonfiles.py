"""Atomic JSON files, and no immortal interned string per file (the soak's slow growth)."""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

import pytest

from lightspeed_core.jsonfiles import write_json_file
from lightspeed_core.transcripts.writer import TranscriptWriter


def _interned_by_someone(text: str) -> bool:
    """Whether an equal string is already interned (a fresh copy is not what intern returns)."""
    probe = "".join(list(text))
    return sys.intern(probe) is not probe


def test_a_file_is_written_whole_and_nothing_is_left_behind(tmp_path: Path) -> None:
    target = write_json_file(tmp_path / "a" / "b", "x.json", {"k": [1, 2]})
    assert json.loads(Path(target).read_text()) == {"k": [1, 2]}
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["x.json"]


def test_unique_names_are_not_interned(tmp_path: Path) -> None:
    conversation = uuid.uuid4().hex
    name = f"{uuid.uuid4()}.json"
    folder = TranscriptWriter(tmp_path).folder("alice", conversation)
    write_json_file(folder, name, {})
    assert os.path.exists(os.path.join(folder, name))  # not pathlib: it would intern them
    assert not _interned_by_someone(name)
    assert not _interned_by_someone(conversation)


def test_folders_are_created_when_missing_and_reused_when_present(tmp_path: Path) -> None:
    nested = tmp_path / "user" / "conversation"
    write_json_file(nested, "a.json", {"n": 1})  # both levels missing
    write_json_file(nested, "b.json", {"n": 2})  # exists
    write_json_file(tmp_path / "user" / "other", "c.json", {"n": 3})  # parent exists
    assert sorted(p.name for p in nested.iterdir()) == ["a.json", "b.json"]
    assert json.loads((tmp_path / "user" / "other" / "c.json").read_text()) == {"n": 3}


def test_a_file_where_the_folder_should_be_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder")
    with pytest.raises(FileExistsError):
        write_json_file(tmp_path / "taken", "a.json", {"n": 1})
