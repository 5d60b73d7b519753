"""VerifyAuditChain against rows changed, deleted and swapped directly in the database."""

from __future__ import annotations

import itertools

import grpc
import pytest
import sqlalchemy as sa

from mesh.service import RunningService
from meshwork.audit.v1 import audit_service_pb2 as pb
from meshwork.audit.v1 import resources_pb2
from tests.integration.audit.conftest import reason_of
from tests.integration.audit.test_audit_trail import a_record

CHANGED = resources_pb2.AUDIT_CHAIN_BREAK_KIND_CHANGED
REMOVED = resources_pb2.AUDIT_CHAIN_BREAK_KIND_REMOVED
REORDERED = resources_pb2.AUDIT_CHAIN_BREAK_KIND_REORDERED


async def record_chain(stub, callers, count: int = 5) -> list[resources_pb2.AuditEntry]:
    """`count` entries in the users chain and one in the payments chain."""
    users = callers.service("users")
    entries = [
        (await stub.RecordAuditEntry(a_record(f"k-{i}"), metadata=users)).audit_entry
        for i in range(count)
    ]
    await stub.RecordAuditEntry(a_record("p-1"), metadata=callers.service("payments"))
    return entries


async def verify(stub, callers, chain: str = "") -> pb.VerifyAuditChainResponse:
    request = pb.VerifyAuditChainRequest(chain=chain)
    return await stub.VerifyAuditChain(request, metadata=callers.admin())


async def execute(audit: RunningService, *statements: str) -> None:
    async with audit.runtime.engine.begin() as connection:
        for statement in statements:
            await connection.execute(sa.text(statement))


def breaks_of(reply: pb.VerifyAuditChainResponse, chain: str) -> list[tuple[int, str, int]]:
    [report] = [report for report in reply.chains if report.chain == chain]
    return [(found.kind, found.audit_entry_id, found.sequence) for found in report.breaks]


async def test_untouched_chains_verify(stub, callers) -> None:
    entries = await record_chain(stub, callers)

    reply = await verify(stub, callers)

    assert reply.intact
    assert [(r.chain, r.checked_entry_count, r.head_sequence) for r in reply.chains] == [
        ("payments", 1, 1),
        ("users", 5, 5),
    ]
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.previous_hash == a.hash for a, b in itertools.pairwise(entries))


async def test_a_changed_row_is_named(stub, callers, audit_service) -> None:
    entries = await record_chain(stub, callers)
    third = entries[2]

    await execute(
        audit_service,
        f"UPDATE audit_entries SET actor_user_id = 'someone-else' WHERE id = '{third.id}'",
    )
    reply = await verify(stub, callers, "users")

    assert not reply.intact
    assert breaks_of(reply, "users") == [(CHANGED, third.id, 3)]
    assert third.id in reply.chains[0].breaks[0].description


async def test_a_deleted_row_is_named_by_the_entry_after_the_gap(
    stub, callers, audit_service
) -> None:
    entries = await record_chain(stub, callers)

    await execute(audit_service, f"DELETE FROM audit_entries WHERE id = '{entries[1].id}'")
    reply = await verify(stub, callers, "users")

    assert breaks_of(reply, "users") == [(REMOVED, entries[2].id, 2)]
    assert "entry #2 is missing" in reply.chains[0].breaks[0].description


async def test_a_deleted_last_row_is_found_from_the_head(stub, callers, audit_service) -> None:
    entries = await record_chain(stub, callers)

    await execute(audit_service, f"DELETE FROM audit_entries WHERE id = '{entries[-1].id}'")
    reply = await verify(stub, callers, "users")

    assert breaks_of(reply, "users") == [(REMOVED, "", 5)]


async def test_swapped_rows_are_named(stub, callers, audit_service) -> None:
    entries = await record_chain(stub, callers)
    second, third = entries[1], entries[2]

    await execute(
        audit_service,
        f"UPDATE audit_entries SET sequence = -1 WHERE id = '{second.id}'",
        f"UPDATE audit_entries SET sequence = 2 WHERE id = '{third.id}'",
        f"UPDATE audit_entries SET sequence = 3 WHERE id = '{second.id}'",
    )
    reply = await verify(stub, callers)

    found = breaks_of(reply, "users")
    assert found[:2] == [(REORDERED, third.id, 2), (REORDERED, second.id, 3)]
    assert {kind for kind, _, _ in found} == {REORDERED}
    assert breaks_of(reply, "payments") == []  # other chains are unaffected


async def test_an_unknown_chain_is_not_found(stub, callers) -> None:
    await record_chain(stub, callers, count=1)

    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await verify(stub, callers, "nobody")

    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert reason_of(missing.value) == "AUDIT_CHAIN_NOT_FOUND"
    assert "users" in missing.value.details()
