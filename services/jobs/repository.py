"""Loads and saves jobs and schedule states on the connection of the open unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import Executable

from mesh.db.rows import as_utc, record_of, row_of
from services.jobs.domain import WAITING_STATES, Job, JobState
from services.jobs.orm import jobs_table, schedule_states_table
from services.jobs.schedules import ScheduleState

_jobs = jobs_table.c
_states = schedule_states_table.c
_WAITING = [state.value for state in WAITING_STATES]
_FINISHED = [JobState.SUCCEEDED.value, JobState.DEAD.value, JobState.CANCELLED.value]


class JobRepository:
    """The jobs table seen as a collection of `Job`s."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._locks_rows = connection.dialect.name == "postgresql"

    async def get(self, job_id: str, *, for_update: bool = False) -> Job | None:
        """The job, locked until the transaction ends when `for_update` (PostgreSQL)."""
        query = sa.select(jobs_table).where(_jobs.id == job_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return _job_of(row._mapping) if row else None

    async def find_by_key(self, enqueued_by: str, key: str) -> Job | None:
        query = sa.select(jobs_table).where(
            _jobs.enqueued_by == enqueued_by, _jobs.idempotency_key == key
        )
        row = (await self._connection.execute(query)).first()
        return _job_of(row._mapping) if row else None

    async def add_if_absent(self, job: Job) -> bool:
        """Inserts the job unless its id or (enqueuer, key) exists; True when inserted."""
        statement = insert_ignoring_conflicts(self._connection, jobs_table, row_of(job))
        result = await self._connection.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def save(self, job: Job) -> None:
        values = row_of(job)
        del values["id"], values["create_time"]
        await self._connection.execute(
            sa.update(jobs_table).where(_jobs.id == job.id).values(values)
        )

    async def page(
        self, filters: Mapping[str, str], *, size: int, after: tuple[datetime, str] | None
    ) -> list[Job]:
        """Up to `size + 1` jobs matching `filters` (column → value), newest first."""
        query = sa.select(jobs_table).order_by(_jobs.create_time.desc(), _jobs.id.desc())
        for column, value in filters.items():
            query = query.where(jobs_table.c[column] == value)
        if after is not None:
            query = query.where(sa.tuple_(_jobs.create_time, _jobs.id) < sa.tuple_(*after))
        rows = await self._connection.execute(query.limit(size + 1))
        return [_job_of(row._mapping) for row in rows]

    async def due_for_dispatch(
        self, now: datetime, *, republish_before: datetime, limit: int
    ) -> list[Job]:
        """Waiting jobs that are due and not published (or published before
        `republish_before` and still not started), locked; others' locked rows are skipped."""
        query = (
            sa.select(jobs_table)
            .where(_jobs.state.in_(_WAITING), _jobs.run_time <= now)
            .where(sa.or_(_jobs.dispatch_time.is_(None), _jobs.dispatch_time < republish_before))
            .order_by(_jobs.run_time)
            .limit(limit)
        )
        if self._locks_rows:
            query = query.with_for_update(skip_locked=True)
        return [_job_of(row._mapping) for row in await self._connection.execute(query)]

    async def next_run_time(self) -> datetime | None:
        """When the earliest waiting, unpublished job is due."""
        query = sa.select(sa.func.min(_jobs.run_time)).where(
            _jobs.state.in_(_WAITING), _jobs.dispatch_time.is_(None)
        )
        return as_utc(await self._connection.scalar(query))

    async def waiting_with_key_prefix(self, enqueued_by: str, prefix: str) -> list[Job]:
        query = sa.select(jobs_table).where(
            _jobs.enqueued_by == enqueued_by,
            _jobs.idempotency_key.startswith(prefix, autoescape=True),
            _jobs.state.in_(_WAITING),
        )
        return [_job_of(row._mapping) for row in await self._connection.execute(query)]

    async def purge_finished(self, before: datetime) -> int:
        statement = sa.delete(jobs_table).where(
            _jobs.state.in_(_FINISHED), _jobs.finish_time < before
        )
        result = await self._connection.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]


class ScheduleStateRepository:
    """What the schedulers remember per schedule."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def all(self, schedule_ids: Iterable[str] | None = None) -> dict[str, ScheduleState]:
        query = sa.select(schedule_states_table)
        if schedule_ids is not None:
            query = query.where(_states.schedule_id.in_(list(schedule_ids)))
        rows = await self._connection.execute(query)
        return {row.schedule_id: record_of(ScheduleState, row._mapping) for row in rows}

    async def get(self, schedule_id: str, *, for_update: bool = False) -> ScheduleState | None:
        query = sa.select(schedule_states_table).where(_states.schedule_id == schedule_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return record_of(ScheduleState, row._mapping) if row else None

    async def add_if_absent(self, state: ScheduleState) -> bool:
        row = {
            "schedule_id": state.schedule_id,
            "last_tick": state.last_tick,
            "last_run_time": state.last_run_time,
            "last_job_id": state.last_job_id,
        }
        statement = insert_ignoring_conflicts(self._connection, schedule_states_table, row)
        return bool((await self._connection.execute(statement)).rowcount)  # type: ignore[attr-defined]

    async def save(self, state: ScheduleState) -> None:
        await self._connection.execute(
            sa.update(schedule_states_table)
            .where(_states.schedule_id == state.schedule_id)
            .values(
                last_tick=state.last_tick,
                last_run_time=state.last_run_time,
                last_job_id=state.last_job_id,
            )
        )


def insert_ignoring_conflicts(
    connection: AsyncConnection, table: sa.Table, row: dict[str, Any]
) -> Executable:
    """INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).values(row).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).values(row).on_conflict_do_nothing()
    raise ValueError(f"the jobs service supports PostgreSQL and SQLite, not {dialect}")


def _job_of(row: Any) -> Job:
    return record_of(Job, row, payload=dict(row["payload"]))
