"""The Twilio-compatible SMS transport against httpx's MockTransport (the provider's API)."""

from __future__ import annotations

import httpx
import pytest

from services.notifications.domain import Channel
from services.notifications.transports.base import (
    Outgoing,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from services.notifications.transports.sms import SmsConfig, SmsTransport

CONFIG = SmsConfig(
    base_url="https://sms.example.test/",
    account_sid="AC123",
    auth_token="secret",
    sender="+15550000",
)


def transport(answer: httpx.Response | Exception, seen: list[httpx.Request]) -> SmsTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return SmsTransport(CONFIG, client=client)


async def send(sms: SmsTransport) -> str:
    handover = await sms.prepare(Outgoing("m-1", Channel.SMS, "+447700900123", "", "Code 1234"))
    return await handover.complete()


async def test_a_message_is_posted_as_twilio_expects_and_its_sid_kept() -> None:
    seen: list[httpx.Request] = []
    sms = transport(httpx.Response(201, json={"sid": "SM42", "status": "queued"}), seen)
    assert await send(sms) == "SM42"
    [request] = seen
    assert request.url == "https://sms.example.test/2010-04-01/Accounts/AC123/Messages.json"
    assert request.headers["authorization"] == httpx.BasicAuth("AC123", "secret")._auth_header
    assert dict(httpx.QueryParams(request.content.decode())) == {
        "To": "+447700900123",
        "From": "+15550000",
        "Body": "Code 1234",
    }
    await sms.close()


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_rate_limits_and_server_errors_are_transient(status: int) -> None:
    sms = transport(httpx.Response(status, json={"code": 20429, "message": "Too many"}), [])
    with pytest.raises(TransientDeliveryError, match=f"HTTP {status}: Too many"):
        await send(sms)


async def test_a_refused_number_is_permanent_with_the_providers_text() -> None:
    refusal = {"code": 21211, "message": "The 'To' number is not a valid phone number."}
    sms = transport(httpx.Response(400, json=refusal), [])
    with pytest.raises(PermanentDeliveryError) as caught:
        await send(sms)
    assert str(caught.value) == (
        "HTTP 400: The 'To' number is not a valid phone number. (code 21211)"
    )


async def test_a_provider_that_cannot_be_reached_is_transient() -> None:
    sms = transport(httpx.ConnectError("connection refused"), [])
    with pytest.raises(TransientDeliveryError, match="ConnectError"):
        await send(sms)
