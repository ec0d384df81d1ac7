"""Authentication modules.

One :class:`~.base.Principal` type, one ``AuthBackend`` Protocol, one
module per file, chosen by :func:`~.factory.build_auth_backend`.
"""
