"""What a client channel is told up front: its target, service config, keepalive and retries."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mesh.contracts import MethodContract

#: Only "the callee could not be reached" is retried: every other status is an answer.
RETRYABLE_STATUS_CODES = ("UNAVAILABLE",)
#: Reconnect backoff: the first retry soon (gRPC waits 1 s), so a callee that restarted or
#: handed its port over is reconnected to within the callers' connection wait; capped (gRPC's
#: default is 120 s, far too long for a restarted pod).
INITIAL_RECONNECT_BACKOFF_MS = 100
MAX_RECONNECT_BACKOFF_MS = 5_000


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How idempotent calls are retried on UNAVAILABLE (gRFC A6), and throttled when many fail.

    gRPC sleeps a random time up to min(initial * multiplier^(n-1), max) before attempt n+1,
    and stops retrying a target once more than half of `throttle_max_tokens` is spent
    (each failure costs one token, each success earns back `throttle_token_ratio`).
    """

    max_attempts: int = 4
    initial_backoff_s: float = 0.1
    max_backoff_s: float = 1.0
    backoff_multiplier: float = 2.0
    throttle_max_tokens: int = 10
    throttle_token_ratio: float = 0.1

    def __post_init__(self) -> None:
        if not 2 <= self.max_attempts <= 5:
            raise ValueError(f"max_attempts must be 2..5 (gRPC's limit), got {self.max_attempts}")
        if self.initial_backoff_s <= 0 or self.max_backoff_s < self.initial_backoff_s:
            raise ValueError("backoffs must satisfy 0 < initial_backoff_s <= max_backoff_s")


@dataclass(frozen=True, slots=True, kw_only=True)
class Keepalive:
    """HTTP/2 keepalive pings that detect dead connections (a vanished pod, a dropped NAT entry).

    Servers reject pings more frequent than they allow (GOAWAY "too_many_pings"), so the mesh
    server must set `grpc.keepalive_permit_without_calls=1` and
    `grpc.http2.min_ping_interval_without_data_ms` <= `time_ms`.
    """

    time_ms: int = 30_000
    timeout_ms: int = 10_000
    permit_without_calls: bool = True


def channel_target(target: str | Sequence[str]) -> str:
    """The gRPC target for one name or a static list of addresses.

    A string is used as given ("dns:///users:50051", "ipv4:10.0.0.1:5001,10.0.0.2:5001").
    A list of "host:port" IP addresses becomes an ipv4:/ipv6: target; a one-item list of a
    host name becomes a dns:/// target.
    """
    if isinstance(target, str):
        return target
    addresses = list(target)
    if not addresses:
        raise ValueError("no address given: pass a target such as 'dns:///users:50051'")
    families = {_address_family(address) for address in addresses}
    if families == {"ipv4"} or families == {"ipv6"}:
        return f"{families.pop()}:{','.join(addresses)}"
    if families == {"dns"} and len(addresses) == 1:
        return f"dns:///{addresses[0]}"
    raise ValueError(
        f"cannot build one target from {addresses}: list IP addresses of a single family, "
        "or give one DNS name that resolves to every instance (e.g. 'dns:///users:50051')"
    )


def _address_family(address: str) -> str:
    host, separator, port = address.rpartition(":")
    if not separator or not port.isdigit():
        raise ValueError(f"address {address!r} needs a port, e.g. '127.0.0.1:50051'")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return f"ipv{ipaddress.ip_address(host).version}"
    except ValueError:
        return "dns"


def service_config(contracts: Iterable[MethodContract], retry: RetryPolicy) -> dict[str, Any]:
    """The gRPC service config: round robin, and retries on UNAVAILABLE where idempotent.

    It sets no per-method `timeout`: gRPC Python mis-applies it, failing calls with
    DEADLINE_EXCEEDED before they are sent when it is under ~2 s (grpc/grpc#34547, #40633;
    reproduced with grpcio 1.85). Default deadlines are set per call by `DefaultDeadlines`
    instead, which also leaves callers free to ask for longer ones.
    """
    return {
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [
            _retried_method(contract, retry) for contract in contracts if contract.idempotent
        ],
        "retryThrottling": {
            "maxTokens": retry.throttle_max_tokens,
            "tokenRatio": retry.throttle_token_ratio,
        },
    }


def _retried_method(contract: MethodContract, retry: RetryPolicy) -> dict[str, Any]:
    return {
        "name": [{"service": contract.service, "method": contract.name}],
        "retryPolicy": {
            "maxAttempts": retry.max_attempts,
            "initialBackoff": _duration(retry.initial_backoff_s),
            "maxBackoff": _duration(retry.max_backoff_s),
            "backoffMultiplier": retry.backoff_multiplier,
            "retryableStatusCodes": list(RETRYABLE_STATUS_CODES),
        },
    }


def _duration(seconds: float) -> str:
    # protobuf's JSON form of google.protobuf.Duration, millisecond precision
    return f"{seconds:.3f}s"


def channel_options(
    config: Mapping[str, Any],
    keepalive: Keepalive,
    overrides: Mapping[str, str | int] | None = None,
) -> list[tuple[str, str | int]]:
    """gRPC channel arguments: our service config (not the resolver's), retries, keepalive."""
    options: dict[str, str | int] = {
        "grpc.service_config": json.dumps(config),
        # DNS is only the registry of addresses; the config comes from the protos, not TXT records
        "grpc.service_config_disable_resolution": 1,
        "grpc.enable_retries": 1,
        "grpc.keepalive_time_ms": keepalive.time_ms,
        "grpc.keepalive_timeout_ms": keepalive.timeout_ms,
        "grpc.keepalive_permit_without_calls": int(keepalive.permit_without_calls),
        # keep pinging an idle connection (gRPC stops after 2 data-less pings by default)
        "grpc.http2.max_pings_without_data": 0,
        "grpc.initial_reconnect_backoff_ms": INITIAL_RECONNECT_BACKOFF_MS,
        "grpc.max_reconnect_backoff_ms": MAX_RECONNECT_BACKOFF_MS,
    }
    options.update(overrides or {})
    return list(options.items())
