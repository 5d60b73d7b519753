"""What the server-side layers share: the method table and the call being served."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import grpc
from google.protobuf.descriptor import ServiceDescriptor

from mesh.contracts import MethodContract, service_contracts


class MethodTable:
    """The contracts of the methods a server serves, looked up by wire name."""

    def __init__(self, services: Iterable[ServiceDescriptor]) -> None:
        self._contracts = service_contracts(services)

    def get(self, full_method: str) -> MethodContract | None:
        """The method's contract; None for infrastructure (health, reflection)."""
        return self._contracts.get(full_method)

    def __iter__(self) -> Any:
        return iter(self._contracts.values())


class Call:
    """What the layers know about the call being served.

    `received` is the call's metadata as the server already handed it over, if it did (to the
    interceptor, in `grpc.HandlerCallDetails`): reading it again from the context converts it
    from the C core a second time.
    """

    __slots__ = ("_context", "_metadata", "_received", "contract", "method")

    def __init__(
        self,
        method: str,
        contract: MethodContract | None,
        context: grpc.aio.ServicerContext,
        received: Sequence[tuple[str, str | bytes]] | None = None,
    ) -> None:
        self.method = method
        self.contract = contract
        self._context = context
        self._received = received
        self._metadata: dict[str, str] | None = None

    @property
    def metadata(self) -> Mapping[str, str]:
        """The call's text metadata (binary entries left out), read once."""
        if self._metadata is None:
            pairs = self._received
            if pairs is None:
                pairs = self._context.invocation_metadata() or ()
            self._metadata = {key: value for key, value in pairs if isinstance(value, str)}
        return self._metadata
