"""A sandbox of its own per test, and the real stripe SDK (sync and async) pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import stripe

from sandbox.stripe import SandboxSettings, running_sandbox

API_KEY = "sk_test_sandbox_unit"


def sdk_client(url: str, *, api_key: str = API_KEY) -> stripe.StripeClient:
    """The SDK as the payments service builds it, only with the sandbox's address."""
    return stripe.StripeClient(api_key, base_addresses={"api": url}, max_network_retries=0)


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    with running_sandbox(SandboxSettings()) as url:
        yield url


@pytest.fixture
def client(sandbox_url: str) -> stripe.StripeClient:
    return sdk_client(sandbox_url)


@pytest.fixture
async def async_client(sandbox_url: str) -> AsyncIterator[stripe.StripeClient]:
    """The SDK's async calls, over its httpx client."""
    http_client = stripe.HTTPXClient()
    yield stripe.StripeClient(API_KEY, base_addresses={"api": sandbox_url}, http_client=http_client)
    await http_client.close_async()
