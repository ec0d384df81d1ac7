"""Azure Entra ID: client-credential tokens for OGX's ``remote::azure`` models.

``base.py`` (the ``TokenSource`` port and ``AccessToken``), ``entra.py`` (the production
source over ``azure-identity``), ``tokens.py`` (``AzureTokens``: the cache, one refresh in
flight, the failure policy), ``backend.py`` (an ``LLMBackend`` decorator that hands the token
to OGX as provider data), ``factory.py``.
"""
