"""The audit trail, its chain heads and the log store, on the open unit of work's connection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db import UnitOfWork, insert_if_new
from mesh.db.rows import as_utc
from services.audit.domain import AuditEntry, ChainHead, EntryKind, Facts, LogRecord, Severity
from services.audit.orm import audit_chain_heads_table, audit_entries_table, log_entries_table
from services.audit.validation import EntryQuery, LogQuery

_entries = audit_entries_table.c
_heads = audit_chain_heads_table.c
_logs = log_entries_table.c
#: How many entries a verification reads at a time.
VERIFY_BATCH = 500


class AuditEntryRepository:
    """The append-only trail: entries are added at the head of their chain, never changed."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def locked_head(self, chain: str) -> ChainHead:
        """The chain's head, locked until the transaction ends, so that appends to one chain
        happen one at a time (SQLite's write lock already orders them)."""
        await self._connection.execute(
            insert_if_new(
                self._connection.dialect.name,
                audit_chain_heads_table,
                {"chain": chain, "sequence": 0, "hash": ChainHead(chain).hash},
            )
        )
        query = sa.select(audit_chain_heads_table).where(_heads.chain == chain).with_for_update()
        row = (await self._connection.execute(query)).one()
        return ChainHead(row.chain, row.sequence, row.hash)

    async def heads(self) -> list[ChainHead]:
        rows = (await self._connection.execute(sa.select(audit_chain_heads_table))).all()
        return [ChainHead(row.chain, row.sequence, row.hash) for row in rows]

    async def append(self, entry: AuditEntry, *, fingerprint: str | None = None) -> None:
        """Stores `entry` and makes it its chain's head (the head must be locked)."""
        await self._connection.execute(
            sa.insert(audit_entries_table).values(**_row_of(entry), fingerprint=fingerprint)
        )
        await self._connection.execute(
            sa.update(audit_chain_heads_table)
            .where(_heads.chain == entry.chain)
            .values(sequence=entry.sequence, hash=entry.hash)
        )

    async def get(self, entry_id: str) -> AuditEntry | None:
        row = (
            await self._connection.execute(
                sa.select(audit_entries_table).where(_entries.id == entry_id)
            )
        ).first()
        return _entry_of(row._mapping) if row else None

    async def has_event(self, event_id: str) -> bool:
        query = sa.select(_entries.id).where(_entries.event_id == event_id)
        return (await self._connection.execute(query)).first() is not None

    async def by_key(self, service: str, key: str) -> tuple[AuditEntry, str] | None:
        """The entry `service` recorded under idempotency `key`, and its facts' fingerprint."""
        query = sa.select(audit_entries_table).where(
            _entries.service == service, _entries.idempotency_key == key
        )
        row = (await self._connection.execute(query)).first()
        return (_entry_of(row._mapping), row.fingerprint or "") if row else None

    async def list(self, query: EntryQuery) -> list[AuditEntry]:
        """Up to `page.size + 1` entries after the page's position, most recent first."""
        select = sa.select(audit_entries_table).order_by(
            _entries.occur_time.desc(), _entries.id.desc()
        )
        equal = {
            _entries.kind: query.kind.value if query.kind else "",
            _entries.service: query.service,
            _entries.type: query.type,
            _entries.actor_user_id: query.actor_user_id,
            _entries.actor_service: query.actor_service,
            _entries.subject_type: query.subject_type,
            _entries.subject_id: query.subject_id,
            _entries.trace_id: query.trace_id,
        }
        select = select.where(*(column == value for column, value in equal.items() if value))
        select = _in_range(select, _entries.occur_time, query.start_time, query.end_time)
        after = query.page.after_time_and_id()
        if after is not None:
            select = select.where(_before(_entries.occur_time, _entries.id, *after))
        rows = (await self._connection.execute(select.limit(query.page.size + 1))).all()
        return [_entry_of(row._mapping) for row in rows]

    async def chain(self, chain: str) -> AsyncIterator[AuditEntry]:
        """The chain's entries in sequence order, read in batches."""
        after = 0
        while True:
            query = (
                sa.select(audit_entries_table)
                .where(_entries.chain == chain, _entries.sequence > after)
                .order_by(_entries.sequence)
                .limit(VERIFY_BATCH)
            )
            rows = (await self._connection.execute(query)).all()
            for row in rows:
                yield _entry_of(row._mapping)
            if len(rows) < VERIFY_BATCH:
                return
            after = rows[-1].sequence


class LogRepository:
    """The shipped log records."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_new(self, records: Sequence[LogRecord]) -> int:
        """Stores the records whose insert id is new; returns how many that was."""
        dialect = self._connection.dialect.name
        written = 0
        for record in records:  # one statement each: rowcount says whether it was new
            result = await self._connection.execute(
                insert_if_new(dialect, log_entries_table, _log_row_of(record))
            )
            written += result.rowcount
        return written

    async def list(self, query: LogQuery) -> list[LogRecord]:
        select = sa.select(log_entries_table).order_by(_logs.time.desc(), _logs.insert_id.desc())
        equal = {
            _logs.service: query.service,
            _logs.trace_id: query.trace_id,
            _logs.request_id: query.request_id,
        }
        select = select.where(*(column == value for column, value in equal.items() if value))
        if query.min_severity is not None:
            select = select.where(_logs.severity >= int(query.min_severity))
        if query.text:
            select = select.where(
                sa.func.lower(_logs.message).contains(query.text, autoescape=True)
            )
        select = _in_range(select, _logs.time, query.start_time, query.end_time)
        after = query.page.after_time_and_id()
        if after is not None:
            select = select.where(_before(_logs.time, _logs.insert_id, *after))
        rows = (await self._connection.execute(select.limit(query.page.size + 1))).all()
        return [_log_of(row._mapping) for row in rows]

    async def purge(self, *, older_than: datetime) -> int:
        result = await self._connection.execute(
            sa.delete(log_entries_table).where(_logs.time < older_than)
        )
        return int(result.rowcount)


class AuditUnitOfWork(UnitOfWork):
    """The audit service's unit of work: its repositories come with it, as `uow.entries`
    and `uow.logs`."""

    entries: AuditEntryRepository
    logs: LogRepository

    def open_repositories(self, connection: AsyncConnection) -> None:
        self.entries = AuditEntryRepository(connection)
        self.logs = LogRepository(connection)


def _in_range(
    select: sa.Select[Any], column: Any, start: datetime | None, end: datetime | None
) -> sa.Select[Any]:
    if start is not None:
        select = select.where(column >= start)
    if end is not None:
        select = select.where(column < end)
    return select


def _before(time_column: Any, id_column: Any, at: datetime, last_id: str) -> Any:
    return sa.or_(time_column < at, sa.and_(time_column == at, id_column < last_id))


def _row_of(entry: AuditEntry) -> dict[str, Any]:
    facts = entry.facts
    return {
        "id": entry.id,
        "chain": entry.chain,
        "sequence": entry.sequence,
        "previous_hash": entry.previous_hash,
        "hash": entry.hash,
        "kind": facts.kind.value,
        "service": facts.service,
        "type": facts.type,
        "summary": facts.summary,
        "actor_user_id": facts.actor_user_id,
        "actor_service": facts.actor_service,
        "subject_type": facts.subject_type,
        "subject_id": facts.subject_id,
        "trace_id": facts.trace_id,
        "request_id": facts.request_id,
        "event_id": facts.event_id or None,
        "payload": facts.payload,
        "occur_time": facts.occur_time,
        "create_time": entry.create_time,
        "idempotency_key": entry.idempotency_key,
    }


def _entry_of(row: Any) -> AuditEntry:
    facts = Facts(
        kind=EntryKind(row["kind"]),
        service=row["service"],
        type=row["type"],
        occur_time=as_utc(row["occur_time"]),
        summary=row["summary"],
        actor_user_id=row["actor_user_id"],
        actor_service=row["actor_service"],
        subject_type=row["subject_type"],
        subject_id=row["subject_id"],
        trace_id=row["trace_id"],
        request_id=row["request_id"],
        event_id=row["event_id"] or "",
        payload=row["payload"],
    )
    return AuditEntry(
        id=row["id"],
        facts=facts,
        create_time=as_utc(row["create_time"]),
        chain=row["chain"],
        sequence=row["sequence"],
        previous_hash=row["previous_hash"],
        hash=row["hash"],
        idempotency_key=row["idempotency_key"],
    )


def _log_row_of(record: LogRecord) -> dict[str, Any]:
    return {
        "insert_id": record.insert_id,
        "service": record.service,
        "instance": record.instance,
        "severity": int(record.severity),
        "logger": record.logger,
        "message": record.message,
        "time": record.time,
        "trace_id": record.trace_id,
        "span_id": record.span_id,
        "request_id": record.request_id,
        "attributes": record.attributes,
        "receive_time": record.receive_time,
    }


def _log_of(row: Any) -> LogRecord:
    return LogRecord(
        insert_id=row["insert_id"],
        service=row["service"],
        severity=Severity(row["severity"]),
        message=row["message"],
        time=as_utc(row["time"]),
        receive_time=as_utc(row["receive_time"]),
        instance=row["instance"],
        logger=row["logger"],
        trace_id=row["trace_id"],
        span_id=row["span_id"],
        request_id=row["request_id"],
        attributes=row["attributes"],
    )
