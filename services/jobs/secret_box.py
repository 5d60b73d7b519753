"""Encrypts webhook signing secrets at rest: AES-256-GCM, bound to the endpoint's id (or, for
the stored answers of idempotent calls, which may hold one, to the call's key)."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class SecretBox:
    """Seals and opens secrets with a key derived from the configured passphrase."""

    def __init__(self, passphrase: str) -> None:
        if not passphrase:
            raise ValueError("the webhook secret key must not be empty")
        key = hashlib.sha256(b"meshwork-jobs-webhook-secrets\x00" + passphrase.encode()).digest()
        self._aead = AESGCM(key)

    def seal(self, secret: str, *, owner: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), owner.encode())
        return base64.b64encode(nonce + sealed).decode()

    def open(self, sealed: str, *, owner: str) -> str:
        raw = base64.b64decode(sealed)
        try:
            return self._aead.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], owner.encode()
            ).decode()
        except InvalidTag as error:
            raise ValueError(
                f"the secret of webhook endpoint {owner!r} does not decrypt: was "
                "JOBS_WEBHOOK_SECRET_KEY changed?"
            ) from error


class SealedAnswers:
    """The `mesh.idempotency.AnswerSeal` of jobs: a stored CreateWebhookEndpoint answer holds
    the endpoint's signing secret, so answers are sealed with the same box, bound to `label`."""

    def __init__(self, box: SecretBox) -> None:
        self._box = box

    def seal(self, label: str, data: bytes, /) -> bytes:
        return self._box.seal(base64.b64encode(data).decode(), owner=label).encode()

    def open(self, label: str, sealed: bytes, /) -> bytes:
        return base64.b64decode(self._box.open(sealed.decode(), owner=label))
