"""``GET /v1/skills`` (the reference's ``SkillsResponse`` / ``SkillMetadata``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SkillMetadata(BaseModel):
    """Metadata describing a single loaded agent skill."""

    name: str = Field(description="Unique name of the skill", examples=["code-review"])
    description: str = Field(
        description="Human readable description of what the skill does",
        examples=["Review code for quality and security"],
    )


class SkillsResponse(BaseModel):
    """The configured skills, from their ``SKILL.md`` front matter."""

    skills: list[SkillMetadata]
