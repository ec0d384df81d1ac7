"""Find skills and parse ``SKILL.md`` front matter.

A configured path is either a skill folder (it holds ``SKILL.md``) or a folder of skill
folders (each immediate subfolder holding ``SKILL.md`` is a skill). ``SKILL.md`` starts with
YAML front matter between ``---`` lines giving ``name`` and ``description``; the rest of the
file is the skill's instructions. A skill without a usable ``name`` is named after its
folder; a second skill with a name already taken is skipped (logged).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

SKILL_FILE = "SKILL.md"
_FENCE = "---"


@dataclass(frozen=True, slots=True)
class Skill:
    """One skill: its front matter and where it lives (``folder`` is fully resolved)."""

    name: str
    description: str
    folder: Path

    @property
    def skill_file(self) -> Path:
        return self.folder / SKILL_FILE


@dataclass(frozen=True, slots=True)
class SkillDocument:
    """A parsed ``SKILL.md``: front matter fields and the instructions after it."""

    metadata: dict[str, Any]
    body: str


def parse_skill_text(text: str) -> SkillDocument:
    """Split ``SKILL.md`` into front matter and body (no front matter: all body).

    Raises ``ValueError`` when the front matter is not a YAML mapping or is not closed.
    """
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != _FENCE:
        return SkillDocument({}, text)
    for index in range(1, len(lines)):
        if lines[index].strip() == _FENCE:
            try:
                metadata = yaml.safe_load("".join(lines[1:index])) or {}
            except yaml.YAMLError as exc:
                raise ValueError(f"invalid YAML front matter: {exc}") from exc
            if not isinstance(metadata, dict):
                raise ValueError("the front matter is not a mapping")
            return SkillDocument(metadata, "".join(lines[index + 1 :]).lstrip("\n"))
    raise ValueError("the front matter is not closed by a '---' line")


def read_skill(folder: Path) -> Skill:
    """The skill in ``folder`` (which holds ``SKILL.md``); ``ValueError`` if unreadable."""
    resolved = folder.expanduser().resolve()
    try:
        text = (resolved / SKILL_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {SKILL_FILE}: {exc}") from exc
    metadata = parse_skill_text(text).metadata
    name = metadata.get("name")
    description = metadata.get("description")
    return Skill(
        name=name.strip() if isinstance(name, str) and name.strip() else resolved.name,
        description=description.strip() if isinstance(description, str) else "",
        folder=resolved,
    )


def skill_folders(path: Path) -> list[Path]:
    """``path`` itself if it is a skill folder, else its immediate skill subfolders."""
    path = path.expanduser()
    if (path / SKILL_FILE).is_file():
        return [path]
    if not path.is_dir():
        log.warning("skills path %s is not a folder: skipped", path)
        return []
    return sorted(p for p in path.iterdir() if p.is_dir() and (p / SKILL_FILE).is_file())


def discover(paths: Sequence[Path]) -> list[Skill]:
    """Every skill under ``paths``, in configuration order then folder name order."""
    skills: dict[str, Skill] = {}
    for folder in _unique(f for path in paths for f in skill_folders(path)):
        try:
            skill = read_skill(folder)
        except ValueError as exc:
            log.warning("skill folder %s skipped: %s", folder, exc)
            continue
        if skill.name in skills:
            log.warning(
                "skill %r in %s skipped: the name is taken by %s",
                skill.name,
                skill.folder,
                skills[skill.name].folder,
            )
            continue
        skills[skill.name] = skill
    return list(skills.values())


def _unique(folders: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    result = []
    for folder in folders:
        key = folder.resolve()
        if key not in seen:
            seen.add(key)
            result.append(folder)
    return result
