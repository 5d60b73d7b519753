"""The errors identity reports, with reasons from meshwork.identity.v1.ErrorReason."""

from __future__ import annotations

from mesh.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)

DOMAIN = "identity.meshwork"


def email_already_registered() -> AlreadyExists:
    return AlreadyExists(
        "an account with this email address exists; log in or reset the password instead",
        reason="EMAIL_ALREADY_REGISTERED",
        domain=DOMAIN,
    )


def invalid_credentials() -> Unauthenticated:
    return Unauthenticated(
        "the email and password do not match an account",
        reason="INVALID_CREDENTIALS",
        domain=DOMAIN,
    )


def account_suspended() -> PermissionDenied:
    return PermissionDenied(
        "the account is suspended; contact support", reason="ACCOUNT_SUSPENDED", domain=DOMAIN
    )


def too_many_attempts(retry_after_s: float, what: str = "failed logins") -> ResourceExhausted:
    return ResourceExhausted(
        f"too many {what}; try again in {max(1, round(retry_after_s))} s",
        reason="TOO_MANY_ATTEMPTS",
        domain=DOMAIN,
        retry_after_s=retry_after_s,
    )


def refresh_token_invalid() -> Unauthenticated:
    return Unauthenticated(
        "the refresh token is unknown or malformed; log in again",
        reason="REFRESH_TOKEN_INVALID",
        domain=DOMAIN,
    )


def refresh_token_expired() -> Unauthenticated:
    return Unauthenticated(
        "the refresh token expired or its session was revoked; log in again",
        reason="REFRESH_TOKEN_EXPIRED",
        domain=DOMAIN,
    )


def refresh_token_reused() -> Unauthenticated:
    return Unauthenticated(
        "the refresh token was already used, so it may have been stolen; its whole session "
        "has been revoked. Log in again",
        reason="REFRESH_TOKEN_REUSED",
        domain=DOMAIN,
    )


def current_password_incorrect() -> InvalidArgument:
    return InvalidArgument(
        "the current password is wrong", reason="CURRENT_PASSWORD_INCORRECT", domain=DOMAIN
    )


def one_time_token_invalid(purpose: str) -> InvalidArgument:
    if purpose == "password_reset":
        return InvalidArgument(
            "the password-reset token is unknown or already used; request a new reset email",
            reason="PASSWORD_RESET_TOKEN_INVALID",
            domain=DOMAIN,
        )
    return InvalidArgument(
        "the email-verification token is unknown or already used; request a new verification email",
        reason="EMAIL_VERIFICATION_TOKEN_INVALID",
        domain=DOMAIN,
    )


def one_time_token_expired(purpose: str) -> InvalidArgument:
    if purpose == "password_reset":
        return InvalidArgument(
            "the password-reset token expired; request a new reset email",
            reason="PASSWORD_RESET_TOKEN_EXPIRED",
            domain=DOMAIN,
        )
    return InvalidArgument(
        "the email-verification token expired; request a new verification email",
        reason="EMAIL_VERIFICATION_TOKEN_EXPIRED",
        domain=DOMAIN,
    )


def email_already_verified() -> FailedPrecondition:
    return FailedPrecondition(
        "the email address is already verified", reason="EMAIL_ALREADY_VERIFIED", domain=DOMAIN
    )


def session_not_found(session_id: str) -> NotFound:
    return NotFound(
        f"no session {session_id!r} for this user",
        reason="SESSION_NOT_FOUND",
        domain=DOMAIN,
        metadata={"session_id": session_id},
    )


def user_not_found(user_id: str) -> NotFound:
    return NotFound(
        f"no account has user id {user_id!r}",
        reason="USER_NOT_FOUND",
        domain=DOMAIN,
        metadata={"user_id": user_id},
    )


def invalid_client_credentials() -> Unauthenticated:
    return Unauthenticated(
        "the client id and secret do not match a service identity",
        reason="INVALID_CLIENT_CREDENTIALS",
        domain=DOMAIN,
    )


def unknown_audience(audience: str, known: list[str]) -> InvalidArgument:
    return InvalidArgument(
        f"audience {audience!r} is not a service of the mesh; use one of {known}",
        reason="UNKNOWN_AUDIENCE",
        domain=DOMAIN,
        metadata={"audience": audience},
    )


def dependency_unavailable(service: str, detail: str) -> Unavailable:
    return Unavailable(
        f"the {service} service did not answer ({detail}); nothing was changed, retry with backoff",
        reason="DEPENDENCY_UNAVAILABLE",
        domain=DOMAIN,
        metadata={"service": service},
    )
