"""Signing keys: Ed25519 pairs, their private halves sealed at rest, and JWT signing.

Private keys are stored encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from
`IDENTITY_SIGNING_KEY_SECRET`, with the key id as associated data: a copy of the database
alone signs nothing, and a sealed key cannot be swapped onto another key id.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.identity.domain import KeyState, SigningKey

ALGORITHM = "EdDSA"
_NONCE_BYTES = 12


class KeyCipher:
    """Seals and opens private keys (AES-256-GCM, key derived from the configured secret)."""

    def __init__(self, secret: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"meshwork identity signing keys"
        ).derive(secret.encode())
        self._aead = AESGCM(derived)

    def seal(self, kid: str, private: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, private, kid.encode())

    def open(self, kid: str, sealed: bytes) -> bytes:
        return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], kid.encode())


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A signing key as stored: its public record and its sealed private half."""

    key: SigningKey
    sealed_private: bytes


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def generate_key_pair(cipher: KeyCipher, now: datetime) -> KeyPair:
    """A fresh Ed25519 key (state PENDING); its id is the RFC 7638 thumbprint of its JWK."""
    private = Ed25519PrivateKey.generate()
    x = _b64url(
        private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    )
    thumbprint = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    kid = _b64url(hashlib.sha256(thumbprint.encode()).digest())
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": ALGORITHM}
    raw = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    key = SigningKey(
        id=kid, algorithm=ALGORITHM, state=KeyState.PENDING, public_jwk=jwk, created_at=now
    )
    return KeyPair(key=key, sealed_private=cipher.seal(kid, raw))


class TokenSigner:
    """Signs JWTs with a stored key pair (the private half is opened once per key id)."""

    def __init__(self, cipher: KeyCipher) -> None:
        self._cipher = cipher
        self._opened: dict[str, Ed25519PrivateKey] = {}

    def sign(self, claims: dict[str, Any], pair: KeyPair) -> str:
        kid = pair.key.id
        private = self._opened.get(kid)
        if private is None:
            raw = self._cipher.open(kid, pair.sealed_private)
            private = self._opened[kid] = Ed25519PrivateKey.from_private_bytes(raw)
        return jwt.encode(claims, private, algorithm=ALGORITHM, headers={"kid": kid})
