"""Forged and misused tokens are refused by the verifier every service uses (over GetJwks)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mesh.auth.jwks import JwksCache
from mesh.auth.tokens import ACCESS_TOKEN, USER_AUDIENCE, TokenVerifier
from mesh.errors import Unauthenticated
from meshwork.identity.v1 import identity_service_pb2 as pb
from services.identity.handlers.common import transaction
from tests.integration.identity.conftest import Identity, error_info, jwks_over


async def signed_by_identity(identity: Identity, **overrides: Any) -> str:
    """A token signed with identity's real active key, with the claims of a user's token."""
    deps = identity.service.deps
    async with transaction(deps) as tx:
        pair = await tx.keys.active_pair()
    assert pair is not None
    now = int(time.time())
    claims = {
        "iss": identity.settings.token_issuer,
        "sub": "user-1",
        "aud": USER_AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        "typ": ACCESS_TOKEN,
        "roles": ["user"],
    } | overrides
    return deps.signer.sign(claims, pair)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def _active_kid(identity: Identity) -> str:
    token = await signed_by_identity(identity)
    return str(jwt.get_unverified_header(token)["kid"])


async def alg_none(identity: Identity) -> str:
    kid = await _active_kid(identity)
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
    payload = jwt.decode(await signed_by_identity(identity), options={"verify_signature": False})
    return f"{header}.{_b64(json.dumps(payload).encode())}."


async def hmac_with_the_public_key(identity: Identity) -> str:
    """The classic confusion attack: HS256 keyed with the published public key."""
    kid = await _active_kid(identity)
    [jwk] = [k for k in (await identity.stub.GetJwks(pb.GetJwksRequest())).keys if k.kid == kid]
    payload = jwt.decode(await signed_by_identity(identity), options={"verify_signature": False})
    signing_input = ".".join(
        (
            _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode()),
            _b64(json.dumps(payload).encode()),
        )
    )
    signature = hmac.new(jwk.x.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


async def unknown_kid(identity: Identity) -> str:
    now = int(time.time())
    claims = {
        "iss": identity.settings.token_issuer,
        "sub": "u",
        "aud": USER_AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "j",
        "typ": ACCESS_TOKEN,
    }
    return jwt.encode(
        claims,
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": "not-a-published-key"},
    )


async def refresh_token_as_access_token(identity: Identity) -> str:
    return str((await identity.sign_up()).tokens.refresh_token)


async def service_token_as_user_token(identity: Identity) -> str:
    return await identity.service_token("edge", "identity")


def claims(**overrides: Any) -> Callable[[Identity], Awaitable[str]]:
    async def make(identity: Identity) -> str:
        return await signed_by_identity(identity, **overrides)

    return make


FORGERIES = {
    "alg none": (alg_none, "TOKEN_ALGORITHM_REJECTED"),
    "HMAC keyed with the public key": (hmac_with_the_public_key, "TOKEN_ALGORITHM_REJECTED"),
    "wrong audience": (claims(aud="payments"), "TOKEN_AUDIENCE_MISMATCH"),
    "wrong issuer": (claims(iss="https://evil.example"), "TOKEN_ISSUER_MISMATCH"),
    "expired": (claims(exp=int(time.time()) - 120), "TOKEN_EXPIRED"),
    "not valid yet": (claims(nbf=int(time.time()) + 3600), "TOKEN_NOT_YET_VALID"),
    "unknown kid": (unknown_kid, "TOKEN_KEY_UNKNOWN"),
    "refresh token as access token": (refresh_token_as_access_token, "TOKEN_MALFORMED"),
    "service token as user token": (service_token_as_user_token, "TOKEN_AUDIENCE_MISMATCH"),
    "service-typed token for the user audience": (claims(typ="service"), "TOKEN_TYPE_MISMATCH"),
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
async def test_forged_or_misused_token_is_refused_by_the_mesh_verifier(
    identity: Identity, forgery: str
) -> None:
    make, reason = FORGERIES[forgery]
    token = await make(identity)
    fetches = 0
    fetch = jwks_over(identity.stub)

    async def counting_fetch() -> Any:
        nonlocal fetches
        fetches += 1
        return await fetch()

    keys = JwksCache(counting_fetch, min_refresh_interval_s=0)
    await keys.refresh()
    verifier = TokenVerifier(keys, issuer=identity.settings.token_issuer)
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(token, audience=USER_AUDIENCE, token_type=ACCESS_TOKEN)
    assert caught.value.reason == reason
    if forgery == "unknown kid":
        assert fetches == 2  # it looked for the key once more before refusing

    with pytest.raises(grpc.aio.AioRpcError) as refused:  # and identity's own server refuses it
        await identity.stub.ListSessions(
            pb.ListSessionsRequest(user_id="me"), metadata=await identity.as_user(token)
        )
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_info(refused.value).reason == reason


async def test_a_genuine_access_token_verifies_with_its_claims(identity: Identity) -> None:
    tokens = (await identity.sign_up()).tokens
    verified = await identity.verifier().verify(
        tokens.access_token, audience=USER_AUDIENCE, token_type=ACCESS_TOKEN
    )
    claims = verified.claims
    assert verified.subject == tokens.user_id
    assert verified.roles == {"user"}
    assert claims["sid"] == tokens.session_id and claims["email_verified"] is False
    assert claims["exp"] - int(claims["iat"]) == identity.settings.access_token_ttl_s
    assert {"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "typ"} <= claims.keys()
    header = jwt.get_unverified_header(tokens.access_token)
    assert header["alg"] == "EdDSA" and header["kid"]
