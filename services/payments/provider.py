"""The payment provider as the use cases need it, and its implementation on Stripe's SDK."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import stripe

from services.payments.domain import Outcome, PaymentState, RefundState
from services.payments.errors import invalid_payment_method, provider_error, provider_unavailable

#: PaymentIntent statuses as our states; a declined intent goes back to
#: "requires_payment_method" with a `last_payment_error`, which is FAILED here.
_INTENT_STATES = {
    "requires_payment_method": PaymentState.REQUIRES_PAYMENT_METHOD,
    "requires_confirmation": PaymentState.REQUIRES_PAYMENT_METHOD,
    "requires_action": PaymentState.REQUIRES_ACTION,
    "processing": PaymentState.PROCESSING,
    "requires_capture": PaymentState.PROCESSING,
    "succeeded": PaymentState.SUCCEEDED,
    "canceled": PaymentState.CANCELLED,
}
_REFUND_STATES = {
    "pending": RefundState.PENDING,
    "requires_action": RefundState.PENDING,
    "succeeded": RefundState.SUCCEEDED,
    "failed": RefundState.FAILED,
    "canceled": RefundState.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class IntentRequest:
    """A charge to ask the provider for; `reference` is our payment id."""

    reference: str
    user_id: str
    customer: str
    amount: int
    currency_code: str
    description: str
    payment_method_id: str
    metadata: dict[str, str]


@dataclass(frozen=True, slots=True)
class Intent:
    """The provider's payment as it stands."""

    id: str
    outcome: Outcome
    client_secret: str = ""


@dataclass(frozen=True, slots=True)
class ProviderRefund:
    id: str
    state: RefundState
    failure_message: str = ""


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    """A PaymentIntent this service created, as the provider holds it: enough to record the
    payment here when the service stopped between the charge and its commit."""

    intent: Intent
    payment_id: str
    user_id: str
    customer: str
    amount: int
    currency_code: str
    description: str
    payment_method_id: str
    metadata: dict[str, str]
    create_time: datetime


def provider_payment_of(data: dict[str, Any]) -> ProviderPayment | None:
    """Our view of a listed PaymentIntent; None for one this service did not create."""
    metadata = {str(k): str(v) for k, v in (data.get("metadata") or {}).items()}
    payment_id, user_id = metadata.pop("payment_id", ""), metadata.pop("user_id", "")
    if not payment_id or not user_id:
        return None
    method = data.get("payment_method") or ""
    return ProviderPayment(
        intent_of(data),
        payment_id,
        user_id,
        str(data.get("customer") or ""),
        int(data["amount"]),
        str(data["currency"]).upper(),
        str(data.get("description") or ""),
        method if isinstance(method, str) else str(method.get("id", "")),
        metadata,
        datetime.fromtimestamp(int(data["created"]), UTC),
    )


class PaymentProvider(Protocol):
    """What payments asks of the provider; each call is idempotent under `key`."""

    async def create_customer(self, user_id: str, *, key: str) -> str: ...

    async def create_intent(self, request: IntentRequest, *, key: str) -> Intent: ...

    async def cancel_intent(self, intent_id: str, *, key: str) -> Intent: ...

    async def refund(
        self, intent_id: str, amount: int, reason: str, *, key: str
    ) -> ProviderRefund: ...

    async def recent_payments(self, since: datetime) -> list[ProviderPayment]: ...

    async def recent_events(self, since: datetime) -> list[dict[str, Any]]: ...


def intent_of(data: dict[str, Any]) -> Intent:
    """Our view of a PaymentIntent, as a plain object (a webhook's, or an SDK object's)."""
    status = data["status"]
    error = data.get("last_payment_error")
    if error and status == "requires_payment_method":
        decline = error.get("decline_code")
        code = decline if decline and decline != "generic_decline" else error.get("code")
        outcome = Outcome(PaymentState.FAILED, code or "card_declined", error.get("message") or "")
    else:
        outcome = Outcome(_INTENT_STATES[status])
    secret = (
        data.get("client_secret") or "" if outcome.state == PaymentState.REQUIRES_ACTION else ""
    )
    return Intent(data["id"], outcome, secret)


def refund_of(data: dict[str, Any]) -> ProviderRefund:
    return ProviderRefund(
        data["id"], _REFUND_STATES[data["status"]], data.get("failure_reason") or ""
    )


class StripeProvider:
    """Stripe through its official SDK's async calls (test mode, or the local sandbox)."""

    def __init__(self, api_key: str, api_base: str) -> None:
        self._http = stripe.HTTPXClient()
        self._client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base}, http_client=self._http, max_network_retries=2
        )

    #: The SDK's HTTP client lives as long as the service: `start`/`stop`/`check` let the
    #: service run it among its background tasks, which close it at shutdown.
    name = "stripe"

    async def start(self) -> None:
        return None

    async def check(self) -> None:
        return None

    async def stop(self) -> None:
        await self._http.close_async()

    async def create_customer(self, user_id: str, *, key: str) -> str:
        params: Any = {"metadata": {"user_id": user_id}}
        with _translated():
            customer = await self._client.v1.customers.create_async(
                params, {"idempotency_key": key}
            )
        return str(customer.id)

    async def create_intent(self, request: IntentRequest, *, key: str) -> Intent:
        params: Any = {
            "amount": request.amount,
            "currency": request.currency_code.lower(),
            "customer": request.customer,
            "description": request.description,
            "metadata": {
                **request.metadata,
                "payment_id": request.reference,
                "user_id": request.user_id,
            },
        }
        if request.payment_method_id:
            params |= {"payment_method": request.payment_method_id, "confirm": True}
        try:
            with _translated():
                intent = await self._client.v1.payment_intents.create_async(
                    params, {"idempotency_key": key}
                )
        except _Declined as declined:
            return declined.intent
        return intent_of(intent.to_dict())

    async def cancel_intent(self, intent_id: str, *, key: str) -> Intent:
        with _translated():
            intent = await self._client.v1.payment_intents.cancel_async(
                intent_id, options={"idempotency_key": key}
            )
        return intent_of(intent.to_dict())

    async def refund(self, intent_id: str, amount: int, reason: str, *, key: str) -> ProviderRefund:
        params: Any = {"payment_intent": intent_id, "amount": amount, "reason": reason.lower()}
        with _translated():
            refund = await self._client.v1.refunds.create_async(params, {"idempotency_key": key})
        return refund_of(refund.to_dict())

    async def recent_payments(self, since: datetime) -> list[ProviderPayment]:
        """This service's PaymentIntents created at or after `since`, oldest first."""
        listed = await self._listed(self._client.v1.payment_intents, since)
        return [found for data in listed if (found := provider_payment_of(data)) is not None]

    async def recent_events(self, since: datetime) -> list[dict[str, Any]]:
        """The events created at or after `since`, oldest first, as plain objects."""
        return await self._listed(self._client.v1.events, since)

    @staticmethod
    async def _listed(resource: Any, since: datetime) -> list[dict[str, Any]]:
        params = {"created": {"gte": int(since.timestamp())}, "limit": 100}
        with _translated():
            page = await resource.list_async(params)
            newest_first = [item.to_dict() async for item in page.auto_paging_iter()]
        return newest_first[::-1]


class _Declined(Exception):
    def __init__(self, intent: Intent) -> None:
        super().__init__(intent.outcome.failure_code)
        self.intent = intent


@contextmanager
def _translated() -> Iterator[None]:
    """Turns the SDK's errors into ours: a decline carries its intent, the rest are errors."""
    try:
        yield
    except stripe.StripeError as error:
        raise _our_error(error) from error


def _our_error(error: stripe.StripeError) -> Exception:
    envelope: Any = error.json_body or {}
    body: dict[str, Any] = dict(envelope.get("error") or {})
    if isinstance(error, stripe.CardError) and body.get("payment_intent"):
        return _Declined(intent_of(body["payment_intent"]))
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError):
        return provider_unavailable(type(error).__name__)
    if body.get("param") == "payment_method":
        return invalid_payment_method(body.get("message") or str(error))
    return provider_error(
        body.get("code") or type(error).__name__, body.get("message") or str(error)
    )
