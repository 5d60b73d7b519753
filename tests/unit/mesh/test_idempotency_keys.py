"""Idempotency keys: what a call's key is, which requests count as the same, whose key it is."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2

from mesh.context import IDEMPOTENCY_KEY, Principal, User, principal_var
from mesh.errors import InvalidArgument
from mesh.idempotency.keys import caller_of_current_call, fingerprint_of, key_of


class Context:
    def __init__(self, *metadata: tuple[str, str]) -> None:
        self._metadata = metadata

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata


def test_equal_requests_have_one_fingerprint_whatever_their_map_order() -> None:
    one, two = struct_pb2.Struct(), struct_pb2.Struct()
    one.update({"a": 1, "b": "x"})
    two.update({"b": "x", "a": 1})

    assert fingerprint_of(one) == fingerprint_of(two)
    two.update({"a": 2})
    assert fingerprint_of(one) != fingerprint_of(two)


def test_a_call_without_the_metadata_entry_has_no_key() -> None:
    assert key_of(Context(("x-request-id", "r-1"))) == ""  # type: ignore[arg-type]
    assert key_of(Context((IDEMPOTENCY_KEY, ""))) == ""  # type: ignore[arg-type]


def test_the_key_is_the_metadata_entry() -> None:
    assert key_of(Context((IDEMPOTENCY_KEY, "k-1"))) == "k-1"  # type: ignore[arg-type]


def test_a_key_over_255_characters_is_refused_with_what_to_send() -> None:
    with pytest.raises(InvalidArgument) as refused:
        key_of(Context((IDEMPOTENCY_KEY, "k" * 256)))  # type: ignore[arg-type]

    assert refused.value.reason == "INVALID_IDEMPOTENCY_KEY"
    assert "1 to 255 printable ASCII characters" in refused.value.message


def test_a_key_belongs_to_the_calling_service_and_end_user() -> None:
    token = principal_var.set(Principal(service="edge", user=User(subject="u-1")))
    try:
        assert caller_of_current_call() == "edge/u-1"
    finally:
        principal_var.reset(token)
    assert caller_of_current_call() == "/"  # an anonymous call straight to the service
