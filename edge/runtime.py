"""What the edge's routes share at run time, built in the app's lifespan."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from nats.aio.client import Client as NATS
from starlette.requests import Request

from edge.auth import EdgeAuthenticator
from edge.config import EdgeSettings
from edge.ratelimit import Quota, RateLimits
from edge.upstreams import Upstreams
from mesh.auth.revocation_feed import RevocationWatcher
from mesh.auth.revocations import Revocations
from mesh.contracts import MethodContract
from mesh.log_shipping import LogShipper, audit_sink
from mesh.reconnect import connect_nats
from meshwork.audit.v1 import audit_service_pb2

#: The audit service, where the edge ships its WARNING-and-above log records.
AUDIT = audit_service_pb2.DESCRIPTOR.services_by_name["AuditService"]


@dataclass
class EdgeRuntime:
    """The upstream clients, the authenticator and the rate limits of one running edge."""

    settings: EdgeSettings
    upstreams: Upstreams
    auth: EdgeAuthenticator
    limits: RateLimits
    nc: NATS | None = None
    revocations: RevocationWatcher | None = None
    shipper: LogShipper | None = field(default=None, repr=False)

    async def start(self) -> None:
        await self._ship_logs()
        await self._watch_revocations()

    async def _watch_revocations(self) -> None:
        """Loads and follows the revoked users over NATS (`EDGE_WATCH_REVOCATIONS`), so the
        tokens of a suspended user are refused here within moments, with no call per request."""
        if not self.settings.watch_revocations:
            return
        self.nc = await connect_nats(self.settings.nats_url, name=self.settings.service)
        self.revocations = RevocationWatcher(self.nc, Revocations())
        await self.revocations.start()
        self.upstreams.verifier.revocations = self.revocations.revocations

    async def _ship_logs(self) -> None:
        """Ships the edge's WARNING-and-above log records to audit when its address is set
        (over the edge's own client for audit, with the edge's service token)."""
        client = self.upstreams.clients.get(AUDIT.full_name)
        if not self.settings.ships_logs_to_audit() or client is None:
            return
        self.shipper = LogShipper(
            audit_sink(client.stub),
            service=self.settings.service,
            instance=self.settings.instance_id or socket.gethostname(),
            level=self.settings.log_shipping_level.upper(),
            capacity=self.settings.log_shipping_buffer,
        )
        self.shipper.install()
        await self.shipper.start()

    def deadline_for(self, contract: MethodContract) -> float:
        """The upstream call's deadline: the method's declared default, capped by settings."""
        return min(contract.default_deadline_s, self.settings.max_upstream_deadline_s)

    def is_strict(self, method_full_name: str) -> bool:
        return method_full_name in self.settings.strict_rate_limit_methods

    async def close(self) -> None:
        if self.revocations is not None:
            await self.revocations.stop()
        if self.nc is not None:
            await self.nc.drain()
        if self.shipper is not None:
            await self.shipper.stop()
        await self.upstreams.close()
        await self.limits.close()


def runtime_of(request: Request) -> EdgeRuntime:
    """The running edge's shared parts (set by the lifespan)."""
    runtime: EdgeRuntime = request.app.state.edge
    return runtime


def quota_headers(*quotas: Quota | None) -> dict[str, str]:
    """The RateLimit-* headers of the tightest of the limits a request counted against."""
    tightest: Quota | None = None
    for quota in quotas:
        if quota is not None:
            tightest = quota.tighter(tightest)
    return tightest.headers() if tightest else {}
