"""CreateRefund and GetRefund: staff return all or part of what is left, never more."""

from __future__ import annotations

import grpc
import pytest

from meshwork.payments.v1 import events_pb2, resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as pb
from tests.integration.payments.conftest import reason_of
from tests.support.waiting import eventually

CUSTOMER = resources_pb2.REFUND_REASON_REQUESTED_BY_CUSTOMER


def _refund(payment_id: str, amount: int = 0) -> pb.CreateRefundRequest:
    return pb.CreateRefundRequest(
        payment_id=payment_id, refund=resources_pb2.Refund(amount=amount, reason=CUSTOMER)
    )


async def test_partial_refunds_add_up_and_each_says_so_through_the_outbox(
    pay, stub, callers, published, stripe_client
) -> None:
    payment = await pay("u-ray", amount=1000)

    first = await stub.CreateRefund(_refund(payment.id, 300), metadata=callers.admin(key="r-1"))
    rest = await stub.CreateRefund(_refund(payment.id), metadata=callers.admin(key="r-2"))

    assert (first.refund.amount, rest.refund.amount) == (300, 700)
    assert first.refund.state == resources_pb2.REFUND_STATE_SUCCEEDED
    assert first.refund.requested_by == "admin-1"
    got = await stub.GetPayment(
        pb.GetPaymentRequest(payment_id=payment.id), metadata=callers.user("u-ray")
    )
    assert got.payment.amount_refunded == 1000
    intent = stripe_client.v1.payment_intents.retrieve(payment.provider_payment_id)
    charge = stripe_client.v1.charges.retrieve(str(intent.latest_charge))
    assert charge.amount_refunded == 1000
    refunded = await published.wait_for(events_pb2.RefundCreated, payment.id)
    assert refunded.requested_by == "admin-1"
    await eventually(lambda: len(published.of(events_pb2.RefundSucceeded, payment.id)) == 2)
    succeeded = published.of(events_pb2.RefundSucceeded, payment.id)
    assert sorted(e.payment_amount_refunded for e in succeeded) == [300, 1000]


async def test_one_cent_more_than_is_left_is_refused_naming_the_amount_left(
    pay, stub, callers
) -> None:
    payment = await pay("u-sam", amount=1000)
    await stub.CreateRefund(_refund(payment.id, 250), metadata=callers.admin(key="r-1"))

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CreateRefund(_refund(payment.id, 751), metadata=callers.admin(key="r-2"))

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(refused.value) == "REFUND_EXCEEDS_REMAINING_AMOUNT"
    assert "7.50 EUR" in (refused.value.details() or "")


async def test_a_retried_refund_returns_the_same_refund_once(pay, stub, callers) -> None:
    payment = await pay("u-tia", amount=1000)
    metadata = callers.admin(key="refund-once")

    first = await stub.CreateRefund(_refund(payment.id, 400), metadata=metadata)
    again = await stub.CreateRefund(_refund(payment.id, 400), metadata=metadata)

    assert again == first
    got = await stub.GetRefund(
        pb.GetRefundRequest(payment_id=payment.id, refund_id=first.refund.id),
        metadata=callers.user("u-tia"),
    )
    assert got.refund.amount == 400
    paid = await stub.GetPayment(
        pb.GetPaymentRequest(payment_id=payment.id), metadata=callers.admin()
    )
    assert paid.payment.amount_refunded == 400


async def test_users_may_not_refund(pay, stub, callers) -> None:
    payment = await pay("u-uma")

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CreateRefund(_refund(payment.id), metadata=callers.user("u-uma", key="r"))

    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_failed_payment_is_not_refundable(pay, stub, callers) -> None:
    payment = await pay("u-vic", payment_method_id="pm_card_chargeDeclined")

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CreateRefund(_refund(payment.id), metadata=callers.admin(key="r"))

    assert reason_of(refused.value) == "PAYMENT_NOT_REFUNDABLE"


async def test_a_payments_refunds_list_newest_first_and_staff_list_every_refund(
    pay, stub, callers
) -> None:
    payment, other = await pay("u-wil", amount=1000), await pay("u-xia", amount=500)
    first = await stub.CreateRefund(_refund(payment.id, 100), metadata=callers.admin(key="a"))
    second = await stub.CreateRefund(_refund(payment.id, 200), metadata=callers.admin(key="b"))
    third = await stub.CreateRefund(_refund(other.id), metadata=callers.admin(key="c"))

    own = await stub.ListRefunds(
        pb.ListRefundsRequest(payment_id=payment.id), metadata=callers.user("u-wil")
    )
    every = await stub.ListRefunds(pb.ListRefundsRequest(payment_id="-"), metadata=callers.admin())

    assert [r.id for r in own.refunds] == [second.refund.id, first.refund.id]
    assert {r.id for r in every.refunds} == {first.refund.id, second.refund.id, third.refund.id}
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ListRefunds(
            pb.ListRefundsRequest(payment_id="-"), metadata=callers.user("u-wil")
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_payer_has_a_customer_record_once_they_paid(pay, stub, callers) -> None:
    payment = await pay("u-yan")
    await pay("u-yan")

    mine = await stub.GetCustomer(
        pb.GetCustomerRequest(user_id="me"), metadata=callers.user("u-yan")
    )

    assert mine.customer.id == payment.customer_id
    assert mine.customer.provider_customer_id.startswith("cus_")
    for user_id, metadata in (("u-yan", callers.user("u-zoe")), ("u-zoe", callers.admin())):
        with pytest.raises(grpc.aio.AioRpcError) as hidden:
            await stub.GetCustomer(pb.GetCustomerRequest(user_id=user_id), metadata=metadata)
        assert reason_of(hidden.value) == "CUSTOMER_NOT_FOUND"
