"""``x-rh-identity`` header values for tests."""

from __future__ import annotations

import base64
import json
from typing import Any


def encode(document: object) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


def user(
    user_id: str = "u-123", username: str = "alice", org_id: str | None = "org-1", **extra: Any
) -> dict[str, Any]:
    identity: dict[str, Any] = {"type": "User", "user": {"user_id": user_id, "username": username}}
    if org_id is not None:
        identity["org_id"] = org_id
    return {"identity": identity, **extra}


def system(cn: str = "c87dcb4c-8af1-40dd-878e-60c744edddd0", **identity: Any) -> dict[str, Any]:
    return {
        "identity": {"type": "System", "system": {"cn": cn}, "org_id": "org-2", **identity},
    }


def service_account(client_id: str = "b69eaf9e", username: str = "svc-bot") -> dict[str, Any]:
    return {
        "identity": {
            "type": "ServiceAccount",
            "org_id": "org-3",
            "service_account": {"client_id": client_id, "username": username},
        }
    }


def entitled(*services: str, **not_entitled: bool) -> dict[str, Any]:
    table = {name: {"is_entitled": True} for name in services}
    table |= {name: {"is_entitled": value} for name, value in not_entitled.items()}
    return {"entitlements": table}
