"""Signing keys as stored: public records with their sealed private halves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.identity import orm
from services.identity.domain import KeyState, SigningKey
from services.identity.keys import KeyPair

_keys = orm.signing_keys.c
#: The one key allowed per state, enforced by the unique `slot` column.
_SLOTS = {KeyState.ACTIVE: "active", KeyState.PENDING: "pending", KeyState.RETIRED: None}


class SigningKeyStore:
    """Signing keys in the identity database."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def all(self, *, lock: bool = False) -> list[SigningKey]:
        """Every key held, newest first; `lock` holds them until commit (one rotation at a time)."""
        query = sa.select(orm.signing_keys).order_by(_keys.created_at.desc(), _keys.id)
        if lock:
            query = query.with_for_update()
        return [_key(row) for row in (await self._connection.execute(query)).all()]

    async def active_pair(self) -> KeyPair | None:
        """The key that signs new tokens, with its sealed private half."""
        query = sa.select(orm.signing_keys).where(_keys.state == KeyState.ACTIVE.value)
        row = (await self._connection.execute(query)).first()
        if row is None:
            return None
        return KeyPair(key=_key(row), sealed_private=row.sealed_private_key)

    async def page(self, *, offset: int, limit: int) -> list[SigningKey]:
        query = (
            sa.select(orm.signing_keys)
            .order_by(_keys.created_at.desc(), _keys.id)
            .offset(offset)
            .limit(limit)
        )
        return [_key(row) for row in (await self._connection.execute(query)).all()]

    async def add(self, pair: KeyPair) -> None:
        values = _values(pair.key) | {"sealed_private_key": pair.sealed_private}
        await self._connection.execute(sa.insert(orm.signing_keys).values(**values))

    async def save(self, key: SigningKey) -> None:
        values = _values(key)
        where = _keys.id == values.pop("id")
        await self._connection.execute(sa.update(orm.signing_keys).where(where).values(**values))

    async def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            await self._connection.execute(sa.delete(orm.signing_keys).where(_keys.id.in_(ids)))


def _values(key: SigningKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "algorithm": key.algorithm,
        "state": key.state.value,
        "slot": _SLOTS[key.state],
        "public_jwk": key.public_jwk,
        "created_at": key.created_at,
        "activated_at": key.activated_at,
        "retired_at": key.retired_at,
        "expires_at": key.expires_at,
    }


def _key(row: sa.Row) -> SigningKey:
    values = dict(row._mapping)
    values.pop("slot")
    values.pop("sealed_private_key")
    values["state"] = KeyState(values["state"])
    return SigningKey(**values)
