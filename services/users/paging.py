"""ListUsers pages: filters, page size, and opaque page tokens bound to their query (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mesh.paging import PageTokenError
from mesh.paging import decode_page_token as decode_position
from mesh.paging import encode_page_token as encode_position
from services.users import commands
from services.users.domain import KycStatus, email_key
from services.users.validation import FieldChecks, enum_member

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
QUERY_MAX = 100


@dataclass(frozen=True, slots=True)
class UserFilter:
    """Which profiles to list; the conditions combine with AND."""

    email_key: str = ""
    kyc_status: KycStatus | None = None
    query: str = ""
    show_deleted: bool = False

    def as_query(self) -> dict[str, Any]:
        """The filters a page token is bound to (it cannot be replayed against other ones)."""
        return {
            "email": self.email_key,
            "kyc_status": self.kyc_status or "",
            "query": self.query,
            "show_deleted": self.show_deleted,
        }


@dataclass(frozen=True, slots=True)
class Cursor:
    """The position after the last profile of a page, in newest-first order."""

    create_time: datetime
    user_id: str


@dataclass(frozen=True, slots=True)
class PageRequest:
    filter: UserFilter
    size: int
    after: Cursor | None = None


def page_request(command: commands.ListUsers) -> PageRequest:
    """The validated request; every bad field is named at once."""
    checks = FieldChecks()
    if command.page_size < 0:
        checks.add("page_size", f"must not be negative (got {command.page_size})")
    email = ""
    if command.email.strip():
        email = email_key(checks.email("email", command.email))
    status = None
    if command.kyc_status:
        status = enum_member(checks, "kyc_status", command.kyc_status, KycStatus)
    query = checks.text("query", command.query, maximum=QUERY_MAX).lower()
    user_filter = UserFilter(email, status, query, command.show_deleted)
    after = None
    if command.page_token:
        after = decode_page_token(checks, command.page_token, user_filter)
    checks.raise_if_any()
    size = min(command.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    return PageRequest(user_filter, size, after)


def encode_page_token(cursor: Cursor, user_filter: UserFilter) -> str:
    position = {"t": cursor.create_time.isoformat(), "u": cursor.user_id}
    return encode_position(user_filter.as_query(), position)


def decode_page_token(checks: FieldChecks, token: str, user_filter: UserFilter) -> Cursor | None:
    """The cursor of `token`; a violation when it is malformed or from another query."""
    try:
        position = decode_position(token, user_filter.as_query())
        cursor = Cursor(datetime.fromisoformat(position["t"]), str(position["u"]))
    except PageTokenError as error:
        checks.add("page_token", str(error), reason="INVALID_PAGE_TOKEN")
        return None
    except (KeyError, TypeError, ValueError):
        checks.add("page_token", "is not a page token from ListUsers", reason="INVALID_PAGE_TOKEN")
        return None
    if cursor.create_time.tzinfo is None:
        checks.add("page_token", "is not a page token from ListUsers", reason="INVALID_PAGE_TOKEN")
        return None
    return cursor
