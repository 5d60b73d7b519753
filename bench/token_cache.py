"""Token verification per request with and without TokenVerifier's verified-token cache.

The edge builds its TokenVerifier with the default cache (edge/upstreams.py) and offers no
setting to turn it off, so the end-to-end side is the edge bench (cache on); this one is the
micro-benchmark: verify() calls per second of the same access token, cache_size=0 vs default.
"""

from __future__ import annotations

import time

from bench.harness import Verdict, median, write_report
from mesh.auth.jwks import JwksCache
from mesh.auth.tokens import ACCESS_TOKEN, USER_AUDIENCE, TokenVerifier
from tests.support.tokens import ISSUER, TestIssuer

CALLS = 3000
ROUNDS = 3


async def run() -> list[Verdict]:
    issuer = TestIssuer()
    token = issuer.sign()
    verifiers = {
        "no cache (cache_size=0)": TokenVerifier(
            JwksCache(issuer.jwks), issuer=ISSUER, cache_size=0
        ),
        "cache (default cache_size)": TokenVerifier(JwksCache(issuer.jwks), issuer=ISSUER),
    }
    rates: dict[str, list[float]] = {name: [] for name in verifiers}
    for verifier in verifiers.values():  # warm-up: keys fetched, cache filled
        await verify_many(verifier, token, 100)
    for _ in range(ROUNDS):
        for name, verifier in verifiers.items():
            rates[name].append(await verify_many(verifier, token, CALLS))
    off, on = (median(rates[name]) for name in verifiers)
    lines = [
        "| verifier | verify() calls/s | µs per call |",
        "|---|---|---|",
        *(f"| {name} | {median(r):.0f} | {1e6 / median(r):.1f} |" for name, r in rates.items()),
        "",
        f"The cache makes verification {on / off:.0f} times cheaper per request (same token).",
    ]
    write_report("token-cache", lines)
    return [Verdict("verify(): cached / uncached calls per second", on / off, "no target", None)]


async def verify_many(verifier: TokenVerifier, token: str, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await verifier.verify(token, audience=USER_AUDIENCE, token_type=ACCESS_TOKEN)
    return calls / (time.perf_counter() - started)
