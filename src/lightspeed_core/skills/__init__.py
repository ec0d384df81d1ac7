"""Agent skills (contract 13.2): folders with a ``SKILL.md`` the model can discover and read.

* :mod:`.loader` - find the skills under ``skills.paths`` and parse their front matter;
* :mod:`.library` - :class:`~.library.SkillLibrary`: list skills, load a skill's
  instructions, read a resource file inside a skill's folder (never outside it);
* :mod:`.tools` - the tool definitions (``list_skills``, ``load_skill``,
  ``read_skill_resource``) and their ``/v1/tools`` entries.
"""
