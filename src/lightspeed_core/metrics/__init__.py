"""Prometheus metrics.

Names (``names.py``), the registry object (``registry.py``) and the
REST middleware (``middleware.py``).

With ``service.workers > 1`` the CLI sets ``PROMETHEUS_MULTIPROC_DIR`` before workers start,
so every worker writes to shared files and ``/metrics`` on any worker reports the sum.
"""
