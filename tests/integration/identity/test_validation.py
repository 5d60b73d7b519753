"""Bad input is refused with INVALID_ARGUMENT naming every bad field, and writes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest

from meshwork.identity.v1 import identity_service_pb2 as pb
from tests.integration.identity.conftest import Identity, bad_fields, error_info


async def written(identity: Identity) -> dict[str, int]:
    tables = ("credentials", "sessions", "refresh_tokens", "one_time_tokens", "mesh_outbox")
    return {table: len(await identity.rows(table)) for table in tables}


async def refused(call: Awaitable[Any]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    return caught.value


async def test_sign_up_names_every_bad_field_and_writes_nothing(identity: Identity) -> None:
    before = await written(identity)
    error = await refused(
        identity.stub.SignUp(
            pb.SignUpRequest(
                email="not-an-address",
                password="short",
                display_name="x" * 101,
                locale="english please",
            )
        )
    )
    assert error_info(error).reason == "VALIDATION_FAILED"
    assert set(bad_fields(error)) == {"email", "password", "display_name", "locale"}
    assert "at least 12 characters" in bad_fields(error)["password"]
    assert await written(identity) == before
    assert identity.users.profiles == {}


async def test_a_display_name_that_reorders_text_is_refused_and_writes_nothing(
    identity: Identity,
) -> None:
    # The display name goes into mail subjects; U+202E would show "Ada<RLO>gnp.exe" as
    # "Adaexe.png" there.
    before = await written(identity)
    request = pb.SignUpRequest(
        email="ada@example.com", password="a fine long passphrase", display_name="Ada\u202egnp.exe"
    )
    error = await refused(identity.stub.SignUp(request))
    assert list(bad_fields(error)) == ["display_name"]
    assert bad_fields(error)["display_name"].startswith(
        "must not contain bidirectional control characters (found U+202E"
    )
    assert await written(identity) == before
    assert identity.users.profiles == {}


@pytest.mark.parametrize(
    ("email", "password", "reason", "field"),
    [
        ("ok@example.com", "password1234", "PASSWORD_TOO_WEAK", "password"),
        ("ok@example.com", "aaaaaaaaaaaaaaaa", "PASSWORD_TOO_WEAK", "password"),
        ("longname@example.com", "my longname secret", "PASSWORD_TOO_WEAK", "password"),
        ("no-at-sign", "a fine long passphrase", "INVALID_EMAIL", "email"),
        ("", "a fine long passphrase", "VALIDATION_FAILED", "email"),
    ],
    ids=["breached", "repetitive", "contains the address", "malformed email", "missing email"],
)
async def test_sign_up_reports_the_specific_reason_of_a_single_problem(
    identity: Identity, email: str, password: str, reason: str, field: str
) -> None:
    error = await refused(identity.stub.SignUp(pb.SignUpRequest(email=email, password=password)))
    assert error_info(error).reason == reason
    assert list(bad_fields(error)) == [field]
    assert await identity.rows("credentials") == []


CALLS: dict[str, tuple[Callable[[Identity], Awaitable[Any]], set[str]]] = {
    "login": (lambda i: i.stub.Login(pb.LoginRequest()), {"email", "password"}),
    "refresh": (lambda i: i.stub.Refresh(pb.RefreshRequest()), {"refresh_token"}),
    "logout": (lambda i: i.stub.Logout(pb.LogoutRequest()), {"refresh_token"}),
    "confirm reset": (
        lambda i: i.stub.ConfirmPasswordReset(pb.ConfirmPasswordResetRequest(new_password="x")),
        {"token", "new_password"},
    ),
    "confirm verification": (
        lambda i: i.stub.ConfirmEmailVerification(pb.ConfirmEmailVerificationRequest()),
        {"token"},
    ),
    "request reset": (
        lambda i: i.stub.RequestPasswordReset(pb.RequestPasswordResetRequest(email="nope")),
        {"email"},
    ),
    "service token": (
        lambda i: i.stub.IssueServiceToken(pb.IssueServiceTokenRequest()),
        {"client_id", "client_secret", "audience"},
    ),
}


@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
async def test_public_methods_name_each_missing_or_malformed_field(
    identity: Identity, call: str
) -> None:
    make, fields = CALLS[call]
    before = await written(identity)
    error = await refused(make(identity))
    assert set(bad_fields(error)) == fields
    assert await written(identity) == before


async def test_password_change_names_both_fields_and_changes_nothing(identity: Identity) -> None:
    tokens = (await identity.sign_up()).tokens
    before = await written(identity)
    [row] = await identity.rows("credentials")
    error = await refused(
        identity.stub.ChangePassword(
            pb.ChangePasswordRequest(current_password="", new_password="short"),
            metadata=await identity.as_user(tokens.access_token),
        )
    )
    assert set(bad_fields(error)) == {"current_password", "new_password"}
    assert await written(identity) == before
    assert (await identity.rows("credentials"))[0]["password_hash"] == row["password_hash"]


async def test_listing_sessions_refuses_a_negative_page_size_and_a_foreign_page_token(
    identity: Identity,
) -> None:
    tokens = (await identity.sign_up()).tokens
    metadata = await identity.as_user(tokens.access_token)
    error = await refused(
        identity.stub.ListSessions(
            pb.ListSessionsRequest(user_id="me", page_size=-1), metadata=metadata
        )
    )
    assert set(bad_fields(error)) == {"page_size"}
    error = await refused(
        identity.stub.ListSessions(
            pb.ListSessionsRequest(user_id="me", page_token="garbage!"), metadata=metadata
        )
    )
    assert error_info(error).reason == "INVALID_PAGE_TOKEN"
