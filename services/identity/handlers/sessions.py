"""A user's sessions: list them, end one, end them all (staff, on suspension)."""

from __future__ import annotations

from datetime import datetime

from mesh.actor import Actor
from mesh.paging import next_token, page
from mesh.validation import Violations
from services.identity.commands import (
    ListSessions,
    RevokeSession,
    RevokeUserSessions,
    SessionsPage,
    SessionView,
)
from services.identity.domain import RevocationReason, Session
from services.identity.errors import DOMAIN, session_not_found, user_not_found
from services.identity.handlers.common import Deps, sessions_revoked, transaction


def _owner(caller: Actor, user_id: str) -> str | None:
    """Whose sessions `user_id` names ("me" is the caller); None when the caller may not see."""
    owner = caller.user_id if user_id == "me" else user_id
    return owner if owner == caller.user_id or caller.is_staff else None


def _view(session: Session, current_session_id: str, now: datetime) -> SessionView:
    return SessionView(session, session.status(now), current=session.id == current_session_id)


async def list_sessions(command: ListSessions, deps: Deps) -> SessionsPage:
    """The user's sessions, newest first, a page at a time."""
    check = Violations(domain=DOMAIN)
    check.required("user_id", command.user_id)
    owner = _owner(command.caller, command.user_id)
    query = {"list": "sessions", "user_id": owner, "show_inactive": command.show_inactive}
    requested = page(
        check, size=command.page_size, token=command.page_token, query=query, key=(datetime, str)
    )
    check.raise_if_any()
    if owner is None:
        raise user_not_found(command.user_id)
    after = requested.after_time_and_id()
    now = deps.clock()
    async with transaction(deps) as tx:
        if await tx.accounts.account_by_id(owner) is None:
            raise user_not_found(command.user_id)
        active_at = None if command.show_inactive else now
        found = await tx.accounts.list_sessions(
            owner, active_at=active_at, after=after, size=requested.size
        )
    token = next_token(requested, found, lambda session: (session.created_at, session.id))
    current = command.caller.session_id  # read from the token once, not per session
    shown = [_view(session, current, now) for session in found[: requested.size]]
    return SessionsPage(shown, token)


async def revoke_session(command: RevokeSession, deps: Deps) -> SessionView:
    """Ends one session; an ended one is returned unchanged."""
    check = Violations(domain=DOMAIN)
    check.required("user_id", command.user_id)
    check.required("session_id", command.session_id)
    check.raise_if_any()
    owner, now = _owner(command.caller, command.user_id), deps.clock()
    async with transaction(deps) as tx:
        session = await tx.accounts.session_by_id(command.session_id)
        if session is None or owner is None or session.user_id != owner:
            raise session_not_found(command.session_id)
        if session.revoked_at is None:
            by_owner = owner == command.caller.user_id
            reason = RevocationReason.USER_REQUEST if by_owner else RevocationReason.ADMIN_ACTION
            session.revoked_at, session.revocation_reason = now, reason
            await tx.accounts.save_session(session)
            tx.add_event(sessions_revoked(owner, [session.id], reason))
            await tx.commit()
    return _view(session, command.caller.session_id, now)


async def revoke_user_sessions(command: RevokeUserSessions, deps: Deps) -> int:
    """Ends every active session of the user (admin, e.g. on suspension); returns how many."""
    check = Violations(domain=DOMAIN)
    check.required("user_id", command.user_id)
    check.raise_if_any()
    async with transaction(deps) as tx:
        if await tx.accounts.account_by_id(command.user_id) is None:
            raise user_not_found(command.user_id)
        reason = RevocationReason.ADMIN_ACTION
        revoked = await tx.accounts.revoke_sessions(command.user_id, deps.clock(), reason)
        if revoked:
            tx.add_event(sessions_revoked(command.user_id, revoked, reason))
        await tx.commit()
    return len(revoked)
