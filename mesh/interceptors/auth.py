"""Authentication slot: verify the caller, then apply the method's declared access policy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Protocol

import grpc

from mesh.authz import authorize
from mesh.context import Principal, principal_var
from mesh.interceptors.base import Call, CallInterceptor, MethodTable


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


class AuthInterceptor(CallInterceptor):
    """Verifies every call to a contract method and publishes the caller as `current_principal`.

    Infrastructure services without a contract (health, reflection) stay open, as probes and
    grpcurl need them without credentials.
    """

    def __init__(self, methods: MethodTable, *, authenticator: Authenticator) -> None:
        super().__init__(methods)
        self._authenticator = authenticator

    @asynccontextmanager
    async def around(self, call: Call, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
        if call.contract is None:
            yield
            return
        audience = service_audience(call.contract.service)
        principal = await self._authenticator.authenticate(call.metadata, audience=audience)
        authorize(principal, call.contract.access, method=call.method)
        token = principal_var.set(principal)
        try:
            yield
        finally:
            principal_var.reset(token)


def service_audience(full_service_name: str) -> str:
    """The audience tokens for a service carry: `meshwork.users.v1.UsersService` → `users`."""
    parts = full_service_name.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "meshwork" else full_service_name
