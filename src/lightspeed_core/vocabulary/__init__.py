"""Shared vocabulary below ``config``: RBAC actions and quota periods.

These are plain value types that both the configuration models and the features use; they
live here, below ``config/``, so ``config`` can import them without depending on a feature.
"""
