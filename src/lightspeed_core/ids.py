"""Conversation identifiers (the reference's "SUID" rules).

Accepted forms: an RFC 4122 UUID, 48 hex characters, or ``conv_`` + 48 hex characters.
Stored normalised: without the ``conv_`` prefix, lower case.
"""

from __future__ import annotations

import re
import secrets
import uuid

_HEX48 = re.compile(r"^[0-9a-fA-F]{48}$")


def is_valid_conversation_id(value: str) -> bool:
    """True for any accepted form."""
    if value.startswith("conv_"):
        return bool(_HEX48.match(value[5:]))  # the prefix only goes with the 48-hex form
    if _HEX48.match(value):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) in (32, 36)


def normalize_conversation_id(value: str) -> str:
    """Canonical stored form (no ``conv_`` prefix, lower case)."""
    return value.removeprefix("conv_").lower()


def new_conversation_id() -> str:
    """A fresh conversation id in the reference's 48-hex form."""
    return secrets.token_hex(24)
