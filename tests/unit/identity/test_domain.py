"""Identity's rules: login backoff, refresh-token families, key rotation, token claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.identity.domain import (
    KEY_EXPIRY_MARGIN,
    Account,
    AccountState,
    BackoffPolicy,
    KeyState,
    RefreshToken,
    RefreshVerdict,
    RevocationReason,
    Session,
    SessionStatus,
    SigningKey,
    Throttle,
    access_claims,
    digest,
    judge_refresh,
    missing_key_states,
    new_secret,
    rotate,
    service_claims,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
POLICY = BackoffPolicy(free_attempts=3, base_s=30, max_s=300, reset_s=3600)


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def failures(count: int, *, every_s: float = 1) -> Throttle:
    throttle = Throttle()
    for i in range(count):
        throttle = throttle.after_failure(later(i * every_s), POLICY)
    return throttle


class TestLoginBackoff:
    def test_failures_below_the_allowance_do_not_lock(self) -> None:
        assert failures(2).retry_after_s(later(2)) == 0

    def test_reaching_the_allowance_locks_for_the_base_time(self) -> None:
        throttle = failures(3)
        assert throttle.retry_after_s(later(2)) == 30

    def test_every_further_failure_doubles_the_lockout_up_to_the_cap(self) -> None:
        assert [POLICY.lockout_s(n) for n in range(1, 9)] == [0, 0, 30, 60, 120, 240, 300, 300]

    def test_a_huge_failure_count_stays_at_the_cap(self) -> None:
        assert POLICY.lockout_s(10_000) == 300

    def test_the_lockout_ends_when_its_time_has_passed(self) -> None:
        throttle = failures(3)
        assert throttle.retry_after_s(later(2 + 30)) == 0

    def test_a_failure_long_after_the_previous_one_starts_counting_afresh(self) -> None:
        throttle = failures(3).after_failure(later(2 + 3601), POLICY)
        assert throttle.failures == 1 and throttle.locked_until is None


def session(**overrides: object) -> Session:
    values: dict = {
        "id": "s1",
        "user_id": "u1",
        "user_agent": "",
        "ip_address": "",
        "created_at": NOW,
        "expires_at": later(3600),
    }
    return Session(**(values | overrides))


def token(**overrides: object) -> RefreshToken:
    values: dict = {"digest": "d", "session_id": "s1", "created_at": NOW, "expires_at": later(3600)}
    return RefreshToken(**(values | overrides))


class TestRefreshFamily:
    def test_the_latest_token_of_an_active_session_rotates(self) -> None:
        assert judge_refresh(token(), session(), later(1)) is RefreshVerdict.ROTATE

    def test_a_used_token_is_reuse_even_after_the_session_ended(self) -> None:
        used = token(used_at=later(1))
        assert judge_refresh(used, session(), later(2)) is RefreshVerdict.REUSED
        ended = session(revoked_at=later(1), revocation_reason=RevocationReason.LOGOUT)
        assert judge_refresh(used, ended, later(2)) is RefreshVerdict.REUSED

    def test_an_unused_token_of_a_revoked_family_is_refused(self) -> None:
        revoked = session(revoked_at=later(1))
        assert judge_refresh(token(), revoked, later(2)) is RefreshVerdict.REVOKED

    def test_an_expired_token_is_refused(self) -> None:
        assert judge_refresh(token(), session(), later(3600)) is RefreshVerdict.EXPIRED

    def test_session_status_follows_revocation_then_expiry(self) -> None:
        assert session().status(later(1)) is SessionStatus.ACTIVE
        assert session().status(later(3600)) is SessionStatus.EXPIRED
        assert session(revoked_at=later(1)).status(later(2)) is SessionStatus.REVOKED

    def test_tokens_are_random_and_stored_by_their_sha256(self) -> None:
        secret = new_secret()
        assert len(secret) >= 43 and secret != new_secret()
        assert len(digest(secret)) == 64 and digest(secret) != secret


def key(kid: str, state: KeyState, **times: datetime) -> SigningKey:
    return SigningKey(
        id=kid, algorithm="EdDSA", state=state, public_jwk={"kid": kid}, created_at=NOW, **times
    )


class TestKeyRotation:
    def test_pending_activates_active_retires_and_fresh_becomes_pending(self) -> None:
        keys = [key("a", KeyState.ACTIVE), key("p", KeyState.PENDING)]
        step = rotate(keys, key("f", KeyState.PENDING), later(10), longest_token_ttl_s=600)
        assert (step.active.id, step.active.state, step.active.activated_at) == (
            "p",
            KeyState.ACTIVE,
            later(10),
        )
        assert step.retired is not None and step.retired.state is KeyState.RETIRED
        assert step.retired.expires_at == later(10 + 600) + KEY_EXPIRY_MARGIN
        assert (step.pending.id, step.pending.state) == ("f", KeyState.PENDING)

    def test_a_retired_key_stays_published_until_its_tokens_expired(self) -> None:
        retired = key("r", KeyState.RETIRED, expires_at=later(100))
        assert retired.published(later(99)) and not retired.published(later(100))

    def test_retired_keys_past_their_expiry_are_dropped(self) -> None:
        keys = [
            key("a", KeyState.ACTIVE),
            key("p", KeyState.PENDING),
            key("old", KeyState.RETIRED, expires_at=later(5)),
            key("recent", KeyState.RETIRED, expires_at=later(500)),
        ]
        step = rotate(keys, key("f", KeyState.PENDING), later(10), longest_token_ttl_s=600)
        assert step.dropped == ("old",)

    def test_rotation_needs_a_pending_key_published_beforehand(self) -> None:
        with pytest.raises(ValueError, match="no pending signing key"):
            rotate(
                [key("a", KeyState.ACTIVE)],
                key("f", KeyState.PENDING),
                NOW,
                longest_token_ttl_s=600,
            )

    def test_start_up_needs_an_active_and_a_pending_key(self) -> None:
        assert missing_key_states([]) == [KeyState.ACTIVE, KeyState.PENDING]
        assert missing_key_states([key("a", KeyState.ACTIVE)]) == [KeyState.PENDING]
        keys = [key("a", KeyState.ACTIVE), key("p", KeyState.PENDING)]
        assert missing_key_states(keys) == []


def account(**overrides: object) -> Account:
    values: dict = {
        "user_id": "u1",
        "email": "a@example.com",
        "password_hash": "h",
        "state": AccountState.ACTIVE,
        "roles": ("user",),
        "email_verified": False,
        "created_at": NOW,
    }
    return Account(**(values | overrides))


class TestTokenClaims:
    def test_access_token_claims_carry_everything_the_mesh_verifies(self) -> None:
        claims = access_claims(
            account(roles=("user", "admin"), email_verified=True),
            session_id="s1",
            issuer="iss",
            now=NOW,
            ttl_s=600,
        )
        assert claims | {"jti": "*"} == {
            "iss": "iss",
            "sub": "u1",
            "aud": "meshwork",
            "typ": "access",
            "jti": "*",
            "iat": int(NOW.timestamp()),
            "nbf": int(NOW.timestamp()),
            "exp": int(NOW.timestamp()) + 600,
            "sid": "s1",
            "roles": ["user", "admin"],
            "email_verified": True,
        }

    def test_every_token_gets_its_own_id(self) -> None:
        first = access_claims(account(), session_id="s", issuer="i", now=NOW, ttl_s=1)
        second = access_claims(account(), session_id="s", issuer="i", now=NOW, ttl_s=1)
        assert first["jti"] != second["jti"]

    def test_service_token_claims_name_caller_and_callee(self) -> None:
        claims = service_claims("jobs", audience="identity", issuer="i", now=NOW, ttl_s=300)
        assert (claims["sub"], claims["aud"], claims["typ"]) == ("jobs", "identity", "service")
        assert claims["exp"] - claims["iat"] == 300 and "roles" not in claims
