"""Revoked users as verifiers apply them: suspended users' tokens, then tokens from before."""

from __future__ import annotations

import time

import pytest

from mesh.auth.jwks import JwksCache
from mesh.auth.revocations import Revocation, Revocations
from mesh.auth.tokens import ACCESS_TOKEN, SERVICE_TOKEN, TokenVerifier
from mesh.errors import Unauthenticated
from tests.support.tokens import ISSUER, TestIssuer

SUSPENDED_AT = 1_000_000.5


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def refusal(revocations: Revocations, subject: str, issued_at: float) -> str | None:
    try:
        revocations.check(subject, issued_at)
    except Unauthenticated as error:
        return error.reason
    return None


class TestRevocations:
    def test_every_token_of_a_suspended_user_is_refused_whenever_issued(self) -> None:
        revocations = Revocations(clock=FakeClock(SUSPENDED_AT))
        revocations.apply(Revocation("u1", SUSPENDED_AT, suspended=True))
        assert refusal(revocations, "u1", SUSPENDED_AT - 60) == "USER_SUSPENDED"
        assert refusal(revocations, "u1", SUSPENDED_AT + 60) == "USER_SUSPENDED"
        assert refusal(revocations, "u2", SUSPENDED_AT - 60) is None

    def test_once_lifted_tokens_from_before_the_suspension_stay_refused(self) -> None:
        revocations = Revocations(clock=FakeClock(SUSPENDED_AT + 10))
        revocations.apply(Revocation("u1", SUSPENDED_AT, suspended=False))
        assert refusal(revocations, "u1", SUSPENDED_AT - 1) == "TOKEN_REVOKED"
        assert refusal(revocations, "u1", int(SUSPENDED_AT)) == "TOKEN_REVOKED"  # whole second
        assert refusal(revocations, "u1", SUSPENDED_AT + 0.001) is None  # ms after: accepted
        assert refusal(revocations, "u1", SUSPENDED_AT + 5) is None

    def test_a_lifted_suspension_is_forgotten_once_older_tokens_have_expired(self) -> None:
        clock = FakeClock(SUSPENDED_AT + 10)
        revocations = Revocations(memory_s=600, clock=clock)
        revocations.apply(Revocation("u1", SUSPENDED_AT, suspended=False))
        assert len(revocations) == 1
        clock.now = SUSPENDED_AT + 601
        assert refusal(revocations, "u1", SUSPENDED_AT - 1) is None
        assert len(revocations) == 0
        revocations.apply(Revocation("u2", SUSPENDED_AT, suspended=False))  # already too old
        assert len(revocations) == 0

    def test_a_suspension_is_never_forgotten_while_it_lasts(self) -> None:
        clock = FakeClock(SUSPENDED_AT + 10**6)
        revocations = Revocations(memory_s=600, clock=clock)
        revocations.apply(Revocation("u1", SUSPENDED_AT, suspended=True))
        assert refusal(revocations, "u1", clock.now) == "USER_SUSPENDED"

    def test_a_deleted_entry_and_a_newer_one_replace_what_was_known(self) -> None:
        revocations = Revocations(clock=FakeClock(SUSPENDED_AT))
        revocations.apply(Revocation("u1", SUSPENDED_AT, suspended=True))
        revocations.apply(Revocation("u1", SUSPENDED_AT, suspended=False))
        assert refusal(revocations, "u1", SUSPENDED_AT + 1) is None
        revocations.forget("u1")
        assert refusal(revocations, "u1", SUSPENDED_AT - 1) is None

    def test_entries_round_trip_and_garbage_is_named(self) -> None:
        entry = Revocation("u1", SUSPENDED_AT, suspended=True, suspension_id="s1")
        assert Revocation.decode(entry.encode()) == entry
        with pytest.raises(ValueError, match="not a revocation"):
            Revocation.decode(b'{"user_id": "u1"}')


class TestVerifierApplies:
    async def test_cached_and_fresh_access_tokens_of_a_suspended_user_are_refused(self) -> None:
        issuer, revocations = TestIssuer(), Revocations()
        verifier = TokenVerifier(JwksCache(issuer.jwks), issuer=ISSUER, revocations=revocations)
        token = issuer.sign(sub="u1")
        assert (await verifier.verify(token, audience="meshwork", token_type=ACCESS_TOKEN)).subject
        revocations.apply(Revocation("u1", time.time(), suspended=True))
        with pytest.raises(Unauthenticated) as cached:
            verifier.cached(token, audience="meshwork", token_type=ACCESS_TOKEN)
        assert cached.value.reason == "USER_SUSPENDED"
        with pytest.raises(Unauthenticated):
            await verifier.verify(
                issuer.sign(sub="u1"), audience="meshwork", token_type=ACCESS_TOKEN
            )

    async def test_service_tokens_are_not_user_tokens_and_pass(self) -> None:
        issuer, revocations = TestIssuer(), Revocations()
        verifier = TokenVerifier(JwksCache(issuer.jwks), issuer=ISSUER, revocations=revocations)
        revocations.apply(Revocation("users", time.time(), suspended=True))
        token = issuer.sign(sub="users", aud="admin", typ="service", roles=None)
        verified = await verifier.verify(token, audience="admin", token_type=SERVICE_TOKEN)
        assert verified.subject == "users"
