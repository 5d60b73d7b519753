"""JWT verification: algorithm allow-list, key by `kid`, issuer, audience, type and time checks.

Unauthenticated reasons raised (domain `mesh.meshwork`):
TOKEN_MALFORMED           not a JWT, or a required claim/header is missing
TOKEN_ALGORITHM_REJECTED  `alg` is not an allowed asymmetric algorithm (`none`, HS256, ...)
TOKEN_KEY_UNKNOWN         no published key has the token's `kid`, even after a refresh
TOKEN_SIGNATURE_INVALID   the signature does not verify with that key
TOKEN_EXPIRED / TOKEN_NOT_YET_VALID   `exp` passed / `nbf` in the future
TOKEN_ISSUER_MISMATCH / TOKEN_AUDIENCE_MISMATCH / TOKEN_TYPE_MISMATCH
USER_SUSPENDED / TOKEN_REVOKED   the user's access tokens are revoked (`mesh.auth.revocations`)
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import jwt

from mesh.auth.jwks import JwksCache
from mesh.auth.revocations import Revocations
from mesh.errors import MESH_DOMAIN, Unauthenticated

#: The token types the platform issues (the `typ` claim).
ACCESS_TOKEN = "access"
SERVICE_TOKEN = "service"
#: Audience of end-user access tokens: the platform's API as a whole.
USER_AUDIENCE = "meshwork"
#: Asymmetric algorithms only: a verifier must never accept `none` or an HMAC.
ALLOWED_ALGORITHMS = frozenset({"EdDSA", "ES256"})
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "typ"]

_JWT_ERRORS: list[tuple[type[Exception], str, str]] = [
    (jwt.ExpiredSignatureError, "TOKEN_EXPIRED", "the token has expired"),
    (jwt.ImmatureSignatureError, "TOKEN_NOT_YET_VALID", "the token is not valid yet (nbf)"),
    (jwt.InvalidIssuerError, "TOKEN_ISSUER_MISMATCH", "the token is from another issuer"),
    (jwt.MissingRequiredClaimError, "TOKEN_MALFORMED", "the token lacks a required claim"),
    (jwt.InvalidSignatureError, "TOKEN_SIGNATURE_INVALID", "the token's signature is invalid"),
]


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """The claims of a token that passed every check."""

    subject: str
    token_type: str
    expires_at: float
    roles: frozenset[str] = frozenset()
    claims: dict[str, Any] = field(default_factory=dict, repr=False)


def _refuse(reason: str, message: str) -> Unauthenticated:
    return Unauthenticated(message, reason=reason, domain=MESH_DOMAIN)


class TokenVerifier:
    """Verifies platform JWTs locally against the issuer's cached JWKS.

    Tokens that verified are remembered (up to `cache_size`, never past their `exp`), so a
    client sending the same token on every call pays for the signature check once. Access
    tokens of users in `revocations` are refused, cached or not (a dictionary lookup).
    """

    def __init__(
        self,
        keys: JwksCache,
        *,
        issuer: str,
        leeway_s: float = 5.0,
        cache_size: int = 10_000,
        revocations: Revocations | None = None,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self.revocations = revocations
        self._leeway_s = leeway_s
        self._cache_size = cache_size
        self._verified: OrderedDict[tuple[str, str, str], VerifiedToken] = OrderedDict()

    async def refresh_keys(self) -> None:
        """Fetches the issuer's keys now (the issuer calls this right after rotating)."""
        await self._keys.refresh()

    def cached(self, token: str, *, audience: str, token_type: str) -> VerifiedToken | None:
        """The token's claims if it verified before and has not expired since; else None
        (then `verify`). Nothing to wait for: callers skip a coroutine on every cached call."""
        cache_key = (token, audience, token_type)
        cached = self._verified.get(cache_key)
        if cached is None:
            return None
        if cached.expires_at + self._leeway_s > time.time():
            self._verified.move_to_end(cache_key)
            self._check_revocation(cached)
            return cached
        del self._verified[cache_key]
        return None

    async def verify(self, token: str, *, audience: str, token_type: str) -> VerifiedToken:
        """The token's claims, or Unauthenticated saying exactly what is wrong."""
        cached = self.cached(token, audience=audience, token_type=token_type)
        if cached is not None:
            return cached
        verified = await self._verify(token, audience=audience, token_type=token_type)
        self._check_revocation(verified)
        cache_key = (token, audience, token_type)
        if self._cache_size:
            self._verified[cache_key] = verified
            if len(self._verified) > self._cache_size:
                self._verified.popitem(last=False)
        return verified

    def _check_revocation(self, verified: VerifiedToken) -> None:
        if self.revocations is not None and verified.token_type == ACCESS_TOKEN:
            self.revocations.check(verified.subject, float(verified.claims.get("iat", 0)))

    async def _verify(self, token: str, *, audience: str, token_type: str) -> VerifiedToken:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as error:
            raise _refuse("TOKEN_MALFORMED", _not_a_jwt(token, error)) from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise _refuse(
                "TOKEN_ALGORITHM_REJECTED",
                f"token algorithm {algorithm!r} is not accepted; "
                f"allowed: {sorted(ALLOWED_ALGORITHMS)}",
            )
        if not isinstance(kid, str) or not kid:
            raise _refuse("TOKEN_MALFORMED", "the token header has no key id (kid)")
        key = await self._keys.key(kid)
        if key is None:
            raise _refuse("TOKEN_KEY_UNKNOWN", f"no published signing key has kid {kid!r}")
        if key.algorithm_name != algorithm:
            raise _refuse("TOKEN_ALGORITHM_REJECTED", f"key {kid!r} does not sign with {algorithm}")
        claims = self._decode(token, key, algorithm=algorithm, audience=audience)
        if claims.get("typ") != token_type:
            raise _refuse(
                "TOKEN_TYPE_MISMATCH",
                f"a {claims.get('typ')!r} token was presented "
                f"where a {token_type!r} token is needed",
            )
        return VerifiedToken(
            subject=str(claims["sub"]),
            token_type=token_type,
            expires_at=float(claims["exp"]),
            roles=frozenset(claims.get("roles", ())),
            claims=claims,
        )

    def _decode(self, token: str, key: jwt.PyJWK, *, algorithm: str, audience: str) -> dict:
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=audience,
                issuer=self._issuer,
                leeway=self._leeway_s,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.InvalidAudienceError:  # raised after the signature verified
            raise _refuse("TOKEN_AUDIENCE_MISMATCH", _audience_mismatch(token, audience)) from None
        except jwt.InvalidTokenError as error:
            for kind, reason, message in _JWT_ERRORS:
                if isinstance(error, kind):
                    raise _refuse(reason, f"{message}: {error}") from None
            raise _refuse("TOKEN_MALFORMED", f"the token is invalid: {error}") from None


#: How PyJWT's messages for a part that does not decode begin, and what the part must be.
_UNDECODABLE_PARTS = (
    ("Invalid header", "its header is not base64url-encoded JSON"),
    ("Invalid payload", "its payload is not base64url-encoded JSON"),
    ("Invalid crypto padding", "its signature is not base64url"),
)


def _not_a_jwt(token: str, error: jwt.DecodeError) -> str:
    """What makes `token` no JWT at all, in terms of its three dot-separated parts."""
    parts = token.count(".") + 1
    if parts != 3:
        return (
            f"the token is not a valid JWT: it has {parts} dot-separated "
            f"part{'' if parts == 1 else 's'}, not the three of one (header.payload.signature)"
        )
    for words, problem in _UNDECODABLE_PARTS:
        if str(error).startswith(words):
            return (
                f"the token is not a valid JWT: {problem} "
                "(a character added, lost or changed in copying?)"
            )
    return f"the token is not a valid JWT: {error}"


def _audience_mismatch(token: str, audience: str) -> str:
    """Which audience the token is for, which one was needed, and, for an end user's token
    where a service token is needed, where that token goes instead."""
    given = jwt.decode(token, options={"verify_signature": False}).get("aud")
    named = ", ".join(map(repr, given)) if isinstance(given, list) else repr(given)
    message = f"the token is for audience {named}, not {audience!r}"
    if given == USER_AUDIENCE:
        message += (
            " (it is an end user's access token: a service takes it in the "
            "'x-user-authorization' metadata, beside the calling service's own token)"
        )
    return message
