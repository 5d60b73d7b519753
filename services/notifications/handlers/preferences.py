"""Reading and changing users' notification preferences."""

from __future__ import annotations

from mesh.idempotency import mark_committed
from mesh.validation import Violations
from services.notifications import commands, errors, filters, messages
from services.notifications.domain import Preferences
from services.notifications.errors import DOMAIN
from services.notifications.handlers.common import Deps
from services.notifications.preference_store import PreferenceStore


async def get_preferences(command: commands.GetPreferences, deps: Deps) -> Preferences:
    """The user's own preferences, or anyone's for staff; defaults filled in."""
    user_id, actor = command.user_id, command.caller
    checks = Violations(domain=DOMAIN)
    target = checks.valid(checks.user_id("user_id", user_id, actor=actor))
    if not actor.may_access(target):
        raise errors.user_not_found(user_id)
    async with deps.reading() as uow:
        return await PreferenceStore(uow.connection).get(target)


async def update_preferences(command: commands.UpdatePreferences, deps: Deps) -> Preferences:
    """Sets the listed pairs; NotificationPreferencesUpdated lists those that changed."""
    actor = command.caller
    target, changes = filters.preference_changes(command, actor)
    if not actor.may_access(target):
        raise errors.user_not_found(command.user_id)
    async with deps.unit_of_work() as uow:
        store = PreferenceStore(uow.connection)
        preferences = await store.get(target)
        now = deps.clock()
        changed = preferences.set(changes, now=now)
        if changed:
            await store.save(target, changed, now=now)
            uow.add_event(messages.preferences_updated(target, changed, actor.user_id or ""))
            await mark_committed(uow.connection)
            await uow.commit()
    return preferences
