"""Service tokens: issued for the right client credentials, and the per-method access policy."""

from __future__ import annotations

import grpc
import pytest

from mesh.auth.tokens import SERVICE_TOKEN
from meshwork.identity.v1 import identity_service_pb2 as pb
from tests.integration.identity.conftest import DEV_SECRET, Identity, error_info


async def issue(identity: Identity, client: str, secret: str, audience: str) -> str:
    reply = await identity.stub.IssueServiceToken(
        pb.IssueServiceTokenRequest(client_id=client, client_secret=secret, audience=audience)
    )
    assert reply.token_type == "Bearer"
    return str(reply.access_token)


async def test_a_service_token_names_the_client_and_the_audience(identity: Identity) -> None:
    token = await issue(identity, "payments", DEV_SECRET, "users")
    verified = await identity.verifier().verify(token, audience="users", token_type=SERVICE_TOKEN)
    assert verified.subject == "payments"
    claims = verified.claims
    assert claims["exp"] - claims["iat"] == identity.settings.service_token_ttl_s


@pytest.mark.parametrize(
    ("client", "secret", "audience", "code", "reason"),
    [
        ("payments", "wrong-secret", "users", "UNAUTHENTICATED", "INVALID_CLIENT_CREDENTIALS"),
        ("mallory", DEV_SECRET, "users", "UNAUTHENTICATED", "INVALID_CLIENT_CREDENTIALS"),
        ("payments", DEV_SECRET, "meshwork", "INVALID_ARGUMENT", "UNKNOWN_AUDIENCE"),
        ("payments", DEV_SECRET, "edge", "INVALID_ARGUMENT", "UNKNOWN_AUDIENCE"),
    ],
    ids=["wrong secret", "unknown client", "user audience", "not a service"],
)
async def test_service_token_refused_for_bad_credentials_or_audience(
    identity: Identity, client: str, secret: str, audience: str, code: str, reason: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await issue(identity, client, secret, audience)
    assert caught.value.code().name == code
    assert error_info(caught.value).reason == reason


async def test_internal_method_admits_only_the_services_its_policy_lists(
    identity: Identity,
) -> None:
    request = pb.PurgeExpiredTokensRequest()
    with pytest.raises(grpc.aio.AioRpcError) as anonymous:
        await identity.stub.PurgeExpiredTokens(request)
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_info(anonymous.value).reason == "SERVICE_TOKEN_MISSING"

    with pytest.raises(grpc.aio.AioRpcError) as as_users:
        await identity.stub.PurgeExpiredTokens(request, metadata=await identity.as_service("users"))
    assert as_users.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_info(as_users.value).reason == "CALLER_NOT_ALLOWED"

    await identity.stub.PurgeExpiredTokens(request, metadata=await identity.as_service("jobs"))


async def test_a_user_role_opens_no_internal_method(identity: Identity) -> None:
    admin = (await identity.sign_up("root@example.com")).tokens  # a bootstrap administrator
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.stub.RevokeUserSessions(
            pb.RevokeUserSessionsRequest(user_id=admin.user_id),
            metadata=await identity.as_user(admin.access_token),
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_token_for_another_service_is_refused(identity: Identity) -> None:
    token = await identity.service_token("admin", "users")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await identity.stub.RevokeUserSessions(
            pb.RevokeUserSessionsRequest(user_id="u"),
            metadata=(("authorization", f"Bearer {token}"),),
        )
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_info(caught.value).reason == "TOKEN_AUDIENCE_MISMATCH"


async def test_identity_calls_users_with_its_own_locally_issued_service_token(
    identity: Identity,
) -> None:
    await identity.sign_up()
    assert identity.users.callers == ["identity"]
