"""A2A: Lightspeed Core as an agent other agents call (contract 10).

``card.py`` - the agent card; ``store.py`` / ``store_db.py`` - tasks and contexts (memory,
or a database every worker shares); ``service.py`` - what the routes use, ``caller.py`` -
who calls (with the request's pipeline ports); ``jsonrpc.py`` -
the SDK's JSON-RPC dispatcher for protocol 1.0 and 0.3 and the checks before it;
``handler.py`` - the A2A methods; ``execution.py`` - one task run over the pipeline;
``protocol.py`` - protocol objects and the task fold; ``factory.py`` - ``build_a2a``.
The SDK's server modules (``jsonrpc``, ``handler``, ``execution``) load on the first call.
"""
