"""What each use case is asked to do, as received: plain values, not yet validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mesh.actor import Actor
from services.notifications.domain import Content


@dataclass(frozen=True, slots=True)
class SendNotification:
    idempotency_key: str
    template_id: str
    user_id: str = ""
    email_address: str = ""
    phone_number: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    #: Channel names ("EMAIL", "SMS"); "" for unspecified, the number for unknown values.
    channels: tuple[str, ...] = ()
    caller: Actor = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class ListMessages:
    page_size: int = 0
    page_token: str = ""
    user_id: str = ""
    channel: str = ""
    state: str = ""
    template_id: str = ""
    caller: Actor = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class GetMessage:
    message_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class ListAttempts:
    message_id: str
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True, slots=True)
class PreferenceChange:
    channel: str
    category: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class GetPreferences:
    user_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class UpdatePreferences:
    user_id: str
    #: None when the request carried no `preferences` at all.
    changes: tuple[PreferenceChange, ...] | None
    caller: Actor


@dataclass(frozen=True, slots=True)
class TemplateFields:
    """A template as sent in a request."""

    description: str = ""
    category: str = ""
    content: Content = field(default_factory=Content)


@dataclass(frozen=True, slots=True)
class CreateTemplate:
    template_id: str
    template: TemplateFields | None
    caller: Actor


@dataclass(frozen=True, slots=True)
class GetTemplate:
    template_id: str


@dataclass(frozen=True, slots=True)
class UpdateTemplate:
    template_id: str
    template: TemplateFields
    paths: tuple[str, ...]
    caller: Actor


@dataclass(frozen=True, slots=True)
class DeleteTemplate:
    template_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class ListTemplates:
    page_size: int = 0
    page_token: str = ""
    category: str = ""


@dataclass(frozen=True, slots=True)
class ListMailbox:
    page_size: int = 0
    page_token: str = ""
    recipient: str = ""
    channel: str = ""
