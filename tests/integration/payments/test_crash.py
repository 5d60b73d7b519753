"""kill -9 of payments after the provider charged and before the local commit: after a
restart the reconciler records the payment as SUCCEEDED, the client's retry with its key
gets that one payment, and the provider charged once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import grpc
import pytest
import stripe
from fastapi import FastAPI, Request, Response

from meshwork.payments.v1 import events_pb2, payments_service_pb2_grpc, resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as pb
from sandbox.stripe import SandboxSettings, create_app, running_sandbox
from tests.integration.notifications.conftest import DEV_SECRET, Platform, running_platform
from tests.integration.payments.conftest import API_KEY, kept_in_stream, reason_of
from tests.support import subprocess_env


class PaymentsProcess:
    """`python -m services.payments` as a child process: started, killed, started again."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self.process: asyncio.subprocess.Process | None = None
        self.address = ""

    async def start(self) -> str:
        """Starts it and waits for its "listening" log line; its gRPC address."""
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.payments", env=self._env, stderr=asyncio.subprocess.PIPE
        )
        assert self.process.stderr is not None
        async with asyncio.timeout(60):
            while line := await self.process.stderr.readline():
                entry = json.loads(line) if line.startswith(b"{") else {}
                if entry.get("message") == "listening":
                    self.address = str(entry["address"])
                    asyncio.get_running_loop().create_task(self._drain(self.process))
                    return self.address
        raise AssertionError(f"payments exited with {await self.process.wait()} before serving")

    @staticmethod
    async def _drain(process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        while await process.stderr.readline():
            pass  # keeps the pipe from filling up

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(15):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


class KillAfterCharge:
    """Sandbox middleware: once armed, kills payments (SIGKILL) right after the sandbox has
    recorded a PaymentIntent and before payments reads the answer."""

    def __init__(self) -> None:
        self.pid = 0
        self.killed = threading.Event()

    async def __call__(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        charging = request.method == "POST" and request.url.path == "/v1/payment_intents"
        if charging and self.pid and not self.killed.is_set():
            os.kill(self.pid, signal.SIGKILL)
            self.killed.set()
        return response


@pytest.fixture
def kill_after_charge() -> KillAfterCharge:
    return KillAfterCharge()


@pytest.fixture
def sandbox_url(kill_after_charge: KillAfterCharge) -> Iterator[str]:
    app: FastAPI = create_app(SandboxSettings())
    app.middleware("http")(kill_after_charge)
    with running_sandbox(app=app) as url:
        yield url


@pytest.fixture
async def platform(tmp_path: Path, nats_server) -> AsyncIterator[Platform]:
    """identity (keys and service tokens) and users in-process; payments runs apart."""
    async with running_platform(tmp_path, nats_server.url, None) as platform:
        yield platform


@pytest.fixture
async def payments(
    database_url: str, nats_server, platform: Platform, sandbox_url: str
) -> AsyncIterator[PaymentsProcess]:
    process = PaymentsProcess(
        subprocess_env(
            PAYMENTS_GRPC_ADDRESS="127.0.0.1:0",  # a port of its own at each start
            PAYMENTS_DATABASE_URL=database_url,
            MESHWORK_NATS_URL=nats_server.url,
            MESHWORK_IDENTITY_ADDRESS=platform.identity_address,
            PAYMENTS_CLIENT_SECRET=DEV_SECRET,
            PAYMENTS_STRIPE_API_KEY=API_KEY,
            PAYMENTS_STRIPE_API_BASE=sandbox_url,
            PAYMENTS_LOG_JSON="true",
        )
    )
    try:
        yield process
    finally:
        await process.stop()


async def _create(
    address: str, request: pb.CreatePaymentRequest, metadata
) -> resources_pb2.Payment:
    async with grpc.aio.insecure_channel(address) as channel:
        stub = payments_service_pb2_grpc.PaymentsServiceStub(channel)
        reply = await stub.CreatePayment(request, metadata=metadata, timeout=5)
    return reply.payment


async def _retry_until_answered(
    address: str, request: pb.CreatePaymentRequest, metadata
) -> resources_pb2.Payment:
    """As a client retries: the dead call holds its key until its deadline and grace have
    passed (IDEMPOTENCY_KEY_IN_USE), then the retry takes the key over."""
    async with asyncio.timeout(60):
        while True:
            try:
                return await _create(address, request, metadata)
            except grpc.aio.AioRpcError as error:
                if reason_of(error) != "IDEMPOTENCY_KEY_IN_USE":
                    raise
            await asyncio.sleep(0.5)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # a process is slow to start
async def test_a_payment_killed_after_the_charge_succeeds_once_after_the_restart(
    payments: PaymentsProcess,
    platform: Platform,
    kill_after_charge: KillAfterCharge,
    sandbox_url: str,
    nats_server,
) -> None:
    token = await platform.user_token("payer@example.com")
    key = ("idempotency-key", "checkout-9001")
    as_payer = (*await platform.as_user(token, to="payments"), key)
    request = pb.CreatePaymentRequest(
        payment=resources_pb2.Payment(
            amount=4999, currency_code="EUR", payment_method_id="pm_card_visa"
        )
    )
    address = await payments.start()
    assert payments.process is not None
    kill_after_charge.pid = payments.process.pid

    with pytest.raises(grpc.aio.AioRpcError) as lost:
        await _create(address, request, as_payer)
    assert lost.value.code() == grpc.StatusCode.UNAVAILABLE
    assert kill_after_charge.killed.is_set() and await payments.process.wait() == -signal.SIGKILL

    address = await payments.start()
    as_jobs = await platform.as_service("jobs", "payments")
    async with grpc.aio.insecure_channel(address) as channel:
        stub = payments_service_pb2_grpc.PaymentsServiceStub(channel)
        report = await stub.ReconcilePayments(pb.ReconcilePaymentsRequest(), metadata=as_jobs)
    paid = await _retry_until_answered(address, request, as_payer)

    assert report.recovered_payment_count == 1
    assert paid.state == resources_pb2.PAYMENT_STATE_SUCCEEDED
    assert (paid.amount, paid.currency_code) == (4999, "EUR")
    provider = stripe.StripeClient(API_KEY, base_addresses={"api": sandbox_url})
    intents = provider.v1.payment_intents.list(params={"limit": 100}).data
    charges = provider.v1.charges.list(params={"limit": 100}).data
    assert [intent.id for intent in intents] == [paid.provider_payment_id]
    assert [charge.amount for charge in charges] == [4999]
    assert await kept_in_stream(nats_server.url, events_pb2.PaymentSucceeded, paid.id) == 1
