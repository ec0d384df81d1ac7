"""Skills: discovery, front matter, and the resource reader refusing anything outside a skill."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lightspeed_core.config.models.misc import SkillsConfiguration
from lightspeed_core.skills.library import (
    MAX_RESOURCE_BYTES,
    SkillError,
    SkillLibrary,
    build_skills,
)
from lightspeed_core.skills.loader import discover, parse_skill_text
from lightspeed_core.skills.tools import SKILL_TOOLS, run_skill_tool, skill_catalog


def write_skill(folder: Path, front: str, body: str = "Do the thing.\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "SKILL.md").write_text(f"---\n{front}\n---\n{body}")
    return folder


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``skills/`` with two skills, one with resources; a secret file beside it."""
    root = tmp_path / "skills"
    review = write_skill(root / "code-review", "name: code-review\ndescription: Review code")
    (review / "references").mkdir()
    (review / "references" / "checklist.md").write_text("1. tests\n")
    write_skill(root / "ops", "name: openshift-troubleshooting\ndescription: Fix clusters")
    (root / "not-a-skill").mkdir()
    (tmp_path / "secret.txt").write_text("top secret")
    return tmp_path


async def library(*paths: Path) -> SkillLibrary:
    return await build_skills(SkillsConfiguration(paths=list(paths)))


def test_front_matter_and_body() -> None:
    document = parse_skill_text("---\nname: a\ndescription: b\n---\n\n# Steps\n")
    assert document.metadata == {"name": "a", "description": "b"}
    assert document.body == "# Steps\n"
    assert parse_skill_text("# no front matter").metadata == {}
    with pytest.raises(ValueError, match="not closed"):
        parse_skill_text("---\nname: a\n")
    with pytest.raises(ValueError, match="not a mapping"):
        parse_skill_text("---\n- a\n---\n")


async def test_a_folder_of_skills_and_a_single_skill_folder(tree: Path, tmp_path: Path) -> None:
    single = write_skill(tmp_path / "extra" / "lone", "description: Named after its folder")
    skills = (await library(tree / "skills", single)).skills
    assert [(s.name, s.description) for s in skills] == [
        ("code-review", "Review code"),
        ("openshift-troubleshooting", "Fix clusters"),
        ("lone", "Named after its folder"),
    ]


async def test_no_configuration_means_no_skills() -> None:
    assert not (await build_skills(None)).enabled
    assert skill_catalog(await build_skills(None)) == []


def test_broken_and_duplicate_skills_are_skipped(tmp_path: Path) -> None:
    write_skill(tmp_path / "a", "name: same\ndescription: first")
    write_skill(tmp_path / "b", "name: same\ndescription: second")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "SKILL.md").write_text("---\nname: [unclosed\n---\n")
    assert [(s.name, s.description) for s in discover([tmp_path])] == [("same", "first")]


async def test_load_gives_instructions_and_resources(tree: Path) -> None:
    skills = await library(tree / "skills")
    loaded = await skills.load("code-review")
    assert loaded.instructions == "Do the thing.\n"
    assert loaded.resources == ("references/checklist.md",)
    assert await skills.read_resource("code-review", "references/checklist.md") == "1. tests\n"
    assert await skills.read_resource("code-review", "./references//checklist.md") == "1. tests\n"


@pytest.mark.parametrize(
    "resource",
    [
        "../../secret.txt",
        "references/../../../secret.txt",
        "references/../SKILL.md",  # inside, but ``..`` is refused outright
        "/etc/passwd",
        "",
        "references",  # a folder
        "missing.md",
    ],
)
async def test_reading_outside_or_missing_is_refused(tree: Path, resource: str) -> None:
    skills = await library(tree / "skills")
    with pytest.raises(SkillError):
        await skills.read_resource("code-review", resource)


async def test_symbolic_links_leading_outside_are_refused(tree: Path) -> None:
    folder = tree / "skills" / "code-review"
    os.symlink(tree / "secret.txt", folder / "leak.md")
    os.symlink(tree, folder / "up")
    os.symlink(folder / "references" / "checklist.md", folder / "alias.md")
    skills = await library(tree / "skills")
    for resource in ("leak.md", "up/secret.txt"):
        with pytest.raises(SkillError, match="outside"):
            await skills.read_resource("code-review", resource)
    assert await skills.read_resource("code-review", "alias.md") == "1. tests\n"
    resources = (await skills.load("code-review")).resources
    assert "leak.md" not in resources
    assert not any(r.startswith("up/") for r in resources)


async def test_large_resources_and_unknown_skills_are_refused(tree: Path) -> None:
    folder = tree / "skills" / "code-review"
    (folder / "big.txt").write_bytes(b"x" * (MAX_RESOURCE_BYTES + 1))
    skills = await library(tree / "skills")
    with pytest.raises(SkillError, match="larger"):
        await skills.read_resource("code-review", "big.txt")
    with pytest.raises(SkillError, match="unknown skill 'nope'"):
        await skills.load("nope")


async def test_skill_tools_run_and_report_errors_as_text(tree: Path) -> None:
    skills = await library(tree / "skills")
    listed = json.loads(await run_skill_tool(skills, "list_skills", {}))
    assert listed == {"code-review": "Review code", "openshift-troubleshooting": "Fix clusters"}
    loaded = await run_skill_tool(skills, "load_skill", {"skill_name": "code-review"})
    assert loaded.startswith("Do the thing.")
    assert "- references/checklist.md" in loaded
    refused = await run_skill_tool(
        skills, "read_skill_resource", {"skill_name": "code-review", "resource_name": "../x"}
    )
    assert refused.startswith("Error: invalid resource name")
    assert (await run_skill_tool(skills, "run_skill_script", {})).startswith("Error: unknown")


async def test_catalog_entries(tree: Path) -> None:
    entries = skill_catalog(await library(tree / "skills"))
    assert [e.identifier for e in entries] == ["list_skills", "load_skill", "read_skill_resource"]
    assert {(e.provider_id, e.toolgroup_id, e.server_source) for e in entries} == {
        ("skills", "skills", "skills")
    }
    read = entries[2].parameters
    assert [(p.name, p.parameter_type, p.required) for p in read] == [
        ("skill_name", "string", True),
        ("resource_name", "string", True),
    ]
    assert SKILL_TOOLS[1].function_tool()["parameters"]["required"] == ["skill_name"]
