"""The skills of the configuration and safe access to their files.

What the model may do with a skill (the tools of :mod:`.tools`): list the skills, load one
(its ``SKILL.md`` instructions and the names of its resource files) and read one resource
file. A resource is any regular file inside the skill's folder; a name that leads outside
the folder - absolute, through ``..`` or through a symbolic link - is refused, as is a file
over :data:`MAX_RESOURCE_BYTES`. Files are read in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lightspeed_core.config.models.misc import SkillsConfiguration
from lightspeed_core.skills.loader import SKILL_FILE, Skill, discover, parse_skill_text

MAX_RESOURCE_BYTES = 512 * 1024
MAX_LISTED_RESOURCES = 200


class SkillError(Exception):
    """A skill request that cannot be served; the message is meant for the model."""


@dataclass(frozen=True, slots=True)
class LoadedSkill:
    """A skill's instructions (``SKILL.md`` without front matter) and its resource files."""

    name: str
    description: str
    instructions: str
    resources: tuple[str, ...]


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            raise SkillError(f"{path.name} is larger than {MAX_RESOURCE_BYTES} bytes")
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SkillError(f"cannot read {path.name}: {exc.strerror or exc}") from exc


def inside(skill: Skill, resource: str) -> Path:
    """The file ``resource`` names in ``skill``'s folder; ``SkillError`` if it is outside.

    The name is relative to the skill folder (``references/guide.md``); it is resolved with
    every symbolic link followed and must end up in the (resolved) folder as a regular file.
    """
    name = resource.strip().replace("\\", "/")
    if not name or PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
        raise SkillError(f"invalid resource name {resource!r}: use a path inside the skill")
    try:
        path = (skill.folder / name).resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise SkillError(f"skill {skill.name!r} has no resource {resource!r}") from exc
    if not path.is_relative_to(skill.folder):
        raise SkillError(f"invalid resource name {resource!r}: it leads outside the skill")
    if not path.is_file():
        raise SkillError(f"skill {skill.name!r} has no resource {resource!r}")
    return path


def resource_names(skill: Skill) -> tuple[str, ...]:
    """Files of the skill folder a model may read (``SKILL.md`` itself excluded)."""
    names: list[str] = []
    for root, folders, files in os.walk(skill.folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for file in sorted(files):
            relative = (Path(root) / file).relative_to(skill.folder).as_posix()
            if file.startswith(".") or relative == SKILL_FILE:
                continue
            try:
                inside(skill, relative)
            except SkillError:
                continue  # a link leading outside, a socket ...
            names.append(relative)
            if len(names) >= MAX_LISTED_RESOURCES:
                return tuple(names)
    return tuple(names)


class SkillLibrary:
    """The configured skills (found once, at start-up); their files are read on demand."""

    def __init__(self, skills: Sequence[Skill]) -> None:
        self._skills = {skill.name: skill for skill in skills}

    @property
    def skills(self) -> list[Skill]:
        return list(self._skills.values())

    @property
    def enabled(self) -> bool:
        """Whether there is at least one skill (the skill tools are offered only then)."""
        return bool(self._skills)

    def get(self, name: str) -> Skill:
        skill = self._skills.get(name)
        if skill is None:
            known = ", ".join(sorted(self._skills)) or "none"
            raise SkillError(f"unknown skill {name!r} (available: {known})")
        return skill

    async def load(self, name: str) -> LoadedSkill:
        """The skill's instructions and resource names."""
        skill = self.get(name)

        def work() -> LoadedSkill:
            document = parse_skill_text(_read_text(skill.skill_file))
            return LoadedSkill(skill.name, skill.description, document.body, resource_names(skill))

        try:
            return await asyncio.to_thread(work)
        except ValueError as exc:  # the file changed since start-up
            raise SkillError(f"skill {name!r} cannot be loaded: {exc}") from exc

    async def read_resource(self, name: str, resource: str) -> str:
        """The text of one file inside the skill's folder."""
        skill = self.get(name)
        return await asyncio.to_thread(lambda: _read_text(inside(skill, resource)))


async def build_skills(config: SkillsConfiguration | None) -> SkillLibrary:
    """The skills under ``skills.paths`` (none without a ``skills`` block)."""
    if config is None or not config.paths:
        return SkillLibrary(())
    return SkillLibrary(await asyncio.to_thread(discover, list(config.paths)))
