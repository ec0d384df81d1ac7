"""Reading and chunking documents for the indexer; the progress printer."""

from __future__ import annotations

import io
from pathlib import Path

from lightspeed_core.rag.documents import (
    chunk_document,
    find_files,
    read_document,
    split_front_matter,
    split_text,
)
from lightspeed_core.rag.progress import Progress


def test_front_matter_title_and_url(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "a.md"
    path.write_text("---\ntitle: Alpha\nurl: https://e.com/a\nowner: me\n---\n# Heading\n\nBody.")
    document = read_document(path, tmp_path)
    assert (document.document_id, document.title, document.url) == (
        "sub/a.md",
        "Alpha",
        "https://e.com/a",
    )
    assert document.text == "# Heading\n\nBody."
    assert document.extra == {"owner": "me"}


def test_heading_or_file_name_and_base_url(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("# Beta guide\n\ntext")
    (tmp_path / "c.txt").write_text("plain")
    beta = read_document(tmp_path / "b.md", tmp_path, "https://docs/")
    assert (beta.title, beta.url) == ("Beta guide", "https://docs/b.md")
    assert read_document(tmp_path / "c.txt", tmp_path).title == "c"


def test_find_files_skips_hidden_and_unknown(tmp_path: Path) -> None:
    for name in ("a.md", "b.pdf", "c.png", ".hidden/d.md", "e.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.name for p in find_files(tmp_path)] == ["a.md", "b.pdf", "e.txt"]


def test_invalid_front_matter_is_text() -> None:
    assert split_front_matter("---\n: [\n---\nbody") == ({}, "---\n: [\n---\nbody")


def test_split_packs_paragraphs_and_windows_long_ones() -> None:
    text = "one two\n\nthree four five\n\n" + " ".join(f"w{i}" for i in range(25))
    chunks = split_text(text, max_words=10, overlap_words=2)
    assert chunks[0] == "one two\n\nthree four five"
    assert chunks[1].split()[:2] == ["w0", "w1"]
    assert chunks[2].split()[0] == "w8"
    assert all(len(c.split()) <= 10 for c in chunks)
    assert chunks[-1].split()[-1] == "w24"


def test_chunk_metadata(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\nurl: https://e.com/a\n---\nHello there.")
    [chunk] = chunk_document(read_document(tmp_path / "a.md", tmp_path))
    assert chunk.chunk_id == "a.md#0"
    assert chunk.metadata == {
        "document_id": "a.md",
        "title": "A",
        "filename": "a.md",
        "doc_url": "https://e.com/a",
    }


def test_progress_on_a_pipe_prints_quarters() -> None:
    out = io.StringIO()
    progress = Progress("embedding", 8, out)
    for _ in range(8):
        progress.advance()
    lines = out.getvalue().splitlines()
    assert lines[-1] == "embedding [##############################] 8/8"
    assert len(lines) == 5  # the first step, then each quarter
