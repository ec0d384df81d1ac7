"""Serialisation of pipeline events for ``/v1/streaming_query`` (``sse.py``)."""
