"""POST /v1/webhooks/stripe: Stripe's deliveries, passed to payments byte for byte.

The signature covers the exact bytes Stripe sent, so the edge neither parses nor re-encodes
the body: the raw bytes and the `Stripe-Signature` header go to payments' internal
HandleStripeWebhook, which verifies and applies the event. Any failure answers 4xx/5xx, so
Stripe redelivers.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from edge.errors import EDGE_DOMAIN
from edge.forwarding import client_address, forwarded_metadata
from edge.runtime import quota_headers, runtime_of
from edge.upstreams import PAYMENTS
from mesh.contracts import method_contract
from mesh.errors import FieldViolation, InvalidArgument
from meshwork.payments.v1 import payments_service_pb2

STRIPE_SIGNATURE_HEADER = "Stripe-Signature"
HANDLE_STRIPE_WEBHOOK = PAYMENTS.methods_by_name["HandleStripeWebhook"]


async def stripe_webhook(request: Request) -> JSONResponse:
    """Hands one Stripe delivery to payments; 200 once it is applied (or was before)."""
    edge = runtime_of(request)
    quota = await edge.limits.admit_address(client_address(request))
    signature = request.headers.get(STRIPE_SIGNATURE_HEADER)
    if not signature:
        raise InvalidArgument(
            "a Stripe webhook must carry the Stripe-Signature header",
            reason="STRIPE_SIGNATURE_MISSING",
            domain=EDGE_DOMAIN,
            violations=[FieldViolation(STRIPE_SIGNATURE_HEADER, "required")],
        )
    request_message = payments_service_pb2.HandleStripeWebhookRequest(
        payload=await request.body(), signature=signature
    )
    reply = await edge.upstreams.call(
        HANDLE_STRIPE_WEBHOOK,
        request_message,
        metadata=forwarded_metadata(request, user=None),
        timeout=edge.deadline_for(method_contract(HANDLE_STRIPE_WEBHOOK)),
    )
    assert isinstance(reply, payments_service_pb2.HandleStripeWebhookResponse)
    return JSONResponse(
        {"received": True, "duplicate": reply.duplicate}, headers=quota_headers(quota)
    )
