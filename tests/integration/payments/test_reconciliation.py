"""ReconcilePayments: what the provider did that no webhook told us is repaired, once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import grpc
import httpx
import pytest
import sqlalchemy as sa
from fastapi import Request, Response

from mesh.db import outbox_table
from meshwork.payments.v1 import events_pb2, payments_service_pb2_grpc, resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as pb
from sandbox.stripe import SandboxSettings, create_app, running_sandbox
from services.payments.messages import event_id_of
from services.payments.orm import payments_table
from tests.integration.payments.conftest import (
    API_KEY,
    kept_in_stream,
    reason_of,
    violations_of,
)

SUCCEEDED = resources_pb2.PAYMENT_STATE_SUCCEEDED
REQUIRES_ACTION = resources_pb2.PAYMENT_STATE_REQUIRES_ACTION


async def _authenticate_at_the_provider(sandbox_url: str, intent_id: str) -> None:
    """The payer completes 3D Secure: the provider charges; no webhook reaches payments."""
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{sandbox_url}/sandbox/payment_intents/{intent_id}/authenticate",
            data={"outcome": "complete"},
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
    assert answer.json()["status"] == "succeeded"


async def _state(stub, callers, payment_id: str) -> int:
    reply = await stub.GetPayment(
        pb.GetPaymentRequest(payment_id=payment_id), metadata=callers.admin()
    )
    return reply.payment.state


async def test_a_payment_whose_webhook_never_arrived_is_brought_to_succeeded_once(
    pay, stub, callers, published, sandbox_url
) -> None:
    payment = await pay("u-rey", payment_method_id="pm_card_authenticationRequired")
    assert payment.state == REQUIRES_ACTION
    await _authenticate_at_the_provider(sandbox_url, payment.provider_payment_id)
    assert await _state(stub, callers, payment.id) == REQUIRES_ACTION  # no webhook came

    first = await stub.ReconcilePayments(
        pb.ReconcilePaymentsRequest(), metadata=callers.service("jobs")
    )
    second = await stub.ReconcilePayments(
        pb.ReconcilePaymentsRequest(lookback_seconds=3600), metadata=callers.service("jobs")
    )

    assert await _state(stub, callers, payment.id) == SUCCEEDED
    assert (first.checked_payment_count, first.repaired_payment_count) == (1, 1)
    assert first.recovered_payment_count == 0
    assert first.checked_event_count > 0 and first.applied_event_count == first.checked_event_count
    assert (second.repaired_payment_count, second.recovered_payment_count) == (0, 0)
    assert second.applied_event_count == 0  # every event has its receipt now
    assert second.checked_event_count == first.checked_event_count
    await published.wait_for(events_pb2.PaymentSucceeded, payment.id)
    later = await pay("u-rey")  # events leave the outbox in order: a duplicate would be seen
    await published.wait_for(events_pb2.PaymentSucceeded, later.id)
    assert len(published.of(events_pb2.PaymentSucceeded, payment.id)) == 1


async def test_a_charge_never_committed_here_is_recorded_and_the_retry_returns_it(
    pay, stub, callers, published, stripe_client, payments_service, nats_server
) -> None:
    """The service stopped between the provider's charge and its own commit: here the row
    and its events are deleted, as if that commit never happened (the crash itself is in
    tests/integration/payments/test_crash.py)."""
    charged = await pay("u-sol", key="order-77", amount=1234)
    await published.wait_for(events_pb2.PaymentSucceeded, charged.id)
    created = events_pb2.PaymentCreated(payment_id=charged.id)
    succeeded = events_pb2.PaymentSucceeded(payment_id=charged.id)
    outbox_ids = [event_id_of(created), event_id_of(succeeded)]
    async with payments_service.runtime.engine.begin() as connection:
        await connection.execute(sa.delete(payments_table).where(payments_table.c.id == charged.id))
        sent = outbox_table.c.event_id.in_(outbox_ids)
        await connection.execute(sa.delete(outbox_table).where(sent))

    report = await stub.ReconcilePayments(
        pb.ReconcilePaymentsRequest(), metadata=callers.service("jobs")
    )
    again = await pay("u-sol", key="order-77", amount=1234)

    assert (report.recovered_payment_count, report.repaired_payment_count) == (1, 0)
    recovered = await stub.GetPayment(
        pb.GetPaymentRequest(payment_id=charged.id), metadata=callers.user("u-sol")
    )
    assert recovered.payment.state == SUCCEEDED
    assert (recovered.payment.amount, recovered.payment.currency_code) == (1234, "EUR")
    assert recovered.payment.provider_payment_id == charged.provider_payment_id
    assert recovered.payment.customer_id == charged.customer_id
    assert again.id == charged.id
    intents = stripe_client.v1.payment_intents.list(params={"limit": 100})
    assert [intent.id for intent in intents.data] == [charged.provider_payment_id]
    later = await pay("u-sol")
    await published.wait_for(events_pb2.PaymentSucceeded, later.id)  # the relay got past them
    # The recovered payment's events carry the ids of the first ones: JetStream kept one each.
    assert len(published.of(events_pb2.PaymentSucceeded, charged.id)) == 2  # published twice
    for kind in (events_pb2.PaymentCreated, events_pb2.PaymentSucceeded):
        assert await kept_in_stream(nats_server.url, kind, charged.id) == 1


class ReconcileMidCharge:
    """Sandbox middleware: once armed, runs ReconcilePayments right after the sandbox has
    recorded a PaymentIntent, before CreatePayment reads the answer and commits."""

    def __init__(self) -> None:
        self.address = ""
        self.metadata: tuple[tuple[str, str], ...] = ()
        self.reports: list[pb.ReconcilePaymentsResponse] = []

    async def __call__(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        charging = request.method == "POST" and request.url.path == "/v1/payment_intents"
        if charging and self.address and not self.reports:
            async with grpc.aio.insecure_channel(self.address) as channel:
                stub = payments_service_pb2_grpc.PaymentsServiceStub(channel)
                report = await stub.ReconcilePayments(
                    pb.ReconcilePaymentsRequest(), metadata=self.metadata
                )
            self.reports.append(report)
        return response


@pytest.fixture
def reconcile_mid_charge() -> ReconcileMidCharge:
    return ReconcileMidCharge()


@pytest.fixture
def sandbox_url(reconcile_mid_charge: ReconcileMidCharge) -> Iterator[str]:
    """The module's sandbox: the usual one, with the middleware above (inert until armed)."""
    app = create_app(SandboxSettings())
    app.middleware("http")(reconcile_mid_charge)
    with running_sandbox(app=app) as url:
        yield url


async def test_a_payment_the_reconciler_records_mid_call_is_the_one_the_call_returns(
    pay, stub, callers, published, payments_service, reconcile_mid_charge, nats_server
) -> None:
    reconcile_mid_charge.address = payments_service.address
    reconcile_mid_charge.metadata = tuple(callers.service("jobs"))

    paid = await pay("u-tam", key="order-78")

    [report] = reconcile_mid_charge.reports
    assert report.recovered_payment_count == 1  # it got there before CreatePayment committed
    assert paid.state == SUCCEEDED
    listed = await stub.ListPayments(pb.ListPaymentsRequest(), metadata=callers.admin())
    assert [p.id for p in listed.payments] == [paid.id]
    await published.wait_for(events_pb2.PaymentSucceeded, paid.id)
    assert await kept_in_stream(nats_server.url, events_pb2.PaymentSucceeded, paid.id) == 1


async def test_reconciling_is_for_admins_and_the_jobs_service(stub, callers) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ReconcilePayments(pb.ReconcilePaymentsRequest(), metadata=callers.user("u-1"))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    reply = await stub.ReconcilePayments(pb.ReconcilePaymentsRequest(), metadata=callers.admin())
    assert reply.checked_payment_count == 0


@pytest.mark.parametrize("seconds", [59, -1, 30 * 24 * 3600 + 1])
async def test_a_lookback_out_of_range_is_refused_naming_it(stub, callers, seconds: int) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ReconcilePayments(
            pb.ReconcilePaymentsRequest(lookback_seconds=seconds), metadata=callers.admin()
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [field for field, _ in violations_of(refused.value)] == ["lookback_seconds"]
    assert reason_of(refused.value)
