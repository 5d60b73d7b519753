"""Logins per second, and a cheap authenticated RPC's p99 alone vs during a login storm.

Runs the platform as `make up` does (every service its own process) and drives it from here.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import grpc

from bench.harness import Round, Verdict, ms, timed_round, write_report
from bench.stack import devstack
from meshwork.identity.v1 import identity_service_pb2 as identity_pb
from meshwork.identity.v1 import identity_service_pb2_grpc as identity_grpc
from meshwork.users.v1 import users_service_pb2 as users_pb
from meshwork.users.v1 import users_service_pb2_grpc as users_grpc

PASSWORD = "correct horse battery staple"
USERS = 8
TARGET = 2.0  # p99 during the storm at most twice the p99 alone
ROUNDS = 3  # interleaved rounds of each variant; the median round is reported


async def run() -> list[Verdict]:
    with tempfile.TemporaryDirectory() as tmp:
        async with devstack(Path(tmp), unlimited=False) as stack:
            secret = json.loads((Path(tmp) / "credentials.json").read_text())["cli"]
            ratio = await measure(stack.addresses, secret)
    return [
        Verdict("GetUser p99 during a login storm / alone", ratio, f"≤ {TARGET}", ratio <= TARGET)
    ]


async def measure(addresses: dict[str, str], secret: str) -> float:
    async with grpc.aio.insecure_channel(addresses["identity"]) as identity_channel, \
            grpc.aio.insecure_channel(addresses["users"]) as users_channel:  # fmt: skip
        identity = identity_grpc.IdentityServiceStub(identity_channel)
        users = users_grpc.UsersServiceStub(users_channel)
        emails = [f"bench{i}@example.com" for i in range(USERS)]
        signed_up = [
            await identity.SignUp(identity_pb.SignUpRequest(email=e, password=PASSWORD))
            for e in emails
        ]
        service = await identity.IssueServiceToken(
            identity_pb.IssueServiceTokenRequest(
                client_id="cli", client_secret=secret, audience="users"
            )
        )
        metadata = (
            ("authorization", f"Bearer {service.access_token}"),
            ("x-user-authorization", f"Bearer {signed_up[0].tokens.access_token}"),
        )
        counter = iter(range(10**9))

        async def login() -> object:
            email = emails[next(counter) % USERS]
            return await identity.Login(identity_pb.LoginRequest(email=email, password=PASSWORD))

        async def get_profile() -> object:
            return await users.GetUser(users_pb.GetUserRequest(user_id="me"), metadata=metadata)

        await timed_round(get_profile, concurrency=4, calls=400)  # warm-up
        logins = await timed_round(login, concurrency=4, calls=40)
        alone_rounds, during_rounds = [], []
        for _ in range(ROUNDS):
            alone_rounds.append(await timed_round(get_profile, concurrency=4, calls=2000))
            during_rounds.append(await during_storm(get_profile, login))
        return report(logins, median_by_p99(alone_rounds), median_by_p99(during_rounds))


def median_by_p99(rounds: list[Round]) -> Round:
    return sorted(rounds, key=lambda measured: measured.percentile(0.99))[len(rounds) // 2]


async def during_storm(call: object, login: object) -> Round:
    """The cheap call measured while four callers log in as fast as they can."""
    stop = asyncio.Event()

    async def storm() -> None:
        while not stop.is_set():
            await login()  # type: ignore[operator]

    storms = [asyncio.create_task(storm()) for _ in range(4)]
    await asyncio.sleep(0.5)  # let the storm build up before measuring
    try:
        return await timed_round(call, concurrency=4, calls=2000)  # type: ignore[arg-type]
    finally:
        stop.set()
        await asyncio.gather(*storms)


def summary(measured: Round) -> str:
    return (
        f"{measured.throughput:.0f}, {ms(measured.percentile(0.5))}, "
        f"{ms(measured.percentile(0.99))}"
    )


def report(logins: Round, alone: Round, during: Round) -> float:
    ratio = during.percentile(0.99) / alone.percentile(0.99)
    write_report(
        "auth",
        [
            f"GetUser alone and during a login storm: {ROUNDS} interleaved rounds of each, the"
            " median round by p99.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| Login (argon2id, 4 callers): rps, p50, p99 ms | {summary(logins)} |",
            f"| GetUser (authenticated) alone: rps, p50, p99 ms | {summary(alone)} |",
            f"| GetUser during the login storm: rps, p50, p99 ms | {summary(during)} |",
            f"| p99 during storm / p99 alone | {ratio:.2f} (target ≤ {TARGET}) |",
        ],
    )
    return ratio
