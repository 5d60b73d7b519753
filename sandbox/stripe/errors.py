"""Stripe's error envelope: one exception carrying the type, code, param and HTTP status."""

from __future__ import annotations

from typing import Any

DOCS = "https://docs.stripe.com/error-codes"


class StripeError(Exception):
    """An error the sandbox answers as Stripe does: `{"error": {...}}` with an HTTP status."""

    def __init__(
        self,
        status: int,
        kind: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        payment_intent: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.payment_intent = payment_intent
        self.extra = extra or {}

    @property
    def replayable(self) -> bool:
        """Stripe saves an idempotent result once the request began executing: card errors."""
        return self.status == 402

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.kind, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"{DOCS}#{self.code.replace('_', '-')}"
        for name in ("param", "decline_code"):
            if (value := getattr(self, name)) is not None:
                error[name] = value
        error.update(self.extra)
        if self.payment_intent is not None:
            error["payment_intent"] = self.payment_intent
        return {"error": error}


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> StripeError:
    """A 400 invalid_request_error, naming the parameter at fault."""
    return StripeError(400, "invalid_request_error", message, code=code, param=param)


def missing(kind: str, object_id: str, *, param: str = "id") -> StripeError:
    """A 404 for an object this account does not hold."""
    return StripeError(
        404,
        "invalid_request_error",
        f"No such {kind}: '{object_id}'",
        code="resource_missing",
        param=param,
    )


def unexpected_state(message: str, *, param: str | None = None) -> StripeError:
    """A 400 for an action the object's current status does not allow."""
    return invalid(message, param=param, code="payment_intent_unexpected_state")


def unauthenticated(message: str) -> StripeError:
    """A 401: no key, or not a test secret key."""
    return StripeError(401, "invalid_request_error", message)


def idempotency_mismatch(key: str) -> StripeError:
    """A 400 idempotency_error: the key was first used with other parameters."""
    return StripeError(
        400,
        "idempotency_error",
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{key}' if you meant to execute a "
        "different request.",
    )
