"""SMS over a Twilio-compatible HTTP API (httpx): one POST per message.

``POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json`` with form fields To,
From and Body, HTTP basic auth (account sid, auth token); 2xx answers carry the message
``sid``. 429 and 5xx answers are transient, other 4xx permanent; a connection that could not
be made is transient, one lost after the request went out leaves the outcome in doubt.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from services.notifications.transports.base import (
    DeliveryError,
    Outgoing,
    PermanentDeliveryError,
    TransientDeliveryError,
)


@dataclass(frozen=True, slots=True)
class SmsConfig:
    base_url: str
    account_sid: str
    auth_token: str
    sender: str
    timeout_s: float = 20.0


class SmsTransport:
    """Delivers SMS through the provider's REST API."""

    name = "sms"
    deduplicates = False

    def __init__(self, config: SmsConfig, *, client: httpx.AsyncClient | None = None) -> None:
        self._config = config
        self._client = client or httpx.AsyncClient(timeout=config.timeout_s)
        base = config.base_url.rstrip("/")
        self._url = f"{base}/2010-04-01/Accounts/{config.account_sid}/Messages.json"
        self._auth = httpx.BasicAuth(config.account_sid, config.auth_token)

    async def prepare(self, message: Outgoing) -> SmsHandover:
        form = {"To": message.recipient, "From": self._config.sender, "Body": message.text_body}
        request = self._client.build_request("POST", self._url, data=form)
        return SmsHandover(self._client, request, self._auth)

    async def close(self) -> None:
        await self._client.aclose()


class SmsHandover:
    """The provider request, built and not yet sent."""

    provider_message_id = ""

    def __init__(
        self, client: httpx.AsyncClient, request: httpx.Request, auth: httpx.BasicAuth
    ) -> None:
        self._client = client
        self._request = request
        self._auth = auth

    async def complete(self) -> str:
        try:
            response = await self._client.send(self._request, auth=self._auth)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise TransientDeliveryError(f"{type(error).__name__}: {error}") from error
        if response.is_success:
            return str(response.json().get("sid", ""))
        raise _refusal(response)

    async def abort(self) -> None:
        """Nothing was sent."""


def _refusal(response: httpx.Response) -> DeliveryError:
    """429 and 5xx may pass later; any other refusal will not."""
    try:
        body = response.json()
        detail = f"{body.get('message', '')} (code {body.get('code', '?')})"
    except ValueError:
        detail = response.text[:300]
    text = f"HTTP {response.status_code}: {detail}".strip()
    if response.status_code == 429 or response.status_code >= 500:
        return TransientDeliveryError(text)
    return PermanentDeliveryError(text)
