"""Sign-up and password reset through identity: the mail arrives once, and its token works."""

from __future__ import annotations

import re

import grpc
import pytest

from meshwork.identity.v1 import identity_service_pb2 as identity_pb
from tests.integration.notifications.conftest import PASSWORD, Platform, SmtpSink
from tests.support.waiting import eventually

NEW_PASSWORD = "another horse battery"


async def test_sign_up_sends_one_welcome_email_with_the_name(
    platform: Platform, smtp_sink: SmtpSink
) -> None:
    await platform.sign_up("ada@example.com", display_name="Ada Lovelace")
    await eventually(lambda: len(smtp_sink.messages("ada@example.com")) >= 2)
    [welcome] = smtp_sink.messages("ada@example.com", subject="welcome")
    assert welcome.subject == "Welcome to Meshwork, Ada Lovelace!"
    assert "Hello Ada Lovelace," in welcome.part("plain")
    assert "<p>Hello Ada Lovelace,</p>" in welcome.part("html")
    [verification] = smtp_sink.messages("ada@example.com", subject="confirm your email")
    assert re.search(r"/verify-email\?token=\S+", verification.part("plain"))


async def test_a_password_reset_mails_a_token_that_resets_the_password(
    platform: Platform, smtp_sink: SmtpSink
) -> None:
    await platform.sign_up("lin@example.com", display_name="Lin")
    await platform.identity.RequestPasswordReset(
        identity_pb.RequestPasswordResetRequest(email="lin@example.com")
    )
    await eventually(lambda: bool(smtp_sink.messages("lin@example.com", subject="reset")))
    [reset] = smtp_sink.messages("lin@example.com", subject="reset your password")
    token = re.search(r"Or enter this code: (\S+)", reset.part("plain"))
    assert token is not None
    await platform.identity.ConfirmPasswordReset(
        identity_pb.ConfirmPasswordResetRequest(token=token.group(1), new_password=NEW_PASSWORD)
    )
    await platform.identity.Login(
        identity_pb.LoginRequest(email="lin@example.com", password=NEW_PASSWORD)
    )
    with pytest.raises(grpc.aio.AioRpcError) as old_password:
        await platform.identity.Login(
            identity_pb.LoginRequest(email="lin@example.com", password=PASSWORD)
        )
    assert old_password.value.code() == grpc.StatusCode.UNAUTHENTICATED
