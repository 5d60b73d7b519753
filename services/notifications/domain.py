"""Templates, messages, delivery state and preferences: the notifications rules, with no I/O."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from mesh.errors import FieldViolation, InvalidArgument
from services.notifications.errors import DOMAIN

#: The locale every template has content in; the last step of every fallback chain.
DEFAULT_LOCALE = "en"


class Channel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class Category(StrEnum):
    SECURITY = "SECURITY"
    ACCOUNT = "ACCOUNT"
    BILLING = "BILLING"
    MARKETING = "MARKETING"


class MessageState(StrEnum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"
    SUPPRESSED = "SUPPRESSED"


class SuppressionReason(StrEnum):
    OPTED_OUT = "OPTED_OUT"
    NO_ADDRESS = "NO_ADDRESS"
    USER_DELETED = "USER_DELETED"


class Outcome(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


def locale_chain(locale: str) -> list[str]:
    """Where to look for content, most specific first: "de-CH" → ["de-ch", "de", "en"]."""
    parts = [part for part in locale.strip().lower().replace("_", "-").split("-") if part]
    chain = ["-".join(parts[:size]) for size in range(len(parts), 0, -1)]
    return list(dict.fromkeys([*chain, DEFAULT_LOCALE]))


# ---- templates


@dataclass(frozen=True, slots=True)
class EmailContent:
    subject: str
    text_body: str
    html_body: str = ""


@dataclass(frozen=True, slots=True)
class SmsContent:
    text: str


@dataclass(frozen=True, slots=True)
class Content:
    """A template's content in one locale: per channel, None when it has none."""

    email: EmailContent | None = None
    sms: SmsContent | None = None

    @property
    def channels(self) -> tuple[Channel, ...]:
        found = (Channel.EMAIL, self.email), (Channel.SMS, self.sms)
        return tuple(channel for channel, content in found if content is not None)


@dataclass(slots=True)
class Template:
    """One kind of notification: its category and content, with translations by locale."""

    id: str
    category: Category
    content: Content
    create_time: datetime
    update_time: datetime
    description: str = ""
    built_in: bool = False
    #: Content in other locales (lower-case BCP 47 tags); `content` is the default locale's.
    translations: Mapping[str, Content] = field(default_factory=dict)

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The channels the template has content for (in the default locale)."""
        return self.content.channels

    def content_for(self, locale: str, channel: Channel) -> tuple[str, Content]:
        """The most specific content for `locale` that has `channel`, and its locale."""
        for candidate in locale_chain(locale):
            found = (
                self.content if candidate == DEFAULT_LOCALE else self.translations.get(candidate)
            )
            if found is not None and channel in found.channels:
                return candidate, found
        return DEFAULT_LOCALE, self.content

    def change(self, changes: Template, paths: frozenset[str], *, now: datetime) -> list[str]:
        """Applies the fields named in `paths` (update-mask paths); returns those that changed."""
        before = (self.description, self.category, self.content)
        if "description" in paths:
            self.description = changes.description
        if "category" in paths:
            self.category = changes.category
        self.content = Content(
            email=_merged(
                self.content.email, changes.content.email, EmailContent("", ""), "email", paths
            ),
            sms=_merged(self.content.sms, changes.content.sms, SmsContent(""), "sms", paths),
        )
        changed = [
            name
            for name, old, new in zip(
                ("description", "category", "content"),
                before,
                (self.description, self.category, self.content),
                strict=True,
            )
            if old != new
        ]
        if changed:
            self.update_time = now
        return changed


C = TypeVar("C", EmailContent, SmsContent)


def _merged(
    current: C | None, given: C | None, empty: C, name: str, paths: frozenset[str]
) -> C | None:
    """The channel content after an update naming `name` (replace it, or remove it when the
    request has none) or some of its `name.<field>`s (set just those)."""
    if name in paths:
        return given
    fields = {path.split(".", 1)[1] for path in paths if path.startswith(f"{name}.")}
    if not fields:
        return current
    source = given if given is not None else empty
    return dataclasses.replace(current or empty, **{f: getattr(source, f) for f in fields})


# ---- recipients and preferences


@dataclass(frozen=True, slots=True)
class Recipient:
    """Whom a notification is for: a user (from their profile) and/or bare addresses."""

    user_id: str = ""
    email: str = ""
    phone_number: str = ""
    display_name: str = ""
    locale: str = ""
    deleted: bool = False

    def address(self, channel: Channel) -> str:
        return self.email if channel is Channel.EMAIL else self.phone_number


@dataclass(slots=True)
class Preferences:
    """A user's choices per channel and category; pairs never chosen take their default."""

    user_id: str
    choices: dict[tuple[Channel, Category], bool] = field(default_factory=dict)
    update_time: datetime | None = None

    def enabled(self, channel: Channel, category: Category) -> bool:
        if category is Category.SECURITY:
            return True  # sign-in and account security mail is always sent
        return self.choices.get((channel, category), category is not Category.MARKETING)

    def every_pair(self) -> list[tuple[Channel, Category, bool]]:
        """Every channel and category with its current value, defaults included."""
        return [(ch, cat, self.enabled(ch, cat)) for ch in Channel for cat in Category]

    def set(
        self, changes: Iterable[tuple[Channel, Category, bool]], *, now: datetime
    ) -> list[tuple[Channel, Category, bool]]:
        """Sets the given pairs; returns those whose value changed. SECURITY cannot be off."""
        wanted = list(changes)
        refused = [
            FieldViolation(
                f"preferences.preferences[{index}].enabled",
                f"{Category.SECURITY} messages ({channel}) cannot be turned off",
            )
            for index, (channel, category, on) in enumerate(wanted)
            if category is Category.SECURITY and not on
        ]
        if refused:
            raise InvalidArgument(
                "security messages (verification links, password resets) are always sent",
                reason="PREFERENCE_NOT_CHANGEABLE",
                domain=DOMAIN,
                violations=refused,
            )
        changed = [(ch, cat, on) for ch, cat, on in wanted if self.enabled(ch, cat) != on]
        for channel, category, on in changed:
            self.choices[channel, category] = on
        if changed:
            self.update_time = now
        return changed


@dataclass(frozen=True, slots=True)
class Decision:
    """What becomes of one channel of a notification: queued to `recipient`, or suppressed."""

    channel: Channel
    recipient: str
    suppressed: SuppressionReason | None = None


def decide(
    channels: Iterable[Channel],
    recipient: Recipient,
    category: Category,
    preferences: Preferences | None,
) -> list[Decision]:
    """Per channel: deleted users, missing addresses and opt-outs suppress the message.

    `preferences` is None when sending to bare addresses (no user's choices apply).
    """
    decisions = []
    for channel in channels:
        address = recipient.address(channel)
        reason = None
        if recipient.deleted:
            reason = SuppressionReason.USER_DELETED
        elif not address:
            reason = SuppressionReason.NO_ADDRESS
        elif preferences is not None and not preferences.enabled(channel, category):
            reason = SuppressionReason.OPTED_OUT
        decisions.append(Decision(channel, address, reason))
    return decisions
