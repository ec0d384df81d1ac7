"""``build_splunk``: the HEC sink when ``splunk.enabled``, else nothing."""

from __future__ import annotations

from lightspeed_core.config.models import SplunkConfiguration
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.splunk.service import DISABLED, Splunk


def build_splunk(
    config: SplunkConfiguration | None, deployment: str, metrics: Metrics, version: str
) -> Splunk:
    """The configured Splunk telemetry (``DISABLED`` without ``splunk.enabled``)."""
    if config is None or not config.enabled:
        return DISABLED
    from lightspeed_core.splunk.hec import HecSink, HecTarget

    assert config.url is not None  # url, token_path and index: checked by the model
    assert config.token_path is not None
    assert config.index is not None
    target = HecTarget(
        url=config.url,
        token_path=config.token_path,
        index=config.index,
        source=f"{config.source} (v{version})",
        timeout=float(config.timeout),
        verify_ssl=config.verify_ssl,
    )
    return Splunk(HecSink(target, metrics), deployment, enabled=True)
