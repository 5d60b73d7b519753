"""SignUp with an idempotency key, straight over gRPC: one account however often it is sent."""

from __future__ import annotations

import asyncio

import grpc

from meshwork.identity.v1 import events_pb2
from meshwork.identity.v1 import identity_service_pb2 as pb
from tests.integration.identity.conftest import PASSWORD, Identity, error_info

REQUEST = pb.SignUpRequest(email="ada@example.com", password=PASSWORD)
KEYED = (("idempotency-key", "sign-up-1"),)


async def test_a_sign_up_sent_again_with_its_key_replays_the_first_answer(
    identity: Identity,
) -> None:
    first = await identity.stub.SignUp(REQUEST, metadata=KEYED)
    again = await identity.stub.SignUp(REQUEST, metadata=KEYED)

    assert again == first
    assert len(await identity.rows("credentials")) == 1
    assert len(await identity.events(events_pb2.UserSignedUp)) == 1
    [record] = await identity.rows("mesh_idempotency")
    assert PASSWORD.encode() not in record["response"]  # sealed, and the request only hashed
    assert first.tokens.refresh_token.encode() not in record["response"]


async def test_twenty_concurrent_sign_ups_with_one_key_run_once(identity: Identity) -> None:
    outcomes = await asyncio.gather(
        *(identity.stub.SignUp(REQUEST, metadata=KEYED) for _ in range(20)),
        return_exceptions=True,
    )

    answers = [o for o in outcomes if isinstance(o, pb.SignUpResponse)]
    refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert answers and all(answer == answers[0] for answer in answers)
    assert {(e.code(), error_info(e).reason) for e in refused} <= {
        (grpc.StatusCode.ABORTED, "IDEMPOTENCY_KEY_IN_USE")
    }
    assert len(answers) + len(refused) == 20
    assert len(await identity.rows("credentials")) == 1
    assert list(identity.users.profiles) == [answers[0].user_id]
    assert len(await identity.events(events_pb2.UserSignedUp)) == 1
