"""Rate limits per address, per user and strict ones, over the in-memory storage."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError

from edge.config import EdgeSettings
from edge.ratelimit import RateLimited, RateLimits


@pytest.fixture
async def limits() -> AsyncIterator[RateLimits]:
    settings = EdgeSettings(
        rate_limit_per_address="3/minute",
        rate_limit_per_user="2/minute",
        rate_limit_strict="1/minute",
    )
    limits = RateLimits.open(settings)
    try:
        yield limits
    finally:
        await limits.close()


async def test_the_request_after_the_limit_is_refused_with_retry_after(
    limits: RateLimits,
) -> None:
    quotas = [await limits.admit_address("198.51.100.1") for _ in range(3)]
    assert [q.remaining for q in quotas if q] == [2, 1, 0]
    with pytest.raises(RateLimited) as refused:
        await limits.admit_address("198.51.100.1")
    headers = refused.value.headers
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert headers["RateLimit-Limit"] == "3"
    assert headers["RateLimit-Remaining"] == "0"
    assert refused.value.reason == "RATE_LIMITED"


async def test_each_address_has_its_own_budget(limits: RateLimits) -> None:
    for _ in range(3):
        await limits.admit_address("198.51.100.1")
    quota = await limits.admit_address("198.51.100.2")
    assert quota is not None
    assert quota.remaining == 2


async def test_the_strict_limit_applies_on_top_of_the_address_limit(limits: RateLimits) -> None:
    quota = await limits.admit_address("198.51.100.3", strict=True)
    assert quota is not None
    assert (quota.limit, quota.remaining) == (1, 0)  # the tighter of the two is reported
    with pytest.raises(RateLimited):
        await limits.admit_address("198.51.100.3", strict=True)
    await limits.admit_address("198.51.100.3")  # other routes still have budget


async def test_each_user_has_a_budget_of_their_own(limits: RateLimits) -> None:
    await limits.admit_user("user-1")
    await limits.admit_user("user-1")
    with pytest.raises(RateLimited):
        await limits.admit_user("user-1")
    assert await limits.admit_user("user-2") is not None


def test_a_malformed_limit_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="is not a rate limit"):
        EdgeSettings(rate_limit_per_user="often")
