"""Failed-login counters per account and per client address."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from services.identity import orm
from services.identity.domain import Throttle
from services.identity.repository import row_values

_throttles = orm.login_throttles.c
_STATE = (_throttles.failures, _throttles.last_failure_at, _throttles.locked_until)


class ThrottleStore:
    """Throttles by (kind, key): kind "account" (key: the email) or "address" (key: the IP)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def current(self, keys: Sequence[tuple[str, str]]) -> list[Throttle]:
        """The throttles of `keys`, in order (an empty one for a key never throttled)."""
        found = []
        for kind, key in keys:
            query = sa.select(*_STATE).where(_throttles.kind == kind, _throttles.key == key)
            row = (await self._connection.execute(query)).first()
            found.append(Throttle(**row._mapping) if row else Throttle())
        return found

    async def lock(self, kind: str, key: str) -> Throttle:
        """The throttle, row-locked until commit (created empty if new), so that concurrent
        failures add up instead of overwriting each other."""
        insert = _insert_for(self._connection)(orm.login_throttles)
        await self._connection.execute(
            insert.values(kind=kind, key=key, failures=0).on_conflict_do_nothing(
                index_elements=["kind", "key"]
            )
        )
        query = (
            sa.select(*_STATE)
            .where(_throttles.kind == kind, _throttles.key == key)
            .with_for_update()
        )
        return Throttle(**(await self._connection.execute(query)).one()._mapping)

    async def save(self, kind: str, key: str, throttle: Throttle) -> None:
        await self._connection.execute(
            sa.update(orm.login_throttles)
            .where(_throttles.kind == kind, _throttles.key == key)
            .values(**row_values(throttle))
        )

    async def clear(self, kind: str, key: str) -> None:
        where = sa.and_(_throttles.kind == kind, _throttles.key == key)
        await self._connection.execute(sa.delete(orm.login_throttles).where(where))

    async def purge(self, *, idle_since: datetime, now: datetime) -> int:
        """Deletes counters with no failure since `idle_since` and no lockout running."""
        idle = sa.and_(
            _throttles.last_failure_at < idle_since,
            sa.or_(_throttles.locked_until.is_(None), _throttles.locked_until < now),
        )
        result: Any = await self._connection.execute(sa.delete(orm.login_throttles).where(idle))
        return int(result.rowcount)


def _insert_for(connection: AsyncConnection) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike."""
    name = connection.dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert
