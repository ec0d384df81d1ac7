"""No header value makes a parser fail with anything but a 4xx domain error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lightspeed_core.auth.bearer import bearer_token
from lightspeed_core.auth.jwk_token import _header
from lightspeed_core.auth.trusted_proxy import forwarded_user
from lightspeed_core.errors import UnauthorizedError

from .helpers import request

latin1 = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=300)
token_like = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=+/ "),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(latin1)
def test_bearer(value: str) -> None:
    try:
        token = bearer_token(request({"Authorization": value}))
    except UnauthorizedError:
        return
    assert token
    assert " " not in token


@settings(max_examples=500, deadline=None)
@given(st.one_of(token_like, latin1, st.just("eyJhbGciOiJub25lIn0.e30.")))
def test_jwt_header(value: str) -> None:
    try:
        kid, alg = _header(value)
    except UnauthorizedError:
        return  # 401 by construction
    assert alg != "none"
    assert kid is None or isinstance(kid, str)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=300)))
def test_forwarded_user(value: str | None) -> None:
    try:
        user = forwarded_user(value, "X-Forwarded-User")
    except UnauthorizedError:
        return  # 401 by construction
    assert user
    assert user == user.strip()
    assert all(ord(c) >= 32 for c in user)


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        (None, "Missing required header 'X-Forwarded-User'"),
        ("   ", "Missing required header 'X-Forwarded-User'"),
        ("bob\x00", "Invalid value in header 'X-Forwarded-User'"),
        ("b" * 257, "Invalid value in header 'X-Forwarded-User'"),
    ],
)
def test_forwarded_user_failures(value: str | None, cause: str) -> None:
    with pytest.raises(UnauthorizedError) as info:
        forwarded_user(value, "X-Forwarded-User")
    assert info.value.cause == cause
