"""The HTTP layer: routes (thin), dependencies, error mapping, SSE rendering (``sse.py``)."""
