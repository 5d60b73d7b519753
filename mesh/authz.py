"""The access policy declared in the protos, applied to a verified caller (pure logic)."""

from __future__ import annotations

from mesh.context import Principal
from mesh.contracts import Access
from mesh.errors import MESH_DOMAIN, PermissionDenied, Unauthenticated, role_required


def authorize(principal: Principal, access: Access, *, method: str) -> None:
    """Raises Unauthenticated or PermissionDenied unless `principal` may call `method`.

    Public methods admit anyone. Every other call must come from an identified service; then
    internal methods admit only the listed services (an end user's roles grant nothing there),
    calls without an end user need a listed service, and calls with one need one of `roles`
    when roles are declared.
    """
    if access.public:
        return
    if principal.service is None:
        raise Unauthenticated(
            f"{method} needs the calling service's token in the 'authorization' metadata "
            "(Bearer <service token>)",
            reason="SERVICE_TOKEN_MISSING",
            domain=MESH_DOMAIN,
        )
    user = principal.user
    if user is None or access.internal:
        _authorize_service(principal.service, access, method=method)
    elif access.roles and not user.has_any_role(access.roles):
        raise role_required(method, access.roles)


def _authorize_service(service: str, access: Access, *, method: str) -> None:
    if service in access.services:
        return
    if access.services:
        allowed = ", ".join(sorted(access.services))
        message = f"service {service!r} may not call {method} (allowed: {allowed})"
        if not access.internal:
            message = (
                f"service {service!r} may not call {method} on its own behalf (allowed: "
                f"{allowed}); to act for an end user, pass their access token in the "
                "'x-user-authorization' metadata (Bearer <access token>)"
            )
        raise PermissionDenied(
            message, reason="CALLER_NOT_ALLOWED", domain=MESH_DOMAIN, metadata={"caller": service}
        )
    raise Unauthenticated(
        f"{method} acts for an end user: pass their access token in the "
        "'x-user-authorization' metadata (Bearer <access token>)",
        reason="USER_TOKEN_MISSING",
        domain=MESH_DOMAIN,
    )
