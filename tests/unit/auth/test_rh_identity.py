from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lightspeed_core.auth.rh_identity import (
    RHIdentityAuth,
    check_entitlements,
    decode_document,
    parse_identity,
)
from lightspeed_core.config.models.auth import RHIdentityConfiguration
from lightspeed_core.errors import LightspeedError, PlainDetailError
from tests.support.auth.rh_identity import encode, entitled, service_account, system, user

from .helpers import request

AUTH = RHIdentityAuth(RHIdentityConfiguration(required_entitlements=["rhel", "ansible"]))
OPEN = RHIdentityAuth(RHIdentityConfiguration())


async def login(document: object, backend: RHIdentityAuth = OPEN) -> Any:
    return await backend.authenticate(request({"x-rh-identity": encode(document)}))


async def failure(header: str | None, backend: RHIdentityAuth = OPEN) -> tuple[int, str]:
    headers = {} if header is None else {"x-rh-identity": header}
    with pytest.raises(PlainDetailError) as info:
        await backend.authenticate(request(headers))
    return info.value.status_code, info.value.detail


async def test_user_identity() -> None:
    principal = await login(user())
    assert (principal.user_id, principal.username, principal.org_id) == ("u-123", "alice", "org-1")
    assert principal.system_id is None
    assert not principal.skip_userid_check
    assert principal.token == ""
    assert principal.roles == {"*"}


async def test_system_identity() -> None:
    principal = await login(system(account_number="5910538"))
    assert principal.user_id == principal.system_id == "c87dcb4c-8af1-40dd-878e-60c744edddd0"
    assert principal.username == "5910538"
    assert principal.org_id == "org-2"
    without_account = await login(system())
    assert without_account.username == without_account.user_id


async def test_service_account_identity() -> None:
    principal = await login(service_account())
    assert (principal.user_id, principal.username, principal.org_id) == (
        "b69eaf9e",
        "svc-bot",
        "org-3",
    )


async def test_entitlements() -> None:
    ok = await login(user(**entitled("rhel", "ansible", "other")), AUTH)
    assert ok.user_id == "u-123"
    for document in (
        user(),
        user(**entitled("rhel")),
        user(**entitled("rhel", ansible=False)),
        user(entitlements={"rhel": {"is_entitled": True}, "ansible": {"is_entitled": "true"}}),
        user(entitlements=["rhel", "ansible"]),
    ):
        assert await failure(encode(document), AUTH) == (403, "Insufficient entitlements")


async def test_missing_and_oversize_header() -> None:
    assert await failure(None) == (401, "Missing x-rh-identity header")
    small = RHIdentityAuth(RHIdentityConfiguration(max_header_size=64))
    assert await failure(encode(user()), small) == (400, "x-rh-identity header is too large")
    assert await failure("A" * 9000) == (400, "x-rh-identity header is too large")


BROKEN: list[tuple[str, object]] = [
    ("not base64", "%%%not-base64%%%"),
    ("base64 of garbage", base64.b64encode(b"\xff\xfe\x00garbage").decode()),
    ("base64 of broken JSON", base64.b64encode(b'{"identity": ').decode()),
    ("JSON list", encode(["identity"])),
    ("no identity", {"id": {}}),
    ("identity not an object", {"identity": "User"}),
    ("no type", {"identity": {"user": {"user_id": "u", "username": "n"}}}),
    ("unknown type", {"identity": {"type": "Robot", "user": {"user_id": "u", "username": "n"}}}),
    ("User without user", {"identity": {"type": "User"}}),
    ("User without user_id", {"identity": {"type": "User", "user": {"username": "n"}}}),
    ("empty username", user(username="")),
    ("numeric user_id", {"identity": {"type": "User", "user": {"user_id": 7, "username": "n"}}}),
    ("control character", user(username="al\x00ice")),
    ("newline", user(user_id="u\n1")),
    ("C1 control character", user(username="al\x85ice")),
    ("field too long", user(username="a" * 257)),
    ("empty org_id", user(org_id="")),
    ("System without org_id", {"identity": {"type": "System", "system": {"cn": "c"}}}),
    ("System without cn", {"identity": {"type": "System", "system": {}, "org_id": "o"}}),
    ("System blank account", system(account_number="")),
    ("ServiceAccount without client_id", {"identity": {"type": "ServiceAccount"}}),
    ("deep nesting", base64.b64encode(b"[" * 5000).decode()),
]


@pytest.mark.parametrize(("case", "value"), BROKEN, ids=[case for case, _ in BROKEN])
async def test_invalid_identity_data(case: str, value: object) -> None:
    header = value if isinstance(value, str) else encode(value)
    assert await failure(header) == (400, "Invalid identity data"), case


def _answer_status(header: str, max_size: int = 8192) -> int:
    """What the module answers to ``header`` (200 for an identity), never an exception."""
    try:
        document = decode_document(header, max_size)
        parse_identity(document)
        check_entitlements(document, ["rhel"])
    except PlainDetailError as exc:
        return exc.status_code
    except LightspeedError as exc:
        return exc.status_code
    return 200


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
identity_like = st.fixed_dictionaries(
    {
        "identity": st.fixed_dictionaries(
            {
                "type": st.sampled_from(["User", "System", "ServiceAccount", "x", ""]),
            },
            optional={
                "org_id": json_values,
                "account_number": json_values,
                "user": st.dictionaries(st.sampled_from(["user_id", "username"]), json_values),
                "system": st.dictionaries(st.just("cn"), json_values),
                "service_account": st.dictionaries(
                    st.sampled_from(["client_id", "username"]), json_values
                ),
            },
        )
    },
    optional={"entitlements": json_values},
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_fuzz_raw_header_never_5xx(header: str) -> None:
    assert _answer_status(header) in (200, 400, 403)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_base64_of_bytes_never_5xx(data: bytes) -> None:
    assert _answer_status(base64.b64encode(data).decode()) in (200, 400, 403)


@settings(max_examples=400, deadline=None)
@given(identity_like | json_values)
def test_fuzz_documents_never_5xx(document: object) -> None:
    assert _answer_status(encode(document)) in (200, 400, 403)
