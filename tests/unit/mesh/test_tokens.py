"""Token verification refuses every forgery and misuse with UNAUTHENTICATED and a reason."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from mesh.auth.authenticator import JwtAuthenticator
from mesh.auth.jwks import JwksCache
from mesh.auth.service_tokens import ServiceTokens
from mesh.auth.tokens import TokenVerifier
from mesh.context import Principal
from mesh.errors import Unauthenticated, Unavailable
from tests.support.tokens import ISSUER, TestIssuer


@pytest.fixture
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
def verifier(issuer: TestIssuer) -> TokenVerifier:
    return TokenVerifier(JwksCache(issuer.jwks, min_refresh_interval_s=0), issuer=ISSUER)


async def refused(verifier: TokenVerifier, token: str, **kwargs: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(
            token,
            audience=kwargs.get("audience", "meshwork"),
            token_type=kwargs.get("token_type", "access"),
        )
    return caught.value.reason


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_a_valid_access_token_yields_subject_and_roles(issuer, verifier) -> None:
    verified = await verifier.verify(issuer.sign(), audience="meshwork", token_type="access")
    assert (verified.subject, verified.roles) == ("user-1", frozenset({"member"}))


async def test_alg_none_is_refused(issuer, verifier) -> None:
    claims = jwt.decode(issuer.sign(), options={"verify_signature": False})
    token = f"{b64({'alg': 'none', 'kid': issuer.current})}.{b64(claims)}."
    assert await refused(verifier, token) == "TOKEN_ALGORITHM_REJECTED"


async def test_an_hmac_token_signed_with_the_public_key_is_refused(issuer, verifier) -> None:
    public = (
        issuer.keys[issuer.current]
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    claims = jwt.decode(issuer.sign(), options={"verify_signature": False})
    header = {"alg": "HS256", "kid": issuer.current}
    token = jwt.api_jws.PyJWS().encode(
        json.dumps(claims).encode(), public, algorithm="HS256", headers=header
    )
    assert await refused(verifier, token) == "TOKEN_ALGORITHM_REJECTED"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        (lambda now: {"aud": "payments"}, "TOKEN_AUDIENCE_MISMATCH"),
        (lambda now: {"iss": "https://evil.example"}, "TOKEN_ISSUER_MISMATCH"),
        (lambda now: {"exp": now - 60}, "TOKEN_EXPIRED"),
        (lambda now: {"nbf": now + 600}, "TOKEN_NOT_YET_VALID"),
        (lambda now: {"jti": None}, "TOKEN_MALFORMED"),
        (lambda now: {"typ": "service"}, "TOKEN_TYPE_MISMATCH"),
    ],
)
async def test_a_token_with_a_wrong_claim_is_refused(issuer, verifier, claims, reason) -> None:
    # times from when the test runs, not when it was collected (a slow run outlasts 600 s)
    token = issuer.sign(**claims(int(time.time())))
    assert await refused(verifier, token) == reason


async def test_an_audience_mismatch_names_both_audiences(issuer, verifier) -> None:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(
            issuer.sign(sub="jobs", aud="jobs", typ="service"),
            audience="users",
            token_type="service",
        )
    assert caught.value.reason == "TOKEN_AUDIENCE_MISMATCH"
    assert caught.value.message == "the token is for audience 'jobs', not 'users'"


async def test_a_user_token_where_a_service_token_belongs_says_where_it_goes(
    issuer, verifier
) -> None:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(issuer.sign(), audience="users", token_type="service")
    assert caught.value.reason == "TOKEN_AUDIENCE_MISMATCH"
    assert caught.value.message.startswith("the token is for audience 'meshwork', not 'users'")
    assert "'x-user-authorization'" in caught.value.message


async def test_a_forged_audience_is_a_bad_signature_not_a_mismatch(issuer, verifier) -> None:
    # The audience is read only from a token whose signature verified.
    head, _, signature = issuer.sign().split(".")
    claims = jwt.decode(issuer.sign(), options={"verify_signature": False})
    forged = f"{head}.{b64({**claims, 'aud': 'users'})}.{signature}"
    assert await refused(verifier, forged, audience="payments") == "TOKEN_SIGNATURE_INVALID"


async def test_a_tampered_token_is_refused(issuer, verifier) -> None:
    head, _, signature = issuer.sign().split(".")
    forged = b64({**jwt.decode(issuer.sign(), options={"verify_signature": False}), "sub": "admin"})
    assert await refused(verifier, f"{head}.{forged}.{signature}") == "TOKEN_SIGNATURE_INVALID"


async def test_an_unknown_kid_is_refused_after_one_refresh(issuer, verifier) -> None:
    await verifier.verify(issuer.sign(), audience="meshwork", token_type="access")
    stranger = TestIssuer()
    fetches = issuer.fetches
    assert await refused(verifier, stranger.sign(kid=stranger.current)) == "TOKEN_KEY_UNKNOWN"
    assert issuer.fetches == fetches + 1


async def test_an_opaque_refresh_token_is_not_an_access_token(verifier) -> None:
    assert await refused(verifier, "rt_3q2+7w-opaque-refresh-token") == "TOKEN_MALFORMED"


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda token: token + "x", "its signature is not base64url"),
        (lambda token: "x" + token, "its header is not base64url-encoded JSON"),
        (
            lambda token: token.replace(".", "x.", 2).replace("x.", ".", 1),
            "its payload is not base64url-encoded JSON",
        ),
        (lambda token: token.replace(".", "x.", 1), "its header is not base64url-encoded JSON"),
        (lambda token: token.rpartition(".")[0], "it has 2 dot-separated parts, not the three"),
        (lambda token: "not-a-jwt", "it has 1 dot-separated part, not the three"),
        (lambda token: token + ".x", "it has 4 dot-separated parts, not the three"),
    ],
    ids=[
        "appended to the signature",
        "header",
        "payload",
        "header padding",
        "cut short",
        "one part",
        "four",
    ],
)
async def test_a_token_that_is_no_jwt_is_told_which_part_is_wrong(
    issuer, verifier, damage, says
) -> None:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(damage(issuer.sign()), audience="meshwork", token_type="access")
    assert caught.value.reason == "TOKEN_MALFORMED"
    assert caught.value.message.startswith("the token is not a valid JWT: ")
    assert says in caught.value.message


async def test_a_service_token_is_not_a_user_token(issuer, verifier) -> None:
    service_token = issuer.sign(sub="jobs", aud="meshwork", typ="service")
    assert await refused(verifier, service_token) == "TOKEN_TYPE_MISMATCH"


async def test_a_rotated_key_is_picked_up_without_a_restart(issuer, verifier) -> None:
    old = issuer.sign()
    await verifier.verify(old, audience="meshwork", token_type="access")
    issuer.rotate()
    new = issuer.sign()
    assert jwt.get_unverified_header(new)["kid"] != jwt.get_unverified_header(old)["kid"]
    assert (await verifier.verify(new, audience="meshwork", token_type="access")).subject
    assert (await verifier.verify(old, audience="meshwork", token_type="access")).subject


async def test_unknown_kids_cannot_force_a_refresh_per_token(issuer) -> None:
    now = [0.0]
    cache = JwksCache(issuer.jwks, min_refresh_interval_s=10, clock=lambda: now[0])
    verifier = TokenVerifier(cache, issuer=ISSUER)
    await verifier.verify(issuer.sign(), audience="meshwork", token_type="access")
    for _ in range(5):
        await refused(verifier, TestIssuer().sign())
    assert issuer.fetches == 1


async def test_a_verified_token_is_not_checked_twice(issuer, verifier, monkeypatch) -> None:
    token = issuer.sign()
    await verifier.verify(token, audience="meshwork", token_type="access")
    monkeypatch.setattr(jwt, "decode", None)  # any second signature check would now crash
    assert (await verifier.verify(token, audience="meshwork", token_type="access")).subject


async def test_only_a_verified_unexpired_token_is_served_from_the_cache(
    issuer, verifier, monkeypatch
) -> None:
    token = issuer.sign(exp=int(time.time()) + 60)
    assert verifier.cached(token, audience="meshwork", token_type="access") is None
    await verifier.verify(token, audience="meshwork", token_type="access")
    hit = verifier.cached(token, audience="meshwork", token_type="access")
    assert hit is not None and hit.subject == "user-1"
    assert verifier.cached(token, audience="users", token_type="access") is None
    later = time.time() + 120  # past exp and the leeway: no longer served from the cache
    monkeypatch.setattr(time, "time", lambda: later)
    assert verifier.cached(token, audience="meshwork", token_type="access") is None


async def test_the_authenticator_reads_service_and_user_tokens(issuer, verifier) -> None:
    metadata = {
        "authorization": f"Bearer {issuer.sign(sub='edge', aud='users', typ='service')}",
        "x-user-authorization": f"Bearer {issuer.sign(roles=['admin'])}",
    }
    principal = await JwtAuthenticator(verifier).authenticate(metadata, audience="users")
    assert principal.service == "edge"
    assert principal.user is not None
    assert principal.user.roles == frozenset({"admin"})


async def test_calls_between_services_are_their_calling_service_alone(issuer, verifier) -> None:
    authenticator = JwtAuthenticator(verifier)
    principals = [
        await authenticator.authenticate(
            {"authorization": f"Bearer {issuer.sign(sub=name, aud='users', typ='service')}"},
            audience="users",
        )
        for name in ("edge", "jobs", "edge")
    ]
    assert principals == [Principal(service="edge"), Principal(service="jobs"),
                          Principal(service="edge")]  # fmt: skip
    assert await authenticator.authenticate({}, audience="users") == Principal()


async def test_metadata_without_the_bearer_scheme_is_named_as_metadata(verifier) -> None:
    with pytest.raises(Unauthenticated) as caught:
        await JwtAuthenticator(verifier).authenticate({"authorization": "x"}, audience="users")
    assert caught.value.reason == "TOKEN_MALFORMED"
    assert caught.value.message == "the 'authorization' metadata must be 'Bearer <token>'"


async def test_a_service_token_for_another_callee_is_refused(issuer, verifier) -> None:
    metadata = {"authorization": f"Bearer {issuer.sign(sub='edge', aud='users', typ='service')}"}
    with pytest.raises(Unauthenticated) as caught:
        await JwtAuthenticator(verifier).authenticate(metadata, audience="payments")
    assert caught.value.reason == "TOKEN_AUDIENCE_MISMATCH"


async def test_service_tokens_are_renewed_at_half_their_life() -> None:
    now = [1000.0]
    issued: list[str] = []

    async def issue(audience: str) -> tuple[str, float]:
        issued.append(audience)
        return f"token-{len(issued)}", now[0] + 100

    tokens = ServiceTokens(issue, clock=lambda: now[0])
    assert await tokens("users") == await tokens("users") == "token-1"
    now[0] += 49
    assert await tokens("users") == "token-1"
    now[0] += 1  # half its life is gone
    assert await tokens("users") == "token-2"
    assert issued == ["users", "users"]


class FlakyIssuer:
    """Issues 100-second tokens while `up`; raises like a channel to a downed identity."""

    def __init__(self, now: list[float]) -> None:
        self.now, self.up, self.asked = now, True, 0

    async def __call__(self, audience: str) -> tuple[str, float]:
        self.asked += 1
        if not self.up:
            raise ConnectionError("identity is down")
        return f"token-{self.asked}", self.now[0] + 100


async def test_a_held_service_token_serves_on_while_identity_is_down_until_it_expires() -> None:
    now = [1000.0]
    issuer = FlakyIssuer(now)
    tokens = ServiceTokens(issuer, retry_interval_s=10, clock=lambda: now[0])
    assert await tokens("users") == "token-1"
    issuer.up = False
    now[0] += 60  # due for renewal, and identity cannot renew it
    assert await tokens("users") == "token-1"
    assert await tokens("users") == "token-1"
    assert issuer.asked == 2  # asked again only after the retry interval, not per call
    now[0] += 10
    assert await tokens("users") == "token-1"
    assert issuer.asked == 3
    now[0] += 27  # 3 s before it expires: too close to send
    with pytest.raises(ConnectionError):
        await tokens("users")
    issuer.up = True
    assert await tokens("users") == "token-5"


async def test_signing_keys_keep_verifying_while_the_issuer_is_down_within_the_bound(
    issuer,
) -> None:
    now = [0.0]

    async def fetch() -> Any:
        if down:
            raise ConnectionError("identity is down")
        return await issuer.jwks()

    down = False
    cache = JwksCache(
        fetch, max_age_s=300, min_refresh_interval_s=5, stale_if_error_s=600,
        clock=lambda: now[0],
    )  # fmt: skip
    verifier = TokenVerifier(cache, issuer=ISSUER)
    verify = {"audience": "meshwork", "token_type": "access"}
    await verifier.verify(issuer.sign(), **verify)
    down = True
    now[0] = 850  # stale for 550 s: within the 600 s bound
    assert (await verifier.verify(issuer.sign(), **verify)).subject
    now[0] = 901  # past max age + bound
    with pytest.raises(Unavailable) as caught:
        await verifier.verify(issuer.sign(), **verify)
    assert caught.value.reason == "SIGNING_KEYS_UNAVAILABLE"
    assert "identity is down" not in caught.value.message
    down = False
    now[0] = 906  # the next attempt is allowed again, and the keys are back
    assert (await verifier.verify(issuer.sign(), **verify)).subject


async def test_unreachable_signing_keys_are_signing_keys_unavailable_not_a_bad_token(
    issuer,
) -> None:
    async def fetch() -> Any:
        raise ConnectionError("identity is down")

    now = [0.0]
    verifier = TokenVerifier(JwksCache(fetch, clock=lambda: now[0]), issuer=ISSUER)
    for _ in range(2):  # the second within the retry interval, without asking again
        with pytest.raises(Unavailable) as caught:
            await verifier.verify(issuer.sign(), audience="meshwork", token_type="access")
        assert caught.value.reason == "SIGNING_KEYS_UNAVAILABLE"


async def test_verifiers_asking_while_the_first_fetch_is_under_way_share_it(issuer) -> None:
    release = asyncio.Event()

    async def slow_fetch() -> Any:
        await release.wait()
        return await issuer.jwks()

    verifier = TokenVerifier(JwksCache(slow_fetch), issuer=ISSUER)
    token = issuer.sign()
    calls = [
        asyncio.create_task(verifier.verify(token, audience="meshwork", token_type="access"))
        for _ in range(8)
    ]
    await asyncio.sleep(0)  # every call is waiting on the one fetch
    release.set()
    verified = await asyncio.gather(*calls)
    assert {v.subject for v in verified} == {verified[0].subject}
    assert issuer.fetches == 1
