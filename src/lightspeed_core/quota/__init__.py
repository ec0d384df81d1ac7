"""Token quotas: reserve before the model call, settle after, release on failure.

``base.py`` holds the :class:`QuotaService` Protocol and the no-op implementation used when
``quota_handlers`` configures no limiter.
"""
