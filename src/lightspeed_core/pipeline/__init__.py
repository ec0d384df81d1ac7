"""The query pipeline: one code path for ``/v1/query`` and ``/v1/streaming_query``.

``QueryPipeline.prepare`` does every check that can fail before a stream starts (they become
plain HTTP errors); ``QueryPipeline.run`` yields typed events (``events.py``). The
non-streaming route folds them (``fold.py``); the streaming route serialises them
(``lightspeed_core.streaming``). Post-processing runs once, inside ``run``, in both modes.
"""
