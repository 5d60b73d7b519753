"""Signing keys: created at start-up, rotated without restarts, private halves never exposed."""

from __future__ import annotations

from typing import Any

import grpc
import jwt
import pytest

from mesh.auth.jwks import JwksCache
from mesh.auth.tokens import ACCESS_TOKEN, USER_AUDIENCE, TokenVerifier
from mesh.service import start_service
from meshwork.identity.v1 import events_pb2, resources_pb2
from meshwork.identity.v1 import identity_service_pb2 as pb
from services.identity.bootstrap import IdentityService
from services.identity.config import IdentitySettings
from tests.integration.identity.conftest import Identity, error_info, jwks_over

ACTIVE, PENDING, RETIRED = (
    resources_pb2.SIGNING_KEY_STATE_ACTIVE,
    resources_pb2.SIGNING_KEY_STATE_PENDING,
    resources_pb2.SIGNING_KEY_STATE_RETIRED,
)


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def rotate(identity: Identity) -> pb.RotateSigningKeysResponse:
    metadata = await identity.as_service("jobs")
    return await identity.stub.RotateSigningKeys(pb.RotateSigningKeysRequest(), metadata=metadata)


async def verify(verifier: TokenVerifier, token: str) -> Any:
    return await verifier.verify(token, audience=USER_AUDIENCE, token_type=ACCESS_TOKEN)


async def test_start_up_creates_an_active_and_a_pending_key_published_without_private_parts(
    identity: Identity,
) -> None:
    admin = (await identity.sign_up("root@example.com")).tokens
    listed = await identity.stub.ListSigningKeys(
        pb.ListSigningKeysRequest(), metadata=await identity.as_user(admin.access_token)
    )
    assert sorted(key.state for key in listed.signing_keys) == sorted([ACTIVE, PENDING])
    [active] = [key for key in listed.signing_keys if key.state == ACTIVE]
    assert active.algorithm == "EdDSA" and active.public_key.crv == "Ed25519"
    assert kid_of(admin.access_token) == active.id
    jwks = (await identity.stub.GetJwks(pb.GetJwksRequest())).keys
    assert {key.kid for key in jwks} == {key.id for key in listed.signing_keys}
    [row] = await identity.rows("signing_keys", id=active.id)
    private = bytes(row["sealed_private_key"])
    assert len(private) > 32 and active.public_key.x.encode() not in private


async def test_listing_signing_keys_needs_the_admin_role(identity: Identity) -> None:
    user = (await identity.sign_up()).tokens
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.stub.ListSigningKeys(
            pb.ListSigningKeysRequest(), metadata=await identity.as_user(user.access_token)
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_info(caught.value).reason == "ROLE_REQUIRED"


async def test_rotation_switches_the_signing_key_and_old_tokens_verify_until_they_expire(
    identity: Identity,
) -> None:
    before = (await identity.sign_up()).tokens
    elsewhere = identity.verifier(min_refresh_interval_s=0)  # another process's verifier
    await verify(elsewhere, before.access_token)  # it has fetched the JWKS now

    rotated = await rotate(identity)
    assert rotated.retired_key.id == kid_of(before.access_token)
    assert rotated.retired_key.expire_time.ToSeconds() >= (
        rotated.retired_key.retire_time.ToSeconds() + identity.settings.access_token_ttl_s
    )
    after = (await identity.login(await _email_of(identity, before))).tokens
    assert kid_of(after.access_token) == rotated.active_key.id != kid_of(before.access_token)

    assert (await verify(elsewhere, after.access_token)).subject == before.user_id
    assert (await verify(elsewhere, before.access_token)).subject == before.user_id
    assert (await verify(identity.verifier(), before.access_token)).subject == before.user_id
    [event] = await identity.events(events_pb2.SigningKeysRotated)
    assert (event.active_key_id, event.pending_key_id, event.retired_key_id) == (
        rotated.active_key.id,
        rotated.pending_key.id,
        rotated.retired_key.id,
    )


async def test_a_verifier_that_fetched_before_two_rotations_picks_up_the_new_key_by_kid(
    identity: Identity,
) -> None:
    fetches = 0
    fetch = jwks_over(identity.stub)

    async def counting() -> Any:
        nonlocal fetches
        fetches += 1
        return await fetch()

    elsewhere = TokenVerifier(
        JwksCache(counting, min_refresh_interval_s=0), issuer=identity.settings.token_issuer
    )
    first = (await identity.sign_up()).tokens
    await verify(elsewhere, first.access_token)
    await rotate(identity)
    await rotate(identity)  # the key now signing was generated after the verifier fetched
    later = (await identity.login(await _email_of(identity, first))).tokens
    assert (await verify(elsewhere, later.access_token)).subject == first.user_id
    assert fetches == 2  # one refresh, triggered by the unknown kid; no restart


async def test_identitys_own_server_accepts_tokens_of_the_new_key_right_after_rotation(
    identity: Identity,
) -> None:
    await rotate(identity)
    await rotate(identity)
    tokens = (await identity.sign_up()).tokens
    listed = await identity.stub.ListSessions(
        pb.ListSessionsRequest(user_id="me"), metadata=await identity.as_user(tokens.access_token)
    )
    assert [session.id for session in listed.sessions] == [tokens.session_id]


async def test_keys_survive_a_restart_and_are_not_regenerated(
    identity: Identity, settings: IdentitySettings
) -> None:
    jwks = {key.kid for key in (await identity.stub.GetJwks(pb.GetJwksRequest())).keys}
    again = IdentityService(settings.model_copy())
    async with start_service(again.settings, **again.launch_options()):
        assert {key["kid"] for key in await again.jwks()} == jwks


async def _email_of(identity: Identity, tokens: resources_pb2.SessionTokens) -> str:
    [row] = await identity.rows("credentials", user_id=tokens.user_id)
    return str(row["email"])
