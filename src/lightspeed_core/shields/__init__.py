"""Shields: input screening before the model call.

* ``redaction.py`` - regex rules rewrite the question (and what is stored).
* ``question_validity.py`` - a classifier model refuses out-of-scope questions.
* ``service.py`` - runs the configured shields in order, honouring ``shield_ids``.
* ``factory.py`` - builds them and refuses to start with a shield that cannot work.
"""
