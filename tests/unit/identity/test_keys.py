"""Signing keys: sealed at rest, published as JWKs, and tokens the mesh verifier accepts."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidTag

from mesh.auth.jwks import JwksCache
from mesh.auth.tokens import ACCESS_TOKEN, USER_AUDIENCE, TokenVerifier
from services.identity.domain import Account, AccountState, access_claims
from services.identity.keys import KeyCipher, KeyPair, TokenSigner, generate_key_pair

NOW = datetime.now(UTC)


def test_a_sealed_private_key_opens_only_with_the_same_secret_and_key_id() -> None:
    cipher = KeyCipher("secret one")
    sealed = cipher.seal("kid-1", b"\x01" * 32)
    assert b"\x01" * 32 not in sealed
    assert cipher.open("kid-1", sealed) == b"\x01" * 32
    with pytest.raises(InvalidTag):
        KeyCipher("another secret").open("kid-1", sealed)
    with pytest.raises(InvalidTag):
        cipher.open("kid-2", sealed)  # cannot be moved onto another key id


def test_a_new_key_is_pending_with_an_ed25519_jwk_named_by_its_thumbprint() -> None:
    pair = generate_key_pair(KeyCipher("s"), NOW)
    jwk = pair.key.public_jwk
    assert pair.key.state.value == "pending" and pair.key.created_at == NOW
    assert {k: jwk[k] for k in ("kty", "crv", "use", "alg")} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "use": "sig",
        "alg": "EdDSA",
    }
    assert "d" not in jwk
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": jwk["x"]}, separators=(",", ":"))
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest())
    assert jwk["kid"] == pair.key.id == thumbprint.rstrip(b"=").decode()


async def test_signed_access_token_passes_the_mesh_verifier() -> None:
    cipher = KeyCipher("s")
    pair: KeyPair = generate_key_pair(cipher, NOW)

    async def jwks() -> list[dict[str, str]]:
        return [pair.key.public_jwk]

    user = Account("u1", "a@example.com", "h", AccountState.ACTIVE, ("user",), False, NOW)
    claims = access_claims(user, session_id="s1", issuer="iss", now=datetime.now(UTC), ttl_s=60)
    token = TokenSigner(cipher).sign(claims, pair)
    verified = await TokenVerifier(JwksCache(jwks), issuer="iss").verify(
        token, audience=USER_AUDIENCE, token_type=ACCESS_TOKEN
    )
    assert verified.subject == "u1" and verified.claims["sid"] == "s1"
