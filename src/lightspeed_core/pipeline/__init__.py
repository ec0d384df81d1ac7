"""The pipeline: the application core, one code path for every endpoint that asks a model.

An endpoint turns its body into a :class:`~.turn.TurnInput` and names itself with an
:class:`~.turn.Endpoint`. :func:`~.prepare.prepare` does every check that can fail before a
stream starts (they become plain HTTP errors); :func:`~.run.run` yields typed events
(``events.py``) and does the post-processing once (quota, turn, transcript, topic, metrics).
The endpoint then folds the events (``fold.py``) or serialises them (``api/sse.py``). The
pipeline depends on :class:`~.ports.PipelinePorts`, not on the whole container.
"""
