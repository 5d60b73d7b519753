"""Bearer access tokens checked at the edge, against the access policy declared in the protos.

The edge verifies the end user's JWT locally (JWKS cached from identity, refreshed on an
unknown `kid`) before any upstream call; the service checks it again with its interceptor.
"""

from __future__ import annotations

from edge.errors import EDGE_DOMAIN
from mesh.auth.authenticator import bearer_token
from mesh.auth.tokens import ACCESS_TOKEN, USER_AUDIENCE, TokenVerifier
from mesh.authz import authorize
from mesh.context import Principal, User
from mesh.contracts import Access
from mesh.errors import Unauthenticated

AUTHORIZATION_HEADER = "Authorization"


class EdgeAuthenticator:
    """Who the end user of a request is, and whether the method's policy lets them call."""

    def __init__(self, verifier: TokenVerifier, *, service: str = "edge") -> None:
        self._verifier = verifier
        self._service = service

    async def user_for(
        self, authorization: str | None, access: Access, *, method: str
    ) -> User | None:
        """The verified user (None when no token came and the method is public).

        A token that is present is verified even for public methods. Other methods need one,
        and the user must hold one of the method's roles when it declares roles.
        """
        user = await self.verify(authorization)
        if access.public:
            return user
        if user is None:
            raise Unauthenticated(
                f"{method} needs an access token: send 'Authorization: Bearer <access token>' "
                "(POST /v1/auth:login or POST /oauth/token issue one)",
                reason="ACCESS_TOKEN_MISSING",
                domain=EDGE_DOMAIN,
            )
        # The edge's own identity never stands in for an absent user: the user is checked.
        authorize(Principal(service=self._service, user=user), access, method=method)
        return user

    async def verify(self, authorization: str | None) -> User | None:
        """The user an `Authorization: Bearer <access token>` header proves, if any."""
        token = bearer_token(authorization, key=AUTHORIZATION_HEADER, carrier="header")
        if token is None:
            return None
        verified = await self._verifier.verify(
            token, audience=USER_AUDIENCE, token_type=ACCESS_TOKEN
        )
        return User(subject=verified.subject, roles=verified.roles, token=token)
