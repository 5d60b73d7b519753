"""The parts of the OpenAPI document that are not generated from RPCs: the edge's own
endpoints, the error body, and the security schemes."""

from __future__ import annotations

from typing import Any

BEARER = "bearerAuth"
OAUTH2 = "oauth2"
TOKEN_URL = "/oauth/token"

DESCRIPTION = (
    "The REST face of the Meshwork mesh. Every operation is transcoded to the gRPC method "
    "named in `x-grpc-method`, following its `google.api.http` annotation; JSON follows the "
    "proto3 JSON mapping (lowerCamelCase names, enums by name, 64-bit integers as strings).\n\n"
    'Errors are AIP-193 bodies: `{"error": {"code", "status", "message", "details"}}`; '
    "every response carries `X-Request-Id`. Get an access token with `POST /v1/auth:login` or "
    "`POST /oauth/token` (Authorize button), and send it as `Authorization: Bearer <token>`."
)
TAGS = [{"name": "Edge", "description": "The edge's own endpoints: tokens, health, webhooks."}]

SECURITY_SCHEMES = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /v1/auth:login or POST /oauth/token.",
    },
    OAUTH2: {
        "type": "oauth2",
        "description": "The password flow: your email as username, and your password.",
        "flows": {"password": {"tokenUrl": TOKEN_URL, "refreshUrl": TOKEN_URL, "scopes": {}}},
    },
}

_ERROR = {
    "type": "object",
    "description": "An AIP-193 error: the HTTP code, the gRPC status name, a message, details.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "integer"},
                "status": {"type": "string"},
                "message": {"type": "string"},
                "details": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"@type": {"type": "string"}},
                        "required": ["@type"],
                    },
                },
            },
            "required": ["code", "status", "message", "details"],
        }
    },
    "required": ["error"],
}
_TOKEN = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer"},
        "refresh_token": {"type": "string"},
    },
    "required": ["access_token", "token_type", "expires_in", "refresh_token"],
}
_OAUTH_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    "required": ["error"],
}
_TOKEN_REQUEST = {
    "type": "object",
    "properties": {
        "grant_type": {"type": "string", "enum": ["password", "refresh_token"]},
        "username": {"type": "string", "description": "The account's email (password grant)."},
        "password": {"type": "string", "writeOnly": True},
        "refresh_token": {"type": "string", "description": "For the refresh_token grant."},
        "scope": {"type": "string", "description": "Ignored."},
    },
    "required": ["grant_type"],
}
_HEALTH = {"type": "object", "additionalProperties": True}
SCHEMAS = {
    "Error": _ERROR,
    "OAuthToken": _TOKEN,
    "OAuthError": _OAUTH_ERROR,
    "OAuthTokenRequest": _TOKEN_REQUEST,
}
RESPONSES = {
    "Error": {
        "description": "An error (AIP-193).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
}
IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retried mutation happen once (passed to the service as-is).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}
_ERROR_REF = {"$ref": "#/components/responses/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def paths() -> dict[str, dict[str, Any]]:
    """The edge's own operations, by path."""
    return {
        TOKEN_URL: {"post": _token_operation()},
        "/v1/webhooks/stripe": {"post": _webhook_operation()},
        "/healthz": {"get": _probe("Edge_Healthz", "Liveness: the edge process serves HTTP")},
        "/readyz": {
            "get": _probe(
                "Edge_Readyz",
                "Readiness: every required upstream is SERVING (in detail for an administrator)",
                503,
            )
        },
        "/metrics": {
            "get": {
                "operationId": "Edge_Metrics",
                "tags": ["Edge"],
                "summary": "Prometheus metrics",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The text exposition format.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    }


def _token_operation() -> dict[str, Any]:
    token_ref = {"$ref": "#/components/schemas/OAuthToken"}
    oauth_error_ref = {"$ref": "#/components/schemas/OAuthError"}
    form = {"schema": {"$ref": "#/components/schemas/OAuthTokenRequest"}}
    return {
        "operationId": "Edge_OAuthToken",
        "tags": ["Edge"],
        "summary": "OAuth 2.0 token endpoint (password and refresh_token grants)",
        "security": [],
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": form},
        },
        "responses": {
            "200": _json(token_ref, "The tokens."),
            "400": _json(oauth_error_ref, "An RFC 6749 error."),
            "429": _json(oauth_error_ref, "Too many attempts."),
            "503": _json(oauth_error_ref, "Identity is unavailable."),
            "default": _ERROR_REF,
        },
    }


def _webhook_operation() -> dict[str, Any]:
    received = {
        "type": "object",
        "properties": {"received": {"type": "boolean"}, "duplicate": {"type": "boolean"}},
    }
    signature = {"type": "string", "minLength": 1, "pattern": "^[ -~]+$"}
    return {
        "operationId": "Edge_StripeWebhook",
        "tags": ["Edge"],
        "summary": "Stripe webhook deliveries, passed to payments byte for byte",
        "security": [],
        "parameters": [
            {"name": "Stripe-Signature", "in": "header", "required": True, "schema": signature}
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {}}}},
        "responses": {
            "200": _json(received, "Applied (or applied before)."),
            "default": _ERROR_REF,
        },
    }


def _probe(operation_id: str, summary: str, *extra_codes: int) -> dict[str, Any]:
    responses = {"200": _json(_HEALTH, "Up.")}
    for code in extra_codes:
        responses[str(code)] = _json(
            _HEALTH, "Not ready; with an administrator's token, `down` names what is down."
        )
    return {
        "operationId": operation_id,
        "tags": ["Edge"],
        "summary": summary,
        "security": [],
        "responses": responses,
    }
