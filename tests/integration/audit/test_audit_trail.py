"""The audit trail over real gRPC and NATS: events from every stream once each (also those
published while audit was down), RecordAuditEntry, queries, and chain verification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import nats
import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from mesh.context import Principal, User, principal_var
from mesh.db import create_engine
from mesh.events.envelope import MSG_ID_HEADER, Envelope, envelope_for
from mesh.events.streams import ensure_event_stream
from mesh.events.subjects import service_of
from meshwork.audit.v1 import audit_service_pb2 as pb
from meshwork.audit.v1 import audit_service_pb2_grpc, resources_pb2
from meshwork.identity.v1 import events_pb2 as identity_events
from meshwork.jobs.v1 import events_pb2 as jobs_events
from meshwork.notifications.v1 import events_pb2 as notifications_events
from meshwork.payments.v1 import events_pb2 as payments_events
from meshwork.users.v1 import events_pb2 as users_events
from tests.integration.audit.conftest import fields_of, reason_of
from tests.support.waiting import eventually

ADMIN_ACTION = resources_pb2.AUDIT_ENTRY_KIND_ADMIN_ACTION


def one_event_per_service() -> list[Message]:
    return [
        identity_events.UserSignedUp(user_id="u-1", email="ada@example.com"),
        users_events.UserDeleted(user_id="u-1", deleted_by="u-admin"),
        payments_events.PaymentSucceeded(payment_id="pay-1", user_id="u-1"),
        notifications_events.MessageSent(message_id="msg-1", user_id="u-1"),
        jobs_events.JobDead(job_id="job-1", type="jobs.purge_records"),
    ]


async def publish(nats_url: str, envelopes: list[Envelope], *, message_ids: list[str]) -> None:
    """Publishes as the outbox relay does (Nats-Msg-Id: the given id, normally the event's)."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()
        for envelope, message_id in zip(envelopes, message_ids, strict=True):
            await ensure_event_stream(js, service_of_subject(envelope.subject))
            headers = {**envelope.headers, MSG_ID_HEADER: message_id}
            await js.publish(envelope.subject, envelope.payload, headers=headers)
    finally:
        await connection.close()


def service_of_subject(subject: str) -> str:
    return subject.split(".")[1]


async def everything_acked(nats_url: str, stream: str) -> bool:
    """Whether audit's consumer on `stream` has been delivered, and acked, every message."""
    connection = await nats.connect(nats_url)
    try:
        info = await connection.jetstream().consumer_info(stream, f"audit-on-{stream[7:].lower()}")
    finally:
        await connection.close()
    return info.num_pending == 0 and info.num_ack_pending == 0


def as_admin(event: Message) -> Envelope:
    """The envelope of an event emitted while serving a call of admin u-admin (via the edge)."""
    token = principal_var.set(Principal(service="edge", user=User("u-admin", frozenset({"admin"}))))
    try:
        return envelope_for(event)
    finally:
        principal_var.reset(token)


async def entries_of(stub, metadata, **filters) -> list[resources_pb2.AuditEntry]:
    found, token = [], ""
    while True:
        request = pb.ListAuditEntriesRequest(page_size=100, page_token=token, **filters)
        reply = await stub.ListAuditEntries(request, metadata=metadata)
        found += reply.audit_entries
        token = reply.next_page_token
        if not token:
            return found


async def test_events_published_while_audit_was_down_are_recorded_once_each(
    start_audit, nats_of_test, callers
) -> None:
    async with start_audit():  # declares its durable consumers, then goes down
        pass
    events = one_event_per_service()
    envelopes = [as_admin(event) for event in events]
    # The first event twice more: a relay's re-publish within the dedupe window (same
    # Nats-Msg-Id) and after it (a new one: JetStream delivers it again; the inbox skips it).
    await publish(
        nats_of_test.url,
        [*envelopes, envelopes[0], envelopes[0]],
        message_ids=[e.event_id for e in envelopes] + [envelopes[0].event_id, "republished"],
    )
    admin = callers.admin()

    async with start_audit() as audit, grpc.aio.insecure_channel(audit.address) as channel:
        stub = audit_service_pb2_grpc.AuditServiceStub(channel)
        wanted = {envelope.event_id for envelope in envelopes}

        async def all_recorded() -> bool:
            found = {entry.event_id for entry in await entries_of(stub, admin)}
            return wanted <= found

        await eventually(all_recorded)
        await eventually(lambda: everything_acked(nats_of_test.url, "EVENTS_IDENTITY"))
        recorded = await entries_of(stub, admin)

    by_event = [entry for entry in recorded if entry.event_id in wanted]
    assert sorted(entry.event_id for entry in by_event) == sorted(wanted)  # once each
    assert {entry.service for entry in by_event} == {service_of(e) for e in events}
    deleted = next(entry for entry in by_event if entry.type.endswith("UserDeleted"))
    assert deleted.kind == resources_pb2.AUDIT_ENTRY_KIND_DOMAIN_EVENT
    assert (deleted.actor_user_id, deleted.actor_service) == ("u-admin", "")
    assert (deleted.subject_type, deleted.subject_id) == ("user", "u-1")
    assert deleted.payload["deleted_by"] == "u-admin"
    assert deleted.chain == "users" and deleted.sequence == 1


async def test_a_redacted_field_is_not_stored(stub, nats_of_test, callers) -> None:
    event = identity_events.PasswordResetRequested(user_id="u-1", token="secret-reset-token")
    envelope = envelope_for(event)
    await publish(nats_of_test.url, [envelope], message_ids=[envelope.event_id])

    async def recorded() -> list[resources_pb2.AuditEntry]:
        return await entries_of(stub, callers.admin(), service="identity")

    await eventually(lambda: _non_empty(recorded()))
    [entry] = await recorded()
    assert entry.payload["token"] == "[REDACTED]"
    assert entry.actor_service == "identity"  # no caller: the service acted on its own


async def _non_empty(found) -> bool:
    return bool(await found)


def a_record(key: str = "k-1", **fields) -> pb.RecordAuditEntryRequest:
    occur = Timestamp()
    occur.FromDatetime(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    values = {
        "kind": ADMIN_ACTION,
        "type": "meshwork.users.v1.UsersService/VerifyKyc",
        "summary": "support user s-1 verified KYC of user u-2",
        "actor_user_id": "s-1",
        "subject_type": "user",
        "subject_id": "u-2",
        "occur_time": occur,
    }
    entry = resources_pb2.AuditEntry(**(values | fields))
    return pb.RecordAuditEntryRequest(idempotency_key=key, audit_entry=entry)


async def test_a_recorded_action_is_stored_once_per_key(stub, callers) -> None:
    users = callers.service("users")

    first = (await stub.RecordAuditEntry(a_record(), metadata=users)).audit_entry
    again = (await stub.RecordAuditEntry(a_record(), metadata=users)).audit_entry
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await stub.RecordAuditEntry(a_record(summary="something else"), metadata=users)
    got = await stub.GetAuditEntry(
        pb.GetAuditEntryRequest(audit_entry_id=first.id), metadata=callers.admin()
    )

    assert again == first and got.audit_entry == first
    assert (first.service, first.chain, first.sequence) == ("users", "users", 1)
    assert reused.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert reason_of(reused.value) == "IDEMPOTENCY_KEY_REUSED"


async def test_a_bad_record_names_each_field_and_records_nothing(stub, callers) -> None:
    bad = pb.RecordAuditEntryRequest(
        idempotency_key="",
        audit_entry=resources_pb2.AuditEntry(type="", trace_id="not-hex"),
    )

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.RecordAuditEntry(bad, metadata=callers.service("users"))

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(fields_of(refused.value)) == {
        "idempotency_key",
        "audit_entry.kind",
        "audit_entry.type",
        "audit_entry.occur_time",
        "audit_entry.trace_id",
    }
    assert await entries_of(stub, callers.admin()) == []


async def test_entries_are_filtered_and_paged_newest_first(stub, callers) -> None:
    users, admin = callers.service("users"), callers.admin()
    base = datetime(2026, 12, 1, tzinfo=UTC)
    for index in range(5):
        occur = Timestamp()
        occur.FromDatetime(base + timedelta(hours=index))
        request = a_record(f"k-{index}", trace_id=f"{index:032x}")
        request.audit_entry.occur_time.CopyFrom(occur)
        request.audit_entry.actor_user_id = "s-1" if index % 2 else "s-2"
        await stub.RecordAuditEntry(request, metadata=users)
    start, end = Timestamp(), Timestamp()
    start.FromDatetime(base + timedelta(hours=1))
    end.FromDatetime(base + timedelta(hours=4))

    first = await stub.ListAuditEntries(pb.ListAuditEntriesRequest(page_size=2), metadata=admin)
    rest = await stub.ListAuditEntries(
        pb.ListAuditEntriesRequest(page_size=2, page_token=first.next_page_token), metadata=admin
    )
    by_actor = await entries_of(stub, admin, actor_user_id="s-1")
    by_trace = await entries_of(stub, admin, trace_id=f"{3:032x}")
    in_range = await entries_of(stub, admin, start_time=start, end_time=end)
    by_kind = await entries_of(stub, admin, kind=resources_pb2.AUDIT_ENTRY_KIND_SECURITY)
    by_rest = await entries_of(
        stub, admin, service="users", type="meshwork.users.v1.UsersService/VerifyKyc",
        subject_type="user", subject_id="u-2",
    )  # fmt: skip

    hours = [
        e.occur_time.ToDatetime(tzinfo=UTC).hour
        for e in [*first.audit_entries, *rest.audit_entries]
    ]
    assert hours == [4, 3, 2, 1]
    assert [e.trace_id for e in by_actor] == [f"{3:032x}", f"{1:032x}"]
    assert [e.trace_id for e in by_trace] == [f"{3:032x}"]
    assert [e.trace_id for e in in_range] == [f"{i:032x}" for i in (3, 2, 1)]
    assert by_kind == [] and len(by_rest) == 5


async def test_bad_queries_name_the_field(stub, callers) -> None:
    start, end = Timestamp(), Timestamp()
    start.FromDatetime(datetime(2026, 12, 2, tzinfo=UTC))
    end.FromDatetime(datetime(2026, 12, 1, tzinfo=UTC))
    backwards = pb.ListAuditEntriesRequest(start_time=start, end_time=end)
    forged = pb.ListAuditEntriesRequest(page_token="bm90LWEtdG9rZW4")

    errors = []
    for request in (backwards, forged):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.ListAuditEntries(request, metadata=callers.admin())
        errors.append(refused.value)
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub.GetAuditEntry(
            pb.GetAuditEntryRequest(audit_entry_id="ae_missing"), metadata=callers.admin()
        )

    assert [reason_of(e) for e in errors] == ["INVALID_TIME_RANGE", "INVALID_PAGE_TOKEN"]
    assert [fields_of(e) for e in errors] == [["end_time"], ["page_token"]]
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert reason_of(missing.value) == "AUDIT_ENTRY_NOT_FOUND"


async def test_a_plain_user_may_not_read_the_trail(stub, callers) -> None:
    for call, request in (
        (stub.ListAuditEntries, pb.ListAuditEntriesRequest()),
        (stub.GetAuditEntry, pb.GetAuditEntryRequest(audit_entry_id="ae_1")),
        (stub.VerifyAuditChain, pb.VerifyAuditChainRequest()),
        (stub.ListLogEntries, pb.ListLogEntriesRequest()),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call(request, metadata=callers.user("u-1"))
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_stream_replayed_from_the_start_adds_nothing_twice(
    start_audit, nats_of_test, callers, database_url
) -> None:
    envelopes = [envelope_for(users_events.UserDeleted(user_id=f"u-{n}")) for n in range(2)]
    await publish(nats_of_test.url, envelopes, message_ids=[e.event_id for e in envelopes])
    admin = callers.admin()
    async with start_audit():
        await eventually(lambda: everything_acked(nats_of_test.url, "EVENTS_USERS"))
    # The durable consumer is deleted and the inbox forgotten: audit replays the whole stream.
    connection = await nats.connect(nats_of_test.url)
    await connection.jetstream().delete_consumer("EVENTS_USERS", "audit-on-users")
    await connection.close()
    engine = create_engine(database_url)
    async with engine.begin() as db:
        await db.execute(sa.text("DELETE FROM mesh_inbox"))
    await engine.dispose()

    async with start_audit() as audit, grpc.aio.insecure_channel(audit.address) as channel:
        stub = audit_service_pb2_grpc.AuditServiceStub(channel)
        await eventually(lambda: everything_acked(nats_of_test.url, "EVENTS_USERS"))
        recorded = await entries_of(stub, admin, service="users")
        verified = await stub.VerifyAuditChain(pb.VerifyAuditChainRequest(), metadata=admin)

    assert sorted(e.event_id for e in recorded) == sorted(e.event_id for e in envelopes)
    assert verified.intact
