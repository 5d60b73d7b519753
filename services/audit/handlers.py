"""The audit service's use cases: one async function each, one unit of work each."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mesh.clock import utc_now
from mesh.paging import next_token
from services.audit import commands, validation
from services.audit.domain import (
    AuditEntry,
    ChainReport,
    ChainVerifier,
    LogRecord,
    chains_to_verify,
)
from services.audit.errors import audit_entry_not_found, idempotency_key_reused
from services.audit.repository import AuditUnitOfWork

logger = logging.getLogger("meshwork.audit")


@dataclass(frozen=True, slots=True)
class Deps:
    """What the use cases need, built once by bootstrap."""

    #: Opens a unit of work; takes `read_only` and `inline` (see `mesh.db.UnitOfWork`).
    unit_of_work: Callable[..., AuditUnitOfWork]
    #: How long log entries are kept (PurgeExpiredLogEntries deletes older ones).
    log_retention: timedelta = timedelta(days=30)
    clock: Callable[[], datetime] = utc_now


async def record_audit_entry(command: commands.RecordAuditEntry, deps: Deps) -> AuditEntry:
    """Appends a reported fact to its service's chain; a repeated key returns the first."""
    key, facts = validation.recorded_entry(command)
    async with deps.unit_of_work() as uow:
        head = await uow.entries.locked_head(facts.service)  # also orders concurrent retries
        existing = await uow.entries.by_key(facts.service, key)
        if existing is not None:
            entry, fingerprint = existing
            if fingerprint != facts.fingerprint():
                raise idempotency_key_reused(key)
            return entry
        entry = AuditEntry.append(
            validation.new_entry_id(), facts, head, now=deps.clock(), idempotency_key=key
        )
        await uow.entries.append(entry, fingerprint=facts.fingerprint())
        await uow.commit()
    return entry


async def record_event(uow: AuditUnitOfWork, command: commands.RecordEvent, now: datetime) -> None:
    """A collected event, inside the consumer's open unit of work (which commits; its inbox
    makes a redelivered event a no-op). An event already in the trail is not added again,
    also when the inbox no longer remembers it (a consumer declared anew replays its stream)."""
    facts = validation.event_facts(command)
    head = await uow.entries.locked_head(facts.service)
    if facts.event_id and await uow.entries.has_event(facts.event_id):
        logger.info("event %s is already in the audit trail; skipped", facts.event_id)
        return
    entry = AuditEntry.append(validation.new_entry_id(), facts, head, now=now)
    await uow.entries.append(entry)


async def get_audit_entry(command: commands.GetAuditEntry, deps: Deps) -> AuditEntry:
    entry_id = validation.entry_id(command.audit_entry_id)
    async with deps.unit_of_work(read_only=True, inline=True) as uow:
        entry = await uow.entries.get(entry_id)
    if entry is None:
        raise audit_entry_not_found(entry_id)
    return entry


@dataclass(frozen=True, slots=True)
class EntryPage:
    entries: list[AuditEntry]
    next_page_token: str


async def list_audit_entries(command: commands.ListAuditEntries, deps: Deps) -> EntryPage:
    """A page of entries matching every filter given, most recent first."""
    query = validation.entry_query(command)
    async with deps.unit_of_work(read_only=True) as uow:
        found = await uow.entries.list(query)
    token = next_token(query.page, found, lambda entry: (entry.facts.occur_time, entry.id))
    return EntryPage(found[: query.page.size], token)


async def verify_audit_chain(command: commands.VerifyAuditChain, deps: Deps) -> list[ChainReport]:
    """Recomputes the chain (or every chain) and names each entry changed, removed or moved."""
    requested = validation.chain_name(command)
    reports = []
    async with deps.unit_of_work(read_only=True) as uow:
        for head in chains_to_verify(requested, await uow.entries.heads()):
            verifier = ChainVerifier(head.chain)
            async for entry in uow.entries.chain(head.chain):
                verifier.check(entry)
            report = verifier.report(head)
            if not report.intact:
                logger.warning(
                    "audit chain %s is broken: %s",
                    head.chain, "; ".join(b.description for b in report.breaks),
                )  # fmt: skip
            reports.append(report)
    return reports


async def write_logs(command: commands.WriteLogs, deps: Deps) -> int:
    """Stores a batch of records; those already stored (a resent batch) are skipped."""
    records = validation.log_batch(command, now=deps.clock())
    async with deps.unit_of_work() as uow:
        written = await uow.logs.add_new(records)
        await uow.commit()
    return written


@dataclass(frozen=True, slots=True)
class LogPage:
    records: list[LogRecord]
    next_page_token: str


async def list_log_entries(command: commands.ListLogEntries, deps: Deps) -> LogPage:
    query = validation.log_query(command)
    async with deps.unit_of_work(read_only=True) as uow:
        found = await uow.logs.list(query)
    token = next_token(query.page, found, lambda record: (record.time, record.insert_id))
    return LogPage(found[: query.page.size], token)


async def purge_expired_log_entries(deps: Deps) -> int:
    """Deletes log entries older than the retention period; the audit trail is kept."""
    cutoff = deps.clock() - deps.log_retention
    async with deps.unit_of_work() as uow:
        purged = await uow.logs.purge(older_than=cutoff)
        await uow.commit()
    logger.info("purged %d log entries logged before %s", purged, cutoff.isoformat())
    return purged
