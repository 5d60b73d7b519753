"""Loads and saves webhook endpoints (secrets sealed at rest) in the open unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db.rows import as_utc
from services.jobs.orm import webhook_endpoints_table
from services.jobs.secret_box import SecretBox
from services.jobs.webhooks.domain import WebhookEndpoint

_endpoints = webhook_endpoints_table.c


class WebhookEndpointRepository:
    """The webhook endpoints table seen as a collection of `WebhookEndpoint`s."""

    def __init__(self, connection: AsyncConnection, box: SecretBox) -> None:
        self._connection = connection
        self._box = box

    async def get(self, endpoint_id: str, *, for_update: bool = False) -> WebhookEndpoint | None:
        query = sa.select(webhook_endpoints_table).where(_endpoints.id == endpoint_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return self._endpoint_of(row._mapping) if row else None

    async def add(self, endpoint: WebhookEndpoint) -> None:
        await self._connection.execute(
            sa.insert(webhook_endpoints_table).values(self._row_of(endpoint))
        )

    async def save(self, endpoint: WebhookEndpoint) -> None:
        values = self._row_of(endpoint)
        del values["id"], values["create_time"], values["secret_ciphertext"]
        await self._connection.execute(
            sa.update(webhook_endpoints_table).where(_endpoints.id == endpoint.id).values(values)
        )

    async def delete(self, endpoint_id: str) -> None:
        await self._connection.execute(
            sa.delete(webhook_endpoints_table).where(_endpoints.id == endpoint_id)
        )

    async def page(self, *, size: int, after: tuple[datetime, str] | None) -> list[WebhookEndpoint]:
        """Up to `size + 1` endpoints, newest first."""
        query = sa.select(webhook_endpoints_table).order_by(
            _endpoints.create_time.desc(), _endpoints.id.desc()
        )
        if after is not None:
            key = sa.tuple_(_endpoints.create_time, _endpoints.id)
            query = query.where(key < sa.tuple_(*after))
        rows = await self._connection.execute(query.limit(size + 1))
        return [self._endpoint_of(row._mapping) for row in rows]

    async def subscribed_to(self, event_type: str) -> list[WebhookEndpoint]:
        """The enabled endpoints that receive events of this type."""
        query = sa.select(webhook_endpoints_table).where(_endpoints.enabled.is_(True))
        endpoints = [
            self._endpoint_of(row._mapping) for row in await self._connection.execute(query)
        ]
        return [endpoint for endpoint in endpoints if endpoint.wants(event_type)]

    def _row_of(self, endpoint: WebhookEndpoint) -> dict[str, Any]:
        return {
            "id": endpoint.id,
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": list(endpoint.event_types),
            "enabled": endpoint.enabled,
            "secret_ciphertext": self._box.seal(endpoint.secret, owner=endpoint.id),
            "created_by": endpoint.created_by,
            "create_time": endpoint.create_time,
            "update_time": endpoint.update_time,
        }

    def _endpoint_of(self, row: Any) -> WebhookEndpoint:
        return WebhookEndpoint(
            id=row["id"],
            url=row["url"],
            description=row["description"],
            event_types=tuple(row["event_types"]),
            enabled=row["enabled"],
            secret=self._box.open(row["secret_ciphertext"], owner=row["id"]),
            created_by=row["created_by"],
            create_time=as_utc(row["create_time"]),
            update_time=as_utc(row["update_time"]),
        )
