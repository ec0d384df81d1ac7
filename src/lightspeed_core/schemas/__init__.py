"""The contract's request and response bodies (pydantic), one module per area.

Shared by the HTTP layer (``api``) and the services (``pipeline`` ...); they import nothing
from either.
"""
