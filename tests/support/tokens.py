"""A test token issuer: Ed25519 keys, a JWK Set, and tokens shaped as identity issues them."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ISSUER = "https://identity.meshwork.test"


class TestIssuer:
    """Holds signing keys by kid and signs tokens; `fetches` counts JWKS fetches."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.fetches = 0
        self.current = self.rotate()

    def rotate(self) -> str:
        kid = uuid.uuid4().hex[:16]
        self.keys[kid] = Ed25519PrivateKey.generate()
        self.current = kid
        return kid

    async def jwks(self) -> Sequence[Mapping[str, Any]]:
        self.fetches += 1
        return [
            {
                **json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key())),
                "kid": kid,
                "alg": "EdDSA",
                "use": "sig",
            }
            for kid, key in self.keys.items()
        ]

    def sign(self, *, kid: str | None = None, headers: dict | None = None, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": "user-1",
            "aud": "meshwork",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            "typ": "access",
            "roles": ["member"],
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        kid = kid or self.current
        return jwt.encode(
            claims, self.keys[kid], algorithm="EdDSA", headers={"kid": kid, **(headers or {})}
        )


Metadata = tuple[tuple[str, str], ...]


class Callers:
    """Call metadata for a service's tests: another service on its own, or a user through
    the edge (the edge's service token and the user's), optionally with an idempotency key."""

    def __init__(self, issuer: TestIssuer, *, audience: str, default_role: str = "user") -> None:
        self._issuer = issuer
        self._audience = audience
        self._default_role = default_role

    def service(self, name: str) -> Metadata:
        token = self._issuer.sign(sub=name, aud=self._audience, typ="service", roles=None)
        return (("authorization", f"Bearer {token}"),)

    def user(self, user_id: str, *roles: str, key: str = "") -> Metadata:
        token = self._issuer.sign(sub=user_id, roles=list(roles or (self._default_role,)))
        keyed = (("idempotency-key", key),) if key else ()
        return (*self.service("edge"), ("x-user-authorization", f"Bearer {token}"), *keyed)

    def admin(self, user_id: str = "admin-1", *, key: str = "") -> Metadata:
        return self.user(user_id, "admin", key=key)

    def support(self, user_id: str = "support-1") -> Metadata:
        return self.user(user_id, "support")
