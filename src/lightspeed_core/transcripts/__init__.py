"""Transcripts of answered questions (``user_data_collection.transcripts_*``, contract 3.4)."""
