"""What other services tell identity: suspensions (admin) and deleted profiles (users).

Each runs inside the unit of work the event consumer opened; the consumer commits it together
with its inbox record, so a redelivered event changes nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from mesh.db import UnitOfWork
from services.identity.domain import AccountState, RevocationReason
from services.identity.handlers.common import Tx, sessions_revoked, tx_of


async def suspend_account(user_id: str, uow: UnitOfWork, *, now: datetime) -> None:
    """Ends the user's sessions and marks the account suspended (logins and refreshes are
    refused by admin's GetUserAccess answer, which identity asks each time)."""
    tx = tx_of(uow)
    account = await tx.accounts.account_by_id(user_id)
    if account is None or account.suspended:
        return
    account.suspended = True
    await tx.accounts.save_account(account, now)
    await _end_sessions(tx, user_id, RevocationReason.ADMIN_ACTION, now)


async def unsuspend_account(user_id: str, uow: UnitOfWork, *, now: datetime) -> None:
    tx = tx_of(uow)
    account = await tx.accounts.account_by_id(user_id)
    if account is not None and account.suspended:
        account.suspended = False
        await tx.accounts.save_account(account, now)


async def close_account(user_id: str, uow: UnitOfWork, *, now: datetime) -> None:
    """The profile was deleted: the account signs in no more and its sessions end."""
    tx = tx_of(uow)
    account = await tx.accounts.account_by_id(user_id)
    if account is None or account.state is AccountState.DELETED:
        return
    account.state = AccountState.DELETED
    await tx.accounts.save_account(account, now)
    await _end_sessions(tx, user_id, RevocationReason.USER_DELETED, now)


async def _end_sessions(tx: Tx, user_id: str, reason: RevocationReason, now: datetime) -> None:
    revoked = await tx.accounts.revoke_sessions(user_id, now, reason)
    if revoked:
        tx.add_event(sessions_revoked(user_id, revoked, reason))
