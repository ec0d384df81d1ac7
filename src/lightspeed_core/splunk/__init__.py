"""Splunk HEC telemetry for ``/v1/infer`` and ``/v1/responses`` (contract 3.14).

``base.py`` the :class:`EventSink` port and the sourcetypes; ``events.py`` the reference's
event bodies; ``hec.py`` the HEC backend (bounded queue, background sender, retries);
``service.py`` :class:`Splunk`, what an endpoint calls; ``factory.py`` picks the sink.
"""

from lightspeed_core.splunk.base import EventSink, NoopSink, Sourcetype
from lightspeed_core.splunk.events import InferEvent, ResponsesEvent
from lightspeed_core.splunk.factory import build_splunk
from lightspeed_core.splunk.service import DISABLED, Splunk

__all__ = [
    "DISABLED",
    "EventSink",
    "InferEvent",
    "NoopSink",
    "ResponsesEvent",
    "Sourcetype",
    "Splunk",
    "build_splunk",
]
