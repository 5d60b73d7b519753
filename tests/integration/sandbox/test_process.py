"""`python -m sandbox.stripe` as its own process: its port, its state file, its webhooks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import stripe

from tests.unit.sandbox.conftest import API_KEY, sdk_client
from tests.unit.sandbox.receiver import receiving

ROOT = Path(__file__).resolve().parents[3]
SECRET = "whsec_integration_secret"


@contextmanager
def sandbox_process(*args: str) -> Iterator[str]:
    """Starts the sandbox on port 0, reads the address it prints, stops it with SIGTERM."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.stripe", "--host", "127.0.0.1", "--port", "0", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"listening on (http://\S+)", line)
        assert found, f"the sandbox printed {line!r}"
        yield found.group(1)
    finally:
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)


def test_state_survives_a_restart_with_the_same_file(tmp_path: Path):
    state = tmp_path / "stripe.json"
    options: stripe.RequestOptions = {"idempotency_key": "order-9"}
    payment = {"amount": 1200, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True}
    with sandbox_process("--state-file", str(state)) as url:
        client = sdk_client(url)
        customer = client.v1.customers.create(params={"metadata": {"tier": "gold"}})
        paid = client.v1.payment_intents.create(params=payment, options=options)  # type: ignore[arg-type]
        client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 200})
    with sandbox_process("--state-file", str(state)) as url:
        client = sdk_client(url)
        assert client.v1.customers.retrieve(customer.id).metadata["tier"] == "gold"
        again = client.v1.payment_intents.create(params=payment, options=options)  # type: ignore[arg-type]
        assert (again.id, again.status) == (paid.id, "succeeded")
        assert client.v1.charges.retrieve(str(paid.latest_charge)).amount_refunded == 200
        assert len(client.v1.payment_intents.list().data) == 1
        assert "refund.created" in {e.type for e in client.v1.events.list().data}


def test_two_instances_keep_apart_state(tmp_path: Path):
    with (
        sandbox_process("--state-file", str(tmp_path / "a.json")) as first,
        sandbox_process() as second,
    ):
        customer = sdk_client(first).v1.customers.create()
        with pytest.raises(stripe.InvalidRequestError):
            sdk_client(second).v1.customers.retrieve(customer.id)


def test_the_webhook_options_deliver_signed_events_to_each_endpoint():
    other_secret = "whsec_second_endpoint"
    with receiving() as first, receiving() as second:
        options = ("--webhook-url", first.url, "--webhook-secret", SECRET,
                   "--webhook-url", second.url, "--webhook-secret", other_secret)  # fmt: skip
        with sandbox_process(*options) as url:
            customer = sdk_client(url).v1.customers.create()
            deliveries = [(first.wait_for(1)[0], SECRET), (second.wait_for(1)[0], other_secret)]
    for delivery, secret in deliveries:
        event = stripe.Webhook.construct_event(delivery.payload, delivery.signature, secret)
        assert (event.type, event.data.object["id"]) == ("customer.created", customer.id)


def test_a_webhook_url_without_its_secret_is_refused():
    finished = subprocess.run(
        [sys.executable, "-m", "sandbox.stripe", "--port", "0", "--webhook-url", "http://x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert finished.returncode == 2
    assert "--webhook-secret" in finished.stderr


def test_the_process_answers_stripes_401_without_a_key():
    with sandbox_process() as url:
        refused = httpx.get(f"{url}/v1/payment_intents")
        accepted = httpx.get(
            f"{url}/v1/payment_intents", headers={"Authorization": f"Bearer {API_KEY}"}
        )
    assert (refused.status_code, accepted.status_code) == (401, 200)
