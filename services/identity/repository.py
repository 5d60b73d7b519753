"""Reads and writes identity's records on a unit of work's connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db.rows import newest_first
from services.identity import orm
from services.identity.domain import (
    Account,
    AccountState,
    OneTimeToken,
    RefreshToken,
    RevocationReason,
    Session,
    TokenPurpose,
)

_credentials = orm.credentials.c
_sessions = orm.sessions.c
_refresh = orm.refresh_tokens.c
_one_time = orm.one_time_tokens.c


class EmailTakenError(Exception):
    """Another credential already has this email address."""


class Repository:
    """Accounts, sessions, refresh and one-time tokens."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _execute(self, statement: Any) -> Any:
        return await self._connection.execute(statement)

    # Accounts

    async def account_by_email(self, email_key: str) -> Account | None:
        query = sa.select(orm.credentials).where(_credentials.email_key == email_key)
        row = (await self._execute(query)).first()
        return _account(row) if row else None

    async def account_by_id(self, user_id: str) -> Account | None:
        query = sa.select(orm.credentials).where(_credentials.user_id == user_id)
        row = (await self._execute(query)).first()
        return _account(row) if row else None

    async def add_account(self, account: Account, now: datetime) -> None:
        """Inserts the credential; `EmailTakenError` when its address is registered already."""
        values = _account_values(account) | {"updated_at": now}
        try:
            await self._execute(sa.insert(orm.credentials).values(**values))
        except IntegrityError as error:
            raise EmailTakenError(account.email) from error

    async def save_account(self, account: Account, now: datetime) -> None:
        values = _account_values(account) | {"updated_at": now}
        where = _credentials.user_id == values.pop("user_id")
        await self._execute(sa.update(orm.credentials).where(where).values(**values))

    async def replace_password_hash(
        self, user_id: str, *, old: str, new: str, now: datetime
    ) -> bool:
        """Sets a new hash unless the password changed since `old` was read."""
        statement = (
            sa.update(orm.credentials)
            .where(_credentials.user_id == user_id, _credentials.password_hash == old)
            .values(password_hash=new, updated_at=now)
        )
        return bool((await self._execute(statement)).rowcount)

    async def claim_pending_account(self, user_id: str, attempt: str, now: datetime) -> bool:
        """Activates a pending credential unless another sign-up attempt took it over since."""
        statement = (
            sa.update(orm.credentials)
            .where(_credentials.user_id == user_id, _credentials.signup_attempt == attempt)
            .where(_credentials.state == AccountState.PENDING_PROFILE.value)
            .values(state=AccountState.ACTIVE.value, updated_at=now)
        )
        return bool((await self._execute(statement)).rowcount)

    async def rekey_pending_account(self, user_id: str, attempt: str, new_user_id: str) -> bool:
        statement = (
            sa.update(orm.credentials)
            .where(_credentials.user_id == user_id, _credentials.signup_attempt == attempt)
            .where(_credentials.state == AccountState.PENDING_PROFILE.value)
            .values(user_id=new_user_id)
        )
        return bool((await self._execute(statement)).rowcount)

    async def remove_pending_account(self, user_id: str, attempt: str) -> None:
        await self._execute(
            sa.delete(orm.credentials)
            .where(_credentials.user_id == user_id, _credentials.signup_attempt == attempt)
            .where(_credentials.state == AccountState.PENDING_PROFILE.value)
        )

    # Sessions and refresh tokens

    async def add_session(self, session: Session) -> None:
        await self._execute(sa.insert(orm.sessions).values(**_session_values(session)))

    async def session_by_id(self, session_id: str) -> Session | None:
        query = sa.select(orm.sessions).where(_sessions.id == session_id)
        row = (await self._execute(query)).first()
        return _session(row) if row else None

    async def save_session(self, session: Session) -> None:
        values = _session_values(session)
        where = _sessions.id == values.pop("id")
        await self._execute(sa.update(orm.sessions).where(where).values(**values))

    async def list_sessions(
        self,
        user_id: str,
        *,
        active_at: datetime | None,
        after: tuple[datetime, str] | None,
        size: int,
    ) -> list[Session]:
        """Up to `size + 1` sessions after `after`, newest first; only those active at
        `active_at` unless it is None."""
        query = sa.select(orm.sessions).where(_sessions.user_id == user_id)
        if active_at is not None:
            query = query.where(_sessions.revoked_at.is_(None), _sessions.expires_at > active_at)
        query = newest_first(query, _sessions.created_at, _sessions.id, after, size=size)
        return [_session(row) for row in (await self._execute(query)).all()]

    async def revoke_sessions(
        self, user_id: str, now: datetime, reason: RevocationReason, *, keep: str = ""
    ) -> list[str]:
        """Revokes every active session of the user but `keep`; returns the revoked ids."""
        unrevoked = sa.and_(
            _sessions.user_id == user_id,
            _sessions.revoked_at.is_(None),
            _sessions.expires_at > now,
            _sessions.id != keep,
        )
        ids = list((await self._execute(sa.select(_sessions.id).where(unrevoked))).scalars())
        if ids:
            await self._execute(
                sa.update(orm.sessions)
                .where(_sessions.id.in_(ids))
                .values(revoked_at=now, revocation_reason=reason.value)
            )
        return ids

    async def add_refresh_token(self, token: RefreshToken) -> None:
        await self._execute(sa.insert(orm.refresh_tokens).values(**row_values(token)))

    async def refresh_token(self, digest: str) -> RefreshToken | None:
        query = sa.select(orm.refresh_tokens).where(_refresh.digest == digest)
        row = (await self._execute(query)).first()
        return RefreshToken(**row._mapping) if row else None

    async def use_refresh_token(self, digest: str, now: datetime) -> bool:
        """Marks the token used; False when it already was (a concurrent refresh won)."""
        statement = (
            sa.update(orm.refresh_tokens)
            .where(_refresh.digest == digest, _refresh.used_at.is_(None))
            .values(used_at=now)
        )
        return bool((await self._execute(statement)).rowcount)

    # One-time tokens

    async def add_one_time_token(self, token: OneTimeToken) -> None:
        values = row_values(token) | {"purpose": token.purpose.value}
        await self._execute(sa.insert(orm.one_time_tokens).values(**values))

    async def one_time_token(self, digest: str, purpose: TokenPurpose) -> OneTimeToken | None:
        query = sa.select(orm.one_time_tokens).where(
            _one_time.digest == digest, _one_time.purpose == purpose.value
        )
        row = (await self._execute(query)).first()
        if row is None:
            return None
        return OneTimeToken(**(dict(row._mapping) | {"purpose": purpose}))

    async def use_one_time_token(self, digest: str, now: datetime) -> bool:
        statement = (
            sa.update(orm.one_time_tokens)
            .where(_one_time.digest == digest, _one_time.used_at.is_(None))
            .values(used_at=now)
        )
        return bool((await self._execute(statement)).rowcount)

    async def void_one_time_tokens(self, user_id: str, purpose: TokenPurpose, now: datetime) -> int:
        """Uses up every unused token of the purpose (earlier links stop working)."""
        statement = (
            sa.update(orm.one_time_tokens)
            .where(_one_time.user_id == user_id, _one_time.purpose == purpose.value)
            .where(_one_time.used_at.is_(None))
            .values(used_at=now)
        )
        return int((await self._execute(statement)).rowcount)

    async def one_time_tokens_issued(
        self, user_id: str, purpose: TokenPurpose, *, since: datetime
    ) -> int:
        query = sa.select(sa.func.count()).where(
            _one_time.user_id == user_id,
            _one_time.purpose == purpose.value,
            _one_time.created_at >= since,
        )
        return int((await self._execute(query)).scalar_one())

    # Retention

    async def purge_sessions(self, *, ended_before: datetime) -> int:
        """Deletes sessions (their refresh tokens cascade) revoked or expired before the cutoff."""
        ended = sa.or_(_sessions.revoked_at < ended_before, _sessions.expires_at < ended_before)
        ids = list((await self._execute(sa.select(_sessions.id).where(ended))).scalars())
        if ids:
            await self._execute(sa.delete(orm.refresh_tokens).where(_refresh.session_id.in_(ids)))
            await self._execute(sa.delete(orm.sessions).where(_sessions.id.in_(ids)))
        await self._execute(sa.delete(orm.refresh_tokens).where(_refresh.expires_at < ended_before))
        return len(ids)

    async def purge_one_time_tokens(self, *, ended_before: datetime) -> int:
        ended = sa.or_(_one_time.expires_at < ended_before, _one_time.used_at < ended_before)
        return int((await self._execute(sa.delete(orm.one_time_tokens).where(ended))).rowcount)

    async def purge_abandoned_sign_ups(self, *, started_before: datetime) -> int:
        """Deletes credentials whose sign-up never finished (the process died half-way)."""
        abandoned = sa.and_(
            _credentials.state == AccountState.PENDING_PROFILE.value,
            _credentials.created_at < started_before,
        )
        return int((await self._execute(sa.delete(orm.credentials).where(abandoned))).rowcount)


def row_values(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _account_values(account: Account) -> dict[str, Any]:
    values = row_values(account)
    return values | {
        "state": account.state.value,
        "roles": list(account.roles),
        "email_key": account.email_key,
    }


def _account(row: sa.Row) -> Account:
    values = dict(row._mapping)
    values.pop("email_key")
    values.pop("updated_at")
    values["state"] = AccountState(values["state"])
    values["roles"] = tuple(values["roles"])
    return Account(**values)


def _session_values(session: Session) -> dict[str, Any]:
    reason = session.revocation_reason
    return row_values(session) | {"revocation_reason": reason.value if reason else None}


def _session(row: sa.Row) -> Session:
    values = dict(row._mapping)
    reason = values["revocation_reason"]
    values["revocation_reason"] = RevocationReason(reason) if reason else None
    return Session(**values)
