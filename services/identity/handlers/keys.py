"""Signing keys (JWKS, listing, rotation), service tokens and the purge of expired tokens."""

from __future__ import annotations

import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from mesh.idempotency import mark_committed
from mesh.paging import next_token, page
from mesh.validation import Violations
from meshwork.identity.v1 import events_pb2
from services.identity.commands import (
    IssueServiceToken,
    ListSigningKeys,
    Purged,
    RotatedKeys,
    ServiceToken,
    SigningKeysPage,
)
from services.identity.domain import KeyState, missing_key_states, rotate, service_claims
from services.identity.errors import (
    DOMAIN,
    invalid_client_credentials,
    unknown_audience,
)
from services.identity.handlers.common import Deps, transaction
from services.identity.keys import KeyPair, generate_key_pair

#: Sign-ups whose process died between reserving the credential and activating it.
_ABANDONED_SIGN_UP = timedelta(days=1)
_KEYS_QUERY = {"list": "signing_keys"}


async def ensure_signing_keys(deps: Deps) -> None:
    """At start-up: an active key to sign with and a pending one published for the next rotation.

    On a fresh install the first key signs at once (there was nothing to publish it before).
    Several processes starting together are fine: one of them creates the keys.
    """
    now = deps.clock()
    try:
        async with transaction(deps) as tx:
            for state in missing_key_states(await tx.keys.all(lock=True)):
                pair = generate_key_pair(deps.cipher, now)
                activated = now if state is KeyState.ACTIVE else None
                key = replace(pair.key, state=state, activated_at=activated)
                await tx.keys.add(KeyPair(key=key, sealed_private=pair.sealed_private))
            await tx.commit()
    except IntegrityError:
        pass  # another process created them at the same moment


async def get_jwks(deps: Deps) -> list[dict[str, str]]:
    """The public keys that verify tokens: pending, active, and retired until they expire."""
    now = deps.clock()
    async with transaction(deps) as tx:
        keys = await tx.keys.all()
    return [dict(key.public_jwk) for key in keys if key.published(now)]


async def list_signing_keys(command: ListSigningKeys, deps: Deps) -> SigningKeysPage:
    check = Violations(domain=DOMAIN)
    requested = page(
        check, size=command.page_size, token=command.page_token, query=_KEYS_QUERY, key=(int,)
    )
    check.raise_if_any()
    offset = int(requested.after[0]) if requested.after else 0
    async with transaction(deps) as tx:
        found = await tx.keys.page(offset=offset, limit=requested.size + 1)
    token = next_token(requested, found, lambda _: (offset + requested.size,))
    return SigningKeysPage(found[: requested.size], token)


async def rotate_signing_keys(deps: Deps) -> RotatedKeys:
    """Pending → active, active → retired, a fresh key → pending; expired keys are dropped."""
    now = deps.clock()
    fresh = generate_key_pair(deps.cipher, now)
    async with transaction(deps) as tx:
        keys = await tx.keys.all(lock=True)
        step = rotate(keys, fresh.key, now, longest_token_ttl_s=deps.settings.longest_token_ttl_s)
        if step.retired is not None:  # first: it frees the "active" slot
            await tx.keys.save(step.retired)
        await tx.keys.save(step.active)
        await tx.keys.add(KeyPair(key=step.pending, sealed_private=fresh.sealed_private))
        await tx.keys.delete(step.dropped)
        tx.add_event(
            events_pb2.SigningKeysRotated(
                active_key_id=step.active.id,
                pending_key_id=step.pending.id,
                retired_key_id=step.retired.id if step.retired else "",
            )
        )
        await mark_committed(tx.uow.connection)
        await tx.commit()
    if deps.keys_rotated is not None:
        await deps.keys_rotated()
    return RotatedKeys(active=step.active, pending=step.pending, retired=step.retired)


async def issue_service_token(command: IssueServiceToken, deps: Deps) -> ServiceToken:
    """A short-lived token for `client_id` to call `audience`, for the right client secret."""
    check = Violations(domain=DOMAIN)
    check.required("client_id", command.client_id)
    check.required("client_secret", command.client_secret)
    check.required("audience", command.audience)
    check.raise_if_any()
    expected = deps.settings.service_clients.get(command.client_id)
    secret = expected.get_secret_value() if expected else "\0" * 32  # compare anyway: same time
    matches = hmac.compare_digest(command.client_secret.encode(), secret.encode())
    if expected is None or not matches:
        raise invalid_client_credentials()
    audiences = deps.settings.service_audiences
    if command.audience not in audiences:
        raise unknown_audience(command.audience, audiences)
    return await sign_service_token(deps, command.client_id, command.audience)


async def sign_service_token(deps: Deps, client_id: str, audience: str) -> ServiceToken:
    """Signs a service token; identity's own outgoing calls get theirs here, in-process."""
    now = deps.clock()
    async with transaction(deps) as tx:
        pair = await tx.keys.active_pair()
    if pair is None:
        raise RuntimeError("no active signing key: start-up creates one (ensure_signing_keys)")
    s = deps.settings
    claims = service_claims(
        client_id, audience=audience, issuer=s.token_issuer, now=now, ttl_s=s.service_token_ttl_s
    )
    return ServiceToken(deps.signer.sign(claims, pair), datetime.fromtimestamp(claims["exp"], UTC))


async def purge_expired_tokens(deps: Deps) -> Purged:
    """Deletes sessions, one-time tokens and login counters past the retention period."""
    now = deps.clock()
    cutoff = now - timedelta(seconds=deps.settings.token_retention_s)
    idle_since = now - timedelta(seconds=deps.settings.lockout_reset_s)
    async with transaction(deps) as tx:
        sessions = await tx.accounts.purge_sessions(ended_before=cutoff)
        one_time = await tx.accounts.purge_one_time_tokens(ended_before=cutoff)
        await tx.accounts.purge_abandoned_sign_ups(started_before=now - _ABANDONED_SIGN_UP)
        await tx.throttles.purge(idle_since=idle_since, now=now)
        await tx.commit()
    return Purged(sessions=sessions, one_time_tokens=one_time)
