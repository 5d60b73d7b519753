"""Builds the identity service on the mesh runtime; nothing is created at import time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

from mesh.idempotency import IdempotencyRecords
from mesh.server import ServiceBinding
from mesh.service import Built, ServiceRuntime
from meshwork.admin.v1 import admin_service_pb2_grpc
from meshwork.identity.v1 import identity_service_pb2, identity_service_pb2_grpc
from meshwork.users.v1 import users_service_pb2_grpc
from services.identity.access import AccessDirectory
from services.identity.config import IdentitySettings
from services.identity.events import consumers
from services.identity.grpc_api import IdentityServicer
from services.identity.handlers.common import Deps
from services.identity.handlers.keys import ensure_signing_keys, get_jwks, sign_service_token
from services.identity.keys import KeyCipher
from services.identity.passwords import PasswordHashing
from services.identity.profiles import ProfileDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


class LaunchOptions(TypedDict):
    """What `mesh.service.start_service` / `run_service` take besides the settings."""

    build: Callable[[ServiceRuntime], Awaitable[Built]]
    migrations: Path
    local_keys: Callable[[], Awaitable[Sequence[Mapping[str, Any]]]]
    local_tokens: Callable[[str], Awaitable[tuple[str, float]]]


class IdentityService:
    """Identity wired to a runtime. Identity verifies tokens and gets its own service tokens
    from its own database (`local_keys`, `local_tokens`), never over the network.

        service = IdentityService(settings)
        async with start_service(settings, **service.launch_options()) as running: ...
    """

    def __init__(self, settings: IdentitySettings, *, passwords: PasswordHashing | None = None):
        self.settings = settings
        self._passwords = passwords
        self._deps: Deps | None = None

    @property
    def deps(self) -> Deps:
        """The handlers' dependencies (available once built)."""
        if self._deps is None:
            raise RuntimeError("identity is not built yet: start it with launch_options()")
        return self._deps

    def launch_options(self) -> LaunchOptions:
        return LaunchOptions(
            build=self.build,
            migrations=MIGRATIONS,
            local_keys=self.jwks,
            local_tokens=self.own_token,
        )

    async def build(self, runtime: ServiceRuntime) -> Built:
        """Creates the handlers' dependencies, the first signing keys if none, the servicer and
        the consumers of admin's and users' events."""
        deps = self._deps = Deps(
            settings=self.settings,
            unit_of_work=runtime.unit_of_work,
            passwords=self._passwords or PasswordHashing(),
            cipher=KeyCipher(self.settings.signing_key_secret.get_secret_value()),
            users=ProfileDirectory(
                lambda: runtime.client(users_service_pb2_grpc.UsersServiceStub, "users")
            ),
            access=AccessDirectory(
                lambda: runtime.client(admin_service_pb2_grpc.AdminServiceStub, "admin")
            ),
        )
        await ensure_signing_keys(deps)
        await deps.passwords.prepare()  # so the first unknown-email login costs a hash too
        deps.keys_rotated = runtime.verifier.refresh_keys  # this process verifies new keys at once
        # Sign-up's answer holds the session's tokens: stored sealed, as the signing keys are.
        idempotency = IdempotencyRecords(runtime.engine, seal=deps.cipher)
        servicer = IdentityServicer(deps, idempotency)
        return Built(
            bindings=[ServiceBinding.of(identity_service_pb2, identity_service_pb2_grpc, servicer)],
            consumers=[
                *consumers(runtime.nc, runtime.unit_of_work, clock=lambda: deps.clock()),
                idempotency.purge_loop(),
            ],
        )

    async def jwks(self) -> Sequence[Mapping[str, Any]]:
        """The JWK Set, read from the database (identity's own verifier uses it)."""
        return await get_jwks(self.deps)

    async def own_token(self, audience: str) -> tuple[str, float]:
        """A service token for identity's own calls to `audience` (e.g. users), signed here."""
        token = await sign_service_token(self.deps, self.settings.service, audience)
        return token.token, token.expires_at.timestamp()
