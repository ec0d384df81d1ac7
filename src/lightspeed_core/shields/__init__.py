"""Shields: input screening before the model call (``question_validity``, ``redaction``)."""
