"""Retrieval-augmented generation: inline context and ``file_search`` tools."""
