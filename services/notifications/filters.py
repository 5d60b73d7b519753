"""List requests and preference changes → validated filters, pages and pairs (pure)."""

from __future__ import annotations

from mesh.actor import STAFF_ROLES, Actor
from mesh.errors import role_required
from services.notifications import commands, paging
from services.notifications.checks import Checks
from services.notifications.domain import Category, Channel, MessageState
from services.notifications.paging import Page
from services.notifications.repository import MessageFilter
from services.notifications.validation import enum_member, template_id, user_id


def messages_query(command: commands.ListMessages, actor: Actor) -> tuple[MessageFilter, Page]:
    """Users list their own messages; staff anyone's, or everyone's without a user id."""
    checks = Checks()
    owner: str | None = None
    if command.user_id.strip():
        owner = user_id(checks, "user_id", command.user_id, actor)
    elif not actor.is_staff:
        owner = actor.user_id or ""
    if owner is not None and owner != actor.user_id and not actor.is_staff:
        raise role_required("listing another user's messages", STAFF_ROLES)
    channel = enum_member(checks, "channel", command.channel, Channel)
    state = enum_member(checks, "state", command.state, MessageState)
    template = ""
    if command.template_id:
        template = template_id(checks, "template_id", command.template_id)
    wanted = MessageFilter(owner, channel, state, template)
    query = paging.fingerprint("messages", owner, channel, state, template)
    page = paging.page(checks, size=command.page_size, token=command.page_token, query=query)
    return checks.valid((wanted, page))


def attempts_query(command: commands.ListAttempts) -> tuple[str, Page]:
    checks = Checks()
    message_id = checks.text("message_id", command.message_id, maximum=64, required=True)
    query = paging.fingerprint("attempts", message_id)
    page = paging.page(checks, size=command.page_size, token=command.page_token, query=query)
    return checks.valid((message_id, page))


def templates_query(command: commands.ListTemplates) -> tuple[Category | None, Page]:
    checks = Checks()
    category = enum_member(checks, "category", command.category, Category)
    query = paging.fingerprint("templates", category)
    page = paging.page(checks, size=command.page_size, token=command.page_token, query=query)
    return checks.valid((category, page))


def mailbox_query(command: commands.ListMailbox) -> tuple[str, Channel | None, Page]:
    checks = Checks()
    recipient = checks.text("recipient", command.recipient, maximum=254)
    channel = enum_member(checks, "channel", command.channel, Channel)
    query = paging.fingerprint("mailbox", recipient.lower(), channel)
    page = paging.page(checks, size=command.page_size, token=command.page_token, query=query)
    return checks.valid((recipient, channel, page))


def preference_changes(
    command: commands.UpdatePreferences, actor: Actor
) -> tuple[str, list[tuple[Channel, Category, bool]]]:
    """The user whose preferences change and the pairs to set (the last of a repeated pair)."""
    checks = Checks()
    target = user_id(checks, "user_id", command.user_id, actor)
    if command.changes is None or not command.changes:
        checks.add("preferences.preferences", "is required: list the pairs to set")
    pairs: dict[tuple[Channel, Category], bool] = {}
    for index, change in enumerate(command.changes or ()):
        field = f"preferences.preferences[{index}]"
        channel = enum_member(checks, f"{field}.channel", change.channel, Channel, required=True)
        category = enum_member(
            checks, f"{field}.category", change.category, Category, required=True
        )
        if channel is not None and category is not None:
            pairs[channel, category] = change.enabled
    changes = [(channel, category, on) for (channel, category), on in pairs.items()]
    return checks.valid((target, changes))
