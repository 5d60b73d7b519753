"""The sandbox's HTTP API: Stripe's /v1 routes, its auth, errors and idempotent replays."""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException

from sandbox.stripe import charges, customers, events, intents, refunds
from sandbox.stripe.account import API_VERSION, Account, RequestInfo
from sandbox.stripe.errors import StripeError, unauthenticated
from sandbox.stripe.expansion import check as check_expandable
from sandbox.stripe.expansion import expand
from sandbox.stripe.forms import Params, decode
from sandbox.stripe.idempotency import IdempotencyKeys, Saved
from sandbox.stripe.state import Store, new_id
from sandbox.stripe.webhooks import Endpoint, RetryPolicy, WebhookDispatcher

Operation = Callable[..., dict[str, Any]]
_ID = "/{object_id}"
ROUTES: list[tuple[str, str, Operation]] = [
    ("POST", "/v1/customers", customers.create_customer),
    ("GET", "/v1/customers", customers.list_customers),
    ("GET", "/v1/customers" + _ID, customers.retrieve_customer),
    ("POST", "/v1/customers" + _ID, customers.update_customer),
    ("DELETE", "/v1/customers" + _ID, customers.delete_customer),
    ("POST", "/v1/payment_methods", customers.create_payment_method),
    ("GET", "/v1/payment_methods" + _ID, customers.retrieve_payment_method),
    ("POST", "/v1/payment_intents", intents.create_intent),
    ("GET", "/v1/payment_intents", intents.list_intents),
    ("GET", "/v1/payment_intents" + _ID, intents.retrieve_intent),
    ("POST", "/v1/payment_intents" + _ID, intents.update_intent),
    ("POST", "/v1/payment_intents" + _ID + "/confirm", intents.confirm_intent),
    ("POST", "/v1/payment_intents" + _ID + "/capture", intents.capture_intent),
    ("POST", "/v1/payment_intents" + _ID + "/cancel", intents.cancel_intent),
    ("POST", "/sandbox/payment_intents" + _ID + "/authenticate", intents.authenticate_intent),
    ("GET", "/v1/charges", charges.list_charges),
    ("GET", "/v1/charges" + _ID, charges.retrieve_charge),
    ("POST", "/v1/refunds", refunds.create_refund),
    ("GET", "/v1/refunds", refunds.list_refunds),
    ("GET", "/v1/refunds" + _ID, refunds.retrieve_refund),
    ("GET", "/v1/events", events.list_events),
    ("GET", "/v1/events" + _ID, events.retrieve_event),
    ("POST", "/v1/webhook_endpoints", events.create_endpoint),
    ("GET", "/v1/webhook_endpoints", events.list_endpoints),
    ("GET", "/v1/webhook_endpoints" + _ID, events.retrieve_endpoint),
    ("DELETE", "/v1/webhook_endpoints" + _ID, events.delete_endpoint),
]


@dataclass(frozen=True)
class SandboxSettings:
    """Where state lives (None: memory only), and where events are delivered."""

    state_file: Path | None = None
    webhooks: tuple[Endpoint, ...] = ()
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def create_app(settings: SandboxSettings | None = None) -> FastAPI:
    settings = settings or SandboxSettings()
    store = Store(settings.state_file)
    account = Account(store, WebhookDispatcher(settings.retry), settings.webhooks)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await account.dispatcher.aclose()
        store.save()

    app = FastAPI(title="Stripe sandbox", lifespan=lifespan, openapi_url=None, docs_url=None)
    app.state.account = account
    app.state.keys = IdempotencyKeys(store.idempotency)
    for method, path, operation in ROUTES:
        app.add_api_route(path, _endpoint(operation), methods=[method])
    app.add_exception_handler(HTTPException, _unrouted)
    app.add_exception_handler(StripeError, _stripe_error)
    app.add_exception_handler(Exception, _internal_error)
    return app


def _endpoint(operation: Operation) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        return await _handle(request, operation)

    endpoint.__name__ = operation.__name__
    return endpoint


async def _handle(request: Request, operation: Operation) -> Response:
    api_key = _api_key(request)
    params = await _params(request)
    account: Account = request.app.state.account
    key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
    info = RequestInfo(
        request_id=new_id("req"),
        idempotency_key=key,
        api_version=request.headers.get("Stripe-Version", API_VERSION),
        base_url=str(request.base_url).rstrip("/"),
    )
    headers = {"Request-Id": info.request_id or ""}
    run = functools.partial(_execute, account, operation, params, request, info)
    if key is None:
        result = run()
        if request.method != "GET":
            account.store.save()
        return _respond(result, headers)
    headers["Idempotency-Key"] = key
    keys: IdempotencyKeys = request.app.state.keys
    signature = (request.method, request.url.path, params.values)
    async with keys.held(api_key, key) as scope:
        if (saved := keys.replay(scope, signature)) is not None:
            return _respond(saved, {**headers, "Idempotent-Replayed": "true"})
        result = run()
        if result.status < 400 or result.status == 402:
            keys.save(scope, signature, result)
        account.store.save()
    return _respond(result, headers)


def _execute(
    account: Account, operation: Operation, params: Params, request: Request, info: RequestInfo
) -> Saved:
    """Runs the operation without awaiting: no other request interleaves with it."""
    account.request = info
    try:
        paths = check_expandable(params.expand())
        body = operation(account, params, *request.path_params.values())
        body = expand(account.store, body, paths)
        status = 200
    except StripeError as error:
        body, status = error.envelope(), error.status
    return Saved(status, json.dumps(body, indent=2).encode())


def _respond(saved: Saved, headers: dict[str, str]) -> Response:
    return Response(saved.body, saved.status, headers, media_type="application/json")


def _api_key(request: Request) -> str:
    """The secret key, sent as Bearer (the SDKs) or as Basic's user name (`curl -u sk_…:`)."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        key = _basic_user(key)
    elif scheme.lower() != "bearer":
        key = ""
    if not key:
        raise unauthenticated(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY')."
        )
    if not key.startswith("sk_test_"):
        raise unauthenticated(
            f"Invalid API Key provided: {key[:8]}****{key[-4:]}. The sandbox takes only test "
            "secret keys (sk_test_...)."
        )
    return key


def _basic_user(credentials: str) -> str:
    try:
        return base64.b64decode(credentials, validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return ""


async def _params(request: Request) -> Params:
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    if request.method == "POST":
        pairs += parse_qsl((await request.body()).decode(), keep_blank_values=True)
    return Params(decode(pairs))


async def _stripe_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, StripeError)
    return Response(json.dumps(error.envelope()), error.status, media_type="application/json")


async def _internal_error(request: Request, _: Exception) -> Response:
    """A sandbox bug answers as Stripe's outages do, so the SDK raises its APIError."""
    error = StripeError(500, "api_error", "An unexpected error occurred in the Stripe sandbox.")
    return await _stripe_error(request, error)


async def _unrouted(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    message = f"Unrecognized request URL ({request.method}: {request.url.path})."
    return await _stripe_error(request, StripeError(404, "invalid_request_error", message))
