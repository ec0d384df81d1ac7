"""Documents to index: reading Markdown, text and PDF files, and cutting them into chunks.

Markdown files may start with YAML front matter; ``title`` and ``url`` become the
``title`` and ``doc_url`` of every chunk (``referenced_documents`` shows them). Without
front matter the title is the first ``# heading`` (else the file name) and the URL is
``<base_url>/<relative path>`` when a base URL is given.

Chunks hold whole paragraphs up to ``max_words`` words (all-MiniLM-L6-v2 reads at most
256 word pieces, about 190 words); a longer paragraph is cut into windows that overlap by
``overlap_words``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text", ".rst", ".pdf"})
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class SourceDocument:
    """One file's text and citation metadata."""

    document_id: str  # the path relative to the indexed folder
    title: str
    text: str
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextChunk:
    """A piece of a document, ready to embed."""

    chunk_id: str
    content: str
    metadata: dict[str, Any]


def find_files(folder: Path) -> list[Path]:
    """Indexable files under ``folder``, sorted, hidden folders skipped."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """``(front matter mapping, body)``; no or invalid front matter gives ``({}, text)``."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text
    return (data, text[match.end() :]) if isinstance(data, dict) else ({}, text)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def read_document(path: Path, folder: Path, base_url: str | None = None) -> SourceDocument:
    """Read one file (PDF through ``pypdf``, others as UTF-8 text)."""
    relative = path.relative_to(folder).as_posix()
    raw = _pdf_text(path) if path.suffix.lower() == ".pdf" else path.read_text(errors="replace")
    meta, body = split_front_matter(raw)
    heading = _HEADING.search(body)
    title = str(meta.get("title") or (heading.group(1) if heading else path.stem))
    url = meta.get("url") or meta.get("doc_url")
    if not url and base_url:
        url = f"{base_url.rstrip('/')}/{relative}"
    extra = {k: v for k, v in meta.items() if k not in ("title", "url", "doc_url")}
    return SourceDocument(relative, title, body.strip(), str(url) if url else None, extra)


def _windows(words: list[str], size: int, overlap: int) -> Iterator[str]:
    step = max(1, size - overlap)
    for start in range(0, len(words), step):
        yield " ".join(words[start : start + size])
        if start + size >= len(words):
            return


def split_text(text: str, max_words: int = 180, overlap_words: int = 20) -> list[str]:
    """Paragraph-packed chunks of at most ``max_words`` words."""
    chunks: list[str] = []
    current: list[str] = []
    count = 0
    for paragraph in re.split(r"\n\s*\n", text):
        words = paragraph.split()
        if not words:
            continue
        if count and count + len(words) > max_words:
            chunks.append("\n\n".join(current))
            current, count = [], 0
        if len(words) > max_words:
            chunks.extend(_windows(words, max_words, overlap_words))
            continue
        current.append(paragraph.strip())
        count += len(words)
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def chunk_document(
    document: SourceDocument, max_words: int = 180, overlap_words: int = 20
) -> list[TextChunk]:
    """The chunks of one document with the metadata shown in citations."""
    metadata: dict[str, Any] = {
        "document_id": document.document_id,
        "title": document.title,
        "filename": document.document_id,
    }
    if document.url:
        metadata["doc_url"] = document.url
    return [
        TextChunk(f"{document.document_id}#{n}", content, dict(metadata))
        for n, content in enumerate(split_text(document.text, max_words, overlap_words))
    ]
