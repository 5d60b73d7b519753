"""Server reflection that shows the contracts' comments and resolves method names.

The stock reflection service serialises descriptors from the runtime pool, which has no
comments (generated code drops source info). `make gen` also writes each output folder's
`meshwork/descriptors.binpb` with source info; this serves those, so `grpcurl describe`
shows the documentation, and it lets `describe pkg.Service.Method` find the method.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import FileDescriptor
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection, reflection_pb2_grpc

DESCRIPTOR_SET = Path("meshwork") / "descriptors.binpb"


def descriptor_set_of(module: ModuleType) -> Path | None:
    """The descriptor set written next to a generated module's `meshwork/` root, if any."""
    path = Path(module.__file__ or "").resolve()
    for parent in path.parents:
        if parent.name == "meshwork" and (parent.parent / DESCRIPTOR_SET).is_file():
            return parent.parent / DESCRIPTOR_SET
    return None


Sources = dict[str, descriptor_pb2.FileDescriptorProto]


class _DocumentedFile:
    """A file descriptor whose CopyToProto also copies its comments."""

    def __init__(self, file: FileDescriptor, sources: Sources) -> None:
        self._file = file
        self._sources = sources
        self.name = file.name

    @property
    def dependencies(self) -> list[_DocumentedFile]:
        return [_DocumentedFile(dep, self._sources) for dep in self._file.dependencies]

    def CopyToProto(self, proto: descriptor_pb2.FileDescriptorProto) -> None:
        self._file.CopyToProto(proto)
        if self.name in self._sources:
            proto.source_code_info.CopyFrom(self._sources[self.name].source_code_info)


class DocumentedPool:
    """The runtime descriptor pool, answering with documented files (duck-typed for reflection)."""

    def __init__(self, descriptor_sets: Iterable[Path]) -> None:
        self._pool = descriptor_pool.Default()
        self._sources: Sources = {}
        for path in descriptor_sets:
            for file in descriptor_pb2.FileDescriptorSet.FromString(path.read_bytes()).file:
                self._sources[file.name] = file

    def FindFileByName(self, name: str) -> _DocumentedFile:
        return _DocumentedFile(self._pool.FindFileByName(name), self._sources)

    def FindFileContainingSymbol(self, symbol: str) -> _DocumentedFile:
        try:
            file = self._pool.FindFileContainingSymbol(symbol)
        except KeyError:
            # `pkg.Service.Method`: the pool knows services, not their methods, as symbols.
            parent, _, method = symbol.rpartition(".")
            service = self._pool.FindServiceByName(parent)
            if method not in service.methods_by_name:
                raise
            file = service.file
        return _DocumentedFile(file, self._sources)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


def enable_reflection(
    server: grpc.aio.Server | Any, service_names: Iterable[str], modules: Iterable[ModuleType]
) -> None:
    """Serves reflection for `service_names` (plus health and reflection themselves), with the
    asyncio servicer, on `server` or anything that takes a generated servicer's registration."""
    sets = {path for module in modules if (path := descriptor_set_of(module)) is not None}
    names = [*service_names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name]
    servicer = reflection.aio.ReflectionServicer(
        [*names, reflection.SERVICE_NAME], pool=DocumentedPool(sets)
    )
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(servicer, server)
