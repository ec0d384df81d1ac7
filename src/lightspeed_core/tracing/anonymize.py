"""HMAC anonymization of span attributes that carry user data (the reference's format).

``[hash:<first 16 hex digits of HMAC-SHA-256>:short|long:len=<length>]`` with the key from
``OTEL_ANONYMIZATION_SECRET``: equal values correlate across spans, nobody without the key
can test a guess. Without a key the value is replaced by ``[anonymized:len=<length>]``
(the reference fails the request instead).
"""

from __future__ import annotations

import hashlib
import hmac

SHORT = 50  # longer values are tagged "long"


class Anonymizer:
    """Keyed hashing of attribute values."""

    def __init__(self, secret: str | None) -> None:
        self._key = secret.encode() if secret else None

    @property
    def keyed(self) -> bool:
        return self._key is not None

    def __call__(self, value: str) -> str:
        if self._key is None:
            return f"[anonymized:len={len(value)}]"
        digest = hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:16]
        size = "long" if len(value) > SHORT else "short"
        return f"[hash:{digest}:{size}:len={len(value)}]"
