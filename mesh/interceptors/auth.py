"""Authentication slot: verify the caller, then apply the method's declared access policy."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Protocol

from mesh.authz import authorize
from mesh.context import Principal
from mesh.interceptors.base import Call


class Authenticator(Protocol):
    """Turns call metadata into a verified Principal.

    Implementations verify the service token (`authorization`) and the forwarded end-user
    token (`x-user-authorization`), returning a Principal without the parts that are absent,
    and raise `mesh.errors.Unauthenticated` for any token that is present but not valid.
    `audience` is the name of the service being called: a token minted for another is invalid.
    """

    async def authenticate(self, metadata: Mapping[str, str], *, audience: str) -> Principal:
        """The verified caller."""
        ...


async def authenticate(call: Call, authenticator: Authenticator) -> Principal | None:
    """The verified caller of a contract method, admitted by the method's access policy.

    None for infrastructure services without a contract (health, reflection): probes and
    grpcurl need them without credentials.
    """
    if call.contract is None:
        return None
    audience = service_audience(call.contract.service)
    principal = await authenticator.authenticate(call.metadata, audience=audience)
    authorize(principal, call.contract.access, method=call.method)
    return principal


@functools.cache
def service_audience(full_service_name: str) -> str:
    """The audience tokens for a service carry: `meshwork.users.v1.UsersService` → `users`."""
    parts = full_service_name.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "meshwork" else full_service_name
