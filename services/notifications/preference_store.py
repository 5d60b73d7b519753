"""Loads and saves users' notification preferences on the open unit of work's connection."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db.rows import as_utc
from services.notifications.domain import Category, Channel, Preferences
from services.notifications.orm import preferences_table

_p = preferences_table.c


class PreferenceStore:
    """The notification_preferences table: one row per pair a user chose."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._is_postgresql = connection.dialect.name == "postgresql"

    async def get(self, user_id: str) -> Preferences:
        """The user's preferences; a user who never chose has every default."""
        rows = (
            await self._connection.execute(
                sa.select(preferences_table).where(_p.user_id == user_id)
            )
        ).all()
        choices = {(Channel(r.channel), Category(r.category)): r.enabled for r in rows}
        times = [as_utc(r.update_time) for r in rows]
        return Preferences(user_id, choices, max(times) if times else None)

    async def save(
        self, user_id: str, changed: Iterable[tuple[Channel, Category, bool]], *, now: datetime
    ) -> None:
        for channel, category, enabled in changed:
            row = {
                "user_id": user_id,
                "channel": channel.value,
                "category": category.value,
                "enabled": enabled,
                "update_time": now,
            }
            dialect: Any = postgresql if self._is_postgresql else sqlite
            insert = dialect.insert(preferences_table).values(row)
            await self._connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[_p.user_id, _p.channel, _p.category],
                    set_={"enabled": enabled, "update_time": now},
                )
            )
