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
