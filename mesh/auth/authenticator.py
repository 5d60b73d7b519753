"""The mesh's Authenticator: service token and forwarded end-user token, both verified locally."""

from __future__ import annotations

from collections.abc import Mapping

from mesh.auth.tokens import ACCESS_TOKEN, SERVICE_TOKEN, USER_AUDIENCE, TokenVerifier
from mesh.context import SERVICE_AUTHORIZATION_KEY, USER_AUTHORIZATION_KEY, Principal, User
from mesh.errors import MESH_DOMAIN, Unauthenticated


def bearer_token(value: str | None, *, key: str, carrier: str = "metadata") -> str | None:
    """The token of an `authorization`-style value ("Bearer <token>"); None when absent.
    `carrier` names what `key` is in the refusal: gRPC metadata, or an HTTP header."""
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            f"the {key!r} {carrier} must be 'Bearer <token>'",
            reason="TOKEN_MALFORMED",
            domain=MESH_DOMAIN,
        )
    return token.strip()


class JwtAuthenticator:
    """Verifies `authorization` as a service token for this service (aud = its name) and
    `x-user-authorization` as an end-user access token; either may be absent.
    """

    def __init__(self, verifier: TokenVerifier, *, user_audience: str = USER_AUDIENCE) -> None:
        self._verifier = verifier
        self._user_audience = user_audience
        # Calls between services carry no user: their principal is one per calling service
        # (the subjects of tokens that verified: the mesh's services), made once.
        self._service_principals: dict[str | None, Principal] = {}

    async def authenticate(self, metadata: Mapping[str, str], *, audience: str) -> Principal:
        service = None
        token = bearer_token(metadata.get(SERVICE_AUTHORIZATION_KEY), key=SERVICE_AUTHORIZATION_KEY)
        if token is not None:
            verified = self._verifier.cached(
                token, audience=audience, token_type=SERVICE_TOKEN
            ) or await self._verifier.verify(token, audience=audience, token_type=SERVICE_TOKEN)
            service = verified.subject
        token = bearer_token(metadata.get(USER_AUTHORIZATION_KEY), key=USER_AUTHORIZATION_KEY)
        if token is not None:
            user_audience = self._user_audience
            verified = self._verifier.cached(
                token, audience=user_audience, token_type=ACCESS_TOKEN
            ) or await self._verifier.verify(token, audience=user_audience, token_type=ACCESS_TOKEN)
            user = User(subject=verified.subject, roles=verified.roles, token=token)
            return Principal(service=service, user=user)
        principal = self._service_principals.get(service)
        if principal is None:
            principal = self._service_principals[service] = Principal(service=service)
        return principal
