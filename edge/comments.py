"""The contracts' comments by symbol, read from the descriptor sets `make gen` writes.

Generated modules carry no source info, so the comments come from each output folder's
`meshwork/descriptors.binpb` (located as `mesh.reflection` does), indexed by full name:
"meshwork.users.v1.User", "meshwork.users.v1.User.email", "meshwork.users.v1.UsersService".
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import FileDescriptor

from mesh.reflection import descriptor_set_of

# Field numbers in descriptor.proto that source-info paths are made of.
_MESSAGE, _ENUM, _SERVICE = 4, 5, 6  # in FileDescriptorProto
_FIELD, _NESTED, _NESTED_ENUM = 2, 3, 4  # in DescriptorProto
_ENUM_VALUE = 2  # in EnumDescriptorProto
_METHOD = 2  # in ServiceDescriptorProto


class Comments:
    """Leading (else trailing) comments of messages, fields, enums, values, services, methods."""

    def __init__(self, files: Iterable[FileDescriptor]) -> None:
        self._by_name: dict[str, str] = {}
        for path in sorted({p for f in files if (p := _descriptor_set(f)) is not None}):
            descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(path.read_bytes())
            for file in descriptor_set.file:
                self._index(file)

    def of(self, full_name: str) -> str:
        """The comment of a symbol, "" when it has none (or its source is not at hand)."""
        return self._by_name.get(full_name, "")

    def _index(self, file: descriptor_pb2.FileDescriptorProto) -> None:
        names = _symbol_paths(file)
        for location in file.source_code_info.location:
            name = names.get(tuple(location.path))
            text = location.leading_comments or location.trailing_comments
            if name and text.strip():
                self._by_name[name] = _clean(text)


def _descriptor_set(file: FileDescriptor) -> Path | None:
    module_name = file.name.removesuffix(".proto").replace("/", ".") + "_pb2"
    try:
        return descriptor_set_of(importlib.import_module(module_name))
    except ImportError:
        return None  # google/protobuf/*: no comments at hand


def _symbol_paths(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    package = f"{file.package}." if file.package else ""
    paths: dict[tuple[int, ...], str] = {}
    for index, message in enumerate(file.message_type):
        _message_paths(message, (_MESSAGE, index), package + message.name, paths)
    for index, enum in enumerate(file.enum_type):
        _enum_paths(enum, (_ENUM, index), package + enum.name, paths)
    for index, service in enumerate(file.service):
        name = package + service.name
        paths[(_SERVICE, index)] = name
        for method_index, method in enumerate(service.method):
            paths[(_SERVICE, index, _METHOD, method_index)] = f"{name}.{method.name}"
    return paths


def _message_paths(
    message: descriptor_pb2.DescriptorProto,
    path: tuple[int, ...],
    name: str,
    paths: dict[tuple[int, ...], str],
) -> None:
    paths[path] = name
    for index, field in enumerate(message.field):
        paths[(*path, _FIELD, index)] = f"{name}.{field.name}"
    for index, nested in enumerate(message.nested_type):
        _message_paths(nested, (*path, _NESTED, index), f"{name}.{nested.name}", paths)
    for index, enum in enumerate(message.enum_type):
        _enum_paths(enum, (*path, _NESTED_ENUM, index), f"{name}.{enum.name}", paths)


def _enum_paths(
    enum: descriptor_pb2.EnumDescriptorProto,
    path: tuple[int, ...],
    name: str,
    paths: dict[tuple[int, ...], str],
) -> None:
    paths[path] = name
    for index, value in enumerate(enum.value):
        paths[(*path, _ENUM_VALUE, index)] = f"{name}.{value.name}"


def _clean(text: str) -> str:
    lines = [line[1:] if line.startswith(" ") else line for line in text.strip("\n").split("\n")]
    return "\n".join(lines).strip()
