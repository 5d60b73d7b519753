"""List requests and preference changes → validated filters, pages and pairs (pure)."""

from __future__ import annotations

from datetime import datetime

from mesh.actor import STAFF_ROLES, Actor
from mesh.errors import role_required
from mesh.paging import Page, page
from mesh.validation import Violations
from services.notifications import commands
from services.notifications.domain import Category, Channel, MessageState
from services.notifications.errors import DOMAIN
from services.notifications.repository import MessageFilter
from services.notifications.validation import template_id


def messages_query(command: commands.ListMessages, actor: Actor) -> tuple[MessageFilter, Page]:
    """Users list their own messages; staff anyone's, or everyone's without a user id."""
    checks = Violations(domain=DOMAIN)
    owner: str | None = None
    if command.user_id.strip():
        owner = checks.user_id("user_id", command.user_id, actor=actor)
    elif not actor.is_staff:
        owner = actor.user_id or ""
    if owner is not None and owner != actor.user_id and not actor.is_staff:
        raise role_required("listing another user's messages", STAFF_ROLES)
    channel = checks.enum_member("channel", command.channel, Channel, required=False)
    state = checks.enum_member("state", command.state, MessageState, required=False)
    template = ""
    if command.template_id:
        template = template_id(checks, "template_id", command.template_id)
    wanted = MessageFilter(owner, channel, state, template)
    query = {
        "list": "messages",
        "user_id": owner,
        "channel": channel,
        "state": state,
        "template_id": template,
    }
    requested = page(
        checks, size=command.page_size, token=command.page_token, query=query, key=(datetime, str)
    )
    return checks.valid((wanted, requested))


def attempts_query(command: commands.ListAttempts) -> tuple[str, Page]:
    checks = Violations(domain=DOMAIN)
    message_id = checks.text("message_id", command.message_id, maximum=64, required=True)
    query = {"list": "attempts", "message_id": message_id}
    requested = page(
        checks, size=command.page_size, token=command.page_token, query=query, key=(int,)
    )
    return checks.valid((message_id, requested))


def templates_query(command: commands.ListTemplates) -> tuple[Category | None, Page]:
    checks = Violations(domain=DOMAIN)
    category = checks.enum_member("category", command.category, Category, required=False)
    query = {"list": "templates", "category": category}
    requested = page(
        checks, size=command.page_size, token=command.page_token, query=query, key=(str,)
    )
    return checks.valid((category, requested))


def mailbox_query(command: commands.ListMailbox) -> tuple[str, Channel | None, Page]:
    checks = Violations(domain=DOMAIN)
    recipient = checks.text("recipient", command.recipient, maximum=254)
    channel = checks.enum_member("channel", command.channel, Channel, required=False)
    query = {"list": "mailbox", "recipient": recipient.lower(), "channel": channel}
    requested = page(
        checks, size=command.page_size, token=command.page_token, query=query, key=(datetime, str)
    )
    return checks.valid((recipient, channel, requested))


def preference_changes(
    command: commands.UpdatePreferences, actor: Actor
) -> tuple[str, list[tuple[Channel, Category, bool]]]:
    """The user whose preferences change and the pairs to set (the last of a repeated pair)."""
    checks = Violations(domain=DOMAIN)
    target = checks.user_id("user_id", command.user_id, actor=actor)
    if command.changes is None or not command.changes:
        checks.add("preferences.preferences", "is required: list the pairs to set")
    pairs: dict[tuple[Channel, Category], bool] = {}
    for index, change in enumerate(command.changes or ()):
        field = f"preferences.preferences[{index}]"
        channel = checks.enum_member(f"{field}.channel", change.channel, Channel)
        category = checks.enum_member(f"{field}.category", change.category, Category)
        if channel is not None and category is not None:
            pairs[channel, category] = change.enabled
    changes = [(channel, category, on) for (channel, category), on in pairs.items()]
    return checks.valid((target, changes))
