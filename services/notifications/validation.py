"""Request values → domain values, naming every bad field at once (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from mesh.validation import USER_ID_MAX, Violations
from services.notifications import commands
from services.notifications.domain import (
    Category,
    Channel,
    Content,
    Recipient,
    Template,
)
from services.notifications.errors import DOMAIN
from services.notifications.rendering import Renderer

KEY_MAX = 128
VARIABLES_MAX = 50
VALUE_MAX = 10_000
SUBJECT_MAX = 1_000
BODY_MAX = 100_000
SMS_MAX = 2_000
DESCRIPTION_MAX = 500

_TEMPLATE_ID = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

#: Update-mask paths UpdateTemplate accepts.
TEMPLATE_PATHS = frozenset(
    {
        "description",
        "category",
        "email",
        "email.subject",
        "email.text_body",
        "email.html_body",
        "sms",
        "sms.text",
    }
)


def template_id(checks: Violations, field: str, value: str) -> str:
    value = value.strip()
    if not value:
        checks.add(field, "is required")
    elif not _TEMPLATE_ID.match(value):
        checks.add(
            field,
            "must be 3 to 63 lower case letters, digits and hyphens, starting with a letter, "
            'for example "order-shipped"',
        )
    return value


# ---- SendNotification


@dataclass(frozen=True, slots=True)
class SendRequest:
    idempotency_key: str
    template_id: str
    user_id: str
    recipient: Recipient
    variables: dict[str, str]
    channels: tuple[Channel, ...]


def send_request(command: commands.SendNotification) -> SendRequest:
    checks = Violations(domain=DOMAIN)
    key = checks.text("idempotency_key", command.idempotency_key, maximum=KEY_MAX, required=True)
    template = template_id(checks, "template_id", command.template_id)
    user = checks.text("user_id", command.user_id, maximum=USER_ID_MAX)
    email = phone = ""
    if command.email_address.strip():
        email = checks.email("email_address", command.email_address)
    if command.phone_number.strip():
        phone = checks.phone_number("phone_number", command.phone_number)
    if not (user or email or phone):
        for field in ("user_id", "email_address", "phone_number"):
            checks.add(field, "name a user, or an address to send to", reason="RECIPIENT_REQUIRED")
    channels = tuple(
        dict.fromkeys(
            channel
            for index, name in enumerate(command.channels)
            if (channel := checks.enum_member(f"channels[{index}]", name, Channel))
        )
    )
    variables = _variables(checks, command.variables)
    recipient = Recipient(user_id=user, email=email, phone_number=phone)
    return checks.valid(SendRequest(key, template, user, recipient, variables, channels))


def _variables(checks: Violations, given: Mapping[str, str]) -> dict[str, str]:
    variables = dict(given)
    if len(variables) > VARIABLES_MAX:
        checks.add("variables", f"must have at most {VARIABLES_MAX} entries")
    for name, value in variables.items():
        if not _VARIABLE.match(name):
            checks.add(f"variables[{name}]", "names must be letters, digits and _ (a-z first)")
        elif len(value) > VALUE_MAX:
            checks.add(f"variables[{name}]", f"must be at most {VALUE_MAX} characters")
    return variables


# ---- templates


def new_template(
    command: commands.CreateTemplate, renderer: Renderer, *, now: datetime
) -> Template:
    checks = Violations(domain=DOMAIN)
    new_id = template_id(checks, "template_id", command.template_id)
    fields = command.template
    if fields is None:
        checks.add("template", "is required: a category and content for at least one channel")
        checks.fail()
    description = checks.text("template.description", fields.description, maximum=DESCRIPTION_MAX)
    category = checks.enum_member("template.category", fields.category, Category)
    content_checks(checks, fields.content, renderer)
    template = Template(
        id=new_id,
        category=category or Category.ACCOUNT,
        content=fields.content,
        create_time=now,
        update_time=now,
        description=description,
    )
    return checks.valid(template)


def template_changes(command: commands.UpdateTemplate) -> tuple[str, Template, frozenset[str]]:
    """The template to change, the new values (as a template) and the paths to apply."""
    checks = Violations(domain=DOMAIN)
    target = template_id(checks, "template.id", command.template_id)
    paths = checks.update_mask(command.paths, updatable=TEMPLATE_PATHS)
    fields = command.template
    description = fields.description
    if "description" in paths:
        description = checks.text("template.description", description, maximum=DESCRIPTION_MAX)
    category = None
    if "category" in paths:
        category = checks.enum_member("template.category", fields.category, Category)
    changes = Template(
        id=target,
        category=category or Category.ACCOUNT,
        content=fields.content,
        create_time=datetime.min,
        update_time=datetime.min,
        description=description,
    )
    return checks.valid((target, changes, paths))


def check_content(content: Content, renderer: Renderer) -> None:
    """Raises INVALID_ARGUMENT (TEMPLATE_INVALID for what does not render) unless `content`
    is complete and every part of it is a valid template."""
    checks = Violations(domain=DOMAIN)
    content_checks(checks, content, renderer)
    checks.raise_if_any()


def content_checks(checks: Violations, content: Content, renderer: Renderer) -> None:
    if not content.channels:
        checks.add("template", "needs content for at least one channel: email or sms")
    parts: list[tuple[str, str, int, bool]] = []
    if content.email is not None:
        email = content.email
        parts += [
            ("template.email.subject", email.subject, SUBJECT_MAX, False),
            ("template.email.text_body", email.text_body, BODY_MAX, False),
            ("template.email.html_body", email.html_body, BODY_MAX, True),
        ]
        for field, value in (("subject", email.subject), ("text_body", email.text_body)):
            if not value.strip():
                checks.add(f"template.email.{field}", "is required when the template has email")
    if content.sms is not None:
        parts.append(("template.sms.text", content.sms.text, SMS_MAX, False))
        if not content.sms.text.strip():
            checks.add("template.sms.text", "is required when the template has sms")
    for field, source, maximum, html in parts:
        if len(source) > maximum:
            checks.add(field, f"must be at most {maximum} characters (got {len(source)})")
        elif problem := renderer.problem(source, html=html):
            checks.add(field, problem, reason="TEMPLATE_INVALID")
