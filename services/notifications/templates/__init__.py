"""The built-in templates, shipped as files: ``<template id>/<locale>/<part>`` in this package.

Parts: ``subject.txt``, ``body.txt`` and ``body.html`` (email; the HTML part is optional) and
``sms.txt`` (SMS). Every template has an ``en`` folder, the default locale; others are
translations. Adding a template is adding a folder here and a `BuiltIn` line below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.abc import Traversable

from services.notifications.domain import (
    DEFAULT_LOCALE,
    Category,
    Content,
    EmailContent,
    SmsContent,
    Template,
)


@dataclass(frozen=True, slots=True)
class BuiltIn:
    """A template the platform's own notifications use: id, category and what it is for."""

    id: str
    category: Category
    description: str


BUILT_INS = (
    BuiltIn("welcome", Category.ACCOUNT, "Welcomes a user after sign-up (users' UserCreated)."),
    BuiltIn(
        "email-verification",
        Category.SECURITY,
        "The link that verifies an email address (identity's EmailVerificationRequested).",
    ),
    BuiltIn(
        "password-reset",
        Category.SECURITY,
        "The link that resets a password (identity's PasswordResetRequested).",
    ),
    BuiltIn("kyc-verified", Category.ACCOUNT, "Tells a user their identity was verified."),
    BuiltIn("kyc-rejected", Category.ACCOUNT, "Tells a user why their identity was not verified."),
    BuiltIn("payment-receipt", Category.BILLING, "The receipt of a payment (PaymentSucceeded)."),
    BuiltIn("refund-receipt", Category.BILLING, "Tells the payer of a refund (RefundSucceeded)."),
    BuiltIn("order-confirmed", Category.BILLING, "Confirms a paid order (orders' OrderConfirmed)."),
    BuiltIn("order-cancelled", Category.BILLING, "Tells a buyer why their order was cancelled."),
)


def built_in_templates(*, now: datetime) -> list[Template]:
    """Every built-in template with its translations, read from the package's files."""
    root = resources.files(__package__)
    return [_load(root / spec.id, spec, now=now) for spec in BUILT_INS]


def _load(folder: Traversable, spec: BuiltIn, *, now: datetime) -> Template:
    contents = {entry.name.lower(): _content(entry) for entry in folder.iterdir() if entry.is_dir()}
    if DEFAULT_LOCALE not in contents:
        raise FileNotFoundError(f"built-in template {spec.id!r} has no {DEFAULT_LOCALE}/ folder")
    default = contents.pop(DEFAULT_LOCALE)
    return Template(
        id=spec.id,
        category=spec.category,
        content=default,
        create_time=now,
        update_time=now,
        description=spec.description,
        built_in=True,
        translations=contents,
    )


def _content(folder: Traversable) -> Content:
    def part(name: str) -> str | None:
        entry = folder / name
        return entry.read_text(encoding="utf-8") if entry.is_file() else None

    subject, text_body, sms = part("subject.txt"), part("body.txt"), part("sms.txt")
    email = None
    if subject is not None and text_body is not None:
        email = EmailContent(subject.strip(), text_body, part("body.html") or "")
    return Content(email=email, sms=SmsContent(sms.strip()) if sms is not None else None)
