"""``jwk-token``: a JWT signed by a key of a JSON Web Key Set (OIDC providers, Keycloak ...).

Steps: bearer token → unverified header (``alg`` must be an asymmetric signature algorithm;
``none`` and HMAC are refused, so a public key can never be used as an HMAC secret) → key
lookup (``kid`` must name exactly one usable key; without ``kid``, the first key fit for
``alg``; a miss refetches the set once, rate-limited) → signature (a signature that fails
with the cached key refetches the set too, rate-limited: a key replaced under the same
``kid`` is not trusted for long) and ``exp``/``nbf``/``iat`` checks (numbers only: PyJWT
would accept ``"exp": "9999999999"``) → user ID and username claims → roles from the JWT
role rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt
from starlette.requests import HTTPConnection

from lightspeed_core.auth.base import Principal
from lightspeed_core.auth.bearer import bearer_token, has_authorization
from lightspeed_core.auth.jwks_cache import JwksCache, JwksError, KeySet
from lightspeed_core.auth.role_rules import RoleRule, compile_rules, resolve_roles
from lightspeed_core.config.models.auth import JwkConfiguration
from lightspeed_core.errors import UnauthorizedError

__all__ = ["SIGNATURE_ALGORITHMS", "JwkTokenAuth", "select_key"]

# algorithm → key type of the JWK that can verify it
SIGNATURE_ALGORITHMS: dict[str, str] = {
    **{f"RS{bits}": "RSA" for bits in (256, 384, 512)},
    **{f"PS{bits}": "RSA" for bits in (256, 384, 512)},
    "ES256": "EC",
    "ES384": "EC",
    "ES512": "EC",
    "EdDSA": "OKP",
}
_EC_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


def _fits(key: Mapping[str, Any], alg: str) -> bool:
    if key.get("alg", alg) != alg or key.get("kty") != SIGNATURE_ALGORITHMS[alg]:
        return False
    curve = _EC_CURVES.get(alg)
    return curve is None or key.get("crv") == curve


def select_key(keys: KeySet, kid: str | None, alg: str) -> Mapping[str, Any] | None:
    """The key that must verify a token with header ``kid``/``alg`` (``None``: unknown)."""
    if kid is not None:
        named = [key for key in keys.keys if key.get("kid") == kid]
        return named[0] if len(named) == 1 and _fits(named[0], alg) else None
    return next((key for key in keys.keys if _fits(key, alg)), None)


def _claim(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise UnauthorizedError(f"Token missing claim: {name}")
    return str(value)


class JwkTokenAuth:
    """Validates JWTs against the configured JWKS URL."""

    name = "jwk-token"

    def __init__(self, config: JwkConfiguration, *, jwks: JwksCache | None = None) -> None:
        jwt_config = config.jwt_configuration
        self._jwks = jwks or JwksCache(str(config.url))
        self._user_id_claim = jwt_config.user_id_claim
        self._username_claim = jwt_config.username_claim
        self._rules: tuple[RoleRule, ...] = compile_rules(jwt_config.role_rules)

    async def authenticate(self, conn: HTTPConnection) -> Principal:
        token = bearer_token(conn)
        kid, alg = _header(token)
        keys, key = await self._key_for(kid, alg)
        try:
            claims = _verify(token, key, alg)
        except _SignatureMismatch:
            replaced = await self._replaced_key(keys, key, kid, alg)
            if replaced is None:
                raise
            claims = _verify(token, replaced, alg)
        return Principal(
            user_id=_claim(claims, self._user_id_claim),
            username=_claim(claims, self._username_claim),
            roles=resolve_roles(self._rules, claims),
            token=token,
            skip_userid_check=False,
        )

    async def _key_for(self, kid: str | None, alg: str) -> tuple[KeySet, Mapping[str, Any]]:
        try:
            keys = await self._jwks.keys()
            key = select_key(keys, kid, alg)
            if key is None:
                fresh = await self._jwks.refresh(keys)
                if fresh is not None:
                    keys, key = fresh, select_key(fresh, kid, alg)
        except JwksError as exc:
            raise UnauthorizedError(exc.cause) from exc
        if key is None:
            raise UnauthorizedError("Token signed by unknown key")
        return keys, key

    async def _replaced_key(
        self, keys: KeySet, key: Mapping[str, Any], kid: str | None, alg: str
    ) -> Mapping[str, Any] | None:
        """After a failed signature: the key now published for ``kid``, if it changed."""
        try:
            fresh = await self._jwks.refresh(keys)
        except JwksError:
            return None
        replaced = None if fresh is None else select_key(fresh, kid, alg)
        return None if replaced is None or dict(replaced) == dict(key) else replaced

    def has_credentials(self, conn: HTTPConnection) -> bool:
        return has_authorization(conn)

    async def aclose(self) -> None:
        await self._jwks.aclose()


def _header(token: str) -> tuple[str | None, str]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise UnauthorizedError("Invalid token format") from exc
    alg, kid = header.get("alg"), header.get("kid")
    if not isinstance(alg, str) or alg not in SIGNATURE_ALGORITHMS:
        raise UnauthorizedError("Token signed by unknown key")
    if kid is not None and not isinstance(kid, str):
        raise UnauthorizedError("Token signed by unknown key")
    return kid, alg


class _SignatureMismatch(UnauthorizedError):
    """The signature does not verify with the key used (it may have been replaced)."""


def _numeric_times(claims: Mapping[str, Any]) -> None:
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise UnauthorizedError(f"Token claim {name} must be a number")


def _verify(token: str, key: Mapping[str, Any], alg: str) -> dict[str, Any]:
    try:
        verifier = jwt.PyJWK(dict(key), algorithm=alg)
        claims: dict[str, Any] = jwt.decode(
            token, verifier.key, algorithms=[alg], options={"verify_aud": False}
        )
    except jwt.ExpiredSignatureError as exc:
        raise UnauthorizedError("Token has expired") from exc
    except jwt.InvalidSignatureError as exc:
        raise _SignatureMismatch("Invalid token signature") from exc
    except jwt.DecodeError as exc:
        raise UnauthorizedError("Invalid token format") from exc
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError, KeyError) as exc:
        raise UnauthorizedError("Authentication keys are malformed") from exc
    except jwt.PyJWTError as exc:
        raise UnauthorizedError("Token validation failed") from exc
    _numeric_times(claims)
    return claims
