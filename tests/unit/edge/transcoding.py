"""The test TranscodingService's bindings, and a helper to transcode one HTTP request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from google.protobuf.message import Message

from edge.transcoding.bindings import HttpBinding, bindings_of
from edge.transcoding.request import transcode_request
from meshwork.testing.v1 import transcoding_pb2

SERVICE = transcoding_pb2.DESCRIPTOR.services_by_name["TranscodingService"]
BINDINGS: dict[str, HttpBinding] = {
    binding.operation_id.removeprefix("TranscodingService_"): binding
    for binding in bindings_of([SERVICE])
}


def transcode(
    operation: str,
    path: str,
    *,
    query: Sequence[tuple[str, str]] = (),
    body: Any = None,
    content_type: str | None = None,
) -> Message:
    """The request message for an HTTP request to `operation` (body: JSON value or bytes)."""
    binding = BINDINGS[operation]
    values = binding.template.match(path)
    assert values is not None, f"{path} does not match {binding.template.source}"
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    return transcode_request(
        binding, path_values=values, query=query, body=raw, content_type=content_type
    )
