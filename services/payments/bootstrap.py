"""Wires the payments service to the runtime's resources; `start_service`/`run_service` run it."""

from __future__ import annotations

from pathlib import Path

from mesh.idempotency import IdempotencyRecords
from mesh.server import ServiceBinding
from mesh.service import Built, ServiceRuntime
from meshwork.payments.v1 import payments_service_pb2, payments_service_pb2_grpc
from services.payments.config import PaymentsSettings
from services.payments.grpc_api import PaymentsServicer
from services.payments.handlers import Payments
from services.payments.provider import StripeProvider
from services.payments.reconciliation import Reconciliation
from services.payments.webhooks import Webhooks

#: The service's Alembic scripts, applied at start-up.
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(runtime: ServiceRuntime) -> Built:
    """The PaymentsService servicer on Stripe's SDK, and the idempotency records' purge."""
    settings = runtime.settings
    assert isinstance(settings, PaymentsSettings)
    provider = StripeProvider(settings.stripe_api_key.get_secret_value(), settings.stripe_base)
    idempotency = IdempotencyRecords(runtime.engine)
    secrets = tuple(secret.get_secret_value() for secret in settings.stripe_webhook_secrets)
    webhooks = Webhooks(runtime.unit_of_work, secrets)
    reconciliation = Reconciliation(runtime.unit_of_work, provider, webhooks)
    servicer = PaymentsServicer(
        Payments(runtime.unit_of_work, provider), webhooks, idempotency, reconciliation
    )
    return Built(
        bindings=[ServiceBinding.of(payments_service_pb2, payments_service_pb2_grpc, servicer)],
        consumers=[provider, idempotency.purge_loop()],
    )
