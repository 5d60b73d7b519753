"""Calling other services: typed clients over channels with deadlines, retries and a breaker."""

from mesh.client.channel import (
    ClientOptions,
    ServiceClient,
    callee_audience,
    connect,
    create_channel,
    service_of_stub,
)
from mesh.client.config import Keepalive, RetryPolicy, channel_target, service_config
from mesh.client.interceptors import TokenProvider, circuit_open_error

__all__ = [
    "ClientOptions",
    "Keepalive",
    "RetryPolicy",
    "ServiceClient",
    "TokenProvider",
    "callee_audience",
    "channel_target",
    "circuit_open_error",
    "connect",
    "create_channel",
    "service_config",
    "service_of_stub",
]
